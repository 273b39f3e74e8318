"""The session over timelines of synthetic poses: holds, sides, faults, reps, no person."""

import re

import numpy as np
import pytest
import synth

from coach.errors import DefinitionError
from coach.pose.core import Pose
from coach.rules.definitions import Exercise, exercise_names, find_exercise, load_exercise
from coach.session import Session
from coach.session.guide import summary_of

FPS = 15


def play(session: Session, timeline):
    """timeline: list of (seconds, pose_fn(t)) played back to back at FPS."""
    t = 0.0
    states = []
    for seconds, make in timeline:
        for _ in range(int(round(seconds * FPS))):
            states.append(session.update(make(t), t))
            t += 1 / FPS
    session.finish()
    return states


def report(session: Session, source: str = "test", fps: float | None = FPS) -> dict:
    """The report as written to report.json."""
    return session.report(source, fps).model_dump(mode="json")


def test_figure4_clean_both_sides_counts_time_per_side():
    s = Session(find_exercise("supine_figure4"))
    play(s, [(10, lambda t: synth.supine_figure4("left")),
             (2, lambda t: Pose.empty((640, 480))),
             (10, lambda t: synth.supine_figure4("right"))])
    r = report(s)
    # between holds a side is taken after 0.3 s; the position's own confirmation is credited
    assert r["sides"]["left"]["hold_s"] == pytest.approx(10 - 0.3, abs=0.2)
    assert r["sides"]["right"]["hold_s"] == pytest.approx(10 - 0.3, abs=0.2)
    assert r["events"] == []
    assert not r["balance"]["imbalanced"]
    assert r["frames"] == 22 * FPS
    assert r["person"]["not_seen_s"] == pytest.approx(2.0, abs=0.1)


@pytest.mark.parametrize(
    ("check", "fault_kwargs"),
    [("hips_down", {"hip_lift": 40}), ("knee_angle", {"knee": 150})],
)
def test_figure4_fault_is_flagged_with_its_onset_and_stops_the_hold(check, fault_kwargs):
    s = Session(find_exercise("supine_figure4"))
    play(s, [(6, lambda t: synth.supine_figure4("left")),
             (4, lambda t: synth.supine_figure4("left", **fault_kwargs)),
             (6, lambda t: synth.supine_figure4("left"))])
    r = report(s)
    assert [e["check"] for e in r["events"]] == [check]
    ev = r["events"][0]
    assert ev["side"] == "left"
    assert ev["start_s"] == pytest.approx(6.0, abs=0.2)
    assert ev["end_s"] == pytest.approx(10.0, abs=1.0)
    assert ev["message"]
    # not counted: finding the side (0.3 s) and the fault itself (its confirmation and clearing
    # windows are settled afterwards); a sudden jump of the hips also breaks the stillness a hold
    # needs for up to ~0.7 s at each end
    held = r["sides"]["left"]["hold_s"]
    assert 16 - 0.3 - 4 - 1.5 <= held <= 16 - 0.3 - 4 + 0.3
    assert r["checks"][check]["fault_s"] == pytest.approx(4.0, abs=0.8)


def test_hips_lifted_from_the_start_is_judged_against_the_start_of_the_hold():
    """A rise check compares with the hold's own start, not with an absolute height."""
    s = Session(find_exercise("supine_figure4"))
    play(s, [(8, lambda t: synth.supine_figure4("left", hip_lift=40))])
    assert report(s)["events"] == []


def test_no_person_counts_nothing_and_says_so():
    s = Session(find_exercise("pigeon"))
    play(s, [(5, lambda t: Pose.empty((640, 480)))])
    r = report(s)
    assert r["sides"]["left"]["hold_s"] == r["sides"]["right"]["hold_s"] == 0
    assert any("No person" in n for n in r["notes"])


@pytest.mark.parametrize("exercise", exercise_names())
def test_standing_is_not_a_stretch(exercise):
    s = Session(find_exercise(exercise))
    play(s, [(6, lambda t: synth.standing())])
    r = report(s)
    assert all(side["hold_s"] == 0 for side in r["sides"].values())  # left, right or both
    assert any("Never in the" in n for n in r["notes"])


def _lean_cycle(side, start, period=6.0, depth=50.0):
    def make(t):
        phase = ((t - start) % period) / period
        lean = depth * (1 - abs(2 * phase - 1))  # 0 -> depth -> 0
        return synth.pigeon(side, lean=lean)
    return make


def test_pigeon_counts_leans_per_side():
    s = Session(find_exercise("pigeon"))
    play(s, [(3, lambda t: synth.pigeon("left")), (12, _lean_cycle("left", 3)),
             (3, lambda t: synth.pigeon("right")), (18, _lean_cycle("right", 18))])
    r = report(s)
    assert r["sides"]["left"]["reps"] == 2
    assert r["sides"]["right"]["reps"] == 3
    assert r["events"] == []


def test_pigeon_counts_leans_back_apart_from_the_forward_leans_with_their_own_cues():
    ex = find_exercise("pigeon")
    back = ex.counts[0]
    s = Session(ex)
    # back, forward, back on the left; one forward lean on the right
    states = play(s, [(3, lambda t: synth.pigeon("left")),
                      (6, _lean_cycle("left", 3, depth=-40)), (6, _lean_cycle("left", 9)),
                      (6, _lean_cycle("left", 15, depth=-40)),
                      (3, lambda t: synth.pigeon("right")), (6, _lean_cycle("right", 24))])
    r = report(s)
    assert r["sides"]["left"]["reps"] == 1 and r["sides"]["left"]["counts"] == {"leans_back": 2}
    assert r["sides"]["right"]["reps"] == 1 and r["sides"]["right"]["counts"] == {"leans_back": 0}
    assert r["targets"]["counts"] == {"leans_back": {"label": "leans back", "target": 2}}
    assert r["events"] == []
    cues = [st.cue.text for st in states if st.cue is not None]
    assert back.down_cue in cues and back.up_cue in cues and ex.reps.down_cue in cues
    # leaning back never says the forward lean's cues, and the reverse
    for st in states[3 * FPS:9 * FPS]:
        assert st.cue is None or st.cue.text not in (ex.reps.down_cue, ex.reps.up_cue)
    for st in states[9 * FPS:15 * FPS]:
        assert st.cue is None or st.cue.text not in (back.down_cue, back.up_cue)
    lines = summary_of(s.report("test", FPS), ex).lines()
    assert lines[0].endswith("1/3 leans, 2/2 leans back")


def test_rolldown_says_to_sweep_knee_to_knee_at_the_bottom():
    ex = find_exercise("seated_rolldown")
    s = Session(ex)
    states = play(s, [(3, lambda t: synth.seated(front="left")),
                      (3, lambda t: synth.seated(lean=min(70, 35 * (t - 3)), curve=20)),
                      (4, lambda t: synth.seated(lean=70, curve=35)),
                      (3, lambda t: synth.seated(front="left"))])
    bottom = [st.cue.text for st in states[7 * FPS:10 * FPS] if st.cue is not None]
    assert ex.reps.hold_cue in bottom
    assert all(st.cue is None or st.cue.text != ex.reps.hold_cue for st in states[:3 * FPS])
    r = report(s)
    assert r["sides"]["left"]["reps"] == 1
    assert r["checks"]["shoulders_released"]["judged"] is False


def test_pigeon_rounded_spine_is_a_fault_only_when_upright():
    s = Session(find_exercise("pigeon"))
    play(s, [(3, lambda t: synth.pigeon("left")),
             (4, lambda t: synth.pigeon("left", curve=45)),
             (3, lambda t: synth.pigeon("left")),
             (4, lambda t: synth.pigeon("left", lean=45, curve=30))])
    r = report(s)
    assert [e["check"] for e in r["events"]] == ["spine_rounding"]
    assert r["events"][0]["start_s"] == pytest.approx(3.0, abs=0.2)


def test_rolldown_counts_rolls_per_turn_and_flags_a_lifted_seat():
    def roll(front, start, lift=False):
        def make(t):
            phase = ((t - start) % 5.0) / 5.0
            lean = 70 * (1 - abs(2 * phase - 1))
            hip = 80 if (lift and lean > 30) else 0
            return synth.seated(lean=lean, curve=lean / 2, front=front, hip_lift=hip)
        return make
    s = Session(find_exercise("seated_rolldown"))
    # the sides take turns: the coach asks for the left first; a break starts the right turn
    play(s, [(3, lambda t: synth.seated(front="left")), (15, roll("left", 3)),
             (2, lambda t: synth.standing()),
             (3, lambda t: synth.seated(front="right")), (10, roll("right", 23, lift=True))])
    r = report(s)
    assert r["sides"]["left"]["reps"] == 3
    assert r["sides"]["right"]["reps"] == 2
    assert {e["check"] for e in r["events"]} == {"hips_down"}
    assert all(e["side"] == "right" for e in r["events"])


def test_cue_is_one_line_and_a_safety_fault_comes_first():
    s = Session(find_exercise("supine_figure4"))
    states = play(s, [(4, lambda t: synth.supine_figure4("left")),
                      (3, lambda t: synth.supine_figure4("left", hip_lift=40, knee=150))])
    last = states[-1]
    assert {v.check for v in last.verdicts if v.status == "fault"} == {"hips_down", "knee_angle"}
    assert last.cue is not None and last.cue.kind == "fault"
    assert "hips" in last.cue.text  # the safety check's cue, not the knee's


def test_an_advisory_check_reminds_but_never_judges():
    s = Session(find_exercise("supine_figure4"))
    states = play(s, [(12, lambda t: synth.supine_figure4("left", ankle=170))])
    r = report(s)
    assert r["events"] == []
    assert r["checks"]["foot_flexed"]["judged"] is False
    assert r["sides"]["left"]["hold_s"] > 11
    cues = {st.cue.text for st in states if st.cue is not None}
    assert any("foot flexed" in c for c in cues)


def test_rolldown_first_side_can_be_given():
    s = Session(find_exercise("seated_rolldown"), first_side="right")
    play(s, [(6, lambda t: synth.seated(front="right"))])
    r = report(s)
    assert r["sides"]["right"]["hold_s"] > 4 and r["sides"]["left"]["hold_s"] == 0


def test_a_short_break_does_not_switch_turns():
    s = Session(find_exercise("seated_rolldown"))
    play(s, [(6, lambda t: synth.seated()), (0.5, lambda t: synth.standing()),
             (6, lambda t: synth.seated())])
    r = report(s)
    assert r["sides"]["right"]["hold_s"] == 0 and r["sides"]["left"]["hold_s"] > 10


def test_a_still_image_is_judged_on_its_own():
    s = Session(find_exercise("supine_figure4"), still_image=True)
    state = s.update(synth.supine_figure4("right", knee=150), 0.0)
    assert state.side == "right" and state.in_position
    verdicts = {v.check: v.status for v in state.verdicts}
    assert verdicts["knee_angle"] == "fault"
    assert verdicts["hips_down"] == "ok"  # needs the start of a hold: nothing to compare with
    s.finish()
    assert [e["check"] for e in report(s, "still.jpg", None)["events"]] == ["knee_angle"]


def test_a_locator_can_be_plugged_in():
    """The locate step is a seam: any Locator (e.g. a learned recogniser) gives side and
    position, and judging and counting follow it."""
    from coach.session.locate import Location

    class AlwaysRightInPosition:
        def update(self, pose, t):
            return Location("right", True, True, t == 0.0, 0.0)

    s = Session(find_exercise("supine_figure4"), locator=AlwaysRightInPosition())
    play(s, [(5, lambda t: synth.supine_figure4("left"))])
    r = report(s)
    assert r["sides"]["left"]["hold_s"] == 0 and r["sides"]["right"]["in_position_s"] > 4.5


KNEEL_FOLD = '''name = "kneel_fold"
title = "Kneeling fold"
[side]
rule = "none"
[[position]]
measure = "trunk_lean"
min = 55
[hold]
target_s = 6
[[checks]]
name = "hips_down"
kind = "rise"
measure = "hip_height"
floor = ["left_knee", "right_knee", "left_ankle", "right_ankle"]
max_rise = 0.2
cue = "Hips back to your heels"
'''


def _both_sides(tmp_path) -> Exercise:
    """A stretch done on both sides at once (side rule none), like child's pose."""
    (tmp_path / "kneel_fold.toml").write_text(KNEEL_FOLD)
    return load_exercise(tmp_path / "kneel_fold.toml")


def test_a_stretch_without_sides_is_one_hold(tmp_path):
    s = Session(_both_sides(tmp_path))
    states = play(s, [(4, lambda t: synth.child_pose()), (3, lambda t: synth.child_pose(hip_lift=80)),
                      (4, lambda t: synth.child_pose())])
    r = report(s)
    assert set(r["sides"]) == {"both"}
    assert [(e["check"], e["side"]) for e in r["events"]] == [("hips_down", "both")]
    assert r["events"][0]["start_s"] == pytest.approx(4.0, abs=0.2)
    assert 11 - 0.5 - 3 - 1.5 <= r["sides"]["both"]["hold_s"] <= 11 - 3 + 0.3
    assert r["in_position"][0]["side"] == "both"
    assert not r["balance"]["imbalanced"] and r["balance"]["message"] == "One hold for both sides"
    assert {st.side for st in states} == {"both"}
    # held to the target: ease out, there is no other side to switch to
    assert states[-1].cue is not None and "Switch" not in states[-1].cue.text


def test_a_stretch_without_sides_follows_the_recogniser(tmp_path):
    from coach.recognizer import Recognition

    ex = _both_sides(tmp_path)
    s = Session(ex, recognize=lambda pose, t: Recognition(ex.name, None, 0.9))
    play(s, [(4, lambda t: synth.child_pose())])
    assert report(s)["sides"]["both"]["hold_s"] > 3.5


def test_the_way_out_of_a_hold_is_not_counted_as_held(tmp_path):
    """The recogniser lets go of a stretch a couple of seconds after the body has left it:
    the hold ends where the body started moving out, in the totals and in the intervals."""
    from coach.recognizer import NONE, Recognition

    ex = _both_sides(tmp_path)
    held = synth.child_pose()
    torso = held.torso_length()

    def moving_out(t: float) -> Pose:
        return Pose(held.xy + np.array([0.5 * torso * (t - 6.0 + 1 / FPS), 0.0]), held.world,
                    held.visibility, held.image_wh)

    # named until 1.3 s after the body started moving (as on the corpus), confirmed 1 s later
    named = lambda pose, t: Recognition(ex.name if t < 7.3 else NONE, None, 0.9)  # noqa: E731
    s = Session(ex, recognize=named)
    play(s, [(6, lambda t: held), (4, moving_out)])
    r = report(s)
    # the end is dated once a tenth of the way out was gone (ExitDater's start_frac): on this
    # steady slide, 0.13 s after it began
    assert r["sides"]["both"]["in_position_s"] == pytest.approx(6.13, abs=0.15)
    assert r["sides"]["both"]["hold_s"] == pytest.approx(6.13, abs=0.15)
    assert r["in_position"][0]["end_s"] == pytest.approx(6.13, abs=0.1)
    # the video ends while the body moves out, still named: the same end
    s = Session(ex, recognize=lambda pose, t: Recognition(ex.name, None, 0.9))
    play(s, [(6, lambda t: held), (1.2, moving_out)])
    assert report(s)["sides"]["both"]["in_position_s"] == pytest.approx(6.0, abs=0.15)
    # a flicker of the recogniser with the body still takes nothing back
    s = Session(ex, recognize=lambda pose, t: Recognition(ex.name if not 5.0 <= t < 5.3 else NONE,
                                                          None, 0.9))
    play(s, [(8, lambda t: held)])
    assert report(s)["sides"]["both"]["in_position_s"] == pytest.approx(8.0 - 0.3, abs=0.15)


def test_a_fault_on_the_way_out_is_dropped_from_every_total(tmp_path):
    """Hips rising as the person gets up, while the recogniser still names the stretch, are the
    way out, not a fault: the report lists no fault, and neither the side's time with a fault
    nor the check's time in fault counts it (the page showed 0.4 s 'with a fault' beside 'Form
    faults (0)')."""
    from coach.recognizer import NONE, Recognition

    ex = _both_sides(tmp_path)
    held = synth.child_pose()
    named = lambda pose, t: Recognition(ex.name if t < 7.8 else NONE, None, 0.9)  # noqa: E731
    s = Session(ex, recognize=named)
    play(s, [(6, lambda t: held), (3, lambda t: synth.child_pose(hip_lift=80 * min(1.0, t - 5.9)))])
    r = report(s)
    assert r["events"] == []
    assert r["sides"]["both"]["fault_s"] == 0.0
    assert r["checks"]["hips_down"]["fault_s"] == 0.0
    # the hold ends where the hips began to rise (the fault's onset, 6.4 s here), in both totals
    assert 5.9 <= r["sides"]["both"]["hold_s"] <= 6.5
    assert r["sides"]["both"]["in_position_s"] == pytest.approx(r["sides"]["both"]["hold_s"], abs=0.07)


def test_a_stretch_without_sides_cannot_measure_a_leg(tmp_path):
    (tmp_path / "kneel_fold.toml").write_text(KNEEL_FOLD.replace(
        'measure = "trunk_lean"\nmin = 55', 'measure = "knee_angle"\nmax = 90'))
    with pytest.raises(DefinitionError, match=r"kneel_fold.toml: position\[0\]\.measure: measure "
                                              r"'knee_angle' needs a side, and side rule 'none' has none"):
        load_exercise(tmp_path / "kneel_fold.toml")


def test_the_summary_of_a_stretch_without_sides(tmp_path):
    from coach.session.guide import summary_of

    ex = _both_sides(tmp_path)
    s = Session(ex)
    play(s, [(8, lambda t: synth.child_pose())])
    lines = summary_of(s.report("test", FPS), ex).lines()
    assert re.fullmatch(r"Both sides: 0:0[78] of 0:06  \(done\)", lines[0])
    assert lines[1] == "Done. One hold for both sides"


def _breaths(tmp_path) -> Exercise:
    """The kneeling fold held for 3 breaths of 4 s (a 12 s hold)."""
    (tmp_path / "kneel_fold.toml").write_text(
        KNEEL_FOLD.replace("target_s = 6", "breaths = 3\nbreath_s = 4.0"))
    return load_exercise(tmp_path / "kneel_fold.toml")


def test_a_hold_in_breaths_is_paced_and_counted(tmp_path):
    ex = _breaths(tmp_path)
    assert ex.hold.target_s == 12
    s = Session(ex)
    states = play(s, [(10, lambda t: synth.child_pose())])
    said = [c for c in dict.fromkeys(st.cue.text for st in states if st.cue is not None)
            if "reathe" in c or "out," in c]
    assert said == ["Breathe in... 1 of 3", "...and out, 1 of 3", "Breathe in... 2 of 3",
                    "...and out, 2 of 3", "Breathe in... 3 of 3"]
    r = report(s)
    assert r["targets"]["breaths"] == 3 and r["targets"]["breath_s"] == 4.0
    assert r["sides"]["both"]["breaths"] == int(r["sides"]["both"]["hold_s"] // 4) == 2
    from coach.session.guide import summary_of

    assert "2 of 3 breaths" in summary_of(s.report("test", FPS), ex).lines()[0]


def test_the_breath_count_waits_while_a_fault_lasts(tmp_path):
    s = Session(_breaths(tmp_path))
    states = play(s, [(3, lambda t: synth.child_pose()), (4, lambda t: synth.child_pose(hip_lift=80)),
                      (9, lambda t: synth.child_pose()), (2, lambda t: synth.child_pose())])
    counts = [st.cue.text for st in states if st.cue is not None and st.cue.kind == "breath"]
    assert counts[-1] == "...and out, 3 of 3"  # 12 s of good form needs 16 s with 4 faulty
    assert states[-1].cue.kind == "good"  # the breaths are done
    assert report(s)["sides"]["both"]["breaths"] == 3


def test_a_hold_not_in_breaths_has_no_breath_count():
    s = Session(find_exercise("supine_figure4"))
    states = play(s, [(6, lambda t: synth.supine_figure4("left"))])
    assert not any(st.cue is not None and st.cue.kind == "breath" for st in states)
    r = report(s)
    assert "breaths" not in r["targets"] and "breaths" not in r["sides"]["left"]


def test_an_interval_starts_where_its_time_in_position_does(tmp_path):
    """By its rules (no recogniser), the position is confirmed after it has held for
    ``position_on_s``; that wait is booked as held, and the report's interval starts with it, so
    intervals and totals agree."""
    ex = _both_sides(tmp_path)
    assert ex.position_on_s >= 0.3
    s = Session(ex)
    play(s, [(2, lambda t: synth.standing()), (6, lambda t: synth.child_pose())])
    r = report(s)
    (iv,) = r["in_position"]
    assert iv["start_s"] == pytest.approx(2.0, abs=0.1)
    assert iv["end_s"] - iv["start_s"] == pytest.approx(r["sides"]["both"]["in_position_s"], abs=0.1)


@pytest.mark.parametrize(("stretch", "held"), [("seated_twist", lambda: synth.seated_twist("right")),
                                               ("cow_face", lambda: synth.cow_face("left"))])
def test_a_seated_stretch_named_for_someone_standing_is_refused_by_its_guard(stretch, held):
    """Real photos of people standing (arms up) were named a seated twist: the definition's
    guard (hips near the floor) refuses it, with --exercise and when recognising any stretch."""
    from types import SimpleNamespace

    from coach.recognizer import Recognition
    from coach.rules.definitions import load_all
    from coach.session.auto import AutoSession

    class Names:  # the recogniser names the stretch whatever the pose
        model = SimpleNamespace(meta={"coached": [stretch]})

        def update(self, pose, t):
            return Recognition(stretch, "right" if stretch == "seated_twist" else "left", 0.9)

    ex = find_exercise(stretch)
    stick = synth.standing()  # legs as long as the torso: a person's are about 1.7 times longer
    xy = stick.xy.copy()
    hip_y = stick.point("left_hip")[1]
    xy[:, 1] = np.where(xy[:, 1] < hip_y, hip_y - (hip_y - xy[:, 1]) * 0.6, xy[:, 1])
    standing = Pose(xy, stick.world, stick.visibility, stick.image_wh)
    for pose, counted in ((standing, False), (held(), True)):
        s = Session(ex, recognize=Names().update)
        play(s, [(4, lambda t, pose=pose: pose)])
        side = "right" if stretch == "seated_twist" else "left"
        assert (report(s)["sides"][side]["in_position_s"] > 3) is counted
        auto = AutoSession(load_all(), Names())
        for i in range(4 * FPS):
            auto.update(pose, i / FPS)
        auto.finish()
        assert bool(auto.report("test", FPS).segments) is counted


def test_a_change_of_side_confirmed_late_inside_the_stretch_is_dated_by_the_recogniser():
    """The c8 recogniser reads the wall glute stretch's uncrossing as the stretch, so the side
    is named late (its 8 s side average): 10 s held on the right, 4 s of uncrossing still named
    right but unsure, 6 s plainly left still named right, then named left. The right's hold ends
    at the last frame read surely right, the left's begins at the first read surely left."""
    from coach.recognizer import Recognition

    ex = find_exercise("wall_glute")

    def named(pose, t):
        if t < 10.0:
            return Recognition(ex.name, "right", 0.95, sides=(0.0, 0.95))
        if t < 14.0:  # uncrossing: the stretch, unsure of anything
            return Recognition(ex.name, "right", 0.5, sides=(0.1, 0.5))
        if t < 20.0:  # plainly left, the side not yet changed
            return Recognition(ex.name, "right", 0.02, sides=(0.97, 0.02))
        return Recognition(ex.name, "left", 0.97, sides=(0.97, 0.02))

    s = Session(ex, recognize=named)
    play(s, [(10, lambda t: synth.wall_glute("right")), (4, lambda t: synth.wall_glute("right")),
             (12, lambda t: synth.wall_glute("left"))])
    r = report(s)
    assert r["sides"]["right"]["in_position_s"] == pytest.approx(10.0, abs=0.3)
    assert r["sides"]["left"]["in_position_s"] == pytest.approx(12.0, abs=0.3)
    sides = [(iv["side"], iv["start_s"], iv["end_s"]) for iv in r["in_position"]]
    assert [x[0] for x in sides] == ["right", "left"]
    assert sides[0][2] == pytest.approx(10.0, abs=0.2) and sides[1][1] == pytest.approx(14.0, abs=0.2)


BRIEF = (1.5, 0.0, True, "left")  # a moment in position with the hips low, side "left"
BREAK = (2.0, 30.0, False, "left")
HOLD = (6.0, 60.0, True, "left")  # the hold, hips 60 px higher


@pytest.mark.parametrize(
    ("timeline", "fault"),
    [
        ([BRIEF, BREAK, HOLD], False),
        ([(5.0, 0.0, True, "left"), BREAK, HOLD], True),
        # the moment comes as the other side's hold ends, without leaving the position
        ([(5.0, 30.0, True, "right"), BRIEF, BREAK, HOLD], False),
    ],
)
def test_a_brief_spell_in_position_leaves_no_start_for_the_hold_after_it(timeline, fault):
    """The hips are judged against the start of the hold (child's pose's hips_down). A spell in
    position of 1.5 s (the recogniser reading the stretch, or a new side, for a moment on the way
    in), a short break and the hold with the hips higher: the hold takes a start of its own, no
    fault. After a real hold of 5 s the same break keeps that hold's start, and hips risen since
    are a fault."""
    from coach.session.judge import Judge
    from coach.session.locate import Location

    judge = Judge(find_exercise("child_pose"))
    opened, t, dt = [], 0.0, 0.1
    for seconds, lift, inside, side in timeline:
        for _ in range(int(round(seconds / dt))):
            where = Location(side, inside, inside, False, 0.0)
            r = judge.update(synth.child_pose(hip_lift=lift), where, t, dt)
            opened += [e.check for e in r.opened]
            t += dt
    assert ("hips_down" in opened) is fault
    (hips,) = [m for m in judge.monitors if m.check.name == "hips_down"]
    # the start measured: the real hold's hips (low, 0.28 torso lengths up), else the hold's own (0.57)
    assert hips.baseline == pytest.approx(0.28 if fault else 0.57, abs=0.02)


@pytest.mark.parametrize(("right_read", "right_held"), [
    (0.55, (0.5, 1.5)),  # the right never read surely: it ends where the left took the lead for good
    (0.95, (0.5, 1.5)),  # read surely: it ends at the last sure reading (its way out dated from there)
    (0.4, (0.0, 0.0)),  # the left led from the start: the right was never held
])
def test_a_side_named_late_inside_a_hold_gives_the_time_back_to_the_side_held(right_read, right_held):
    """A scripted recogniser enters supine figure-4 at 1 s calling it the right side (the legs
    still being placed; read ``right_read`` for 1 s), reads the left surely from 2 s, and its
    side average names the left only at 6 s; the hold is left at 15 s. The right side keeps the
    second it was read for, not the 5 s it was named."""
    from coach.recognizer import Recognition

    def recognize(pose, t):
        if t < 1 or t >= 15:
            return Recognition("none", None, 0.9)
        sides = (1 - right_read, right_read) if t < 2 else (0.95, 0.05)
        return Recognition("supine_figure4", "right" if t < 6 else "left", 0.9, sides=sides)

    s = Session(find_exercise("supine_figure4"), recognize=recognize)
    play(s, [(18, lambda t: synth.supine_figure4("left"))])
    rep = report(s)
    assert right_held[0] <= rep["sides"]["right"]["in_position_s"] <= right_held[1]
    assert rep["sides"]["left"]["in_position_s"] >= 12.5
    # the report's intervals: the right's as long as it was held (none when it never was)
    right = [iv for iv in rep["in_position"] if iv["side"] == "right"]
    assert all(iv["end_s"] > iv["start_s"] for iv in rep["in_position"])
    assert len(right) == (right_held[1] > 0)


def _pigeon_right_named_late(t: float):
    """What the recogniser says of a right pigeon entered at 2 s while the legs are placed: the
    left side, read as the right more surely from 4 s on, named right only at 9 s."""
    from coach.recognizer import NONE, Recognition

    if t < 2.0:
        return Recognition(NONE, None, 0.9)
    if t < 9.0:
        sides = (0.55, 0.45) if t < 4.0 else (0.15, 0.85)
        return Recognition("pigeon", "left", sides[0], None, sides)
    return Recognition("pigeon", "right", 1.0, None, (0.0, 1.0))


def test_a_counted_stretch_entered_on_the_wrong_side_is_dated_back(tmp_path):
    """Pigeon entered while the legs are still being placed: the recogniser names the left
    side, reads the right one more surely from 4 s on, and names it right only at 9 s (its
    side average). The hold, and a lean counted in the meantime, go to the right side from
    where it took the lead; the lean under way at the change is not counted a second time."""

    ex = find_exercise("pigeon")
    s = Session(ex, recognize=lambda pose, t: _pigeon_right_named_late(t))
    play(s, [(2, lambda t: synth.standing()),
             (4, lambda t: synth.pigeon("right")),
             (5, lambda t: synth.pigeon("right", lean=55)),  # 6-11 s: a forward lean over the change
             (5, lambda t: synth.pigeon("right"))])
    r = report(s)
    sides = r["sides"]
    assert sides["right"]["reps"] == 1 and sides["left"]["reps"] == 0
    assert sides["right"]["in_position_s"] == pytest.approx(16.0 - 4.0, abs=0.3)
    assert sides["left"]["in_position_s"] <= 2.2
    assert [i["side"] for i in r["in_position"]][-1] == "right"
    assert r["in_position"][-1]["start_s"] == pytest.approx(4.0, abs=0.2)


def test_a_dated_back_change_of_side_keeps_a_movement_only_where_its_measure_has_no_side():
    """Counter.move_counts: what was counted on the old side since its hold ended moves to the
    new side; a movement under way goes on where its measure does not read one side's leg
    (pigeon's trunk lean) and starts afresh where it does (the side kicks' top leg)."""
    from coach.session.count import Counter

    for name, kept in (("pigeon", True), ("side_kick_series", False)):
        c = Counter(find_exercise(name))
        c._rep_side = "left"
        c.reps.down = True
        c.totals["left"].reps = 2
        c._counted.extend([[3.0, "left", None], [9.0, "left", None]])  # one before, one after
        c.move_counts("left", "right", 5.0)
        assert (c.totals["left"].reps, c.totals["right"].reps) == (1, 1)
        assert c._rep_side == "right" and c.reps.down is kept


def test_recognised_segments_and_totals_marks_follow_a_change_of_side_dated_back():
    """Without --exercise: pigeon entered as the left while the legs are placed, read as the
    right more surely from 4 s and named right at 9 s. The right side's segment, and the totals
    mark a routine's steps are split at, begin at 4 s; the mark holds the left side's time and
    none of the right's."""
    from types import SimpleNamespace

    from coach.recognizer import Recognition
    from coach.rules.definitions import load_all
    from coach.session.auto import AutoSession

    class Named:
        model = SimpleNamespace(meta={"coached": ["pigeon", "supine_figure4"]})

        def update(self, pose, t: float) -> Recognition:
            return _pigeon_right_named_late(t)

    auto = AutoSession(load_all(), Named())  # type: ignore[arg-type]
    play(auto, [(2, lambda t: synth.standing()), (14, lambda t: synth.pigeon("right"))])
    segs = [(s.stretch, s.side, s.start_s, s.end_s) for s in auto.report("test", FPS).segments]
    assert [(s[0], s[1]) for s in segs] == [("pigeon", "left"), ("pigeon", "right")]
    assert segs[0][3] == pytest.approx(4.0, abs=0.15) and segs[1][2] == pytest.approx(4.0, abs=0.15)
    at_switch = auto.totals_at("pigeon", segs[1][2])
    assert at_switch["right"].hold_s == 0.0 and at_switch["left"].hold_s == pytest.approx(2.0, abs=0.5)
    assert auto.totals_at("pigeon", None)["right"].hold_s == pytest.approx(12.0, abs=0.5)


def test_another_stretch_recognised_is_named_without_reading_its_definition_every_frame(monkeypatch):
    """While the recogniser sees a clearly different stretch, the session names it ("this looks
    like child's pose") on every frame; its title is read from its definition once, not once a
    frame in each of a recognised session's sessions (that was most of their step's time)."""
    from coach.recognizer import Recognition
    from coach.session import session as session_module

    session_module._title.cache_clear()
    reads = []
    real = session_module.find_exercise
    monkeypatch.setattr(session_module, "find_exercise", lambda *a, **k: reads.append(a) or real(*a, **k))
    for name in ("pigeon", "supine_figure4"):
        s = Session(find_exercise(name), recognize=lambda pose, t: Recognition("child_pose", None, 0.9))
        states = play(s, [(3, lambda t: synth.child_pose())])
        assert states[-1].cue is not None and states[-1].cue.text.startswith("This looks like child's pose.")
    assert len(reads) == 1
