"""Routines: loading and validation, the step state machine fed synthetic sessions, scoring a
recording's recognised segments against the steps, and the verdict that never says complete
with a step missing, short or skipped."""

from __future__ import annotations

from pathlib import Path

import pytest
import synth

from coach.errors import DefinitionError
from coach.pose import Pose
from coach.rules.definitions import POSES_DIR, find_exercise
from coach.rules.routines import (
    PLANNED,
    ROUTINES_DIR,
    find_routine,
    known_exercises,
    load_routine,
    load_routines,
    parse_routine,
    plan,
)
from coach.session import Session
from coach.session.frame import SideTotals
from coach.session.report import Segment
from coach.session.routine import RoutineRun, StepTracker, score_recording

FPS = 15
TWO = """name = "two"
title = "Figure-4 then pigeon"
rest_s = 0

[[steps]]
exercise = "supine_figure4"
hold_s = 5

[[steps]]
exercise = "standing_quad"
breaths = 2

[[steps]]
exercise = "pigeon"
sides = "left"
hold_s = 3
"""


def _routine(tmp_path: Path, text: str = TWO, name: str = "two"):
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return load_routine(path)


def test_shipped_routines_load_and_name_known_stretches():
    routines = {r.name: r for r in load_routines()}
    assert set(routines) == {"lower_back", "glute", "figure4_progression", "side_kicks"}
    lower = routines["lower_back"]
    assert [s.exercise for s in lower.steps] == [
        "child_pose", "supine_figure4", "figure4_twist", "runners_lunge", "adductor_opener",
        "wide_forward_fold", "cow_face", "seated_twist", "happy_baby"]
    assert all(s.hold_s == 30 for s in lower.steps)  # the guide: 30 s each
    assert [s.sides for s in lower.steps].count("none") == 4
    assert [s.exercise for s in routines["glute"].steps] == ["prone_glute", "wall_glute",
                                                             "seated_twist"]
    assert [s.exercise for s in routines["figure4_progression"].steps] == [
        "supine_figure4", "wall_figure4", "chair_figure4"]


def test_shipped_routines_plan_against_the_shipped_definitions():
    """Against poses/ (not the fast tier's frozen copy): a reps target on a stretch whose
    definition counts none, or a broken definition, fails here."""
    for r in load_routines():
        p = plan(r, POSES_DIR)
        for step in p.steps:
            assert step.available == (POSES_DIR / f"{step.name}.toml").exists()
            assert step.title


def test_a_planned_stretch_without_a_definition_is_listed_not_available(tmp_path):
    p = plan(_routine(tmp_path))
    assert [(s.name, s.available) for s in p.steps] == [
        ("supine_figure4", True), ("standing_quad", False), ("pigeon", True)]
    assert p.steps[1].title == PLANNED["standing_quad"]
    assert p.steps[1].target.seconds == 10.0  # 2 breaths at the default 5 s
    assert p.steps[1].describe() == "2 breaths per side"
    assert p.steps[2].describe() == "3 s on the left" and p.steps[2].side_keys == ("left",)


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ('exercise = "pigeon"', 'exercise = "pigeom"',
         r"two\.toml: steps\[2\]\.exercise: unknown exercise 'pigeom' \(did you mean 'pigeon'\?\); "
         r"expected one of: adductor_opener, .*pigeon"),
        ('sides = "left"', 'sides = "lft"',
         r"two\.toml: steps\[2\]\.sides: expected 'both' or 'left' or 'right' or 'none', got 'lft'"),
        ("hold_s = 3\n", "", r"steps\[2\]\.hold_s: missing; expected one of hold_s \(seconds\), "
         r"breaths or reps"),
        ("hold_s = 5\n", "hold_s = 5\nreps = 3\n",
         r"steps\[0\]\.reps: hold_s and reps both given; expected one of hold_s, breaths or reps"),
        ("hold_s = 5\n", "hold_s = -5\n", r"steps\[0\]\.hold_s: expected a number > 0, got -5"),
        ("breaths = 2", "breaths = 2.5", r"steps\[1\]\.breaths: expected a whole number, got 2\.5"),
        ("rest_s = 0", "rest_s = -1", r"rest_s: expected a number >= 0"),
        ('title = "Figure-4 then pigeon"', 'titel = "x"',
         r"titel: unknown key; expected one of: breath_s, name, rest_s, steps, summary, title"),
        ('sides = "left"', 'side = "left"', r"steps\[2\]\.side: unknown key; expected one of: "
         r"breaths, exercise, hold_s, reps, rest_s, sides"),
        ('name = "two"', 'name = "three"', r"name: expected 'two' \(the file name\), got 'three'"),
        ("[[steps]]", "[[steps]", r"two\.toml: not valid TOML"),
    ],
)
def test_a_typo_fails_in_one_line_naming_file_key_and_choices(tmp_path, old, new, error):
    assert old in TWO
    with pytest.raises(DefinitionError, match=error) as e:
        _routine(tmp_path, TWO.replace(old, new, 1))
    assert "\n" not in str(e.value)


def test_no_steps_and_a_reps_target_on_a_stretch_without_reps(tmp_path):
    with pytest.raises(DefinitionError, match=r"x\.toml: steps: expected at least one"):
        parse_routine({"name": "x", "title": "X", "steps": []}, tmp_path / "x.toml",
                      known_exercises())
    bad = TWO.replace("hold_s = 5", "reps = 3", 1)
    with pytest.raises(DefinitionError, match=r"two\.toml: steps\[0\]\.reps: supine_figure4 counts "
                       r"no reps \(its definition has no \[reps\]\); use hold_s or breaths"):
        plan(_routine(tmp_path, bad))


def test_find_routine_by_name_and_suggestions(tmp_path, monkeypatch):
    monkeypatch.setenv("COACH_ROUTINES", str(tmp_path))
    _routine(tmp_path)
    assert find_routine("Two").name == "two"
    with pytest.raises(DefinitionError, match=r"unknown routine 'tow'; did you mean two\?"):
        find_routine("tow")
    monkeypatch.setenv("COACH_ROUTINES", str(tmp_path / "nowhere"))
    with pytest.raises(DefinitionError, match="is not a folder"):
        find_routine("two")
    assert ROUTINES_DIR.name == "routines"


# -- the step state machine ------------------------------------------------------------------

def _totals(left=0.0, right=0.0, lreps=0, rreps=0):
    return {"left": SideTotals(hold_s=left, reps=lreps), "right": SideTotals(hold_s=right, reps=rreps)}


@pytest.mark.parametrize(
    ("sides", "first", "feed", "met_after", "asked"),
    [
        ("both", None, [(3, 0), (5, 0)], [[], ["left"]], "right"),
        ("both", "right", [(0, 6)], [["right"]], "left"),
        ("both", None, [(0, 6), (6, 6)], [["right"], ["left"]], None),  # right done first
        ("left", None, [(0, 9)], [[]], "left"),  # the other side does not count
        ("none", None, [(2, 2), (3, 2)], [[], ["both"]], None),  # either side adds up
    ],
)
def test_step_tracker_asks_each_side_until_its_target(tmp_path, sides, first, feed, met_after,
                                                      asked):
    text = TWO.replace('hold_s = 5\n', f'hold_s = 5\nsides = "{sides}"\n', 1)
    step = plan(_routine(tmp_path, text)).steps[0]
    tracker = StepTracker(step, first)
    for (left, right), want in zip(feed, met_after, strict=True):
        assert tracker.update(_totals(left, right)) == want
    assert tracker.asked == asked
    assert tracker.done == (asked is None)


def test_routine_run_moves_on_switches_sides_rests_and_skips_what_is_not_there(tmp_path):
    text = TWO.replace("rest_s = 0", "rest_s = 2")
    run = RoutineRun(plan(_routine(tmp_path, text)))
    ev = run.start()
    assert [(e.kind, e.step.name, e.side) for e in ev] == [("start", "supine_figure4", "left")]
    assert run.update(1.0, _totals(4.0)) == []
    ev = run.update(2.0, _totals(5.0))  # left done: a rest before the right
    assert [(e.kind, e.side, e.seconds) for e in ev] == [("rest", "right", 2.0)]
    assert run.phase == "rest" and run.tick(0.0) == [] and run.tick(1.5) == []
    assert run.rest_left == 0.5
    assert [(e.kind, e.side) for e in run.tick(0.5)] == [("switch", "right")]
    ev = run.update(9.0, _totals(5.0, 5.2))  # the step is done, rest, then the next available
    assert [e.kind for e in ev] == ["step_done", "rest"] and ev[1].step.name == "pigeon"
    ev = run.tick(2.0)
    assert [(e.kind, e.step.name) for e in ev] == [("skip", "standing_quad"), ("start", "pigeon")]
    assert ev[1].side == "left"
    ev = run.update(12.0, _totals(3.0, 0.0))
    assert [e.kind for e in ev] == ["step_done", "finished"]
    rep = run.report({})
    assert [(s.exercise, s.status) for s in rep.steps] == [
        ("supine_figure4", "done"), ("standing_quad", "skipped"), ("pigeon", "done")]
    assert rep.verdict == "incomplete" and rep.steps_done == 2
    assert rep.why_incomplete == ["2. Standing quad stretch: skipped (not available yet: no definition)"]


def test_ending_early_leaves_the_step_partial_and_the_rest_missing(tmp_path):
    run = RoutineRun(plan(_routine(tmp_path)))
    run.start()
    run.update(0.0, _totals())
    run.update(8.0, _totals(5.0, 2.0))
    run.finish()
    rep = run.report({})
    assert [(s.status, s.why) for s in rep.steps] == [
        ("partial", "the session ended before the target; short: right 2.0 of 5 s"),
        ("skipped", "not available yet: no definition"),
        ("missing", "not reached: the session ended first")]
    assert rep.verdict == "incomplete"
    assert rep.steps[0].held["left"].met and not rep.steps[0].held["right"].met


def test_moving_on_by_hand_leaves_the_step_partial(tmp_path):
    run = RoutineRun(plan(_routine(tmp_path)))
    run.start()
    run.update(1.0, _totals(2.0))
    ev = run.skip()
    assert [(e.kind, e.step.name) for e in ev] == [("skip", "standing_quad"), ("start", "pigeon")]
    assert run.records[0].status == "partial" and "moved on" in run.records[0].why


def test_a_step_coached_but_never_held_is_missing_not_partial(tmp_path):
    run = RoutineRun(plan(_routine(tmp_path)))
    run.start()
    run.update(0.0, _totals())
    run.update(6.0, _totals())
    run.finish()
    first = run.report({}).steps[0]
    assert (first.status, first.why) == ("missing", "the session ended before the target: "
                                                    "nothing held")
    assert first.start_s == 0.0 and first.end_s == 6.0


def _session_frames(ex_name, make, seconds, start=0.0):
    s = Session(find_exercise(ex_name))
    for i in range(int(seconds * FPS)):
        t = start + i / FPS
        yield s, t, s.update(make(t - start), t)


def test_a_routine_over_synthetic_sessions(tmp_path):
    """Real sessions of the hand-set rules over stick figures: the figure-4 left, then right,
    then pigeon on the left, each moving the routine on when its target is held."""
    run = RoutineRun(plan(_routine(tmp_path)))
    events = [e.kind for e in run.start()]

    def fig4(t):
        return synth.supine_figure4("left" if t < 8 else "right") if not 7.5 <= t < 8.5 \
            else Pose.empty((640, 480))

    for _, t, state in _session_frames("supine_figure4", fig4, 20):
        events += [f"{e.kind}:{e.side or ''}" for e in run.update(t, state.totals)]
        if run.current is None or run.current.step.name != "supine_figure4":
            break
    assert events[:3] == ["start", "switch:right", "step_done:"]
    assert events[3:] == ["skip:", "start:left"]
    t0 = t
    for _, t, state in _session_frames("pigeon", lambda t: synth.pigeon("left"), 10, t0):
        events += [e.kind for e in run.update(t, state.totals)]
        if run.phase == "finished":
            break
    assert events[-2:] == ["step_done", "finished"]
    rep = run.report({})
    first = rep.steps[0]
    assert first.status == "done" and first.start_s == 0.0
    assert first.held["left"].hold_s >= 5 and first.held["right"].hold_s >= 5
    assert rep.steps[2].status == "done" and rep.steps[2].start_s == pytest.approx(t0, abs=0.1)


# -- a recording -------------------------------------------------------------------------------

def _seg(stretch, side, start, end):
    return Segment(stretch=stretch, side=side, start_s=start, end_s=end, confidence=0.9)


def _at(table):
    """totals_at from {exercise: [(t, left, right), ...]} (the last at or before t)."""
    def totals_at(ex, t):
        rows = [r for r in table[ex] if t is None or r[0] <= t]
        _, left, right = rows[-1] if rows else (0, 0.0, 0.0)
        return _totals(left, right)
    return totals_at


def test_recording_steps_found_in_order_missing_and_skipped(tmp_path):
    text = TWO + '\n[[steps]]\nexercise = "seated_rolldown"\nhold_s = 5\n'
    p = plan(_routine(tmp_path, text))
    segments = [_seg("pigeon", "left", 0.0, 2.0),  # too short to be the step, and out of order
                _seg("supine_figure4", "left", 3.0, 12.0), _seg("supine_figure4", "right", 13.0, 20.0),
                _seg("pigeon", "left", 22.0, 30.0)]
    table = {"supine_figure4": [(3.0, 0, 0), (13.0, 8.0, 0), (22.0, 8.0, 4.0), (99, 8.0, 4.0)],
             "pigeon": [(0.0, 0, 0), (3.0, 1.5, 0), (22.0, 1.5, 0), (99, 9.0, 0)],
             "seated_rolldown": [(0, 0, 0)]}
    rep = score_recording(p, segments, {}, _at(table), {"supine_figure4", "pigeon", "seated_rolldown"})
    got = [(s.exercise, s.status, s.start_s) for s in rep.steps]
    assert got == [("supine_figure4", "partial", 3.0), ("standing_quad", "skipped", None),
                   ("pigeon", "done", 22.0), ("seated_rolldown", "missing", None)]
    fig4 = rep.steps[0]
    assert fig4.end_s == 20.0
    assert {k: v.hold_s for k, v in fig4.held.items()} == {"left": 8.0, "right": 4.0}
    assert fig4.why == "short: right 4.0 of 5 s"
    assert rep.steps[2].held["left"].hold_s == 7.5  # the early blip's 1.5 s is not this step's
    assert rep.verdict == "incomplete" and rep.steps_done == 1
    assert rep.steps[3].why == "not found in the recording after the step before"


def test_a_recording_of_every_step_done_is_complete(tmp_path):
    text = TWO.replace('[[steps]]\nexercise = "standing_quad"\nbreaths = 2\n', "")
    p = plan(_routine(tmp_path, text))
    segments = [_seg("supine_figure4", "left", 0.0, 9.0), _seg("supine_figure4", "right", 9.0, 18.0),
                _seg("pigeon", "left", 18.0, 25.0)]
    table = {"supine_figure4": [(0, 0, 0), (18.0, 6.0, 6.0)], "pigeon": [(18.0, 0, 0), (99, 4.0, 0)]}
    rep = score_recording(p, segments, {}, _at(table), {"supine_figure4", "pigeon"})
    assert [s.status for s in rep.steps] == ["done", "done"]
    assert rep.verdict == "complete" and rep.why_incomplete == []
    # a stretch the recogniser cannot find is skipped, and the routine is not complete
    rep = score_recording(p, segments, {}, _at(table), {"supine_figure4"})
    assert rep.steps[1].status == "skipped" and rep.verdict == "incomplete"


def test_a_breaths_target_is_held_at_the_routines_pace_and_counted(tmp_path):
    text = TWO.replace("hold_s = 5\n", "breaths = 3\n", 1).replace('rest_s = 0', 'breath_s = 4.0')
    run = RoutineRun(plan(_routine(tmp_path, text)))
    run.start()
    assert [e.kind for e in run.update(0.0, _totals(11.9, 12.0))] == ["switch"]  # right done
    run.finish()
    first = run.report({}).steps[0]
    assert first.target.hold_s == 12.0 and first.target.breaths == 3
    assert (first.held["left"].breaths, first.held["left"].met) == (2, False)
    assert (first.held["right"].breaths, first.held["right"].met) == (3, True)
    assert first.status == "partial" and first.why.endswith("short: left 2 of 3 breaths (11.9 of 12 s)")


# -- the definitions of the guides' stretches --------------------------------------------------

KID = """name = "kid"
title = "Child's pose and a twist"
breath_s = 4.0

[[steps]]
exercise = "child_pose"
sides = "none"
hold_s = 6

[[steps]]
exercise = "seated_twist"
hold_s = 60

[[steps]]
exercise = "supine_figure4"
breaths = 3

[[steps]]
exercise = "prone_glute"
breaths = 4
"""


def test_each_step_carries_its_target_into_the_exercise_it_coaches(tmp_path):
    """Its coach then times, paces and counts what the routine asks, not the definition's
    own target; breaths at the exercise's pace where it paces them, else the routine's."""
    p = plan(_routine(tmp_path, KID, "kid"))
    child, twist, fig4, prone = p.steps
    assert child.side_keys == ("both",) and child.exercise.hold.target_s == 6
    assert twist.exercise.hold.target_s == 60 and twist.exercise.hold.breaths == 12  # 5 s each
    assert fig4.target.seconds == 12 and fig4.target.breath_s == 4.0  # the routine's pace
    assert (fig4.exercise.hold.breaths, fig4.exercise.hold.breath_s) == (3, 4.0)
    assert fig4.exercise.hold.target_s == 12 and fig4.exercise.hold.max_s == 120
    assert prone.target.seconds == 20 and prone.exercise.hold.breath_s == 5.0  # the definition's
    kicks = TWO.replace('exercise = "pigeon"\nsides = "left"\nhold_s = 3',
                        'exercise = "side_kick_series"\nreps = 5')
    step = plan(_routine(tmp_path, kicks)).steps[2]
    assert step.exercise.reps.target == 5 and step.describe() == "5 kicks per side"
    assert find_exercise("side_kick_series").reps.target == 8  # the definition is untouched


def test_sides_asked_of_a_stretch_without_sides_fail_naming_the_step(tmp_path):
    bad = KID.replace('sides = "none"\n', "", 1)
    with pytest.raises(DefinitionError, match=r'kid\.toml: steps\[0\]\.sides: child_pose has no '
                       r'sides \(both are stretched at once\); expected "none", got \'both\''):
        plan(_routine(tmp_path, bad, "kid"))


def test_a_step_without_sides_over_a_synthetic_session(tmp_path):
    """Child's pose is timed under 'both': the step is done when that time is held."""
    run = RoutineRun(plan(_routine(tmp_path, KID, "kid")))
    assert [(e.kind, e.side) for e in run.start()] == [("start", "both")]
    events = []
    for _, t, state in _session_frames("child_pose", lambda t: synth.child_pose(), 10):
        assert set(state.totals) == {"both"}
        events += [e.kind for e in run.update(t, state.totals)]
        if events:
            break
    assert events == ["step_done", "start"] and run.current.step.name == "seated_twist"
    first = run.report({}).steps[0]
    assert first.status == "done" and set(first.held) == {"both"} and first.held["both"].met


def test_the_glute_and_figure4_routines_run_every_step():
    """The wall and chair stretches have their definitions: nothing is skipped, and each step's
    target goes into the exercise it coaches."""
    routines = {r.name: r for r in load_routines()}
    glute = plan(routines["glute"], POSES_DIR)
    assert all(s.available for s in glute.steps)
    wall = glute.steps[1].exercise
    assert wall.name == "wall_glute" and wall.hold.breaths == 6 and wall.hold.target_s == 30
    fig4 = plan(routines["figure4_progression"], POSES_DIR)
    assert [(s.name, s.available, s.describe()) for s in fig4.steps] == [
        ("supine_figure4", True, "1 min per side"), ("wall_figure4", True, "1 min per side"),
        ("chair_figure4", True, "1 min per side")]
    assert not {"wall_glute", "wall_figure4", "chair_figure4"} & set(PLANNED)
