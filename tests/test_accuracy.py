"""scripts/accuracy.py's fault scoring with a check the view hides, and its frame counting of the
recogniser (no corpus needed)."""

import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from accuracy import RecognitionTally, _negatives_markdown, score_faults  # noqa: E402

TH = {"hips_down": {"fault": 5.0, "clean": 2.0, "unit": "cm"}}


class _Clip:
    times = np.arange(200) / 10.0  # 20 s

    def faults(self) -> list[dict]:
        return [{"check": "hips_down", "side": "left", "start_s": 3.0, "end_s": 6.0, "size": 8.0},
                {"check": "hips_down", "side": "left", "start_s": 12.0, "end_s": 16.0, "size": 9.0}]


def _acc() -> dict:
    return {"by_size": defaultdict(lambda: defaultdict(lambda: [0, 0])),
            **{k: defaultdict(int) for k in ("n_faults", "found", "true_events", "false_events",
                                             "false_on_clean_clips", "cant_see")},
            "onset": defaultdict(list)}


def _counts(acc: dict) -> tuple[int, int, int]:
    return tuple(acc[k]["hips_down"] for k in ("n_faults", "found", "cant_see"))  # type: ignore[return-value]


def test_a_fault_the_view_hid_is_neither_found_nor_missed():
    events = [{"check": "hips_down", "side": "left", "start_s": 3.2}]
    hidden = np.zeros(200, bool)
    hidden[110:170] = True  # the check said "can't judge from this view" over the second fault
    acc = _acc()
    score_faults(_Clip(), events, TH, acc, {"hips_down": hidden})  # type: ignore[arg-type]
    assert _counts(acc) == (1, 1, 1)
    assert sum(b for _, b in acc["by_size"]["hips_down"].values()) == 1
    acc = _acc()
    hidden[:] = False
    hidden[120:135] = True  # hidden over less than half of it: missed
    score_faults(_Clip(), events, TH, acc, {"hips_down": hidden})  # type: ignore[arg-type]
    assert _counts(acc) == (2, 1, 0)


class _StretchClip:
    """10 s at 10 frames/s: 2 s of nothing, 6 s of pigeon on the left (the first and last
    frames of it not scored, as near a change), 2 s of nothing."""

    fps, view, kind = 10.0, "side-mid", "pigeon"
    stretch = np.array([""] * 20 + ["pigeon"] * 60 + [""] * 20, object)
    labels = {"stretch": stretch, "side": np.where(stretch != "", "left", ""),
              "scored": np.array([True] * 20 + [False] + [True] * 58 + [False] + [True] * 20)}
    # the pose model's skeleton: far off (0.6 torso lengths) over the last 10 frames of the stretch
    skeleton_error = np.array([0.1] * 70 + [0.6] * 10 + [np.nan] * 20)

    def recognition_labels(self, unsided):
        out = np.where(self.stretch != "", "pigeon:left", "none").astype(object)
        out[~self.labels["scored"]] = ""
        return out


def test_recognition_tally_counts_scored_frames_and_side_switches():
    got = ["none"] * 20 + ["pigeon:left"] * 30 + ["pigeon:right"] * 5 + ["none"] * 5 \
        + ["pigeon:left"] * 20 + ["child_pose"] * 20
    tally = RecognitionTally()
    end_on = np.arange(100) >= 60  # the coach warned "end-on" from frame 60
    right = tally.add(_StretchClip(), got, end_on)  # type: ignore[arg-type]
    # in the stretch: 58 scored, 29 + 19 right; 'none' frames are scored but not on a negative clip
    assert (tally.stretch_n, tally.stretch_ok, tally.none_n) == (58, 48, 0)
    assert right == (20 + 48) / 98
    assert tally.held["pigeon"] == [53, 58]  # either side counts as in position
    assert tally.switches == 2 and tally.hold_s == 6.0  # left -> right -> left, over 'none'
    f = tally.figures()
    assert f["side_switches_per_10_min"] == 200.0
    assert f["confusion"]["pigeon:left"] == {"pigeon:left": 48, "pigeon:right": 5, "none": 5}
    assert f["by_view"] == {"side-mid": {"pigeon": round(48 / 58, 4)}}
    # in the stretch 49 scored frames with a close skeleton (29 + 10 right), 9 far off (all right)
    sk = f["by_skeleton_error"]
    assert list(sk) == ["under 0.15", "0.5 or more"]  # (the frames with nobody are not scored)
    assert (sk["under 0.15"]["stretch_frames"], sk["0.5 or more"]["stretch_frames"]) == (49, 9)
    assert sk["0.5 or more"]["stretch_side_right"] == 1.0
    assert sk["under 0.15"]["stretch_side_right"] == round(39 / 49, 4)
    # warned on frames 60-78 of the stretch (all named right), 9 of them with the skeleton far off
    eo = f["by_end_on_warning"]
    assert eo["warned"]["stretch_frames"] == 19 and eo["warned"]["stretch_side_right"] == 1.0
    assert eo["warned"]["skeleton_off"] == round(9 / 19, 4)
    assert eo["not warned"]["stretch_frames"] == 39 and eo["not warned"]["skeleton_off"] == 0.0


class _NegativeClip:
    """A clip of other postures: 3 s of butterfly, 1 s moving, 2 s of all fours (10 frames/s)."""

    fps, view, kind = 10.0, "side-mid", "none"
    labels = {"stretch": np.array([""] * 60, object), "side": np.array([""] * 60, object),
              "phase": np.array(["other"] * 30 + ["transition"] * 10 + ["other"] * 20, object),
              "posture": np.array(["butterfly"] * 30 + [""] * 10 + ["all_fours"] * 20, object)}
    skeleton_error = np.full(60, 0.1)

    def recognition_labels(self, unsided):
        return np.array(["none"] * 60, object)


def test_recognition_tally_splits_negatives_into_held_postures_and_moves():
    """'None' on negatives, apart for frames where a posture is held and where the person moves
    between postures; per posture held, what it was taken for."""
    got = ["none"] * 24 + ["seated_rolldown"] * 6 + ["child_pose"] * 4 + ["none"] * 6 + ["none"] * 20
    tally = RecognitionTally()
    tally.add(_NegativeClip(), got)  # type: ignore[arg-type]
    f = tally.figures()
    assert f["none_right_on_negatives"] == round(50 / 60, 4)
    assert f["none_by_phase"] == {"holding a posture": {"none_right": round(44 / 50, 4), "frames": 50},
                                  "moving between postures": {"none_right": 0.6, "frames": 10}}
    assert f["negatives_taken_for"] == {"all_fours": {"frames": 20, "taken_for": {}},
                                        "butterfly": {"frames": 30, "taken_for": {"seated_rolldown": 6}}}
    assert f["moving_taken_for"] == {"child_pose": 4}
    text = " ".join(_negatives_markdown(f))
    assert "holding a posture 88.0 % (50 frames), moving between postures 60.0 % (10 frames)" in text
    assert "taken for a stretch: child_pose 4." in text
    assert "butterfly 20.0 % of 30 frames (seated_rolldown 6)" in text
    assert "all_fours" not in text  # never taken for a stretch: not listed
    assert _negatives_markdown({"stretch_side_right": 0.9}) == []  # a report from before the split


def test_offline_decoding_keeps_a_hold_through_a_blip_and_follows_a_real_change():
    """tune_smoother.decode: a 0.3 s blip of the other side inside a hold stays the hold's side;
    a change of stretch held for seconds is followed, within a frame of where it happens."""
    from tune_smoother import decode

    left, right = {"pigeon:left": 0.8, "pigeon:right": 0.1, "none": 0.1}, \
        {"pigeon:left": 0.1, "pigeon:right": 0.8, "none": 0.1}
    child = {"child_pose": 0.7, "pigeon:left": 0.1, "pigeon:right": 0.1, "none": 0.1}
    probs = [left] * 50 + [right] * 3 + [left] * 47 + [None] * 2 + [child] * 60
    got = decode(probs, np.arange(len(probs)) / 10.0, switch=10.0, side_switch=20.0)
    assert got[:100] == ["pigeon:left"] * 100
    assert got[100:102] in (["none", "none"], ["pigeon:left", "none"], ["none", "child_pose"])
    assert got[103:] == ["child_pose"] * (len(probs) - 103)
    # with no cost for a change, every frame is its own most likely label
    free = decode(probs, np.arange(len(probs)) / 10.0, switch=0.0, side_switch=0.0)
    assert free[50:53] == ["pigeon:right"] * 3 and free[100:102] == ["none", "none"]


def test_reps_are_exact_only_when_every_count_the_report_keeps_is():
    """Pigeon's report counts forward leans (reps) and leans back (counts); other stretches'
    sides have reps only, and no counts at all."""
    from accuracy import reps_exact

    truth, back = {"left": 2, "right": 1}, {"left": 1, "right": 0}
    plain = {"left": {"reps": 2}, "right": {"reps": 1}}
    assert reps_exact(plain, truth, back)
    assert not reps_exact({**plain, "right": {"reps": 2}}, truth, back)
    pigeon = {s: {**v, "counts": {"leans_back": back[s]}} for s, v in plain.items()}
    assert reps_exact(pigeon, truth, back)
    pigeon["left"]["counts"]["leans_back"] = 0
    assert not reps_exact(pigeon, truth, back)
