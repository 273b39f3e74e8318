"""scripts/accuracy.py's fault scoring with a check the view hides (no corpus needed)."""

import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from accuracy import score_faults  # noqa: E402

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
