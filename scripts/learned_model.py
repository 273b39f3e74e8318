"""Learned measures for the study in scripts/learned_measures.py: small regressors from what the
pose model sees in one frame to the TRUE quantities some checks need, in real units: the
pelvis's height above the floor (cm) and each knee's 3-D hip-knee-ankle angle (deg).

The pose model's world landmarks depend on the view and the body, so a hand-written geometric
measure reads differently per camera; a regressor trained on the rendered corpus (whose true
3-D keypoints are known for every frame) might read the same from every view. The features are
the recogniser's per-frame features (:func:`coach.recognizer.frame_features`: body-frame points
in torso lengths, joint angles, image heights, view cues) plus the world torso's length in
metres (the body's scale), the image torso's share of the frame height and the view's width.

The study found they do not carry over better than the hand measures (see its docstring), so
the coach does not use them: :func:`register` adds them to the measures for the study's fit
comparison only. A regressor is stored as plain arrays (``np.load`` without pickle).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coach.pose import Pose
from coach.recognizer import LHIP, LSH, RHIP, RSH, frame_features

OUTPUTS = ("pelvis_height_cm", "left_knee_angle", "right_knee_angle")


def features(xy: np.ndarray, world: np.ndarray, vis: np.ndarray, wh: tuple[int, int],
             base: np.ndarray | None = None) -> np.ndarray:
    """(N, 33, 2) pixels, (N, 33, 3) world metres, (N, 33) -> (N, F). ``base``: their
    :func:`frame_features` if already worked out."""
    if base is None:
        base = frame_features(xy, world, vis, wh)
    w = world.astype(np.float64)
    torso_m = np.linalg.norm(0.5 * (w[:, LSH] + w[:, RSH]) - 0.5 * (w[:, LHIP] + w[:, RHIP]), axis=-1)
    img = xy.astype(np.float64)
    itorso = np.linalg.norm(0.5 * (img[:, LSH] + img[:, RSH]) - 0.5 * (img[:, LHIP] + img[:, RHIP]), axis=-1)
    share = itorso / max(wh[1], 1)
    hips = np.linalg.norm(img[:, LHIP] - img[:, RHIP], axis=-1)
    shoulders = np.linalg.norm(img[:, LSH] - img[:, RSH], axis=-1)
    view = np.maximum(hips, shoulders) / np.maximum(itorso, 1e-6)  # the measure view_width
    return np.concatenate([base, torso_m[:, None], share[:, None], view[:, None]], axis=1)


def view_terms(x: np.ndarray) -> np.ndarray:
    """The features, and the features times the view's width and its square (the last column):
    a linear model on these weighs each feature by the view."""
    v = np.clip(x[:, -1:], 0.0, 1.5)
    return np.concatenate([x, x * v, x * v * v], axis=1)


def n_features() -> int:
    z = np.zeros((1, 33))
    return features(np.zeros((1, 33, 2)) + np.arange(33)[None, :, None], np.zeros((1, 33, 3)) + z[..., None],
                    z, (640, 480)).shape[1]


@dataclass(frozen=True)
class Regressor:
    """A small MLP (ReLU hidden layers; none: a linear model) on standardised features and
    targets. ``layers``: (weights (in, out), bias (out,)) per layer."""

    x_mean: np.ndarray
    x_std: np.ndarray
    y_mean: np.ndarray
    y_std: np.ndarray
    layers: tuple[tuple[np.ndarray, np.ndarray], ...]
    meta: dict

    def predict(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, np.float64)
        if self.meta.get("view_terms"):
            x = view_terms(x)
        h = np.nan_to_num((x - self.x_mean) / self.x_std)
        for i, (w, b) in enumerate(self.layers):
            h = h @ w + b
            if i < len(self.layers) - 1:
                np.maximum(h, 0.0, out=h)
        return h * self.y_std + self.y_mean

    def save(self, path: Path) -> None:
        import json

        arrays = {"x_mean": self.x_mean, "x_std": self.x_std, "y_mean": self.y_mean, "y_std": self.y_std,
                  "meta": np.array(json.dumps(self.meta))}
        for i, (w, b) in enumerate(self.layers):
            arrays[f"w{i}"], arrays[f"b{i}"] = w.astype(np.float32), b.astype(np.float32)
        np.savez_compressed(path, **arrays)

    @classmethod
    def load(cls, path: Path) -> Regressor:
        import json

        with np.load(path, allow_pickle=False) as d:
            n = sum(1 for k in d.files if k.startswith("w"))
            layers = tuple((d[f"w{i}"].astype(np.float64), d[f"b{i}"].astype(np.float64)) for i in range(n))
            return cls(d["x_mean"], d["x_std"], d["y_mean"], d["y_std"], layers, json.loads(str(d["meta"])))


_model: list[Regressor | None] = [None]
_last: list = [None, None]  # the last pose read and its outputs: checks of one frame share them


def use(model: Regressor | None) -> None:
    """Read the learned measures with ``model``."""
    _model[0] = model
    _last[0] = _last[1] = None


def outputs(pose: Pose) -> np.ndarray:
    """The learned quantities (OUTPUTS order) for one pose (not empty)."""
    if _last[0] is pose:
        return _last[1]
    if _model[0] is None:
        raise RuntimeError("no learned regressor: call use(model) first")
    x = features(pose.xy[None], pose.world[None], pose.visibility[None], pose.image_wh)
    out = _model[0].predict(x)[0]
    _last[0], _last[1] = pose, out
    return out


def _pelvis_height_cm(pose: Pose, side, params) -> float:
    return float(outputs(pose)[0])


def _knee_angle_true(pose: Pose, side, params) -> float:
    from coach.rules.measures import _leg_side

    return float(outputs(pose)[1 if _leg_side(side, params) == "left" else 2])


def register() -> None:
    """Add ``pelvis_height_cm`` and ``knee_angle_true`` to coach.rules.measures.MEASURES (for
    this process), gated on the landmarks the hand measures they stand for need."""
    from coach.rules import measures as M

    M.MEASURES["pelvis_height_cm"] = M.Measure(
        "pelvis_height_cm", "cm", "Pelvis above the floor, in cm, read by a learned regressor.",
        M._fixed(*M.TRUNK), _pelvis_height_cm, highlight=("left_hip", "right_hip"))
    M.MEASURES["knee_angle_true"] = M.Measure(
        "knee_angle_true", "deg", "A knee's 3-D angle read by a learned regressor.",
        M._knee_landmarks, _knee_angle_true, needs_side=True, params={"leg": "active"})
