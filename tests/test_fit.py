"""scripts/fit.py's replay of the judge and its write-back, for the kinds judged against the start
of the hold, and its search for a view gate (no corpus needed: synthetic tracks)."""

import shutil
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import fit  # noqa: E402
from fit import GateChoice, Setting, Track, _same_side, replay, write_back  # noqa: E402

from coach.rules.definitions import load_exercise  # noqa: E402

HANDSET = ROOT / "tests" / "data" / "poses_handset"


def _track(values: list[float], fps: float = 10.0) -> Track:
    n = len(values)
    return Track(None, np.arange(n) / fps, np.ones(n, bool), ["left"] * n,  # type: ignore[arg-type]
                 np.ones(n, bool), np.array(values, float))


def test_a_change_is_replayed_either_way():
    # still at 135 deg, then 110 (a curl), back, then 160 (an arch): 2 s each
    tr = _track([135.0] * 20 + [110.0] * 20 + [135.0] * 20 + [160.0] * 20)
    events = replay(tr, Setting("change", 20.0, 2.0, 0.3, 0.4))
    assert [(side, round(start, 1)) for side, start, _ in events] == [("left", 2.0), ("left", 6.0)]
    assert [round(s, 1) for _, s, _ in replay(tr, Setting("drop", 20.0, 2.0, 0.3, 0.4))] == [2.0]


def test_an_event_without_sides_matches_a_fault_on_any_side():
    assert _same_side("both", "left") and _same_side("right", "right")
    assert not _same_side("left", "right")


def test_a_fitted_change_is_written_back(tmp_path):
    path = tmp_path / "side_kick_series.toml"
    shutil.copy(ROOT / "tests" / "data" / "poses_handset" / "side_kick_series.toml", path)
    write_back(load_exercise(path), {"spine_rounding": Setting("change", 17.5, 3.0, 0.6, 0.8)})
    check = load_exercise(path).check("spine_rounding")
    assert check.kind == "change" and check.rule.max_change == 17.5  # type: ignore[attr-defined]
    assert (check.hysteresis, check.on_s, check.off_s) == (3.0, 0.6, 0.8)
    assert "# The trunk rocking" in path.read_text()  # comments kept


class _Clip:
    """A clip's truth: its faults of the check "hips_down"."""

    def __init__(self, faults: list[tuple[float, float, float]]) -> None:
        self._faults = [{"check": "hips_down", "side": "left", "start_s": a, "end_s": b, "size": size}
                        for a, b, size in faults]

    def faults(self) -> list[dict]:
        return self._faults


def _clip_track(view: float, shown: bool, spurious: bool, fps: float = 5.0) -> Track:
    """20 s in position seen at one ``view_width``; a true fault (10 cm) from 8 to 14 s that the
    value shows (a rise of 1.0) only if ``shown``; with ``spurious``, a rise of 1.0 from 2 to 5 s
    where the truth is clean (the model misreading the pose from this view)."""
    t = np.arange(int(20 * fps)) / fps
    value = np.zeros(len(t))
    if shown:
        value[(t >= 8) & (t < 14)] = 1.0
    if spurious:
        value[(t >= 2) & (t < 5)] = 1.0
    n = len(t)
    return Track(_Clip([(8.0, 14.0, 10.0)]), t, np.ones(n, bool), ["left"] * n,  # type: ignore[arg-type]
                 np.ones(n, bool), value, np.full(n, view))


TH = {"fault": 5.0, "clean": 2.0}


def _gate(tracks: list[Track], monkeypatch) -> tuple[GateChoice | None, float]:
    monkeypatch.setattr(fit, "HYST", (0.3,))  # a small grid: seconds, not minutes
    monkeypatch.setattr(fit, "ON_S", (0.6,))
    check = load_exercise(HANDSET / "pigeon.toml").check("hips_down")  # a rise
    base = fit.best_setting(tracks, "hips_down", fit.candidates(check, tracks, 20), TH)
    choice, _lines = fit.choose_gate(check, tracks, TH, base)
    return choice, base[1].f1 if base else 0.0


def test_a_gate_is_chosen_where_the_side_view_hides_the_fault(monkeypatch):
    # facing the camera (0.7) the fault shows; side-on (0.1) it does not, and the model's
    # readings rise where nothing is wrong: no setting is precise enough without a gate
    front = [_clip_track(0.7, shown=True, spurious=False) for _ in range(6)]
    side = [_clip_track(0.1, shown=False, spurious=True) for _ in range(3)]
    choice, f1_none = _gate(front + side, monkeypatch)
    assert choice is not None and choice.gate is not None
    assert choice.gate[0] == "min" and choice.gate[1] in (0.2, 0.35)  # the side view is gated
    assert round(choice.share, 3) == round(3 / 9, 3) and (choice.faults, choice.unseen) == (6, 3)
    assert choice.f1 == 1.0 and f1_none < 0.9
    assert choice.comment().startswith("fitted") and "33 %" in choice.comment()


def test_no_gate_where_every_view_shows_the_fault(monkeypatch):
    tracks = [_clip_track(0.7, True, False) for _ in range(6)] + [_clip_track(0.1, True, False)
                                                                  for _ in range(3)]
    choice, f1_none = _gate(tracks, monkeypatch)
    assert choice is None and f1_none == 1.0


def test_no_gate_that_would_hide_most_of_the_time(monkeypatch):
    # the side view hides the fault, but it is 5 of 9 clips: over MAX_GATED, no gate
    front = [_clip_track(0.7, True, False) for _ in range(4)]
    side = [_clip_track(0.1, False, True) for _ in range(5)]
    choice, _ = _gate(front + side, monkeypatch)
    assert choice is None


def test_faults_where_the_gate_is_closed_are_not_missed_but_unseen():
    tracks = [_clip_track(0.7, True, False), _clip_track(0.1, False, False)]
    s = Setting("rise", 0.5, 0.1, 0.6, 0.6)
    assert fit.score(tracks, "hips_down", s, TH).recall == 0.5  # no gate: one missed
    sc = fit.score([tr.with_gate(("min", 0.35)) for tr in tracks], "hips_down", s, TH)
    assert (sc.recall, sc.faults, sc.unseen) == (1.0, 1, 1)
    assert replay(tracks[1].with_gate(("min", 0.35)), Setting("rise", -0.5, 0.1, 0.3, 0.4)) == []


def test_a_fitted_gate_is_written_replaced_and_removed_keeping_other_conditions(tmp_path):
    path = tmp_path / "pigeon.toml"
    shutil.copy(HANDSET / "pigeon.toml", path)
    first = GateChoice(("max", 0.45), 0.2, 0.7, 0.5, 10, 3)
    write_back(load_exercise(path), {}, {"hips_down": first})
    ex = load_exercise(path)
    assert [(w.measure, w.max) for w in ex.check("hips_down").when] == [("trunk_lean", 30),
                                                                       ("view_width", 0.45)]
    assert "fitted (scripts/fit.py): gates 20 %" in path.read_text()
    keep, gate = fit.split_when(ex.check("hips_down"), fit.when_comments(ex)["hips_down"])
    assert gate == ("max", 0.45) and [w.measure for w in keep] == ["trunk_lean"]
    write_back(ex, {}, {"hips_down": GateChoice(("min", 0.2), 0.3, 0.8, 0.6, 9, 4)})  # replaced
    assert [(w.measure, w.min) for w in load_exercise(path).check("hips_down").when][1:] == [
        ("view_width", 0.2)]
    write_back(load_exercise(path), {}, {"hips_down": None})  # removed
    assert [w.measure for w in load_exercise(path).check("hips_down").when] == ["trunk_lean"]
    # pigeon's knee check's hand-written view condition is no fitted gate: kept
    ex = load_exercise(path)
    keep, gate = fit.split_when(ex.check("knee_angle"), fit.when_comments(ex)["knee_angle"])
    assert gate is None and "view_width" in [w.measure for w in keep]


def test_a_hand_written_view_condition_counts_its_faults_as_unseen_too():
    tr = _clip_track(0.1, False, False)
    hand = replace(tr, applies=np.zeros(len(tr.t), bool), gated=tr.active.copy())  # closed throughout
    s = Setting("rise", 0.5, 0.1, 0.6, 0.6)
    sc = fit.score([hand, _clip_track(0.7, True, False)], "hips_down", s, TH)
    assert (sc.recall, sc.faults, sc.unseen) == (1.0, 1, 1)
    assert hand.with_gate(("max", 0.6)).gated.all()  # type: ignore[union-attr]


def test_the_way_out_is_dropped_where_the_session_dropped_it():
    # in position 0-10 s, the value rising from 8 s (the hips coming up to leave), the position
    # let go at 10 s: worked out from that frame alone (10 - 1.5 s) the rise is a false flag;
    # with the cut the session's judge made (the body started moving out at 7.9 s) it is dropped
    fps = 10.0
    t = np.arange(120) / fps
    value = np.where(t >= 8.0, 1.0, 0.0)
    active = t < 10.0
    tr = Track(None, t, active, ["left"] * len(t), np.ones(len(t), bool), value)  # type: ignore[arg-type]
    s = Setting("rise", 0.5, 0.1, 0.3, 0.4)
    assert [round(e[1], 1) for e in replay(tr, s)] == [8.0]
    cuts = np.full(len(t), np.nan)
    cuts[100] = 7.9  # recorded on the frame the position was let go
    assert replay(replace(tr, cuts=cuts, _prep={}), s) == []
    # a hold still on at the end of the clip: the session's finish dates its end the same way
    tr_end = Track(None, t, np.ones(len(t), bool), ["left"] * len(t), np.ones(len(t), bool),  # type: ignore[arg-type]
                   value, cuts=np.full(len(t), np.nan), end_cut=7.9)
    assert replay(tr_end, s) == []
    assert [round(e[1], 1) for e in replay(replace(tr_end, end_cut=None, _prep={}), s)] == [8.0]
