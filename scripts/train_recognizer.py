"""Train the stretch-and-side recogniser on the corpus's training part (fixed seeds; the PyTorch
members are bit-reproducible here, scikit-learn's are not: README, *Which stretch and which side*).

    python scripts/train_recognizer.py [--out coach/models/recognizer.npz] [--variant NAME]

Reads corpus/tracks (MediaPipe landmarks of the rendered clips) and their labels, fits small
MLPs of one shape (three with scikit-learn, six with PyTorch: KINDS) on window features of every
other frame and of their mirror images (sides exchanged), with the variant chosen by
scripts/select_recognizer.py on a held-out part of the training split (the constants below:
window lengths, ensemble members, regularisation, augmented copies), averages them as one
ensemble, then scores the validation part (bodies and cameras never fitted) frame by frame
through the live :class:`coach.recognizer.Recognizer`, and stores the weights as plain arrays
(half precision) with the corpus version, the seed and those figures. Takes about 15 minutes
here (the PyTorch members one thread each, so the same rows give the same weights).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpuslib import clips, manifest  # noqa: E402

from coach.recognizer import (  # noqa: E402
    MODEL_PATH,
    Model,
    Recognizer,
    frame_features,
    mirror_arrays,
    window_features,
)

SEED = 0
COACHED = ("supine_figure4", "pigeon", "seated_rolldown", "child_pose", "happy_baby", "seated_twist",
           "prone_glute", "figure4_twist", "runners_lunge", "adductor_opener", "wide_forward_fold",
           "cow_face", "side_kick_series", "wall_glute", "wall_figure4", "chair_figure4")
# Which shin is in front cannot be seen in the roll-down (sides take turns); the others have no side.
UNSIDED = ("seated_rolldown", "child_pose", "happy_baby", "adductor_opener", "wide_forward_fold")
# Other postures, learned as their own classes (so the coach can say what a pose looks like);
# ordinary postures and movement between them are "other".
NAMED = {
    "butterfly": "butterfly",
    "seated_fold_long": "seated_forward_fold",
    "ninety_ninety": "ninety_ninety",
    "supine_hamstring": "supine_hamstring",
    "table_top": "table_top",
    "sphinx": "sphinx",
}
# Training rows per class at most (balance the classes). 8000 capped only 'other' (21,000 rows on a
# select_recognizer fold, against 700-1,500 for most stretch classes). 3000 with the image-plane
# pose (FEATURES = 2; select_recognizer's c4_f2_pc3000) scored better on held-out training bodies
# and cameras (stretch and side 71.9 -> 75.3 % and 72.4 -> 75.6 %, "none" unchanged). Trained on
# c4 it held the roll-down sample as pigeon for 0.93 s with --exercise pigeon (test_e2e's
# test_another_stretch_is_not_held_as_this_one), so c4's model kept 8000 and version 1; trained
# on c5 it holds that sample as neither pigeon nor figure-4, and is the shipped recipe. Class-
# balanced sample weights on top (WEIGHTING "balanced", c4_f2_pc3000_sw) were mixed on the two
# folds (stretch and side 73.8 and 76.6 %), so they are not used.
PER_CLASS = 3000
# Rows weighed so the classes count alike (train_recognizer.fit's ``weighting``), or None.
WEIGHTING = None


# The positions a stretch is entered from and left to (its clips' rest postures), and the moving
# between them and the stretch: with NEAR, "other" frames there are a class of their own,
# "other_near" (summed into "none" like "other"), so that they get as many training rows as a
# stretch instead of a share of the one "other" class's (select_recognizer's c5_w136_near: fewer
# spurious side switches and more 'none' right on held-out training clips, for a point or two
# of stretch and side; more than a prior for 'none' buys).
NEAR = True
NEAR_POSTURES = ("supine_knees_bent", "all_fours", "sit_long", "wall_prep", "wall_prep_close", "chair_sit",
                 "heel_sit", "prone_flat", "kneel_tall", "seated_knees_up", "wide_sit")


def frame_classes(clip, near: bool = NEAR) -> np.ndarray:
    """Training label per frame ('' = not used: near a change of label)."""
    y = clip.recognition_labels(UNSIDED, NAMED, none="other")
    if near:
        close = np.isin(clip.labels["posture"], NEAR_POSTURES) | (clip.kind != "none")
        y[(y == "other") & close] = "other_near"
    return y


# The fitted variant (chosen on a held-out part of the training split, scripts/select_recognizer.py)
# feature window lengths, seconds. A third, 6 s window (select_recognizer's c5_w136) on corpus
# c6's held-out training folds, against (1, 3), clips of either held out: stretch and side 80.2 ->
# 80.8 % and 80.1 -> 80.1 %, 'none' on negatives 92.0 -> 91.6 and 89.9 -> 90.4 %, spurious side
# switches 3.04 -> 2.03 and 2.37 -> 2.20 per 10 min. Fitted on the whole training part, on the
# validation part: stretch and side 86.3 -> 85.6 %, 'none' on negatives 85.0 -> 90.6 %.
WINDOWS = (1.0, 3.0, 6.0)
MEMBERS = 3  # MLPs of each kind (KINDS), all averaged (each on its own class-balanced samples and seed)
# How the members are fitted: MEMBERS MLPs of each kind, all averaged as one ensemble. "sklearn":
# scikit-learn's MLPClassifier (L2 penalty ALPHA, one class-balanced sample each); "torch" and
# "torch_dropout": the same shape fitted with PyTorch on a fresh class-balanced sample every
# epoch (so they see every 'other' row), without and with dropout (TORCH_DROPOUT; member m of the
# two starts from the same weights and sees the same samples: only the dropout differs). Chosen on
# held-out training folds (scripts/select_recognizer.py's c9 and c9_kinds3; README, *Which
# stretch and which side*): at the same share of stretch and side right, 'none' on more frames.
KINDS = ("sklearn", "torch", "torch_dropout")
TORCH_DROPOUT = 0.3
TORCH_EPOCHS = 40
TORCH_STEPS = 200  # optimiser steps an epoch (batches of a class-balanced sample)
HIDDEN = (192, 96)
ALPHA = 1e-2
FEATURES = 2  # coach.recognizer.frame_features's version (2: with the image-plane pose)
SWAP_COPIES = 0  # extra copies of each clip with the pose model's left/right leg swaps imitated
SWAP_RATE = 0.15  # share of a copy's frames inside a swap
TURN_COPIES = 0  # extra copies of each clip seen from a slightly turned camera
TURN_DEG, TILT_DEG = 35.0, 10.0
LEGS = [(25, 26), (27, 28), (29, 30), (31, 32)]  # knees, ankles, heels, toes: (left, right)
HIPS = (23, 24)


def leg_swaps(n: int, rng: np.random.Generator, rate: float = SWAP_RATE) -> tuple[np.ndarray, np.ndarray]:
    """Frames (n,) whose legs the pose model is made to swap, in runs as long as its own (median a
    few frames, sometimes seconds), and whether the hips swap with them (a third of the time)."""
    legs, hips = np.zeros(n, bool), np.zeros(n, bool)
    while legs.mean() < rate:
        length = int(min(rng.geometric(1 / 8), 80))
        start = int(rng.integers(0, n))
        legs[start:start + length] = True
        hips[start:start + length] = rng.random() < 1 / 3
    return legs, hips


def swap_legs(xy, world, vis, legs: np.ndarray, hips: np.ndarray):
    """The arrays with left and right leg landmarks exchanged on the given frames (labels stay)."""
    xy, world, vis = xy.copy(), world.copy(), vis.copy()
    for frames, pairs in ((legs, LEGS), (hips & legs, [HIPS])):
        for a, b in pairs:
            for arr in (xy, world, vis):
                arr[frames, a], arr[frames, b] = arr[frames, b].copy(), arr[frames, a].copy()
    return xy, world, vis


def turn_view(xy: np.ndarray, world: np.ndarray, yaw_deg: float, tilt_deg: float):
    """The pose as from a camera turned ``yaw_deg`` about the vertical and tilted ``tilt_deg``:
    the world landmarks turned, and the image points re-drawn from them (each frame's image is
    the world's x, y at the frame's own scale and place, least squares, plus what the image
    points differed from that by)."""
    a, b = np.radians(yaw_deg), np.radians(tilt_deg)
    yaw = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])
    tilt = np.array([[1, 0, 0], [0, np.cos(b), -np.sin(b)], [0, np.sin(b), np.cos(b)]])
    turned = world @ (tilt @ yaw).T
    w2 = world[..., :2] - world[..., :2].mean(1, keepdims=True)
    i2 = xy - xy.mean(1, keepdims=True)
    k = (w2 * i2).sum((1, 2)) / np.maximum((w2 * w2).sum((1, 2)), 1e-9)
    resid = i2 - k[:, None, None] * w2
    t2 = turned[..., :2] - turned[..., :2].mean(1, keepdims=True)
    return xy.mean(1, keepdims=True) + k[:, None, None] * t2 + resid, turned


def clip_rows(clip, windows: tuple[float, ...] = WINDOWS, swap_rng: np.random.Generator | None = None,
              turn_rng: np.random.Generator | None = None, features: int = FEATURES,
              turn_deg: float = TURN_DEG, near: bool = NEAR):
    """Window features of a clip and of its mirror image, and the frames' classes; with
    ``swap_rng``, of a copy with leg swaps imitated; with ``turn_rng``, seen from a camera
    turned a little (up to TURN_DEG about the vertical, TILT_DEG up or down)."""
    tr = clip.track
    wh = tuple(int(v) for v in tr["wh"])
    xy = tr["xy"].astype(np.float64) * np.array(wh)
    world, vis, ok = tr["world"].astype(np.float64), tr["vis"].astype(np.float64), tr["ok"]
    if swap_rng is not None:
        xy, world, vis = swap_legs(xy, world, vis, *leg_swaps(clip.n, swap_rng))
    if turn_rng is not None:
        yaw, tilt = turn_rng.uniform(-turn_deg, turn_deg), turn_rng.uniform(-TILT_DEG, TILT_DEG)
        xy, world = turn_view(xy, world, yaw, tilt)
    f = window_features(frame_features(xy, world, vis, wh, features), ok, clip.times, windows)
    fm = window_features(frame_features(*mirror_arrays(xy, world, vis, wh[0]), wh, features), ok, clip.times,
                         windows)
    return f, fm, frame_classes(clip, near)


def swap_side(c: str) -> str:
    name, _, side = c.partition(":")
    return f"{name}:{'right' if side == 'left' else 'left'}" if side else c


def training_rows(part: list | None = None, windows: tuple[float, ...] = WINDOWS,
                  swap_copies: int = SWAP_COPIES, turn_copies: int = TURN_COPIES, seed: int = SEED,
                  features: int = FEATURES, turn_deg: float = TURN_DEG, near: bool = NEAR):
    """Rows (features of every other frame and of its mirror image, sides exchanged) and labels
    from ``part`` (default: the whole training part), with ``swap_copies`` leg-swapped copies
    and ``turn_copies`` turned-camera copies (the first ``swap_copies`` of those also swapped)."""
    rng = np.random.default_rng(seed + 1000)
    xs, ys = [], []
    for clip in clips("train") if part is None else part:
        for copy in range(1 + max(swap_copies, turn_copies)):
            swap = rng if 0 < copy <= swap_copies else None
            turn = rng if 0 < copy <= turn_copies else None
            f, fm, y = clip_rows(clip, windows, swap, turn, features, turn_deg, near)
            use = (y != "") & clip.track["ok"]
            use[1 - copy % 2::2] = False  # neighbouring frames are nearly the same: every other one
            xs += [f[use], fm[use]]
            ys += [y[use], np.array([swap_side(c) for c in y[use]], object)]
    return np.concatenate(xs), np.concatenate(ys)


def balance(y: np.ndarray, rng: np.random.Generator, per_class: int = PER_CLASS) -> np.ndarray:
    """Row indices with at most ``per_class`` rows of each class."""
    keep = []
    for c in sorted(set(y)):
        idx = np.nonzero(y == c)[0]
        if len(idx) > per_class:
            idx = rng.choice(idx, per_class, replace=False)
        keep.append(np.sort(idx))
    return np.concatenate(keep)


def class_weights(y: np.ndarray, weighting: str | None) -> np.ndarray | None:
    """Per-row weights making the classes of ``y`` count alike ("balanced") or by the square root
    of their rows ("sqrt"), with mean 1; None for no weighting."""
    if weighting is None:
        return None
    classes, inverse, counts = np.unique(y, return_inverse=True, return_counts=True)
    power = {"balanced": 1.0, "sqrt": 0.5}[weighting]
    w = 1.0 / counts[inverse].astype(np.float64) ** power
    return w * (len(w) / w.sum())


def fit(x: np.ndarray, y: np.ndarray, members: int = MEMBERS, hidden: tuple[int, ...] = HIDDEN,
        alpha: float = ALPHA, seed: int = SEED, balanced: bool = False, max_iter: int = 60,
        windows: tuple[float, ...] = WINDOWS, features: int = FEATURES, per_class: int = PER_CLASS,
        weighting: str | None = WEIGHTING) -> Model:
    """``members`` MLPs, member m on its own class-balanced sample of the rows (unless
    ``balanced`` says they already are) with random_state seed + m; one standardisation.
    ``weighting`` "balanced" weighs each row of that sample by 1 / its class's rows there (mean
    weight 1), so every class counts alike however many rows it has; "sqrt" by 1 / the square
    root. BLAS runs on one thread, so the sums (and the weights) do not depend on the machine's cores."""
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(seed + 1)
    sc = StandardScaler().fit(x)
    xs = sc.transform(x)
    classes = sorted(set(y))
    ws, bs = [], []
    for m in range(members):
        idx = np.arange(len(y)) if balanced and m == 0 else balance(y, rng, per_class)
        mlp = MLPClassifier(
            hidden_layer_sizes=hidden,
            alpha=alpha,
            batch_size=512,
            learning_rate_init=2e-3,
            max_iter=max_iter,
            random_state=seed + m,
            early_stopping=False,
        )
        with threadpool_limits(1):
            mlp.fit(xs[idx], y[idx], sample_weight=class_weights(y[idx], weighting))
        assert list(mlp.classes_) == classes
        ws.append(mlp.coefs_)
        bs.append(mlp.intercepts_)
    weights, biases = (tuple(ws[0]), tuple(bs[0])) if members == 1 else (stack(ws), stack(bs))
    return Model(classes=tuple(str(c) for c in classes), mean=sc.mean_, scale=sc.scale_,
                 weights=weights, biases=biases, meta={"windows": list(windows), "features": features})


def stack(per_member: list) -> tuple[np.ndarray, ...]:
    """Each member's layers (a list of arrays per member) -> one (k, ...) array a layer."""
    return tuple(np.stack([m[i] for m in per_member]) for i in range(len(per_member[0])))


@dataclass
class Standardised:
    """Training rows as the PyTorch fits take them (NaN as 0, standardised, float32) and their
    labels as class indices: worked out once for all the PyTorch kinds of a recipe."""

    x: np.ndarray
    y: np.ndarray
    classes: list
    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def of(cls, x: np.ndarray, y: np.ndarray) -> Standardised:
        from sklearn.preprocessing import StandardScaler

        xn = np.nan_to_num(x)
        sc = StandardScaler().fit(xn)
        xs = sc.transform(xn).astype(np.float32)
        del xn
        classes = sorted(set(y))
        index = {c: i for i, c in enumerate(classes)}
        return cls(xs, np.array([index[c] for c in y], np.int64), classes, sc.mean_, sc.scale_)


def fit_torch(x: np.ndarray, y: np.ndarray, members: int = MEMBERS, hidden: tuple[int, ...] = HIDDEN,
              dropout: float = 0.0, seed: int = SEED, epochs: int = TORCH_EPOCHS,
              per_class: int = PER_CLASS, windows: tuple[float, ...] = WINDOWS,
              features: int = FEATURES, rows: Standardised | None = None,
              in_dropout: float = 0.0) -> Model:
    """``members`` MLPs of :func:`fit`'s shape (ReLU, softmax out) fitted with PyTorch: AdamW
    with a one-cycle learning rate, each epoch on a fresh class-balanced sample of the rows (at
    most ``per_class`` a class), ``dropout`` after each hidden layer while fitting (and
    ``in_dropout`` on the inputs: measured and not kept, select_recognizer's c9_kinds3_indrop). One thread
    and fixed seeds, so the same rows give the same weights. ``rows``: ``x`` and ``y`` already
    prepared (:class:`Standardised`), as another kind of the same recipe had them."""
    import torch

    if rows is not None and (len(rows.y) != len(y) or rows.x.shape != x.shape):
        raise ValueError("rows were prepared from other training rows")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _fit_torch(y, rows or Standardised.of(x, y), members, hidden, dropout, seed, epochs,
                          per_class, windows, features, in_dropout)
    finally:
        torch.set_num_threads(threads)


def _fit_torch(y, data, members, hidden, dropout, seed, epochs, per_class, windows, features,
               in_dropout=0.0) -> Model:
    import torch

    xs, yi, classes = data.x, data.y, data.classes
    rng = np.random.default_rng(seed + 2)  # the same sample stream for every kind
    # an epoch's rows (each class's, up to per_class) in about TORCH_STEPS batches
    rows = int(np.minimum(np.unique(yi, return_counts=True)[1], per_class).sum())
    size = max(256, rows // TORCH_STEPS + 1)
    batches = -(-rows // size)
    ws, bs = [], []
    for m in range(members):
        torch.manual_seed(seed + m)
        dims = [xs.shape[1], *hidden, len(classes)]
        layers: list = [torch.nn.Dropout(in_dropout)] if in_dropout else []
        for i in range(len(dims) - 1):
            layers.append(torch.nn.Linear(dims[i], dims[i + 1]))
            if i < len(dims) - 2:
                layers += [torch.nn.ReLU(), torch.nn.Dropout(dropout)]
        net = torch.nn.Sequential(*layers)
        opt = torch.optim.AdamW(net.parameters(), weight_decay=1e-4)  # (the one-cycle schedule sets the rate)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=epochs * batches)
        loss_fn = torch.nn.CrossEntropyLoss()
        net.train()
        for _ in range(epochs):
            idx = balance(y, rng, per_class)
            rng.shuffle(idx)
            for s in range(0, len(idx), size):
                b = idx[s:s + size]
                loss = loss_fn(net(torch.from_numpy(xs[b])), torch.from_numpy(yi[b]))
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
        linear = [layer for layer in net if isinstance(layer, torch.nn.Linear)]
        ws.append([layer.weight.detach().numpy().T.copy() for layer in linear])
        bs.append([layer.bias.detach().numpy().copy() for layer in linear])
    return Model(classes=tuple(str(c) for c in classes), mean=data.mean, scale=data.scale,
                 weights=stack(ws), biases=stack(bs), meta={"windows": list(windows), "features": features})


def combine(models: list[Model]) -> Model:
    """One ensemble of every member of ``models`` (same classes and layer shapes), each member's
    standardisation folded into its first layer so that all share the first model's: the same
    probabilities as averaging the members' own, one matrix product a layer."""
    base = models[0]
    mean0, scale0 = base.mean.astype(np.float64), base.scale.astype(np.float64)
    layers_w: list[list[np.ndarray]] = [[] for _ in base.weights]
    layers_b: list[list[np.ndarray]] = [[] for _ in base.biases]
    for m in models:
        if m.classes != base.classes or len(m.weights) != len(base.weights):
            raise ValueError("models to combine must have the same classes and layers")
        ws, bs = m.stacked()
        mean, scale = m.mean.astype(np.float64), m.scale.astype(np.float64)
        w0 = ws[0].astype(np.float64)  # (k, in, out)
        # (x - mean) / scale = ((x - mean0) / scale0 * scale0 + mean0 - mean) / scale
        layers_w[0].append(w0 * (scale0 / scale)[None, :, None])
        layers_b[0].append(bs[0].astype(np.float64) + np.einsum("i,kio->ko", (mean0 - mean) / scale, w0))
        for i in range(1, len(ws)):
            layers_w[i].append(ws[i])
            layers_b[i].append(bs[i])
    return Model(base.classes, mean0, scale0, tuple(np.concatenate(w) for w in layers_w),
                 tuple(np.concatenate(b) for b in layers_b), dict(base.meta))


def validate(model: Model) -> dict:
    """Frame-level figures on the validation part, through the live recogniser (smoothed)."""
    right = total = neg_right = neg_total = 0
    for clip in clips("val"):
        rec = Recognizer(model, unsided=UNSIDED)
        lab = clip.labels
        for i, pose in enumerate(clip.poses()):
            r = rec.update(pose, float(clip.times[i]))
            if not lab["scored"][i]:
                continue
            if lab["stretch"][i]:
                want = lab["stretch"][i]
                side = None if want in UNSIDED else lab["side"][i]
                total += 1
                right += r.stretch == want and r.side == side
            else:
                neg_total += 1
                neg_right += r.stretch == "none"
    return {
        "stretch_side_right": round(right / max(total, 1), 4),
        "stretch_frames": total,
        "none_right": round(neg_right / max(neg_total, 1), 4),
        "none_frames": neg_total,
    }


def recipe(variant: str | None = None) -> dict:
    """What to fit: the constants above, or one of scripts/select_recognizer.py's variants."""
    r = {"windows": WINDOWS, "features": FEATURES, "members": MEMBERS, "hidden": HIDDEN, "alpha": ALPHA,
         "per_class": PER_CLASS, "weighting": WEIGHTING, "swap_copies": SWAP_COPIES,
         "turn_copies": TURN_COPIES, "turn_deg": TURN_DEG, "near": NEAR, "kinds": KINDS, "in_dropout": 0.0}
    if variant is not None:
        from select_recognizer import VARIANTS

        r["windows"] = (1.0,)  # select_recognizer's defaults
        r["features"] = 1
        r["near"] = False
        r["kinds"] = ("sklearn",)
        r |= VARIANTS[variant]
    r["windows"], r["hidden"], r["kinds"] = tuple(r["windows"]), tuple(r["hidden"]), tuple(r["kinds"])
    return r


def recipe_rows(r: dict, part: list | None = None):
    """:func:`training_rows` of ``part`` as recipe ``r`` (:func:`recipe`) makes them."""
    return training_rows(part, windows=r["windows"], swap_copies=r["swap_copies"],
                         turn_copies=r["turn_copies"], features=r["features"], turn_deg=r["turn_deg"],
                         near=r["near"])


def recipe_fit(x: np.ndarray, y: np.ndarray, r: dict) -> Model:
    """Recipe ``r``'s members of each of its kinds (:data:`KINDS`), fitted and combined."""
    models = []
    rows = Standardised.of(x, y) if any(k.startswith("torch") for k in r["kinds"]) else None
    for kind in r["kinds"]:
        if kind == "sklearn":
            models.append(fit(x, y, members=r["members"], hidden=r["hidden"], alpha=r["alpha"],
                              windows=r["windows"], features=r["features"], per_class=r["per_class"],
                              weighting=r["weighting"]))
        elif kind in ("torch", "torch_dropout"):
            models.append(fit_torch(x, y, members=r["members"], hidden=r["hidden"],
                                    dropout=TORCH_DROPOUT if kind == "torch_dropout" else 0.0,
                                    per_class=r["per_class"], windows=r["windows"], features=r["features"],
                                    rows=rows, in_dropout=r["in_dropout"]))
        else:
            raise ValueError(f"unknown kind of member: {kind}")
    return models[0] if len(models) == 1 else combine(models)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    ap.add_argument("--variant", help="fit one of scripts/select_recognizer.py's variants instead of "
                                      "the constants above (to compare; the shipped model uses "
                                      "the constants)")
    args = ap.parse_args()
    r = recipe(args.variant)
    t0 = time.time()
    x, y = recipe_rows(r)
    print(f"{len(x)} training rows, {x.shape[1]} features, {len(set(y))} classes ({time.time() - t0:.0f} s)")
    model = recipe_fit(x, y, r)
    print(f"fitted in {time.time() - t0:.0f} s")
    m = manifest()
    meta = {
        "corpus_version": m["version"],
        "seed": SEED,
        "coached": list(COACHED),
        "unsided": list(UNSIDED),
        "train_clips": len(clips("train")),
        "train_rows": int(len(x)),
        "windows": list(r["windows"]),
        "features": r["features"],
        "members": model.members,
        "members_per_kind": r["members"],
        "hidden": list(r["hidden"]),
        "alpha": r["alpha"],
        "per_class": r["per_class"],
        "weighting": r["weighting"] or "none",
        "swap_copies": r["swap_copies"],
        "turn_copies": r["turn_copies"],
        "near": r["near"],
        "kinds": list(r["kinds"]),
        "in_dropout": r["in_dropout"],
        "torch": {"dropout": TORCH_DROPOUT, "epochs": TORCH_EPOCHS, "steps": TORCH_STEPS},
    }
    if args.variant:
        meta["variant"] = args.variant
    # as stored (half-precision weights): what is validated is what ships
    model = Model(model.classes, model.mean, model.scale, model.weights, model.biases, meta).halved()
    model.meta["validation"] = validate(model)  # (halved's meta is a copy of ``meta``)
    print(f"validation: {model.meta['validation']}")
    model.save(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e3:.0f} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
