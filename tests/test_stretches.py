"""The stretches of the guides beyond the first three, each on its synthetic pose: it loads, its
position and side are found by the hand-set rules, its checks stay quiet on clean form and fire
on their fault, and its hold, breaths or kicks are counted."""

import math

import numpy as np
import pytest
import synth
from test_session import play, report

from coach.pose import Pose
from coach.rules.definitions import exercise_names, find_exercise
from coach.session import Session

NEW = ("child_pose", "happy_baby", "seated_twist", "prone_glute", "figure4_twist",
       "runners_lunge", "adductor_opener", "wide_forward_fold", "cow_face", "side_kick_series",
       "wall_glute", "wall_figure4", "chair_figure4")

# exercise: (the side, or "both"; a clean pose; the same pose with each check's fault)
CASES = {
    "child_pose": ("both", lambda: synth.child_pose(),
                   {"hips_down": lambda: synth.child_pose(hip_lift=80)}),
    "happy_baby": ("both", lambda: synth.happy_baby(),
                   {"hips_down": lambda: synth.happy_baby(hip_lift=40)}),
    "seated_twist": ("right", lambda: synth.seated_twist("right"),
                     {"spine_rounding": lambda: synth.seated_twist("right", curve=30)}),
    "prone_glute": ("left", lambda: synth.prone_glute("left"),
                    {"hips_down": lambda: synth.prone_glute("left", hip_lift=50)}),
    "figure4_twist": ("right", lambda: synth.figure4_twist("right"),
                      {"shoulders_down": lambda: synth.figure4_twist("right", shoulder_lift=40)}),
    "runners_lunge": ("left", lambda: synth.runners_lunge("left"),
                      {"knee_angle": lambda: synth.runners_lunge("left", shin=35),
                       "hips_down": lambda: synth.runners_lunge("left", hip_lift=50)}),
    "adductor_opener": ("both", lambda: synth.frog(),
                        {"spine_rounding": lambda: synth.frog(curve=30)}),
    "wide_forward_fold": ("both", lambda: synth.wide_fold(),
                          {"spine_rounding": lambda: synth.wide_fold(curve=35)}),
    "cow_face": ("right", lambda: synth.cow_face("right"),
                 {"spine_rounding": lambda: synth.cow_face("right", curve=30)}),
    "side_kick_series": ("left", lambda: synth.side_lying("left"),
                         {"spine_rounding": lambda: synth.side_lying("left", trunk=30)}),
    "wall_glute": ("left", lambda: synth.wall_glute("left"),
                   {"hips_down": lambda: synth.wall_glute("left", hip_lift=40),
                    "knee_angle": lambda: synth.wall_glute("left", knee=165)}),
    "wall_figure4": ("right", lambda: synth.wall_glute("right", hip=60),
                     {"hips_down": lambda: synth.wall_glute("right", hip=60, hip_lift=40),
                      "knee_angle": lambda: synth.wall_glute("right", hip=60, knee=165)}),
    "chair_figure4": ("left", lambda: synth.chair_figure4("left"),
                      {"knee_angle": lambda: synth.chair_figure4("left", knee=165)}),
}


def test_every_stretch_of_the_guides_is_defined():
    assert set(NEW) <= set(exercise_names())
    assert set(CASES) == set(NEW)


@pytest.mark.parametrize("name", NEW)
def test_a_clean_hold_counts_on_its_side_with_no_fault(name):
    side, clean, _ = CASES[name]
    ex = find_exercise(name)
    s = Session(ex)
    states = play(s, [(8, lambda t: clean())])
    r = report(s)
    assert set(r["sides"]) == ({"both"} if side == "both" else {"left", "right"})
    assert r["sides"][side]["hold_s"] > 7, r["notes"]
    assert r["events"] == []
    assert states[-1].in_position and states[-1].side == side
    assert {c.name: v.status for c, v in zip(ex.checks, states[-1].verdicts, strict=True)} == \
        {c.name: "ok" for c in ex.checks}


@pytest.mark.parametrize(("name", "check"), [(n, c) for n, (_, _, faults) in CASES.items()
                                             for c in faults])
def test_a_fault_is_found_and_dated(name, check):
    side, clean, faults = CASES[name]
    ex = find_exercise(name)
    s = Session(ex)
    play(s, [(4, lambda t: clean()), (4, lambda t: faults[check]()), (4, lambda t: clean())])
    r = report(s)
    assert [(e["check"], e["side"]) for e in r["events"]] == [(check, side)]
    assert r["events"][0]["start_s"] == pytest.approx(4.0, abs=0.3)
    assert r["events"][0]["message"] == ex.check(check).cue
    assert r["checks"][check]["fault_s"] == pytest.approx(4.0, abs=1.2)


@pytest.mark.parametrize("name", ["seated_twist", "prone_glute", "wall_glute"])
def test_holds_of_five_to_six_breaths_are_paced(name):
    side, clean, _ = CASES[name]
    ex = find_exercise(name)
    assert ex.hold.breaths == 6 and ex.hold.target_s == 6 * ex.hold.breath_s
    s = Session(ex)
    states = play(s, [(12, lambda t: clean())])
    assert any(st.cue is not None and st.cue.text == "Breathe in... 2 of 6" for st in states)
    r = report(s)
    assert r["targets"]["breaths"] == 6
    assert r["sides"][side]["breaths"] == int(r["sides"][side]["hold_s"] // ex.hold.breath_s) == 2


def test_either_shoulder_lifting_in_the_figure4_twist_is_a_fault():
    s = Session(find_exercise("figure4_twist"))
    play(s, [(4, lambda t: synth.figure4_twist("left")),
             (3, lambda t: synth.figure4_twist("left", other_lift=40)),
             (4, lambda t: synth.figure4_twist("left"))])
    assert [e["check"] for e in report(s)["events"]] == ["shoulders_down"]


def _kicks(side, start, period=2.0, trunk=0.0):
    """The top leg kicking back to 10 deg behind the body and forward to 100 deg of hip flexion,
    every ``period``; the trunk curling ``trunk`` degrees with the kick forward and arching as
    much with the kick back."""
    def make(t):
        swing = -math.cos(2 * math.pi * (t - start) / period)  # from the back kick
        return synth.side_lying(side, kick=45 + 55 * swing, trunk=trunk * swing)
    return make


def test_side_kicks_are_counted_per_side_and_a_moving_trunk_is_a_fault():
    s = Session(find_exercise("side_kick_series"))
    play(s, [(2, lambda t: synth.side_lying("left")), (12, _kicks("left", 2)),
             (2, lambda t: synth.side_lying("right")), (6, _kicks("right", 16)),
             (6, _kicks("right", 22, trunk=30))])
    r = report(s)
    assert r["sides"]["left"]["reps"] == 6
    assert r["sides"]["right"]["reps"] == 6  # kicks with a moving trunk still count ...
    assert {e["check"] for e in r["events"]} == {"spine_rounding"}  # ... but are faults
    assert all(e["side"] == "right" and e["start_s"] >= 22 for e in r["events"])
    assert r["targets"]["reps"] == 8 and r["targets"]["rep_label"] == "kicks"


@pytest.mark.parametrize("name", NEW)
def test_the_overlay_and_the_live_screen_draw_each_stretch(name):
    """Holds with or without sides, breaths or kicks: every panel is drawn, nothing assumes
    left and right."""
    from coach.output.annotate import Overlay
    from coach.output.live_screen import LiveScreen
    from coach.session.guide import LiveView, summary_of

    side, clean, faults = CASES[name]
    ex = find_exercise(name)
    s = Session(ex)
    states = play(s, [(3, lambda t: clean()), (2, lambda t: next(iter(faults.values()))())])
    img = np.full((480, 640, 3), 90, np.uint8)
    for st in (states[20], states[-1]):
        assert (Overlay(ex).annotate(img.copy(), st) != img).any()
        shown = LiveScreen(ex).render(LiveView("coaching", img, st.pose, state=st), (1280, 720))
        assert shown.shape == (720, 1280, 3)
    summary = summary_of(s.report("test", 15.0), ex)
    assert len(summary.sides) == (1 if side == "both" else 2)
    shown = LiveScreen(ex).render(LiveView("summary", img, Pose.empty(), summary=summary), (1280, 720))
    assert shown.shape == (720, 1280, 3)


def test_rounding_forward_over_the_chair_is_the_stretch_not_a_fault():
    """Chair figure-4: folding forward from the hips over the crossed shin stays in position and
    in good form (the guide asks for it); a foot-flexed reminder is said, never judged."""
    ex = find_exercise("chair_figure4")
    s = Session(ex)
    states = play(s, [(3, lambda t: synth.chair_figure4("right")),
                      (10, lambda t: synth.chair_figure4("right", lean=50))])
    r = report(s)
    assert r["events"] == []
    assert r["sides"]["right"]["hold_s"] > 11
    assert states[-1].in_position and states[-1].side == "right"
    assert r["checks"]["foot_flexed"]["judged"] is False
    assert any(st.cue is not None and st.cue.text == ex.check("foot_flexed").cue for st in states)


@pytest.mark.parametrize("name", ["wall_glute", "wall_figure4", "chair_figure4"])
def test_the_stretched_side_of_a_figure4_variant_is_the_crossed_leg(name):
    side, clean, _ = CASES[name]
    other = "left" if side == "right" else "right"
    make = {"wall_glute": lambda sd: synth.wall_glute(sd),
            "wall_figure4": lambda sd: synth.wall_glute(sd, hip=60),
            "chair_figure4": lambda sd: synth.chair_figure4(sd)}[name]
    s = Session(find_exercise(name))
    play(s, [(5, lambda t: make(side)), (2, lambda t: synth.standing()), (5, lambda t: make(other))])
    r = report(s)
    assert r["sides"][side]["hold_s"] > 3.5 and r["sides"][other]["hold_s"] > 3.5
