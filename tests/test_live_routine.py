"""A routine live, driven by a video file standing in for the camera and a fake pose estimator
playing a scripted session (stick figures, located by the hand-set rules): each step announced,
coached until its target per side, sides switched, rests, a step without a definition skipped,
the summary; and keys that move on."""

from __future__ import annotations

from pathlib import Path

import pytest
import synth
from fakes import FakeEstimator
from test_live_loop import FakeDisplay, Heard
from test_report_schema import validate_report

from coach.io.sources import VideoFileSource
from coach.live import LiveOptions
from coach.live_routine import run_routine_live
from coach.pose import Pose
from coach.rules.routines import load_routine, plan
from coach.truth import SAMPLES_DIR

SAMPLE = SAMPLES_DIR / "figure4_clean.mp4"  # 30 s at 15 fps: only its frames are used
pytestmark = pytest.mark.skipif(not SAMPLE.exists(), reason="sample missing")
ROUTINE = """name = "pair"
title = "Figure-4 then pigeon"
rest_s = 1

[[steps]]
exercise = "supine_figure4"
hold_s = 4

[[steps]]
exercise = "standing_quad"
breaths = 5

[[steps]]
exercise = "pigeon"
sides = "left"
hold_s = 3
rest_s = 0
"""
OPTIONS = LiveOptions(setup_s=1.0, countdown_s=1.0, summary_s=0.0, recognize=False)


def _plan(tmp_path: Path):
    path = tmp_path / "pair.toml"
    path.write_text(ROUTINE)
    return plan(load_routine(path))


def script(t: float) -> Pose:
    """Figure-4 on the left until 9.5 s, a moment away, the right side from 10 s, pigeon on the
    left from 17 s (video time: the guided starts take some of it)."""
    if t < 9.5:
        return synth.supine_figure4("left")
    if t < 10:
        return Pose.empty((640, 480))
    if t < 17:
        return synth.supine_figure4("right")
    return synth.pigeon("left")


def test_a_routine_is_announced_coached_step_by_step_and_summed_up(tmp_path):
    from coach.output.writers import report_writers

    heard = Heard()
    with VideoFileSource(SAMPLE) as source:
        result = run_routine_live(source, FakeEstimator(script), _plan(tmp_path), None, heard,
                                  report_writers(tmp_path / "report.json"), options=OPTIONS)
    said = heard.texts()
    assert said[0] == ("Figure-4 then pigeon. Stop if anything hurts. Step 1 of 3: Supine "
                       "figure-4. Lie on your back and rest one ankle across the other knee. "
                       "Start with your left side.")
    order = ["Rest 1 second. Then your right side.", "Switch to your right side",
             "Supine figure-4: done. Rest 1 second. Then Pigeon.",
             "Standing quad stretch is not available yet: skipping it. Step 3 of 3: Pigeon. Bend "
             "one leg in front of you and stretch the other long behind. Your left side.",
             "Pigeon: done."]
    at = [said.index(text) for text in order]
    assert at == sorted(at), said
    assert said[-1] == "Figure-4 then pigeon: 2 of 3 steps done. Standing quad stretch: skipped."
    report = result.report
    validate_report(report.model_dump(mode="json"))
    assert report.mode == "routine" and report.complete
    routine = report.routine
    assert [(s.exercise, s.status) for s in routine.steps] == [
        ("supine_figure4", "done"), ("standing_quad", "skipped"), ("pigeon", "done")]
    assert routine.verdict == "incomplete" and routine.steps_done == 2
    fig4, pigeon = routine.steps[0], routine.steps[2]
    assert fig4.held["left"].hold_s >= 4 and fig4.held["right"].hold_s >= 4
    assert set(pigeon.held) == {"left"} and pigeon.held["left"].met
    # one timeline of coaching time: pigeon begins after the figure-4 ended
    assert fig4.start_s == 0.0 and pigeon.start_s >= fig4.end_s
    assert set(report.exercises) == {"supine_figure4", "pigeon"}
    assert report.exercises["pigeon"].in_position[0].start_s >= fig4.end_s
    assert report.frames < 450  # set-ups, framing checks, countdowns and rests left out
    assert result.summary.lines()[0] == ("Routine Figure-4 then pigeon: incomplete, 2 of 3 steps "
                                         "done")
    assert result.summary.lines()[2].startswith("2. Standing quad stretch: skipped (")
    page = (tmp_path / "report.html").read_text()
    assert "Routine: Figure-4 then pigeon" in page


def test_n_moves_on_from_a_step_and_the_screens_are_drawn(tmp_path):
    heard = Heard()
    # n skips step 1's set-up; at 90 frames shown (coaching the figure-4) n moves on to pigeon;
    # q at 130 (pigeon's set-up)
    display = FakeDisplay({3: ord("n"), 90: ord("n"), 130: ord("q")}, size=(640, 360))
    shown = []
    orig = display.show

    def keep(canvas):
        shown.append(canvas.shape)
        orig(canvas)

    display.show = keep
    with VideoFileSource(SAMPLE) as source:
        result = run_routine_live(source, FakeEstimator(script), _plan(tmp_path), display, heard,
                                  options=OPTIONS)
    steps = result.report.routine.steps
    assert steps[0].status == "partial" and "moved on" in steps[0].why
    assert steps[2].status == "missing"  # quit before pigeon was held
    assert set(shown) == {(360, 640, 3)}
    assert "Step 3 of 3: Pigeon" in " ".join(heard.texts())


def test_a_step_with_no_set_up_time_is_still_announced():
    import numpy as np

    from coach.io.sources import Frame
    from coach.live import LiveCoach
    from coach.rules.definitions import find_exercise

    heard = Heard()
    coach = LiveCoach(find_exercise("pigeon"), heard, LiveOptions(setup_s=0.0, recognize=False),
                      intro="Step 2 of 3: Pigeon.")
    coach.frame(Frame(np.zeros((480, 640, 3), np.uint8), 0.0, 0), synth.pigeon("left"), 1, 0.0)
    assert coach.guide.step == "framing" and heard.texts()[0] == "Step 2 of 3: Pigeon."
    assert heard.asked[0].priority == 1  # not to be cut by the countdown that follows


def test_a_camera_looking_along_the_body_is_said_aloud_and_shown():
    """Lying down, the person may not see the screen: the end-on warning is said when it appears
    (not again while it stays) and drawn on the live screen's picture. (The framing check before
    coaching already asks to turn side-on; this is for a body that turns, or lies down, after.)"""
    import numpy as np

    from coach.io.sources import Frame
    from coach.live import LiveCoach
    from coach.rules.definitions import find_exercise
    from coach.session.quality import END_ON_WARNING

    end_on = synth.lying_end_on()
    heard = Heard()
    coach = LiveCoach(find_exercise("supine_figure4"), heard,
                      LiveOptions(setup_s=0.0, countdown_s=0.0, recognize=False))
    image = np.full((480, 640, 3), 90, np.uint8)
    for i in range(15 * 10):  # framed side-on (the framing check asks for that), then turned
        pose = synth.supine_figure4("left") if i < 15 * 3 else end_on
        view = coach.frame(Frame(image, i / 15, i), pose, 1, 0.0)
    assert coach.guide.step == "coaching" and END_ON_WARNING in view.state.warnings
    assert heard.texts().count(END_ON_WARNING) == 1
    import dataclasses

    from coach.output.live_screen import LiveScreen

    plain = dataclasses.replace(view, state=dataclasses.replace(view.state, warnings=()))
    shown = LiveScreen(coach.session.exercise).render(view, (1280, 720))
    assert (shown != LiveScreen(coach.session.exercise).render(plain, (1280, 720))).any()
