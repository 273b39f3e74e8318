import numpy as np
import pytest
import synth

from coach.pose import Pose
from coach.rules.definitions import RepsDef
from coach.rules.sides import CrossedAnkle
from coach.session.count import HoldLedger, RepCounter
from coach.session.cue import CueBoard
from coach.session.frame import Cue, Verdict, balance_of
from coach.session.judge import EventLog
from coach.session.locate import SideTracker
from coach.session.timing import Debouncer, ExitDater

FPS = 15


def _times(seconds: float, start: float = 0.0):
    n = int(round(seconds * FPS))
    return [start + i / FPS for i in range(n)]


def test_debouncer_needs_the_signal_to_persist_and_dates_it_from_the_start():
    d = Debouncer(on_s=0.4, off_s=0.8)
    assert not d.update(True, 0.0)
    assert not d.update(True, 0.3)
    assert d.update(True, 0.4)
    assert d.since == 0.0
    assert d.update(False, 1.0)  # a blip is not enough to clear it
    assert d.update(True, 1.1)
    assert d.update(False, 2.0) and not d.update(False, 2.9)


def test_debouncer_ignores_flicker():
    d = Debouncer(on_s=0.4, off_s=0.4)
    states = [d.update(i % 2 == 0, i / FPS) for i in range(60)]
    assert not any(states)


def _moved(pose: Pose, dx: float) -> Pose:
    """The same pose ``dx`` pixels to the right in the image."""
    return Pose(pose.xy + np.array([dx, 0.0]), pose.world, pose.visibility, pose.image_wh)


def test_exit_dater_finds_when_the_body_started_moving_out():
    held = synth.child_pose()
    torso = held.torso_length()
    d = ExitDater(start_frac=0.1)
    for t in _times(6.0):  # held still 4 s, then sliding out at half a torso length a second
        d.update(held if t < 4.0 else _moved(held, 0.5 * torso * (t - 4.0 + 1 / FPS)), t)
    # lost 1.2 s later, 0.6 torso lengths away: left once a tenth of that way (0.12 s) was gone
    assert d.left_at(5.2, since=0.0) == pytest.approx(4.0 + 0.12, abs=1.01 / FPS)
    assert d.left_at(5.2, since=4.5) == 5.2  # nothing of that hold to compare with


def test_exit_dater_sees_past_sway_across_the_way_out():
    """Swaying up and down by a fifth of a torso length (four times ExitDater's ``still``) while
    held, then sliding out sideways: the sway is across the way out, so the exit is still found
    where the slide began (a distance from the pose held would have dated it at the look-back)."""
    held = synth.child_pose()
    torso = held.torso_length()
    d = ExitDater(look_s=2.0, start_frac=0.1)
    for t in _times(8.0):
        sway = np.array([0.0, 0.2 * torso * np.sin(2 * np.pi * 0.5 * t)])
        out = 0.0 if t < 6.5 else 0.8 * torso * (t - 6.5 + 1 / FPS)
        d.update(Pose(held.xy + sway + np.array([out, 0.0]), held.world, held.visibility, held.image_wh), t)
    assert d.left_at(8.0, since=0.0) == pytest.approx(6.5, abs=0.25)


def test_exit_dater_measures_the_way_out_from_where_the_body_settled():
    """Held, then settled a little further along the way it will leave (0.15 torso lengths, as
    when the pose model relabels a leg), still for 1.5 s, then sliding out: the hold ends where
    the slide began, not where the look-back begins (the routine take's figure-4 twist lost
    2.2 s of its left side so)."""
    held = synth.child_pose()
    torso = held.torso_length()
    d = ExitDater(look_s=2.0, start_frac=0.1)
    for t in _times(8.0):
        shift = 0.0 if t < 5.5 else 0.15 * torso + (0.0 if t < 7.0 else 0.5 * torso * (t - 7.0 + 1 / FPS))
        d.update(_moved(held, shift), t)
    assert d.left_at(8.0, since=0.0) == pytest.approx(7.0, abs=0.2)


def test_exit_dater_moves_nothing_back_when_the_body_did_not_move():
    held = synth.child_pose()
    d = ExitDater()
    for t in _times(6.0):
        d.update(held, t)
    assert d.left_at(6.0, since=0.0) == 6.0


def test_exit_dater_goes_back_at_most_its_look_back():
    held = synth.child_pose()
    torso = held.torso_length()
    d = ExitDater(look_s=1.5)
    for t in _times(8.0):
        d.update(held if t < 2.0 else _moved(held, 0.5 * torso * (t - 2.0 + 1 / FPS)), t)
    assert d.left_at(8.0, since=0.0) == pytest.approx(8.0 - 1.5, abs=1.01 / FPS)
    assert d.left_at(8.0, since=0.0, look_s=2.5) == pytest.approx(8.0 - 2.5, abs=1.01 / FPS)


def _reps(**kw) -> RepsDef:
    return RepsDef.model_validate({"measure": "trunk_lean", "enter": 40, "exit": 20, "target": 3,
                                   **kw})


def test_rep_counter_counts_full_cycles_with_hysteresis():
    r = RepCounter(_reps(min_s=0.2))
    t, done = 0.0, 0
    for _ in range(3):
        for v in [0, 10, 25, 41, 50, 50, 50, 35, 30, 45, 50, 50, 30, 15, 5, 5, 5, 5]:
            done += r.update(v, t)
            t += 1 / FPS * 2
    assert r.count == 3 == done


def test_rep_counter_ignores_a_dip_that_never_reaches_enter():
    r = RepCounter(_reps(min_s=0.2))
    for i, v in enumerate([0, 20, 35, 39, 35, 20, 0] * 5):
        r.update(v, i / FPS)
    assert r.count == 0


def test_rep_counter_skips_unseen_frames():
    r = RepCounter(_reps(min_s=0.1))
    seq = [0, 50, None, 50, 50, None, 10, 10, 10]
    for i, v in enumerate(seq):
        r.update(v, i * 0.1)
    assert r.count == 1


def test_rep_counter_with_swing_counts_kicks_wherever_the_leg_rests():
    """A kick is a swing toward a smaller angle (enter < exit) from where the leg was: the same
    kicks are counted whether the view makes the resting angle read 150 or 70, and a sway of
    under the swing is not a kick."""
    for rest in (150.0, 70.0):
        r = RepCounter(_reps(enter=100, exit=120, swing=20, min_s=0.2))
        t = 0.0
        for _ in range(4):  # four kicks of 35 deg, each held a few frames
            for v in [0, 0, -12, -25, -35, -35, -35, -20, -8, 0, 0, 0]:
                r.update(rest + v, t)
                t += 1 / FPS * 2
        for v in [0, -8, -15, -8, 0] * 3:  # sway: never 20 deg
            r.update(rest + v, t)
            t += 1 / FPS * 2
        assert r.count == 4, rest


def test_rep_counter_with_swing_needs_the_return_before_the_next_kick():
    r = RepCounter(_reps(enter=100, exit=120, swing=20, min_s=0.1))
    for i, v in enumerate([150, 125, 120, 118, 110, 105, 118, 112, 105]):
        r.update(v, i * 0.1)
    # down at 125 (-25); deepest 105, back to 118 is 13 >= 10: returned; 105 again is only 13
    # deeper than 118, under the swing: one kick
    assert r.count == 1


def test_side_tracker_switches_only_after_the_new_side_leads_for_a_while():
    st = SideTracker(CrossedAnkle(rule="crossed_ankle", switch_after_s=1.0), min_visibility=0.5)
    for t in _times(2):
        side = st.update(synth.supine_figure4("left"), t)
    assert side == "left"
    for t in _times(0.6, 2.0):
        side = st.update(synth.supine_figure4("right"), t)
    assert side == "left"  # not yet
    for t in _times(1.0, 2.6):
        side = st.update(synth.supine_figure4("right"), t)
    assert side == "right"
    assert st.update(Pose.empty(), 4.0) == "right"  # nobody in view: keep the last side


def test_hold_ledger_counts_good_time_per_side_and_keeps_a_streak_through_a_blip():
    h = HoldLedger(grace_s=1.0)
    for _ in range(30):
        h.update("left", True, 0.1)
    for _ in range(5):
        h.update("left", False, 0.1)
    for _ in range(10):
        h.update("left", True, 0.1)
    assert h.totals["left"].hold_s == pytest.approx(4.0)
    assert h.current_s == pytest.approx(4.0)
    for _ in range(20):
        h.update("left", False, 0.1)
    assert h.current_s == 0.0
    assert h.totals["left"].best_hold_s == pytest.approx(4.0)
    assert h.totals["right"].hold_s == 0.0


@pytest.mark.parametrize(
    ("left", "right", "imbalanced", "behind"),
    [(30, 30, False, None), (30, 26, False, "right"), (30, 20, True, "right"),
     (5, 20, True, "left"), (2, 0, False, "right"), (0, 0, False, None)],
)
def test_balance(left, right, imbalanced, behind):
    b = balance_of(left, right, tolerance=0.2)
    assert b.imbalanced is imbalanced
    assert b.behind == behind


def test_cue_board_holds_a_cue_unless_something_more_urgent_comes():
    board = CueBoard(min_s=2.0)
    good = Cue("good", "good", 6)
    move = Cue("move", "move", 4)
    fault = Cue("fault", "fault", 0)
    assert board.update(good, 0.0) == good
    assert board.update(move, 0.5) == move  # more urgent: at once
    assert board.update(good, 1.0) == move  # less urgent: wait
    assert board.update(good, 2.6) == good
    assert board.update(fault, 2.7) == fault


def test_a_fault_just_before_leaving_the_position_is_the_way_out_not_a_fault():
    log = EventLog()
    msgs = {"hips_down": "hips"}
    log.update((Verdict("hips_down", "fault", since=10.0),), "left", msgs, 10.4)
    log.update((Verdict("hips_down", "idle", reason="not applicable now"),), "left", msgs, 10.6)
    log.drop_recent(11.0)  # left the position 1 s after the fault began
    log.update((Verdict("hips_down", "fault", since=20.0),), "left", msgs, 20.4)
    log.update((Verdict("hips_down", "ok"),), "left", msgs, 25.0)
    log.update((Verdict("hips_down", "fault", since=30.0),), "left", msgs, 30.4)
    log.drop_recent(34.0)  # a long fault, then leaving: a real fault
    log.update((Verdict("hips_down", "idle", reason="not in position"),), "left", msgs, 35.0)
    log.close_all(40.0)
    assert [(e.start_s, e.end_s) for e in log.events] == [(20.0, 25.0), (30.0, 35.0)]


def test_a_fault_cue_gives_way_soon_once_the_fault_is_gone():
    board = CueBoard(min_s=2.0, fault_min_s=0.8)
    fault = Cue("hips down", "fault", 0)
    setup = Cue("get into position", "setup", 3)
    assert board.update(fault, 0.0) == fault
    assert board.update(setup, 0.5) == fault
    assert board.update(setup, 0.9) == setup
