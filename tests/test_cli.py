"""The command line: user errors end with one line and a non-zero exit, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from fakes import FakeEstimator
from test_report_schema import validate_report
from typer.testing import CliRunner

from coach import cli
from coach.cli import app
from coach.io.sinks import VideoFileSink

runner = CliRunner()


def _invoke(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture
def blank_video(tmp_path: Path) -> Path:
    """A short video with nobody in it."""
    path = tmp_path / "empty_room.mp4"
    with VideoFileSink(path, 10.0, (160, 120)) as sink:
        for i in range(12):
            img = np.full((120, 160, 3), 90 + i, np.uint8)
            sink.write(img)
    return path


def test_exercises_lists_checks():
    r = _invoke("exercises", "-v")
    assert r.exit_code == 0
    assert "supine_figure4" in r.output and "foot_flexed [reminder only]" in r.output
    assert "hip_height rises > 0.15 torso" in r.output
    assert "side: crossed_ankle (margin 0.15, switch_after_s 1, quick_s 0.3)" in r.output
    assert "knee_angle (deg): Hip-knee-ankle angle" in r.output


@pytest.fixture
def no_model(monkeypatch):
    """The CLI's estimator is a fake that sees nobody: the fast tier never loads the model."""
    monkeypatch.setattr(cli, "open_estimator", lambda model=None, video=True: FakeEstimator())


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["analyze", "nope.mp4", "-e", "pigeon"], 2, "nope.mp4: no such file"),
        (["analyze", "{tmp}", "-e", "pigeon"], 2, "is a directory"),
        (["analyze", "{text}", "-e", "pigeon"], 2, "not a readable video or image"),
        (["analyze", "{png}", "-e", "pigeon"], 2, "not a readable image"),
        (["analyze", "{video}", "-e", "pidgeon"], 2, "unknown exercise 'pidgeon'; did you mean pigeon"),
        (["analyze", "{video}", "-e", "pigeon", "--model", "missing.task"], 2, "model file not found"),
        (["analyze", "{video}", "-e", "pigeon", "--model", "{text}"], 2,
         "not a usable MediaPipe pose landmarker .task file"),
        (["live", "-e", "pigeon", "--camera", "nothing_here.mp4", "--no-window"], 2,
         "nothing_here.mp4: no such file"),
        (["live", "-e", "pigeon", "--camera", "7", "--no-window"], 2, "cannot open camera 7"),
        (["analyze", "{video}", "-e", "roll-down", "--first-side", "middle"], 2,
         "--first-side: expected left or right, got 'middle'"),
        (["analyze", "{video}", "-e", "pigeon", "--stride", "2"], 2,
         "--stride: expected one of 1, auto, got '2'"),
    ],
)
def test_bad_input_one_line_nonzero_exit(tmp_path: Path, blank_video: Path, args, code, message):
    text = tmp_path / "notes.txt"
    text.write_text("not a video")
    png = tmp_path / "broken.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    args = [a.format(tmp=tmp_path, text=text, png=png, video=blank_video) for a in args]
    r = _invoke(*args)
    assert r.exit_code == code, r.output
    lines = [ln for ln in r.output.strip().splitlines() if ln.strip()]
    assert lines == [lines[-1]] and lines[-1].startswith("coach: error: "), r.output
    assert message in lines[-1]
    assert "Traceback" not in r.output


@pytest.mark.parametrize("stride", ["1", "auto"])
def test_analyze_video_with_nobody_writes_video_and_report(tmp_path: Path, blank_video: Path,
                                                           no_model, stride):
    out = tmp_path / "out"
    r = _invoke("analyze", str(blank_video), "-e", "figure-4", "--out", str(out),
                "--stride", stride)
    assert r.exit_code == 0, r.output
    report = json.loads((out / "report.json").read_text())
    assert report["exercise"] == "supine_figure4"
    assert report["frames"] == 12 and report["fps"] == 10.0
    assert report["sides"]["left"]["hold_s"] == 0 and report["sides"]["right"]["hold_s"] == 0
    assert any("No person was seen" in n for n in report["notes"])
    video = out / "empty_room_annotated.mp4"
    cap = cv2.VideoCapture(str(video))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 12
    assert cap.get(cv2.CAP_PROP_FPS) == pytest.approx(10.0)
    assert "No person was seen" in r.output
    assert f"wrote {out / 'report.html'}" in r.output


def test_analyze_still_image(tmp_path: Path, no_model):
    img = tmp_path / "still.jpg"
    cv2.imwrite(str(img), np.full((240, 320, 3), 128, np.uint8))
    out = tmp_path / "o"
    r = _invoke("analyze", str(img), "-e", "pigeon", "--out", str(out), "-q")
    assert r.exit_code == 0, r.output
    annotated = cv2.imread(str(out / "still_annotated.jpg"))
    assert annotated.shape == (240, 320, 3)
    assert json.loads((out / "report.json").read_text())["frames"] == 1


def test_broken_definition_is_reported_by_name(tmp_path: Path, monkeypatch, blank_video: Path):
    poses = tmp_path / "poses"
    poses.mkdir()
    (poses / "pigeon.toml").write_text('name = "pigeon"\ntitle = "Pigeon"\n[side]\nrule = "x"\n')
    monkeypatch.setenv("COACH_POSES", str(poses))
    r = _invoke("analyze", str(blank_video), "-e", "pigeon")
    assert r.exit_code == 2
    assert "coach: error: pigeon.toml: side.rule: unknown side rule 'x'" in r.output


def test_output_folder_that_cannot_be_written(tmp_path: Path, blank_video: Path):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the output folder should go")
    r = _invoke("analyze", str(blank_video), "-e", "pigeon", "--out", str(blocker / "out"))
    assert r.exit_code == 2
    assert r.output.strip().startswith("coach: error: cannot create")
    assert "Traceback" not in r.output


def test_exercises_lists_every_stretch_with_what_is_checked():
    from coach.rules.definitions import exercise_names

    r = _invoke("exercises")
    assert r.exit_code == 0, r.output
    names = exercise_names()
    assert len(names) == 16  # the guides' sixteen stretches and the Pilates series
    for name in names:
        assert f"{name}  (" in r.output
    assert "target: hold 30 s; both sides at once" in r.output  # child's pose
    assert "hold 30 s per side (6 breaths of 5 s)" in r.output  # the seated twist
    assert "8 kicks per side" in r.output
    assert "- shoulders_down: " in r.output


def test_routines_lists_steps_with_targets_and_marks_what_is_not_there():
    r = _invoke("routines")
    assert r.exit_code == 0, r.output
    out = r.output
    assert "lower_back  (Lower back and hips: nine stretches)" in out
    assert "1. child_pose         Child's pose: 30 s\n" in out  # no sides
    assert "2. supine_figure4     Supine figure-4: 30 s per side\n" in out
    assert "2. wall_glute         Wall glute stretch: 6 breaths per side\n" in out
    assert "not available yet" not in out  # every stretch of the guides has its definition
    assert "Side kick series: 8 kicks per side, rest 10 s after each side" in out


def test_exercises_are_grouped_by_routine_with_a_line_on_their_checks():
    r = _invoke("exercises")
    assert r.exit_code == 0, r.output
    out = r.output
    first = out.index("(routine figure4_progression) ==")
    assert out.index("supine_figure4  (Supine figure-4)") > first
    assert "    - hips_down [safety]: Let your hips sink back onto the floor" in out
    wall = out.index("wall_figure4  (Wall figure-4)\n")
    assert first < wall < out.index("chair_figure4  (Chair figure-4)\n")
    assert "    - foot_flexed [reminder only]: " in out[wall:]
    assert "target: hold 30 s per side, 3 leans per side, 2 leans back per side;" in out
    assert "supine_figure4  (Supine figure-4): see above" in out  # also in the lower-back one
    other = out.index("== Other ==")
    assert out.index("pigeon  (Pigeon)") > other and out.index("seated_rolldown  (") > other


def test_a_broken_routine_is_reported_by_file_and_key(tmp_path: Path, monkeypatch):
    (tmp_path / "mine.toml").write_text('name = "mine"\ntitle = "Mine"\n[[steps]]\n'
                                        'exercise = "pigeon"\nhold = 30\n')
    monkeypatch.setenv("COACH_ROUTINES", str(tmp_path))
    for args in (["routines"], ["exercises"]):
        r = _invoke(*args)
        assert r.exit_code == 2
        assert r.output.strip() == ("coach: error: mine.toml: steps[0].hold: unknown key; expected "
                                    "one of: breaths, exercise, hold_s, reps, rest_s, sides")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["analyze", "{video}", "--routine", "lower-bak"],
         "unknown routine 'lower-bak'; did you mean lower_back?"),
        (["analyze", "{video}", "--routine", "glute", "-e", "pigeon"],
         "--exercise and --routine: name one"),
        (["analyze", "{image}", "--routine", "glute"], "--routine needs a video"),
    ],
)
def test_routine_usage_errors(tmp_path: Path, blank_video: Path, args, message):
    image = tmp_path / "still.png"
    cv2.imwrite(str(image), np.full((120, 160, 3), 90, np.uint8))
    r = _invoke(*[a.format(video=blank_video, image=image) for a in args])
    assert r.exit_code == 2, r.output
    assert r.output.strip().startswith("coach: error: ") and message in r.output


def test_analyze_against_a_routine_never_calls_it_complete(tmp_path: Path, blank_video: Path,
                                                          no_model):
    out = tmp_path / "out"
    r = _invoke("analyze", str(blank_video), "--routine", "figure4-progression", "--out", str(out))
    assert r.exit_code == 0, r.output
    report = json.loads((out / "report.json").read_text())
    validate_report(report)
    assert report["complete"] is True  # the video was read to its end ...
    routine = report["routine"]  # ... but nobody did the routine
    assert routine["verdict"] == "incomplete" and routine["steps_done"] == 0
    # the wall and chair variants are defined; until the recogniser learns them, a recording
    # cannot show them and they are skipped
    from coach.recognizer import knows

    found = {n: "missing" if knows(n) else "skipped" for n in ("wall_figure4", "chair_figure4")}
    assert [(s["exercise"], s["status"]) for s in routine["steps"]] == [
        ("supine_figure4", "missing"), ("wall_figure4", found["wall_figure4"]),
        ("chair_figure4", found["chair_figure4"])]
    assert "Routine Figure-4: lying, at the wall, on a chair: incomplete (0 of 3 steps done)" in r.output
    assert "1. Supine figure-4: missing; not found in the recording" in r.output
    if found["wall_figure4"] == "skipped":
        assert ("2. Wall figure-4: skipped; the recogniser cannot find it in a recording yet"
                in r.output)
    page = (out / "report.html").read_text()
    assert "Routine: Figure-4: lying, at the wall, on a chair" in page and "incomplete" in page


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["live", "--routine", "walls", "--no-window"],
         "routine walls: none of its steps is available yet (no definition for standing_quad, "
         "wall_angel)"),
        (["live", "--routine", "walls", "-e", "pigeon", "--no-window"],
         "--exercise and --routine: name one"),
        (["live", "--routine", "nope", "--no-window"], "unknown routine 'nope'"),
    ],
)
def test_live_routine_usage_errors(tmp_path: Path, monkeypatch, args, message):
    (tmp_path / "walls.toml").write_text('name = "walls"\ntitle = "At the wall"\n[[steps]]\n'
                                         'exercise = "standing_quad"\nbreaths = 6\n[[steps]]\n'
                                         'exercise = "wall_angel"\nhold_s = 60\n')
    monkeypatch.setenv("COACH_ROUTINES", str(tmp_path))
    r = _invoke(*args)
    assert r.exit_code == 2, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("coach: error: ") and message in lines[0]
