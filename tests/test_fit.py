"""scripts/fit.py's replay of the judge and its write-back, for the kinds judged against the start
of the hold (no corpus needed)."""

import shutil
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from fit import Setting, Track, _same_side, replay, write_back  # noqa: E402

from coach.rules.definitions import load_exercise  # noqa: E402


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
