"""How corpus tracks are stored (scripts/corpuslib.py): quantised steps that each file names, so
files written with the finer steps before c9 read back as they were written."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from corpuslib import LEGACY_QUANT, QUANT, decode_track, encode_track, stored_steps  # noqa: E402


def _track(n: int = 40, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    walk = np.cumsum(rng.normal(0, 0.004, (n, 33, 2)), axis=0)
    return {
        "xy": (0.5 + walk).astype(np.float32),
        "world": rng.normal(0, 0.4, (n, 33, 3)).astype(np.float32),
        "vis": rng.uniform(0, 1, (n, 33)).astype(np.float32),
        "truth_world": rng.normal(0, 0.5, (n, 21, 3)).astype(np.float32),
        "ok": np.ones(n, bool),
    }


def test_a_track_reads_back_within_half_a_step_of_its_own_steps() -> None:
    arrays = _track()
    stored = encode_track(arrays)
    assert stored_steps(stored) == QUANT
    back = decode_track(stored)
    assert set(back) == set(arrays)
    for name, steps in QUANT.items():
        err = np.abs(back[name].astype(np.float64) - arrays[name]).max()
        assert err <= 0.5 / steps + 1e-6, name
        assert err > 0  # quantised, not stored as it was
    assert np.abs(back["vis"] - arrays["vis"]).max() <= 0.5 / 255 + 1e-6
    assert np.array_equal(back["ok"], arrays["ok"])


def test_a_file_without_its_steps_is_read_with_the_steps_it_was_written_with() -> None:
    arrays = _track(seed=1)
    stored = encode_track(arrays, LEGACY_QUANT)
    legacy = {k: v for k, v in stored.items() if not k.endswith("_steps")}  # as files before c9
    assert stored_steps(legacy) == LEGACY_QUANT
    back, again = decode_track(legacy), decode_track(stored)
    for name in LEGACY_QUANT:
        assert np.array_equal(back[name], again[name])
        assert np.abs(back[name].astype(np.float64) - arrays[name]).max() <= 0.5 / LEGACY_QUANT[name] + 1e-6


def test_coarser_steps_differ_by_no_more_than_half_a_step() -> None:
    arrays = _track(seed=2)
    fine = decode_track(encode_track(arrays, LEGACY_QUANT))
    coarse = decode_track(encode_track(fine))
    for name, steps in QUANT.items():
        assert np.abs(coarse[name].astype(np.float64) - fine[name]).max() <= 0.5 / steps + 1e-6
