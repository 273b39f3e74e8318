"""Which stretch, and which side: a small learned classifier (the average of a few small MLPs)
over the last second of poses and a longer window (the lengths are in the model's meta).

Features are normalised for body size (torso lengths), position in the frame (hip-centred) and
the camera's view (3-D world landmarks turned about the vertical so the hip line points along
+x; image heights measured along the image's "down"). A right-side pose is the mirror image of
a left-side one, so the model is trained on both and asked about both: the probability of
(stretch, left) on a pose is averaged with that of (stretch, right) on its mirror image.

The weights are plain arrays in ``coach/models/recognizer.npz`` (loaded without pickle),
written by ``scripts/train_recognizer.py`` with the corpus version they came from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coach.pose import LANDMARK_NAMES, Pose

MODEL_PATH = Path(__file__).resolve().parent / "models" / "recognizer.npz"
WINDOW_S = 1.0  # features are also averaged over this much of the past
N_DEPTH = 4  # the last per-frame features: depth order seen from the camera (view-dependent)
NONE = "none"
# The frame rate the corpus is rendered at, so the rate the model learned its window features at
# (their means, and how far the body moved per second, which the pose model's frame-to-frame
# jitter adds to at every frame: three times as much at 30 frames/s as at 10).
TRAINED_FPS = 10.0
# With --exercise NAME the person is expected to do NAME: its classes' probabilities are
# weighed up by this factor before smoothing (a prior; the open-set argmax would otherwise give a
# near twin, e.g. child's pose against the adductor opener, the benefit of the doubt). Chosen by
# scripts/tune_focus.py on held-out bodies of the training part (c4): in-position recall 76.8 ->
# 81.8 % averaged over the 16 stretches, no stretch's false in-position rate up by more than 0.7
# point (3 would have raised the roll-down's by 1.1). Run again on c8 with the "other_near" model
# recipe, the same rule chose 3 (recall 87.3 -> 89.0 % against 2, no false in-position rate up by
# more than 0.8 point from 1); on the validation part 3 raised in-position recall (child's pose
# 88.7 -> 92.8 %, the side kicks 81.3 -> 85.1 %) but named the wrong side more often in position
# (prone glute 93.3 -> 86.9 %, wall figure-4 95.0 -> 89.9 %, figure-4 twist 90.8 -> 86.3 %), left
# time per side within 10 % where it was (62.9 -> 63.2 % of sides) and 4 more sample aspects
# failing against 1 more passing; so it stays 2.
FOCUS_WEIGHT = 2.0
# A still image names a stretch only at this confidence or more (else "none"): there is no
# time to weigh, and a photo's call is all the user gets. On held-out training frames judged one
# by one (scripts/still_floor.py: select_recognizer's fold models on clips of bodies or cameras
# they never saw), floors from 0 to 0.5 kept the mean of stretch-and-side right and 'none' right
# (fold 0: 0.789 -> 0.791, fold 1: 0.813 -> 0.812) while trading stretch calls for "none"
# (77.8/80.1 -> 76.4/81.8 % and 79.4/83.1 -> 77.5/84.8 %); above 0.5 the mean falls. The
# highest floor that costs nothing on average, since a false stretch is the worse error.
STILL_MIN_CONFIDENCE = 0.5

_IX = {n: i for i, n in enumerate(LANDMARK_NAMES)}
# landmark i of a mirrored pose is landmark MIRROR[i] of the original
MIRROR = np.array(
    [_IX[n.replace("left_", "@").replace("right_", "left_").replace("@", "right_")] for n in LANDMARK_NAMES]
)
KEY = [_IX[n] for n in (
    "nose", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist",
    "right_wrist", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    "left_foot_index", "right_foot_index")]  # fmt: skip
LSH, RSH, LHIP, RHIP = _IX["left_shoulder"], _IX["right_shoulder"], _IX["left_hip"], _IX["right_hip"]
LKN, RKN, LAN, RAN = _IX["left_knee"], _IX["right_knee"], _IX["left_ankle"], _IX["right_ankle"]
LWR, RWR, NOSE = _IX["left_wrist"], _IX["right_wrist"], _IX["nose"]


def mirror_arrays(xy: np.ndarray, world: np.ndarray, vis: np.ndarray, width: float):
    """The mirror image of poses given as arrays (..., 33, k): left and right swap."""
    xy = xy[..., MIRROR, :].copy()
    xy[..., 0] = width - xy[..., 0]
    world = world[..., MIRROR, :].copy()
    world[..., 0] = -world[..., 0]
    return xy, world, vis[..., MIRROR]


def _norm(v: np.ndarray) -> np.ndarray:
    """``np.linalg.norm(v, axis=-1)`` of a real array: its own arithmetic (the same numbers)
    without its checks and dispatch, which cost more than the sums on a frame's few rows."""
    return np.sqrt(np.add.reduce(v * v, axis=-1))


def _angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Angle at b (degrees), rows of 3-D points."""
    u, v = a - b, c - b
    cos = (u * v).sum(-1) / (_norm(u) * _norm(v) + 1e-9)
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def _incline(v: np.ndarray) -> np.ndarray:
    """Angle of 3-D vectors from straight up (y up), degrees: 0 upright, 90 level, 180 down."""
    return np.degrees(np.arccos(np.clip(v[..., 1] / (_norm(v) + 1e-9), -1, 1)))


def frame_features(xy: np.ndarray, world: np.ndarray, vis: np.ndarray, wh: tuple[int, int],
                   version: int = 1) -> np.ndarray:
    """(N, 33, 2), (N, 33, 3), (N, 33) -> (N, F) per-frame features (see the module doc).
    ``version`` 2 adds the image-plane pose (:func:`image_features`)."""
    p = world.astype(np.float64).copy()
    p[..., 1] *= -1.0  # y up
    hip = 0.5 * (p[:, LHIP] + p[:, RHIP])
    sh = 0.5 * (p[:, LSH] + p[:, RSH])
    torso = np.maximum(_norm(sh - hip), 0.05)
    head = p[:, LHIP] - p[:, RHIP]
    alt = p[:, LSH] - p[:, RSH]
    use_alt = np.hypot(head[:, 0], head[:, 2]) < 0.3 * np.hypot(alt[:, 0], alt[:, 2])
    head = np.where(use_alt[:, None], alt, head)
    a = -np.arctan2(head[:, 2], head[:, 0])
    c, s = np.cos(a), np.sin(a)
    q = (p - hip[:, None]) / torso[:, None, None]
    qx = c[:, None] * q[..., 0] - s[:, None] * q[..., 2]
    qz = s[:, None] * q[..., 0] + c[:, None] * q[..., 2]
    body = np.stack([qx, q[..., 1], qz], -1)[:, KEY].reshape(len(p), -1)

    ang = (
        np.stack(
            [
                _angle(p[:, LHIP], p[:, LKN], p[:, LAN]),
                _angle(p[:, RHIP], p[:, RKN], p[:, RAN]),
                _angle(p[:, LSH], p[:, LHIP], p[:, LKN]),
                _angle(p[:, RSH], p[:, RHIP], p[:, RKN]),
                _incline(sh - hip),
                _incline(p[:, LKN] - p[:, LHIP]),
                _incline(p[:, RKN] - p[:, RHIP]),
                _incline(p[:, LAN] - p[:, LKN]),
                _incline(p[:, RAN] - p[:, RKN]),
                _angle(p[:, LKN], hip, p[:, RKN]),
            ],
            -1,
        )
        / 90.0
    )

    def d(i: int, j: int) -> np.ndarray:
        return _norm(p[:, i] - p[:, j])

    dist = (
        np.stack(
            [d(LAN, RAN), d(LKN, RKN), d(LAN, RKN), d(RAN, LKN), np.minimum(d(LWR, LAN), d(RWR, RAN))], -1
        )
        / torso[:, None]
    )

    img = xy.astype(np.float64)
    ihip = 0.5 * (img[:, LHIP] + img[:, RHIP])
    ish = 0.5 * (img[:, LSH] + img[:, RSH])
    itorso = np.maximum(_norm(ish - ihip), 0.02 * max(wh[1], 1))[:, None]
    up = np.clip((ihip[:, 1:2] - img[:, [NOSE, LSH, RSH, LKN, RKN, LAN, RAN, LWR, RWR], 1]) / itorso, -6, 6)
    tv = ish - ihip
    itrunk = np.degrees(np.arctan2(np.abs(tv[:, 0]), -tv[:, 1]))[:, None] / 90.0
    k = img[:, KEY]
    ext = k.max(1) - k.min(1)
    aspect = np.log(np.clip((ext[:, 0] + 1) / (ext[:, 1] + 1), 0.1, 10))[:, None]
    v = vis.astype(np.float64)
    seen = np.stack(
        [
            v[:, [LKN, RKN, LAN, RAN]].mean(1),
            v[:, [LWR, RWR]].mean(1),
            v[:, [NOSE, LSH, RSH]].mean(1),
            v[:, LAN] - v[:, RAN],
        ],
        -1,
    )
    # Which side is which, without trusting the model's left/right labels (it swaps the legs
    # in a fifth of side-on pigeon frames): where the body faces in the image, which of each
    # pair is nearer the camera (depth, visibility) and where each lies across the image.
    pairs = [(LSH, RSH), (LHIP, RHIP), (LKN, RKN), (LAN, RAN)]
    cols = [NOSE, LSH, RSH, LHIP, RHIP, LKN, RKN, LAN, RAN]
    across = np.clip((img[:, cols, 0] - ihip[:, :1]) / itorso, -6, 6)
    depth = np.stack([(p[:, a, 2] - p[:, b, 2]) / torso for a, b in pairs], -1)
    nearer = np.stack([v[:, a] - v[:, b] for a, b in pairs], -1)
    out = [body, ang, dist, up, itrunk, aspect, seen, across, nearer, depth]
    if version >= 2:
        out.append(image_features(img, v))
    return np.concatenate(out, axis=1)


# 2-D segments whose image lengths give the body's size in the image (many directions, so that
# foreshortening of one, e.g. the trunk seen end-on in a fold, does not shrink the scale)
_SEGMENTS = [(LSH, LHIP), (RSH, RHIP), (LHIP, LKN), (RHIP, RKN), (LKN, LAN), (RKN, RAN), (LSH, RSH),
             (LHIP, RHIP)]


def image_features(img: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The pose as the image shows it, trusting no depth: every key landmark relative to the hips
    (across, down) in units of the body's size in the image (mean image length of trunk, thighs,
    shins, shoulder and hip width), each of those lengths over that size (how foreshortened each
    is: a cue to the view), and each key landmark's visibility."""
    ihip = 0.5 * (img[:, LHIP] + img[:, RHIP])
    seg = np.stack([_norm(img[:, a] - img[:, b]) for a, b in _SEGMENTS], -1)
    size = np.maximum(seg.mean(1), 1.0)[:, None]
    rel = np.clip((img[:, KEY] - ihip[:, None]) / size[:, :, None], -5, 5).reshape(len(img), -1)
    return np.concatenate([rel, seg / size, v[:, KEY]], axis=1)


class Window:
    """The last ``windows`` seconds of per-frame features -> one row: the frame's own features,
    then for each window length its mean over that window and how fast the body-frame points
    moved (torso lengths per second). A stretch is held still, so a longer window sees it more
    steadily. Frames with no pose are simply not pushed; the window still ages with time."""

    def __init__(self, windows: tuple[float, ...] | float = (WINDOW_S,)) -> None:
        self.windows = (windows,) if isinstance(windows, (int, float)) else tuple(float(w) for w in windows)
        self.window_s = max(self.windows)
        # The frames in the window, oldest first, as rows [start, end) of one array (and their
        # times): a new frame is written after the last and old ones are dropped by moving
        # ``start``, so nothing is restacked per frame (np.stack of the window was most of
        # ``push``'s time). The rows are the same values in the same order as a stack of them,
        # so the means and motions are bit for bit what they were.
        self._rows: np.ndarray | None = None
        self._times = np.empty(0)
        self._start = self._end = 0

    def _append(self, t: float, feats: np.ndarray) -> None:
        if self._rows is None or self._end == len(self._rows):
            n = self._end - self._start
            size = max(64, 2 * n + 2)
            rows = np.empty((size, len(feats)), np.result_type(feats, np.float64))
            times = np.empty(size)
            if self._rows is not None:  # the live rows to the front (or into a bigger array)
                rows[:n] = self._rows[self._start:self._end]
                times[:n] = self._times[self._start:self._end]
            self._rows, self._times, self._start, self._end = rows, times, 0, n
        self._rows[self._end] = feats
        self._times[self._end] = t
        self._end += 1

    def push(self, t: float, feats: np.ndarray) -> np.ndarray:
        self._append(t, feats)
        times = self._times
        while times[self._start] <= t - self.window_s:
            self._start += 1
        assert self._rows is not None
        times = times[self._start:self._end]
        w = self._rows[self._start:self._end]
        nb = len(KEY) * 3
        out = [feats]
        for ws in self.windows:
            within = times > t - ws
            part = w[within]
            motion = 0.0
            if len(part) > 1:
                tp = times[within]
                dt = max(tp[-1] - tp[0], 1e-3)
                motion = float(np.abs(np.diff(part[:, :nb], axis=0)).sum() / dt / nb)
            out += [part.mean(0), [motion]]
        return np.concatenate(out)


def n_window_features(n_frame: int, windows: tuple[float, ...] = (WINDOW_S,)) -> int:
    return n_frame + len(windows) * (n_frame + 1)


def window_features(frames: np.ndarray, ok: np.ndarray, times: np.ndarray,
                    windows: tuple[float, ...] = (WINDOW_S,)) -> np.ndarray:
    """:class:`Window` over a whole clip; frames with no pose get NaN rows."""
    out = np.full((len(frames), n_window_features(frames.shape[1], windows)), np.nan)
    win = Window(windows)
    for i in np.nonzero(ok)[0]:
        out[i] = win.push(float(times[i]), frames[i])
    return out


@dataclass(frozen=True)
class Model:
    """Small MLPs (ReLU hidden layers, softmax out) on standardised features. An ensemble of
    ``k`` members of the same shape stores each layer as one (k, in, out) array (a single MLP:
    (in, out)); its probabilities are the members' average. ``meta["windows"]``: the window
    lengths of the features (default one window of ``WINDOW_S``)."""

    classes: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    meta: dict

    @property
    def windows(self) -> tuple[float, ...]:
        return tuple(float(w) for w in self.meta.get("windows", [WINDOW_S]))

    @property
    def features(self) -> int:
        """Which per-frame features (:func:`frame_features`'s ``version``) the model takes."""
        return int(self.meta.get("features", 1))

    @property
    def members(self) -> int:
        return self.weights[0].shape[0] if self.weights[0].ndim == 3 else 1

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> Model:
        with np.load(path, allow_pickle=False) as d:
            n = int(d["layers"])
            # weights may be stored in half precision (``half`` in the meta): float32 to compute
            return cls(
                classes=tuple(str(c) for c in d["classes"]),
                mean=d["mean"],
                scale=d["scale"],
                weights=tuple(d[f"w{i}"].astype(np.float32) for i in range(n)),
                biases=tuple(d[f"b{i}"].astype(np.float32) for i in range(n)),
                meta=json.loads(str(d["meta"])),
            )

    def halved(self) -> Model:
        """This model with its weights rounded to half precision, as :meth:`save` then stores
        them (half the file; the probabilities move by about 1e-3), and its standardisation in
        float32 as stored: what it predicts is what the saved file will."""
        def half(a: np.ndarray) -> np.ndarray:
            return a.astype(np.float16).astype(np.float32)

        return Model(self.classes, self.mean.astype(np.float32), self.scale.astype(np.float32),
                     tuple(half(w) for w in self.weights), tuple(half(b) for b in self.biases),
                     {**self.meta, "half": True})

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        dtype = np.float16 if self.meta.get("half") else np.float32
        arrays = {f"w{i}": w.astype(dtype) for i, w in enumerate(self.weights)}
        arrays |= {f"b{i}": b.astype(dtype) for i, b in enumerate(self.biases)}
        np.savez_compressed(
            path,
            classes=np.array(self.classes),
            mean=self.mean.astype(np.float32),
            scale=self.scale.astype(np.float32),
            layers=np.array(len(self.weights)),
            meta=np.array(json.dumps(self.meta)),
            **arrays,
        )

    def stacked(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """The layers as an ensemble's: weights (k, in, out) and biases (k, out), k = 1 for a
        single MLP."""
        return ([w if w.ndim == 3 else w[None] for w in self.weights],
                [b if b.ndim == 2 else b[None] for b in self.biases])

    def predict(self, x: np.ndarray) -> np.ndarray:
        """(N, F) -> (N, classes) probabilities; rows with NaN give NaN."""
        # float32 throughout (as stored): mixed float64/float32 operands are several times slower
        h = ((np.nan_to_num(x) - self.mean) / self.scale).astype(np.float32)  # (N, F)
        weights, biases = self.stacked()
        for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
            w = w.astype(np.float32, copy=False)
            b = b.astype(np.float32, copy=False)
            # one small matrix product per member (k, N, in) @ (k, in, out): each is under
            # OpenBLAS's threading threshold for a frame's two rows, so no worker thread has to
            # wake (one (N, in) @ (in, k * out) product is over it, and waking a thread costs
            # milliseconds when the other core is busy); 7 times faster than einsum's loops
            h = np.matmul(h, w) + b[:, None]
            if i < len(weights) - 1:
                h = np.maximum(h, 0.0)
        h = h - h.max(2, keepdims=True)
        e = np.exp(h)
        p = (e / e.sum(2, keepdims=True)).mean(0).astype(np.float64)
        p[np.isnan(x).any(1)] = np.nan
        return p

    def side_swap(self) -> np.ndarray:
        """Column permutation that exchanges each 'X:left' class with 'X:right'."""
        ix = {c: i for i, c in enumerate(self.classes)}
        swap = {"left": "right", "right": "left"}
        out = []
        for c in self.classes:
            name, _, side = c.partition(":")
            out.append(ix[f"{name}:{swap[side]}"] if side in swap else ix[c])
        return np.array(out)

    def predict_symmetric(self, x: np.ndarray, x_mirror: np.ndarray) -> np.ndarray:
        """Average of the prediction on the pose and, sides exchanged, on its mirror image."""
        return 0.5 * (self.predict(x) + self.predict(x_mirror)[:, self.side_swap()])


def clip_probabilities(
    model: Model,
    xy: np.ndarray,
    world: np.ndarray,
    vis: np.ndarray,
    ok: np.ndarray,
    times: np.ndarray,
    wh: tuple[int, int],
) -> np.ndarray:
    """Per-frame class probabilities for a whole clip (arrays as in :func:`frame_features`)."""
    f = window_features(frame_features(xy, world, vis, wh, model.features), ok, times, model.windows)
    mxy, mw, mv = mirror_arrays(xy, world, vis, wh[0])
    fm = window_features(frame_features(mxy, mw, mv, wh, model.features), ok, times, model.windows)
    return model.predict_symmetric(f, fm)


@dataclass(frozen=True)
class Recognition:
    """What the recogniser says of a frame: ``stretch`` ('none' when not in a coached stretch),
    its ``side`` (None where the stretch has none or it cannot be seen), ``confidence`` in the
    current label, and ``looks_like`` (the most likely posture when it is not a coached one)."""

    stretch: str
    side: str | None
    confidence: float
    looks_like: str | None = None
    # the named stretch's two sides as the smoothing reads them now (left, right); None unsided
    sides: tuple[float, float] | None = None

    @property
    def label(self) -> str:
        return f"{self.stretch}:{self.side}" if self.side else self.stretch

    @property
    def name(self) -> str:
        """For people: 'pigeon (left)', or what a non-coached pose looks like."""
        if self.stretch == NONE:
            return self.looks_like.replace("_", " ") if self.looks_like else "no stretch"
        return self.stretch + (f" ({self.side})" if self.side else "")


class Smoother:
    """Probabilities smoothed over time (``tau_s``), and a label that changes only when another
    stretch has led by ``margin`` for ``dwell_s``. The side of the stretch being held is weighed
    over a longer time (``side_tau_s``, from when the stretch was entered): the other side must
    lead there by ``margin`` for ``side_dwell_s``, since the pose model's own left and right
    legs swap for moments within a one-sided hold, while a real change of side takes seconds.
    The defaults were chosen by ``scripts/tune_smoother.py`` on the training part only;
    ``side_tau_s`` 8 rather than 4 (``--side-taus``, the c4_f2_pc3000 variant on both of
    select_recognizer's folds): spurious side switches 2.98 -> 2.48 and 4.30 -> 3.34 per 10 min,
    stretch and side right +0.1 point, and the 99 and 104 real changes of side named no later
    (a side taken after leaving the stretch is named afresh).

    Measured and not kept: a fast path for a change of side made without leaving the stretch
    (``fast_margin``, off by default): the other side leading the short average (``tau_s``) by
    0.8 for 1 s named at once, not after the longer average agrees. The c8 model reads the wall
    glute stretch's uncrossing as the stretch, not "none", so the next side's first seconds went
    to the side before. Chosen on the training part (``scripts/tune_smoother.py --fast``, on
    select_recognizer's two kept fold models, out/models6/c5_w136_fold*, their held-out clips of
    corpus c8): stretch and side 83.01 -> 83.25 and 81.15 -> 81.56 %, the 90th percentile of how
    late a real change of side is named 2.94 -> 2.94 and 4.40 -> 2.85 s, spurious side switches
    2.00 -> 2.00 and 2.27 -> 2.84 per 10 min; the c8 model's sessions on fit_exits.py's training
    clips: time per side within 10 % 68.0 -> 69.8 %. On the validation part (scripts/accuracy.py)
    stretch and side 86.9 -> 87.8 %, sides right in position 93.5 -> 95.0 %, time per side
    within 10 % 56.3 -> 57.1 %, but spurious side switches 17 -> 22 in 35.6 minutes of holds:
    more flicker, for little. Nor a settling time after entering a sided stretch (for its first
    1-6 s the side follows the short average, the legs being still placed; tune_smoother.py with
    ``settle_s``, out/models6/c5_w136_fold0 on its held-out clips of c8): stretch and side
    83.0 -> 82.9-83.2 %, spurious side switches 2.00 -> 2.33-3.33 per 10 min.

    ``gap_s``: frames where the pose model found nobody leave the label and the averages as they
    were for up to this long (before, each such frame counted as 'none' at once). On
    select_recognizer's c9_kinds3 fold models (corpus c9, their held-out clips of either a
    held-out body or camera, 1.2 % of whose frames have no pose at 10 frames/s): stretch and side
    82.00 -> 82.03, 82.08, 82.10, 82.11 % with 0.3, 0.6, 1 and 2 s on fold 0 and 78.99 -> 79.21 %
    with 1 s on fold 1, 'none' on other postures 92.54 -> 92.50 and 90.11 -> 90.02 %, side
    switches unchanged (1.52, 1.83 per 10 min). A change under way when the person is lost now
    waits afresh once seen again (a review's find: the gap's time had counted toward its wait);
    with that, 1 s gives 82.08 and 79.21 %. A camera at 25-30 frames/s loses the person in more,
    shorter gaps than the corpus's 10 (scripts/rate_check.py)."""

    def __init__(
        self,
        coached: tuple[str, ...],
        tau_s: float = 0.4,
        margin: float = 0.15,
        dwell_s: float = 0.2,
        side_dwell_s: float = 1.0,
        side_tau_s: float = 8.0,
        fast_margin: float | None = None,
        fast_dwell_s: float = 1.0,
        gap_s: float = 1.0,
    ) -> None:
        self.coached = coached  # class names that are coached stretches ('pigeon:left', ...)
        self.tau_s, self.margin, self.dwell_s, self.side_dwell_s = tau_s, margin, dwell_s, side_dwell_s
        self.side_tau_s = side_tau_s
        self.p: dict[str, float] | None = None
        self.q: dict[str, float] = {}  # the longer average, for the side
        self.t: float | None = None
        self.current = NONE
        self._cand: str | None = None
        self._since = 0.0
        self._side_since: float | None = None
        self.fast_margin, self.fast_dwell_s = fast_margin, fast_dwell_s
        self._fast_since: float | None = None
        self.gap_s = gap_s
        self._lost: float | None = None  # when the pose model last lost the person (None: seen)

    @staticmethod
    def _ema(old: dict[str, float], new: dict[str, float], a: float) -> dict[str, float]:
        return {k: (1 - a) * old.get(k, 0.0) + a * new.get(k, 0.0) for k in set(old) | set(new)}

    def update(self, probs: dict[str, float] | None, t: float) -> tuple[str, float]:
        """``probs`` over labels (coached classes and 'none'), or None when nobody is seen. For
        the first ``gap_s`` seconds nobody is seen, nothing changes: the pose model losing the
        person for moments is no sign that the stretch was left. After that, nobody counts as
        'none'."""
        if probs is None:
            if self._lost is None:
                self._lost = t
                # a change under way when the person was lost starts its wait afresh once seen
                # again: time without a pose is no evidence for it either
                self._cand, self._side_since, self._fast_since = None, None, None
            if self.p is not None and t - self._lost < self.gap_s:
                self.t = t
                return self.current, float(self.p.get(self.current, 0.0))
            probs = {NONE: 1.0}
        else:
            self._lost = None
        dt = 0.0 if self.t is None else max(t - self.t, 0.0)
        self.t = t
        first = self.p is None
        self.p = self._ema(self.p or {}, probs, 1.0 if first else 1.0 - np.exp(-dt / self.tau_s))
        self.q = self._ema(self.q, probs, 1.0 if first else 1.0 - np.exp(-dt / max(self.side_tau_s, 1e-6)))
        base = self.current.split(":")[0]
        rivals = {k: v for k, v in self.p.items() if k.split(":")[0] != base or k == self.current}
        best = max(rivals, key=rivals.__getitem__)
        cur = self.p.get(self.current, 0.0)
        if best != self.current and self.p[best] - cur > self.margin:
            if self._cand != best:
                self._cand, self._since = best, t
            if t - self._since >= self.dwell_s:
                # entering a stretch: its side as it looks now, weighed afresh from here on
                self.current, self._cand, self._side_since, self._fast_since = best, None, None, None
                self.q = dict(self.p)
        else:
            self._cand = None
        self._weigh_side(t)
        return self.current, float(self.p.get(self.current, 0.0))

    def _weigh_side(self, t: float) -> None:
        name, _, side = self.current.partition(":")
        if side not in ("left", "right"):
            return
        other = f"{name}:{'right' if side == 'left' else 'left'}"
        assert self.p is not None
        lead = self.p.get(other, 0.0) - self.p.get(self.current, 0.0)
        if self.fast_margin is None or lead <= self.fast_margin:
            self._fast_since = None
        elif self._fast_since is None:
            self._fast_since = t
        if self._fast_since is not None and t - self._fast_since >= self.fast_dwell_s:
            # the other side, plainly and for a while: weighed afresh from here, as on entering
            self.current, self._side_since, self._fast_since = other, None, None
            self.q = dict(self.p)
            return
        if self.q.get(other, 0.0) - self.q.get(self.current, 0.0) <= self.margin:
            self._side_since = None
        elif self._side_since is None:
            self._side_since = t
        elif t - self._side_since >= self.side_dwell_s:
            self.current, self._side_since, self._fast_since = other, None, None


_SHIPPED: Model | None = None


def shipped_model() -> Model:
    """The model in the package, loaded once per process."""
    global _SHIPPED
    if _SHIPPED is None:
        _SHIPPED = Model.load(MODEL_PATH)
    return _SHIPPED


def knows(exercise: str, model: Model | None = None) -> bool:
    """Whether the (shipped) model was trained on ``exercise`` ('': whether there is a model)."""
    if model is None and not MODEL_PATH.exists():
        return False
    return not exercise or exercise in (model or shipped_model()).meta.get("coached", [])


def weigh_focus(probs: dict[str, float], focus: str, weight: float) -> dict[str, float]:
    """``probs`` with the classes of stretch ``focus`` (either side) weighed by ``weight``,
    normalised again: Bayes' rule with prior odds ``weight`` for the expected stretch."""
    out = {k: v * weight if k.split(":")[0] == focus else v for k, v in probs.items()}
    total = sum(out.values())
    return {k: v / total for k, v in out.items()} if total > 0 else out


class Recognizer:
    """Frame by frame: pose -> :class:`Recognition`. Keeps the feature window and the smoother;
    ``unsided`` stretches (the model cannot see their side, e.g. which shin is in front) have
    their sides merged."""

    def __init__(self, model: Model | None = None, unsided: tuple[str, ...] | None = None,
                 instant: bool = False, focus: str | None = None, focus_weight: float | None = None,
                 min_confidence: float | None = None, rate: float | None = None) -> None:
        """``instant``: a still image, judged on its own (no smoothing, nothing to wait for).
        ``focus``: the exercise the person was asked to do, whose classes are weighed up by
        ``focus_weight`` (default FOCUS_WEIGHT). ``min_confidence``: a stretch named with less is
        "none" (default STILL_MIN_CONFIDENCE for a still, 0 for a video). ``rate``: poses a
        second the model is asked about at most (default: the rate it was trained at,
        :data:`TRAINED_FPS`; 0: every frame); the frames between keep the last probabilities."""
        self.model = model or shipped_model()
        rate = TRAINED_FPS if rate is None else rate
        self.step = 1.0 / rate if rate > 0 else 0.0
        self._due: float | None = None
        self.focus = focus
        self.focus_weight = FOCUS_WEIGHT if focus_weight is None else focus_weight
        self.unsided = set(self.model.meta.get("unsided", []) if unsided is None else unsided)
        self._swap = self.model.side_swap()
        self._win, self._mwin = Window(self.model.windows), Window(self.model.windows)
        coached = tuple(sorted({self._merge(c) for c in self.model.classes if self._is_coached(c)}))
        self.smoother = (Smoother(coached, tau_s=1e-3, dwell_s=0.0, side_dwell_s=0.0, side_tau_s=1e-3,
                                  gap_s=0.0)
                         if instant else Smoother(coached))
        if min_confidence is None:
            min_confidence = STILL_MIN_CONFIDENCE if instant else 0.0
        self.min_confidence = min_confidence  # a stretch named below it is "none"
        self.probs: dict[str, float] = {}
        self.row: np.ndarray | None = None
        # each class's label for the smoother (worked out once, not per frame)
        self._labels = [self._merge(c) if self._is_coached(c) else NONE for c in self.model.classes]

    def _is_coached(self, c: str) -> bool:
        return c.split(":")[0] in self.model.meta.get("coached", [])

    def _merge(self, c: str) -> str:
        return c.split(":")[0] if c.split(":")[0] in self.unsided else c

    def label_probs(self, p: np.ndarray) -> dict[str, float]:
        """A row of class probabilities as the smoother takes them: coached stretches (sides
        merged where unsided), everything else summed into 'none'."""
        probs: dict[str, float] = {}
        for key, v in zip(self._labels, p.tolist(), strict=True):
            probs[key] = probs.get(key, 0.0) + v
        if self.focus and self.focus_weight != 1.0:
            return weigh_focus(probs, self.focus, self.focus_weight)
        return probs

    def update(self, pose: Pose, t: float) -> Recognition:
        if pose.is_empty:
            return self.update_row(None, t)
        if self.step and self.row is not None and self._due is not None and self._due - self.step <= t:
            if t < self._due - 1e-6:  # between two of the model's steps: the last probabilities
                return self.update_row(self.row, t)
            # on schedule: the next step one period on (on average `rate` a second whatever the
            # camera's frame times), or from here if the frames fell behind it
            self._due = self._due + self.step if t < self._due + self.step else t + self.step
        else:
            self._due = t + self.step
        xy, world, vis = pose.xy[None], pose.world[None], pose.visibility[None]
        mxy, mworld, mvis = mirror_arrays(xy, world, vis, pose.image_wh[0])
        # the pose and its mirror image as two rows of one call: the same numbers, and half
        # the numpy calls (each costs more than its arithmetic on one pose)
        f = frame_features(np.concatenate([xy, mxy]), np.concatenate([world, mworld]),
                           np.concatenate([vis, mvis]), pose.image_wh, self.model.features)
        fw, fmw = self._win.push(t, f[0]), self._mwin.push(t, f[1])
        both = self.model.predict(np.stack([fw, fmw]))  # the pose and its mirror image in one pass
        return self.update_row(0.5 * (both[0] + both[1][self._swap]), t)

    def update_row(self, p: np.ndarray | None, t: float) -> Recognition:
        """Smooth and name one frame's class probabilities (the model's classes; None: nobody
        seen). ``row`` keeps them, so a run can be smoothed again another way (the accuracy
        report does so per exercise asked for)."""
        self.row = p
        if p is None:
            label, conf = self.smoother.update(None, t)
            self.probs = {}
            return self._recognition(label, conf)
        self.probs = dict(zip(self.model.classes, p.tolist(), strict=True))
        label, conf = self.smoother.update(self.label_probs(p), t)
        return self._recognition(label, conf)

    def _recognition(self, label: str, conf: float) -> Recognition:
        if label != NONE and conf < self.min_confidence:  # a still: not sure enough to name it
            label, conf = NONE, float(self.smoother.p.get(NONE, 0.0)) if self.smoother.p else 0.0
        looks = None
        if label == NONE and self.probs:
            others = {c: v for c, v in self.probs.items()
                      if not self._is_coached(c) and not c.startswith("other")}
            if others:
                c = max(others, key=others.__getitem__)
                looks = c if others[c] > 0.5 else None
        stretch, _, side = label.partition(":")
        sides = None
        if side and self.smoother.p is not None:
            sides = (float(self.smoother.p.get(f"{stretch}:left", 0.0)),
                     float(self.smoother.p.get(f"{stretch}:right", 0.0)))
        return Recognition(stretch, side or None, conf, looks, sides)
