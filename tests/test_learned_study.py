"""The learned-measures study's pieces (scripts/train_measures.py, learned_model.py): the
targets read off the truth's keypoints, training pairs that never cross a change of posture,
and a regressor that goes through its pickle-free file unchanged and learns a change."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from corpuslib import clips  # noqa: E402
from learned_model import Regressor  # noqa: E402
from render.body import KEYPOINT_NAMES  # noqa: E402
from train_measures import clip_pairs, clip_rows, fit, targets_from_truth  # noqa: E402

K = {n: i for i, n in enumerate(KEYPOINT_NAMES)}


def test_targets_from_the_truth():
    truth = np.zeros((2, len(KEYPOINT_NAMES), 3))
    truth[:, [K["left_hip"], K["right_hip"]], 2] = np.array([[0.10], [0.16]])  # 10, then 16 cm up
    truth[:, K["left_knee"]] = (0.4, 0.0, 0.10)  # the left shin points up: a right angle at first
    truth[:, K["left_ankle"]] = (0.4, 0.0, 0.50)
    truth[:, K["right_knee"]] = (0.0, 0.4, 0.10)  # the right leg straight along +y at first
    truth[:, K["right_ankle"]] = (0.0, 0.8, 0.10)
    y = targets_from_truth(truth)
    np.testing.assert_allclose(y[:, 0], [10.0, 16.0], atol=1e-9)
    assert y[0, 1] == pytest.approx(90.0, abs=1e-6)
    assert y[0, 2] == pytest.approx(180.0, abs=0.05)  # arccos is coarse near 180
    assert y[1, 2] < 180.0  # the hips rose: the right knee bends a little


def test_pairs_stay_inside_one_segment():
    clip = next(c for c in clips("train", kinds=("pigeon",)) if c.track["ok"].all())
    x, y = clip_rows(clip)
    x = x.copy()
    x[:, 0] = np.arange(len(x))  # the frame's index, to find the pair's frames back
    xi, xj, dy = clip_pairs(clip, x, y, seed=0)
    i, j = xi[:, 0].astype(int), xj[:, 0].astype(int)
    lab = clip.labels
    assert len(i) > len(x) // 2
    assert (j < i).all()
    dt = clip.times[i] - clip.times[j]
    assert dt.min() >= 0.45 and dt.max() <= 8.0 + 1.0 / clip.fps
    for k in ("stretch", "posture", "side", "phase"):
        assert (lab[k][i] == lab[k][j]).all()
    np.testing.assert_allclose(dy, y[i] - y[j])


@pytest.mark.parametrize("kind", ["ridge", "diff", "pairmlp"])
def test_regressor_learns_a_change_and_survives_its_file(kind, tmp_path):
    if kind != "pairmlp":  # numpy only; the others fit with scikit-learn (the `tune` extra)
        pytest.importorskip("sklearn", reason="the study's ridge fits need the tune extra")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3000, 6))
    y = np.stack([3 * x[:, 0] - x[:, 1], np.abs(x[:, 2]), x[:, 3] * 2], -1) + 50.0
    a, b = rng.integers(0, 3000, 6000), rng.integers(0, 3000, 6000)
    model = fit(x, y, kind, pairs=(x[a], x[b], y[a] - y[b]))
    pred = model.predict(x)
    change = (pred[a] - pred[b])[:, 0]
    assert np.corrcoef(change, (y[a] - y[b])[:, 0])[0, 1] > 0.95
    np.testing.assert_array_equal(fit(x, y, kind, pairs=(x[a], x[b], y[a] - y[b])).predict(x), pred)  # seeded
    model.save(tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz", allow_pickle=False) as d:  # raises if anything needs pickle
        assert "meta" in d.files
    again = Regressor.load(tmp_path / "m.npz")
    np.testing.assert_allclose(again.predict(x), pred, atol=1e-3)  # weights stored as float32
    assert again.meta["kind"] == kind
