"""The command line: user errors end with one line and a non-zero exit, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from fakes import FakeEstimator
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
    assert len(names) == 13
    for name in names:
        assert f"{name}  (" in r.output
    assert "target: hold 30 s; both sides at once" in r.output  # child's pose
    assert "hold 30 s per side (6 breaths of 5 s)" in r.output  # the seated twist
    assert "8 kicks per side" in r.output
    assert "- shoulders_down: " in r.output
