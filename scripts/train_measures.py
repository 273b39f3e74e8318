"""Train the learned measures of the study (scripts/learned_model.py, scripts/learned_measures.py)
on the corpus's training part and write the regressor as plain arrays. Deterministic (fixed
seeds, rows in clip order).

    python scripts/train_measures.py --out PATH [--kind pairmlp|diffs|diff|diffv|ridge|mlp]

Targets per frame, from the truth's 3-D keypoints (z up, floor at z = 0): the pelvis height
(mean of the true hips' z) in cm, and the left and right knees' 3-D angles in degrees. Kinds:

- ``mlp`` / ``ridge``: fitted on every frame with a pose of every training clip (absolute
  targets);
- ``diff``: a linear model fitted on pairs of frames 0.5-8 s apart within one labelled segment
  of a clip (differences of features -> differences of targets, no intercept): its changes
  track the true changes, which is what a "rise" check judges; ``diffs``: the same on pairs
  inside a coached stretch only; ``diffv``: ``diff`` with every feature also weighed by the
  view's width and its square;
- ``pairmlp``: a one-hidden-layer MLP fitted by Adam on the ``diffs`` pairs' differences, plus
  a tenth of the weight on the frames' absolute targets.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpuslib import Clip, clips, manifest, refuse_validation  # noqa: E402
from learned_model import OUTPUTS, Regressor, features, n_features, view_terms  # noqa: E402
from render.body import KEYPOINT_NAMES  # noqa: E402

SEED = 0
HIDDEN = (64, 32)
ALPHA = 1e-3
_K = {n: i for i, n in enumerate(KEYPOINT_NAMES)}


def _angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    u, v = a - b, c - b
    cos = (u * v).sum(-1) / (np.linalg.norm(u, axis=-1) * np.linalg.norm(v, axis=-1) + 1e-9)
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def targets_from_truth(truth: np.ndarray) -> np.ndarray:
    """(N, K, 3) true keypoints (m, z up) -> (N, 3): OUTPUTS."""
    pelvis = 100.0 * 0.5 * (truth[:, _K["left_hip"], 2] + truth[:, _K["right_hip"], 2])
    knees = [_angle(truth[:, _K[f"{s}_hip"]], truth[:, _K[f"{s}_knee"]], truth[:, _K[f"{s}_ankle"]])
             for s in ("left", "right")]
    return np.stack([pelvis, *knees], -1)


def clip_rows(clip: Clip) -> tuple[np.ndarray, np.ndarray]:
    """Features and targets of the clip's frames with a pose."""
    tr = clip.track
    wh = tuple(int(v) for v in tr["wh"])
    ok = tr["ok"].astype(bool)
    if not ok.any():
        return np.zeros((0, n_features())), np.zeros((0, len(OUTPUTS)))
    xy = tr["xy"][ok].astype(np.float64) * np.array(wh)
    x = features(xy, tr["world"][ok].astype(np.float64), tr["vis"][ok].astype(np.float64), wh)
    return x, targets_from_truth(tr["truth_world"][ok].astype(np.float64))


PAIR_S = (0.5, 8.0)  # a pair's frames lie this far apart, within one labelled segment
PAIRS_PER_FRAME = 2


def clip_pairs(clip: Clip, x: np.ndarray, y: np.ndarray, seed: int, in_stretch: bool = False
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Differences (later frame minus earlier) of features and targets between frames of one
    segment of the clip (the same stretch or posture and side), PAIR_S apart: what a "rise"
    check sees is a change within a hold."""
    ok = clip.track["ok"].astype(bool)
    lab = clip.labels
    key = np.array([f"{a}|{b}|{c}|{d}" for a, b, c, d in
                    zip(lab["stretch"], lab["posture"], lab["side"], lab["phase"], strict=True)])[ok]
    t = clip.times[ok]
    rng = np.random.default_rng(seed)
    i = np.repeat(np.arange(len(t)), PAIRS_PER_FRAME)
    j = np.searchsorted(t, t[i] - rng.uniform(*PAIR_S, len(i)))
    keep = (j < i) & (t[i] - t[np.minimum(j, len(t) - 1)] >= PAIR_S[0] * 0.9)
    i, j = i[keep], j[keep]
    same = key[i] == key[j]
    if in_stretch:  # only pairs inside a coached stretch (where the checks judge)
        same &= lab["stretch"][ok][i] != ""
    i, j = i[same], j[same]
    return x[i], x[j], y[i] - y[j]


def fit_pair_mlp(xs: np.ndarray, ys: np.ndarray, dx: tuple[np.ndarray, np.ndarray], dy: np.ndarray,
                 hidden: int = 64, epochs: int = 12, lr: float = 2e-3, batch: int = 512, seed: int = SEED,
                 abs_weight: float = 0.1, decay: float = 1e-4) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """A one-hidden-layer ReLU MLP g (standardised units) fitted by Adam so that g(x_i) - g(x_j)
    matches the pairs' target differences ``dy``, plus ``abs_weight`` times the frames' own
    targets (so its readings stay in real units)."""
    rng = np.random.default_rng(seed)
    f, k = xs.shape[1], ys.shape[1]
    params = [rng.normal(0, np.sqrt(2 / f), (f, hidden)), np.zeros(hidden),
              rng.normal(0, np.sqrt(1 / hidden), (hidden, k)), np.zeros(k)]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    xi, xj = (np.nan_to_num(a) for a in dx)
    xs = np.nan_to_num(xs)
    step = 0
    for _ in range(epochs):
        order = rng.permutation(len(dy))
        for s in range(0, len(order), batch):
            b = order[s:s + batch]
            a = rng.integers(0, len(xs), len(b))
            w1, b1, w2, b2 = params
            hi, hj, ha = (np.maximum(z[idx] @ w1 + b1, 0) for z, idx in ((xi, b), (xj, b), (xs, a)))
            e = (hi - hj) @ w2 - dy[b]
            ea = ha @ w2 + b2 - ys[a]
            n = len(b)
            ge, gea = 2 * e / n, abs_weight * 2 * ea / n
            gw2 = (hi - hj).T @ ge + ha.T @ gea + decay * w2
            gb2 = gea.sum(0)
            gi, gj, ga = (ge @ w2.T) * (hi > 0), -(ge @ w2.T) * (hj > 0), (gea @ w2.T) * (ha > 0)
            gw1 = xi[b].T @ gi + xj[b].T @ gj + xs[a].T @ ga + decay * w1
            gb1 = gi.sum(0) + gj.sum(0) + ga.sum(0)
            step += 1
            for p, g, mm, vv in zip(params, (gw1, gb1, gw2, gb2), m, v, strict=True):
                mm *= 0.9
                mm += 0.1 * g
                vv *= 0.999
                vv += 0.001 * g * g
                p -= lr * (mm / (1 - 0.9 ** step)) / (np.sqrt(vv / (1 - 0.999 ** step)) + 1e-8)
    return ((params[0], params[1]), (params[2], params[3]))


def fit(x: np.ndarray, y: np.ndarray, kind: str = "mlp", seed: int = SEED,
        hidden: tuple[int, ...] = HIDDEN, alpha: float = ALPHA,
        pairs: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> Regressor:
    """``kind``: "mlp" or "ridge" on the frames' absolute targets; "diff": a linear model fitted
    on ``pairs`` (differences of features -> differences of targets, no intercept), so that its
    changes track the true changes; its offset is set on the frames."""
    vt = kind == "diffv"
    if vt:
        x = view_terms(x)
    x_mean, x_std = x.mean(0), x.std(0) + 1e-6
    y_mean, y_std = y.mean(0), y.std(0) + 1e-6
    xs, ys = (x - x_mean) / x_std, (y - y_mean) / y_std
    if kind == "pairmlp":
        assert pairs is not None
        xi, xj = ((a - x_mean) / x_std for a in pairs[:2])
        layers = fit_pair_mlp(xs, ys, (xi, xj), pairs[2] / y_std, seed=seed)
    elif kind in ("diff", "diffv"):
        from sklearn.linear_model import Ridge

        assert pairs is not None
        xi, xj = (view_terms(a) if vt else a for a in pairs[:2])
        dx, dy = (xi - xj) / x_std, pairs[2] / y_std
        m = Ridge(alpha=10.0, fit_intercept=False).fit(np.nan_to_num(dx), dy)
        w = m.coef_.T.copy()
        b = -(np.nan_to_num(xs) @ w).mean(0)  # the frames' mean target at the frames' mean
        layers = ((w, b),)
    elif kind == "ridge":
        from sklearn.linear_model import Ridge

        m = Ridge(alpha=1.0).fit(xs, ys)
        layers = ((m.coef_.T.copy(), m.intercept_.copy()),)
    else:
        from sklearn.neural_network import MLPRegressor

        m = MLPRegressor(hidden_layer_sizes=hidden, alpha=alpha, batch_size=256, learning_rate_init=1e-3,
                         max_iter=60, early_stopping=True, n_iter_no_change=6, random_state=seed)
        m.fit(xs, ys)
        layers = tuple(zip(m.coefs_, m.intercepts_, strict=True))
    width = list(hidden) if kind == "mlp" else [64] if kind == "pairmlp" else []
    meta = {"kind": kind, "hidden": width, "alpha": alpha,
            "outputs": list(OUTPUTS), "rows": len(x), "seed": seed, "view_terms": vt}
    return Regressor(x_mean, x_std, y_mean, y_std, layers, meta)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kind", default="pairmlp",
                    choices=("mlp", "ridge", "diff", "diffv", "diffs", "pairmlp"))
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--part", default="train", help=argparse.SUPPRESS)
    args = ap.parse_args()
    refuse_validation(args.part)
    t0 = time.time()
    part = clips("train")
    rows = [clip_rows(c) for c in part]
    x, y = np.concatenate([r[0] for r in rows]), np.concatenate([r[1] for r in rows])
    pairs = None
    if args.kind in ("diff", "diffv", "diffs", "pairmlp"):
        pp = [clip_pairs(c, *r, seed=k, in_stretch=args.kind in ("diffs", "pairmlp"))
              for k, (c, r) in enumerate(zip(part, rows, strict=True))]
        pairs = tuple(np.concatenate([p[k] for p in pp]) for k in range(3))
    model = fit(x, y, "diff" if args.kind == "diffs" else args.kind, pairs=pairs)
    model.meta["pairs"] = args.kind
    model.meta["corpus"] = manifest().get("version")
    model.save(args.out)
    print(f"{len(x)} frames, {args.kind}: wrote {args.out} in {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
