"""The live loop driven by a video file standing in for the camera, with a fake pose estimator
playing a scripted session: the guided start, what is said in what order, keys, and the
session record."""

from __future__ import annotations

import numpy as np
import pytest
import synth
from fakes import FakeEstimator

from coach.io.sources import VideoFileSource
from coach.live import LiveOptions, run_live
from coach.output.speech import Utterance
from coach.pose import Pose
from coach.rules.definitions import find_exercise
from coach.truth import SAMPLES_DIR

SAMPLE = SAMPLES_DIR / "figure4_clean.mp4"  # 30 s at 15 fps: only its frames are used
pytestmark = pytest.mark.skipif(not SAMPLE.exists(), reason="sample missing")


class Heard:
    """A Speaker stand-in that notes every phrase the coach asks to say."""

    available, muted = True, False

    def __init__(self) -> None:
        self.asked: list[Utterance] = []
        self.said: list = []

    def say(self, u: Utterance) -> None:
        self.asked.append(u)

    def toggle_mute(self) -> bool:
        self.muted = not self.muted
        return self.muted

    def close(self, drain_s: float = 0.0) -> None:
        pass

    def texts(self) -> list[str]:
        return [u.text for u in self.asked]


def script(t: float) -> Pose:
    """Left side 0-14 s with the hips lifted 7-10 s, a break, the right side from 17 s (stick
    figures: located by the hand-set rules, not the recogniser, which learned real bodies)."""
    if t < 14:
        return synth.supine_figure4("left", hip_lift=40 if 7 <= t < 10 else 0)
    if t < 17:
        return Pose.empty((640, 480))
    return synth.supine_figure4("right")


class FakeDisplay:
    """Presses ``keys`` (key code by the number of frames shown) and keeps the last canvas."""

    def __init__(self, keys: dict[int, int], size=(960, 540)) -> None:
        self.keys, self._size = keys, size
        self.shown = 0
        self.canvas: np.ndarray | None = None
        self.fullscreen = 0

    def size(self):
        return self._size

    def show(self, canvas):
        self.shown += 1
        self.canvas = canvas

    def key(self, wait_ms: int = 1) -> int:
        return self.keys.pop(self.shown, -1)

    def toggle_fullscreen(self):
        self.fullscreen += 1

    def close(self):
        pass


def test_live_loop_guides_coaches_and_records(tmp_path):
    from coach.output.writers import report_writers

    ex = find_exercise("supine_figure4")
    heard = Heard()
    with VideoFileSource(SAMPLE) as source:
        result = run_live(source, FakeEstimator(script), ex, None, heard,
                          report_writers(tmp_path / "report.json"),
                          options=LiveOptions(setup_s=1.0, countdown_s=1.0, recognize=False))
    said = heard.texts()
    # the guided start: safety note and camera placement, countdown, begin
    assert said[0] == "Supine figure-4. Stop if anything hurts."
    assert said[1].startswith("Get ready") and said[2] == "Begin"
    fault = ex.check("hips_down").cue
    order = [said.index(fault), said.index("Now your right side")]
    assert order == sorted(order)
    safety = next(u for u in heard.asked if u.text == fault)
    assert safety.priority == 0  # a safety fault is the most urgent thing said
    assert said[-1].startswith("Well done. Left side")  # the summary, said
    # the record: coaching time only, both sides, the fault on the left
    rep = result.report
    assert rep.complete and rep.frames < 450  # set-up, framing and countdown are not coaching
    assert rep.sides["left"].hold_s > 5 and rep.sides["right"].hold_s > 8
    assert [(e.check, e.side) for e in rep.events] == [("hips_down", "left")]
    assert any("coaching only" in n for n in rep.notes)
    assert result.summary.top_fault is not None and result.summary.top_fault[0] == "Hips down"
    assert (tmp_path / "report.json").exists() and result.written[0] == tmp_path / "report.json"


def test_keys_skip_pause_and_quit_and_the_screen_is_drawn_at_the_window_size():
    ex = find_exercise("supine_figure4")
    heard = Heard()
    # n skips the set-up; at frame 60 space pauses, at 90 resumes; q quits at 150
    keys = {3: ord("n"), 60: ord(" "), 90: ord(" "), 100: ord("f"), 110: ord("m"), 150: ord("q")}
    display = FakeDisplay(keys)
    with VideoFileSource(SAMPLE) as source:
        result = run_live(source, FakeEstimator(script), ex, display, heard,
                          options=LiveOptions(setup_s=60.0, countdown_s=1.0, summary_s=0.0,
                                              recognize=False))
    assert display.canvas is not None and display.canvas.shape == (540, 960, 3)
    assert "Paused" in heard.texts() and "Go on" in heard.texts()
    assert display.fullscreen == 1 and heard.muted
    # quit after ~150 frames; 30 of them were paused and are not coaching time
    assert result.report.frames < 150 - 30


@pytest.mark.parametrize(("env", "says"), [
    ({}, "DISPLAY is not set"),
    ({"DISPLAY": ":77"}, "nothing listens on DISPLAY=:77"),
])
def test_live_without_a_display_says_so_in_one_line(monkeypatch, env, says):
    import sys

    from typer.testing import CliRunner

    from coach.cli import app

    if not sys.platform.startswith("linux"):
        pytest.skip("the display check is for Linux")
    for var in ("DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(var, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    res = CliRunner().invoke(app, ["live", "-e", "figure-4", "--camera", str(SAMPLE)])
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and says in lines[0] and "--no-window" in lines[0]


class ScriptedRecognizer:
    """A :class:`coach.recognizer.Recognizer` stand-in naming the stretch each scripted pose
    stands for (stick figures are not what the learned model knows)."""

    def __init__(self, names: dict[int, tuple[str, str | None]], coached: list[str]) -> None:
        from types import SimpleNamespace

        self.names = names
        self.model = SimpleNamespace(meta={"coached": coached})

    def update(self, pose: Pose, t: float):
        from coach.recognizer import NONE, Recognition

        stretch, side = self.names.get(id(pose), (NONE, None))
        return Recognition(stretch, side, 0.9)


def test_live_without_an_exercise_names_and_coaches_each_stretch_it_recognises(tmp_path):
    """``coach live`` without --exercise: the guided start for any stretch, each recognised
    stretch said by name and side and coached on the large screen, and a summary of them all."""
    from coach.live import RecognisingCoach, finish_live
    from coach.output.writers import report_writers
    from coach.rules.definitions import load_all
    from coach.session.auto import AutoSession
    from coach.session.guide import RoutineSummary
    from coach.session.report import AutoReport

    figure4, pigeon = synth.supine_figure4("left"), synth.pigeon("right")
    rec = ScriptedRecognizer({id(figure4): ("supine_figure4", "left"), id(pigeon): ("pigeon", "right")},
                             ["supine_figure4", "pigeon"])
    script = lambda t: figure4 if t < 14 else (Pose.empty((640, 480)) if t < 16 else pigeon)  # noqa: E731
    options = LiveOptions(setup_s=1.0, countdown_s=1.0, summary_s=0.0)
    heard, display = Heard(), FakeDisplay({})
    coach = RecognisingCoach(heard, options, report_writers(tmp_path / "report.json"),
                             session=AutoSession(load_all(), rec))
    assert coach.exercise.title == "Any stretch"
    with VideoFileSource(SAMPLE) as source:
        result = finish_live(coach, source, FakeEstimator(script), display, heard,
                             report_writers(tmp_path / "report.json"), options)
    said = heard.texts()
    assert said[0].startswith("Get into any stretch the coach knows")
    assert said.index("Supine figure-4, left side") < said.index("Pigeon, right side")
    assert said[-1].startswith("Well done. Supine figure-4: left ") and "Pigeon: " in said[-1]
    assert coach.exercise.name == "pigeon"  # the screen followed the stretch being done
    assert display.canvas is not None and display.canvas.shape == (540, 960, 3)
    rep = result.report
    assert isinstance(rep, AutoReport) and rep.complete
    assert [(s.stretch, s.side) for s in rep.segments] == [("supine_figure4", "left"), ("pigeon", "right")]
    assert rep.exercises["supine_figure4"].sides["left"].hold_s > 8
    assert rep.exercises["pigeon"].sides["right"].hold_s > 8
    assert isinstance(result.summary, RoutineSummary)
    assert [step[1] for step in result.summary.steps] == ["Supine figure-4", "Pigeon"]
    assert result.summary.subtitle.startswith("2 stretches recognised")
    assert (tmp_path / "report.json").exists()


def test_the_frame_rate_and_pose_time_shown_change_twice_a_second_not_every_frame(monkeypatch):
    import coach.live as live
    from coach.io.sources import Frame

    clock = [100.0]
    monkeypatch.setattr(live.time, "monotonic", lambda: clock[0])
    coach = live.LiveCoach(find_exercise("supine_figure4"), Heard(),
                           LiveOptions(setup_s=0.0, countdown_s=0.0, recognize=False))
    image = np.zeros((480, 640, 3), np.uint8)
    shown = []
    for i in range(40):  # 15 frames/s; the model's time varies, about 20 ms then 40 from frame 20
        clock[0] += 1 / 15
        ms = (20.0 if i < 20 else 40.0) + (1.0 if i % 2 else -1.0)
        view = coach.frame(Frame(image, i / 15, i), synth.supine_figure4("left"), 1, ms)
        shown.append((round(view.fps, 3), view.pose_ms))
    # no "0 fps" once the rate is known (from the second frame)
    assert shown[0][0] == 0 and all(fps > 0 for fps, _ in shown[1:])
    changes = [i for i in range(2, 40) if shown[i] != shown[i - 1]]
    # refreshed every 0.5 s (8 frames at 15 frames/s), not on every frame
    assert len(changes) >= 3 and all(b - a >= 7 for a, b in zip(changes, changes[1:], strict=False))
    assert shown[-1][1] == pytest.approx(40.0, abs=0.5)  # the model's mean time since the refresh
    assert shown[-1][0] == pytest.approx(15.0, rel=0.05)
    assert any(22.0 < ms < 38.0 for _, ms in shown)  # a refresh spanning the change is a mean


def test_without_an_exercise_a_camera_along_the_body_is_said_while_a_stretch_is_coached(tmp_path):
    """The recognising coach says the end-on warning too once a stretch is named (it did only
    while seeking one), and again a minute later while it lasts."""
    from coach.live import RecognisingCoach
    from coach.rules.definitions import load_all
    from coach.session.auto import AutoSession
    from coach.session.quality import END_ON_WARNING

    side_on = synth.supine_figure4("left")
    pts = {n: tuple(side_on.point(n)) for n in ("left_hip", "right_hip", "left_knee", "right_knee",
                                                  "left_ankle", "right_ankle", "nose")}
    hip = 0.5 * (side_on.point("left_hip") + side_on.point("right_hip"))
    pts["left_shoulder"], pts["right_shoulder"] = tuple(hip + (-5, -12)), tuple(hip + (5, -12))
    end_on = Pose.from_points(pts, depth={"left_shoulder": 0.5, "right_shoulder": 0.5})
    named = ("supine_figure4", "left")
    rec = ScriptedRecognizer({id(side_on): named, id(end_on): named}, ["supine_figure4"])
    heard = Heard()
    coach = RecognisingCoach(heard, LiveOptions(setup_s=0.0, countdown_s=0.0, summary_s=0.0),
                             session=AutoSession(load_all(), rec))
    image = np.full((480, 640, 3), 128, np.uint8)  # (light enough for the framing check)
    from coach.io.sources import Frame

    for i in range(15 * 80):
        pose = side_on if i < 15 * 6 else end_on
        view = coach.frame(Frame(image, i / 15, i), pose, 1, 0.0)
    assert view.state is not None and not view.state.seeking
    assert END_ON_WARNING in view.state.warnings
    assert heard.texts().count(END_ON_WARNING) == 2  # when it appeared, and a minute later
