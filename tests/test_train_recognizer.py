"""The recogniser's training helpers: members fitted apart combine into one ensemble that predicts
what averaging them would, and the PyTorch members are deterministic."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from coach.recognizer import Model

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from train_recognizer import combine  # noqa: E402

CLASSES = ("a", "b:left", "b:right", "other")


def _model(seed: int, members: int, n: int = 7) -> Model:
    rng = np.random.default_rng(seed)
    shapes = [(n, 5), (5, 4), (4, len(CLASSES))]
    w = tuple(rng.normal(0, 0.5, (members, *s)) for s in shapes)
    b = tuple(rng.normal(0, 0.1, (members, s[1])) for s in shapes)
    # each with its own standardisation
    return Model(CLASSES, rng.normal(0, 1, n), rng.uniform(0.5, 2, n), w, b, {"features": 2})


def test_combined_members_predict_the_average_of_their_models():
    a, b = _model(1, 2), _model(2, 3)
    both = combine([a, b])
    assert both.members == 5 and both.classes == CLASSES
    np.testing.assert_allclose(both.mean, a.mean)  # the first model's standardisation
    x = np.random.default_rng(3).normal(0, 2, (6, 7))
    want = (2 * a.predict(x) + 3 * b.predict(x)) / 5  # every member counts alike
    np.testing.assert_allclose(both.predict(x), want, atol=1e-5)


def test_models_with_other_classes_do_not_combine():
    a = _model(1, 2)
    other = Model(("x", "y", "z", "w"), a.mean, a.scale, a.weights, a.biases, a.meta)
    with pytest.raises(ValueError):
        combine([a, other])


def test_torch_members_are_deterministic_and_learn():
    pytest.importorskip("torch")
    pytest.importorskip("sklearn")
    from train_recognizer import fit_torch

    rng = np.random.default_rng(0)
    centres = rng.normal(0, 3, (len(CLASSES), 6))
    y = np.repeat(np.array(CLASSES, object), 500)
    x = centres[np.repeat(np.arange(len(CLASSES)), 500)] + rng.normal(0, 0.5, (len(y), 6))
    # 4 x 400 rows an epoch: 7 batches of 256, the last one short
    kw = {"members": 2, "hidden": (8,), "dropout": 0.2, "epochs": 8, "per_class": 400}
    m1, m2 = fit_torch(x, y, **kw), fit_torch(x, y, **kw)
    for a, b in zip(m1.weights + m1.biases, m2.weights + m2.biases, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(m1.weights[0][0], m1.weights[0][1])  # members differ
    assert m1.members == 2 and m1.classes == CLASSES
    got = np.array(m1.classes)[m1.predict(x).argmax(1)]
    assert (got == y).mean() > 0.9
