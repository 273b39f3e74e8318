"""Issue 9: can the coach see the crossed foot's flexion in supine figure-4? Each way of reading
it, measured on the corpus's validation part (fitted on the training part only).

    python scripts/foot_study.py masks --split val     # MediaPipe's person mask over the figure-4
    python scripts/foot_study.py masks --split train   #   videos (about 10 min for both parts)
    python scripts/foot_study.py crops --split val     # foot crops from every clip (a few min)
    python scripts/foot_study.py crops --split train
    python scripts/foot_study.py table [WAY ...]       # the figures (the crops way trains its
                                                       #   regressor first: minutes)
    python scripts/foot_study.py cost                  # ms per frame against the pose model

All need the corpus videos (`scripts/corpus.py render`; `--videos DIR` if they are elsewhere);
what they make goes to out/foot/.

The truth is the rendered skeleton: the angle between the stretched leg's shin (ankle->knee) and
foot (heel->big toe) in 3-D, less its neutral offset (fitted on the training faults: the renderer's
commanded plantarflexion against the angle the skeleton shows), so 0 = neutral, + = pointed. A
frame is scored when the clip is in the stretch, on the stretched (crossed) leg, away from label
changes (corpuslib's ``scored``).

The ways, each giving plantarflexion in degrees per frame or nothing ("can't see"):

- ``mp3d``: MediaPipe's own world heel/foot_index against its knee/ankle (the coach's
  ``ankle_flexion`` today), offset fitted on train.
- ``mp2d``: the same four points in the image, offset fitted per view class on train.
- ``silhouette``: MediaPipe's person mask around its ankle: the part of the mask that is neither
  shin nor the other leg is the foot; its direction against the shin in the image.
- ``crops``: a small learned regressor: a 64 px crop around MediaPipe's ankle, turned so its shin
  points up, HOG features -> one hidden layer (128) -> the 3-D angle; trained on both feet of
  every training clip (all kinds, every second frame: feet at every angle), offset per view class.
- ``silhouette@truth``: the silhouette way given the *true* ankle, knee and other leg (a
  diagnostic: is the mask enough when the joints are right?).
- ``oracle2d``: the *true* heel and toe in the image (not a method: the best any reading of the
  picture alone can do, since the image shows the foot's angle only when the plane of shin and
  foot faces the camera).

The check is simulated as the coach would run it (fault above ``LIMIT``, ``HYSTERESIS``, on after
``ON_S``) on the truth's stretch and side, so the figures are the measurement's alone (not the
recogniser's), and scored like ``scripts/accuracy.py``: a fault of 20 deg or more is found when a
flag starts within 1 s of it; a flag is false when it overlaps no fault of 5 deg or more.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpuslib import REPO, Clip, clips, manifest  # noqa: E402

from coach.pose.core import landmark_index as li  # noqa: E402

VIDEOS = REPO / "out" / "corpus" / "videos"  # scripts/corpus.py renders them here (--videos)
MASKS = REPO / "out" / "foot" / "masks"
KIND = "supine_figure4"
# truth keypoints: 17 COCO joints, then heels and big toes (scripts/render/body.py)
TRUTH = {n: i for i, n in enumerate((
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel", "right_heel",
    "left_foot_index", "right_foot_index"))}  # fmt: skip
LIMIT = 12.5  # deg of plantarflexion: half-way between clean (5) and fault (20)
HYSTERESIS = 8.0
ON_S = 1.0
EXIT_GRACE_S = 1.5  # as coach.session.judge: a flag begun this soon before leaving is dropped
ONSET_TOL_S = 1.0


def _angle(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    c = (u * v).sum(-1) / (np.linalg.norm(u, axis=-1) * np.linalg.norm(v, axis=-1) + 1e-9)
    return np.degrees(np.arccos(np.clip(c, -1.0, 1.0)))


def _camera(cp: dict) -> np.ndarray:
    """World (z up) -> camera rotation (x right, y down, z forward)."""
    p, t = np.asarray(cp["position"], float), np.asarray(cp["target"], float)
    f = (t - p) / np.linalg.norm(t - p)
    r = np.cross(f, [0.0, 0.0, 1.0])
    r /= np.linalg.norm(r)
    return np.stack([r, -np.cross(r, f), f])


@dataclass
class Frames:
    """One clip's frames on the stretched leg: truth and the pose model's points."""

    clip: Clip
    side: np.ndarray  # '' when not in the stretch
    scored: np.ndarray
    truth_angle: np.ndarray  # 3-D shin/foot angle, deg
    truth_2d: np.ndarray  # the same on the true image points
    facing: np.ndarray  # |cos| between the shin-foot plane's normal and the camera's axis
    xy: np.ndarray  # MediaPipe, pixels
    world: np.ndarray
    vis: np.ndarray
    ok: np.ndarray
    extra: dict = field(default_factory=dict)


def load(split: str) -> list[Frames]:
    out = []
    for c in clips(split, (KIND,)):
        tr, lab = c.track, c.labels
        wh = tr["wh"].astype(float)
        tw, txy = tr["truth_world"].astype(float), tr["truth_xy"].astype(float) * wh
        side = np.where(lab["stretch"] != "", lab["side"], "").astype(object)
        n = c.n
        ta, t2, fc = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
        rot = _camera(c.spec["camera_pose"])
        for s in ("left", "right"):
            m = side == s
            if not m.any():
                continue
            k, a, h, f = (TRUTH[f"{s}_{j}"] for j in ("knee", "ankle", "heel", "foot_index"))
            shin, foot = tw[:, k] - tw[:, a], tw[:, f] - tw[:, h]
            ta[m] = _angle(shin, foot)[m]
            t2[m] = _angle(txy[:, k] - txy[:, a], txy[:, f] - txy[:, h])[m]
            nrm = np.cross(shin, foot)
            nrm /= np.linalg.norm(nrm, axis=-1, keepdims=True) + 1e-9
            fc[m] = np.abs(nrm @ rot[2])[m]
        out.append(Frames(c, side, lab["scored"] & (side != ""), ta, t2, fc,
                          tr["xy"].astype(float) * wh, tr["world"].astype(float),
                          tr["vis"].astype(float), tr["ok"]))
    return out


def neutral_offset(train: list[Frames]) -> float:
    """The truth angle at neutral: median over the training faults of (angle shown during the
    fault) - (commanded plantarflexion, the fault's size)."""
    d = []
    for fr in train:
        t = fr.clip.times
        for f in fr.clip.faults():
            if f["check"] != "foot_flexed":
                continue
            during = (t > f["start_s"] + 0.5) & (t < f["end_s"] - 0.4) & (fr.side == f["side"])
            if during.sum() >= 3:
                d.append(float(np.median(fr.truth_angle[during])) - f["size"])
    return float(np.median(d))


# ---------------------------------------------------------------------------------- the ways
def _pts(fr: Frames, s: str, names: tuple[str, ...], space: str = "xy") -> list[np.ndarray]:
    arr = fr.xy if space == "xy" else fr.world
    return [arr[:, li(f"{s}_{n}")] for n in names]


def _per_side(fr: Frames, fn) -> np.ndarray:  # noqa: ANN001
    out = np.full(len(fr.side), np.nan)
    for s in ("left", "right"):
        m = (fr.side == s) & fr.ok
        if m.any():
            out[m] = fn(s)[m]
    return out


def _foot_vis(fr: Frames, min_vis: float = 0.35) -> np.ndarray:
    """MediaPipe's own visibility of knee, ankle, heel and toe on the stretched leg."""
    def v(s: str) -> np.ndarray:
        return fr.vis[:, [li(f"{s}_{j}") for j in ("knee", "ankle", "heel", "foot_index")]].min(1)
    return _per_side(fr, v) >= min_vis


def way_mp3d(fr: Frames) -> np.ndarray:
    def f(s: str) -> np.ndarray:
        k, a, h, t = _pts(fr, s, ("knee", "ankle", "heel", "foot_index"), "world")
        return _angle(k - a, t - h)
    return np.where(_foot_vis(fr), _per_side(fr, f), np.nan)


def way_mp2d(fr: Frames) -> np.ndarray:
    def f(s: str) -> np.ndarray:
        k, a, h, t = _pts(fr, s, ("knee", "ankle", "heel", "foot_index"))
        return _angle(k - a, t - h)
    return np.where(_foot_vis(fr), _per_side(fr, f), np.nan)


def way_oracle2d(fr: Frames) -> np.ndarray:
    return fr.truth_2d.copy()


def body_scale(xy: np.ndarray) -> float:
    """The longest of torso, thighs and shins in the image: one of them is nearly always seen
    broadside, so this stands in for the body's size whatever the view."""
    def d(a: str, b: str) -> float:
        return float(np.linalg.norm(xy[li(a)] - xy[li(b)]))
    sh = (xy[li("left_shoulder")] + xy[li("right_shoulder")]) / 2
    hp = (xy[li("left_hip")] + xy[li("right_hip")]) / 2
    return max(float(np.linalg.norm(sh - hp)), *(d(f"{s}_{a}", f"{s}_{b}") for s in ("left", "right")
                                                  for a, b in (("hip", "knee"), ("knee", "ankle"))))


def _capsule(shape: tuple[int, int], p: np.ndarray, q: np.ndarray, r: float) -> np.ndarray:
    """Pixels within r of the segment p-q."""
    yy, xx = np.mgrid[0:shape[0], 0:shape[1]]
    pt = np.stack([xx, yy], -1).astype(float)
    d = q - p
    t = np.clip(((pt - p) @ d) / max(float(d @ d), 1e-9), 0, 1)
    return np.linalg.norm(pt - (p + t[..., None] * d), axis=-1) <= r


SIL = {"reach": 0.6, "width": 0.11, "min_px": 12, "tip": 0.85}


def silhouette_angle(mask: np.ndarray, xy: np.ndarray, s: str, prm: dict = SIL) -> float:
    """The foot's direction from the person mask, against the shin, in the image (deg), or nan.

    Around MediaPipe's ankle (within ``reach`` body scales), drop the shin (a capsule ``width``
    body scales wide from ankle to knee) and the other leg (thigh, shin and foot); what is left
    and joined to the ankle is the foot. Its direction is from the ankle to the mean of its
    farthest pixels (beyond ``tip`` of the farthest)."""
    o = "right" if s == "left" else "left"
    scale = body_scale(xy)
    a, k = xy[li(f"{s}_ankle")], xy[li(f"{s}_knee")]
    r = prm["reach"] * scale
    x0, y0 = int(max(a[0] - r, 0)), int(max(a[1] - r, 0))
    x1, y1 = int(min(a[0] + r + 1, mask.shape[1])), int(min(a[1] + r + 1, mask.shape[0]))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return np.nan
    m = mask[y0:y1, x0:x1] > 127
    off = np.array([x0, y0], float)
    sh = m.shape
    w = prm["width"] * scale
    yy, xx = np.mgrid[0:sh[0], 0:sh[1]]
    rel = np.stack([xx, yy], -1) + off - a
    m &= np.linalg.norm(rel, axis=-1) <= r
    m &= ~_capsule(sh, a - off, k - off, w)
    for p, q in (("hip", "knee"), ("knee", "ankle"), ("ankle", "foot_index")):
        m &= ~_capsule(sh, xy[li(f"{o}_{p}")] - off, xy[li(f"{o}_{q}")] - off, w)
    if m.sum() < prm["min_px"]:
        return np.nan
    import cv2

    n, lab = cv2.connectedComponents(m.astype(np.uint8), connectivity=8)
    ring = np.linalg.norm(rel, axis=-1) <= w * 1.6  # joined to the ankle
    keep = set(np.unique(lab[ring & m]).tolist()) - {0}
    if not keep:
        return np.nan
    m = np.isin(lab, list(keep))
    if m.sum() < prm["min_px"]:
        return np.nan
    v = rel[m]
    dist = np.linalg.norm(v, axis=-1)
    tip = v[dist >= prm["tip"] * dist.max()].mean(0)
    return float(_angle(k - a, tip))


def _truth_joints(fr: Frames) -> np.ndarray:
    """MediaPipe's points with the body's and legs' joints moved to the truth (for a diagnostic)."""
    xy = fr.xy.copy()
    txy = fr.clip.track["truth_xy"].astype(float) * fr.clip.track["wh"].astype(float)
    for s in ("left", "right"):
        for j in ("shoulder", "hip", "knee", "ankle", "heel", "foot_index"):
            xy[:, li(f"{s}_{j}")] = txy[:, TRUTH[f"{s}_{j}"]]
    return xy


def way_silhouette_truth_joints(fr: Frames) -> np.ndarray:
    """Diagnostic: the silhouette way with the true ankle, knee and other leg (the mask alone)."""
    return way_silhouette(fr, SIL, _truth_joints(fr))


def way_silhouette(fr: Frames, prm: dict = SIL, xy: np.ndarray | None = None) -> np.ndarray:
    xy = fr.xy if xy is None else xy
    f = MASKS / f"{fr.clip.id}.npz"
    out = np.full(len(fr.side), np.nan)
    if not f.exists():
        return out
    if "mask" not in fr.extra:
        with np.load(f) as d:
            fr.extra["mask"] = d["mask"]
    masks = fr.extra["mask"]
    for i in np.nonzero((fr.side != "") & fr.ok)[0]:
        out[i] = silhouette_angle(masks[i], xy[i], fr.side[i], prm)
    return out


def extract_masks(split: str) -> None:
    """MediaPipe's person mask for every frame of the figure-4 clips of ``split`` (the pose model
    the coach runs, with ``enable_segmentation``), as uint8 in out/foot/masks/ID.npz."""
    import av
    import mediapipe as mp

    from coach.pose.mediapipe import quiet_stderr

    MASKS.mkdir(parents=True, exist_ok=True)
    for c in clips(split, (KIND,)):
        f = MASKS / f"{c.id}.npz"
        if f.exists():
            continue
        with quiet_stderr():
            g = mp.solutions.pose.Pose(model_complexity=1, smooth_landmarks=True,
                                       enable_segmentation=True, smooth_segmentation=True)
        masks = []
        with av.open(str(VIDEOS / f"{c.id}.mp4")) as v:
            for fr in v.decode(video=0):
                rgb = fr.to_ndarray(format="rgb24")
                r = g.process(rgb)
                m = r.segmentation_mask
                masks.append(np.zeros(rgb.shape[:2], np.uint8) if m is None
                             else (np.clip(m, 0, 1) * 255).astype(np.uint8))
        with quiet_stderr():
            g.close()
        np.savez_compressed(f, mask=np.array(masks))
        print(c.id, len(masks), flush=True)


# ---------------------------------------------------------------------------------- crops
CROPS = REPO / "out" / "foot" / "crops"
CROP_PX = 64
CROP_SPAN = 1.3  # body scales across the crop


def foot_crop(gray: np.ndarray, xy: np.ndarray, s: str) -> np.ndarray:
    """A CROP_PX square of the image around MediaPipe's ankle, turned so its shin (ankle->knee)
    points up and scaled to CROP_SPAN body scales: the foot's angle to the shin is then the
    picture's, whatever the leg's direction in the frame."""
    import cv2

    a, k = xy[li(f"{s}_ankle")], xy[li(f"{s}_knee")]
    d = k - a
    ang = np.degrees(np.arctan2(d[0], -d[1]))  # shin direction from image-up, clockwise
    scale = CROP_PX / (CROP_SPAN * body_scale(xy))
    m = cv2.getRotationMatrix2D((float(a[0]), float(a[1])), float(ang), float(scale))
    m[:, 2] += np.array([CROP_PX / 2, CROP_PX * 0.55]) - a
    return cv2.warpAffine(gray, m, (CROP_PX, CROP_PX), flags=cv2.INTER_AREA,
                          borderMode=cv2.BORDER_REPLICATE)


def extract_crops(split: str) -> None:
    """Both feet of every tracked frame of every clip of ``split`` (all kinds: any foot at any
    angle teaches the regressor), with the truth: plantarflexion, plane facing the camera."""
    import av

    CROPS.mkdir(parents=True, exist_ok=True)
    for c in clips(split):
        f = CROPS / f"{c.id}.npz"
        if f.exists():
            continue
        tr = c.track
        wh = tr["wh"].astype(float)
        xy = tr["xy"].astype(float) * wh
        tw = tr["truth_world"].astype(float)
        rot = _camera(c.spec["camera_pose"])
        crops, pf, facing, idx = [], [], [], []
        with av.open(str(VIDEOS / f"{c.id}.mp4")) as v:
            for i, fr in enumerate(v.decode(video=0)):
                if i >= c.n or not tr["ok"][i]:
                    continue
                g = fr.to_ndarray(format="gray")
                for si, s in enumerate(("left", "right")):
                    kk, aa, hh, ff = (TRUTH[f"{s}_{j}"] for j in ("knee", "ankle", "heel", "foot_index"))
                    shin, foot = tw[i, kk] - tw[i, aa], tw[i, ff] - tw[i, hh]
                    nrm = np.cross(shin, foot)
                    nrm /= np.linalg.norm(nrm) + 1e-9
                    crops.append(foot_crop(g, xy[i], s))
                    pf.append(float(_angle(shin, foot)))
                    facing.append(float(abs(nrm @ rot[2])))
                    idx.append((i, si))
        np.savez_compressed(f, crop=np.array(crops, np.uint8), angle=np.array(pf, np.float32),
                            facing=np.array(facing, np.float32),
                            idx=np.array(idx, np.int32))
        print(c.id, c.kind, len(crops), flush=True)


_HOG = None


def hog_features(crops: np.ndarray) -> np.ndarray:
    import cv2

    global _HOG
    if _HOG is None:
        _HOG = cv2.HOGDescriptor((CROP_PX, CROP_PX), (16, 16), (8, 8), (8, 8), 9)
    return np.array([_HOG.compute(c).ravel() for c in crops], np.float32)


def train_crops(every: int = 2) -> dict[str, np.ndarray]:
    """HOG of the training crops -> a one-hidden-layer MLP for the 3-D shin/foot angle (both feet
    of every training clip, every ``every``-th crop). Kept as plain arrays in out/foot/."""
    f = REPO / "out" / "foot" / "crops_mlp.npz"
    if f.exists():
        with np.load(f, allow_pickle=False) as d:
            return {k: d[k] for k in d.files}
    from sklearn.neural_network import MLPRegressor

    xs, ys = [], []
    for c in clips("train"):
        with np.load(CROPS / f"{c.id}.npz") as d:
            xs.append(hog_features(d["crop"][::every]))
            ys.append(d["angle"][::every])
    x, y = np.vstack(xs), np.concatenate(ys)
    mu, sd = x.mean(0), x.std(0) + 1e-6
    mlp = MLPRegressor(hidden_layer_sizes=(128,), alpha=1e-3, max_iter=60, early_stopping=True,
                       random_state=0).fit((x - mu) / sd, (y - 100.0) / 30.0)
    model = {"mu": mu, "sd": sd, "w0": mlp.coefs_[0], "b0": mlp.intercepts_[0],
             "w1": mlp.coefs_[1], "b1": mlp.intercepts_[1]}
    np.savez(f, **model)
    return model


def crops_predict(model: dict[str, np.ndarray], feats: np.ndarray) -> np.ndarray:
    h = np.maximum(((feats - model["mu"]) / model["sd"]) @ model["w0"] + model["b0"], 0.0)
    return (h @ model["w1"] + model["b1"]).ravel() * 30.0 + 100.0


def way_crops(fr: Frames) -> np.ndarray:
    model = train_crops()
    out = np.full(len(fr.side), np.nan)
    with np.load(CROPS / f"{fr.clip.id}.npz") as d:
        idx, crops = d["idx"], d["crop"]
    want = [j for j, (i, si) in enumerate(idx) if fr.side[i] == ("left", "right")[si]]
    if want:
        p = crops_predict(model, hog_features(crops[want]))
        out[idx[want, 0]] = p
    return np.where(_foot_vis(fr), out, np.nan)


# ---------------------------------------------------------------------------------- cost
def cost(clip_id: str, n: int = 120) -> None:
    """Time per frame of the pose model with and without its segmentation mask (the two graphs
    take turns on the same frames, so a busy machine slows both alike), and of the silhouette
    reading and a foot crop + HOG on top."""
    import av
    import cv2
    import mediapipe as mp

    from coach.pose.mediapipe import quiet_stderr

    with av.open(str(VIDEOS / f"{clip_id}.mp4")) as v:
        frames = [f.to_ndarray(format="rgb24") for f in v.decode(video=0)][:n]
    with quiet_stderr():
        graphs = {seg: mp.solutions.pose.Pose(model_complexity=1, smooth_landmarks=True,
                                              enable_segmentation=seg, smooth_segmentation=seg)
                  for seg in (False, True)}
        for g in graphs.values():
            g.process(frames[0])
    ms: dict = defaultdict(list)
    hog = cv2.HOGDescriptor((64, 64), (16, 16), (8, 8), (8, 8), 9)
    for i, rgb in enumerate(frames):
        for seg in ((False, True) if i % 2 else (True, False)):
            t0 = time.perf_counter()
            r = graphs[seg].process(rgb)
            ms["pose" + (" + mask" if seg else "")].append(time.perf_counter() - t0)
            if seg and r.pose_landmarks is not None and r.segmentation_mask is not None:
                h, w = rgb.shape[:2]
                xy = np.array([[p.x * w, p.y * h] for p in r.pose_landmarks.landmark])
                mask = (np.clip(r.segmentation_mask, 0, 1) * 255).astype(np.uint8)
                t0 = time.perf_counter()
                silhouette_angle(mask, xy, "left")
                ms["silhouette reading"].append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                hog.compute(foot_crop(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), xy, "left"))
                ms["crop + HOG"].append(time.perf_counter() - t0)
    for g in graphs.values():
        g.close()
    base = float(np.median(ms["pose"]))
    h, w = frames[0].shape[:2]
    print(f"cost on {clip_id} ({len(frames)} frames, {w}x{h}), median ms per frame:")
    for k, v in ms.items():
        print(f"  {k:<20}{1000 * np.median(v):7.1f} ms  ({100 * np.median(v) / base:5.1f} % of the pose "
              "model)")


# ---------------------------------------------------------------------------------- scoring
def simulate(fr: Frames, pf: np.ndarray, limit: float = LIMIT) -> list[dict]:
    """The check over the clip as the coach runs it: fault above ``limit`` (less the hysteresis
    while on), debounced ``ON_S``; reset on a change of side; nothing read = nothing flagged."""
    t = fr.clip.times
    events, state, pending, since = [], False, None, None
    prev = ""
    for i in range(len(t)):
        s = fr.side[i]
        if s != prev:
            if state and prev and events and events[-1]["end_s"] is None:
                events[-1]["end_s"] = t[i]
            state, pending = False, None
            prev = s
        if not s:
            continue
        v = pf[i]
        raw = bool(np.isfinite(v) and v > (limit - HYSTERESIS if state else limit))
        if raw == state:
            pending = None
            continue
        if pending is None:
            pending = t[i]
        if t[i] - pending >= (ON_S if raw else 0.0):
            state, since, pending = raw, pending, None
            if state:
                events.append({"check": "foot_flexed", "side": s, "start_s": float(since), "end_s": None})
            elif events and events[-1]["end_s"] is None:
                events[-1]["end_s"] = float(since)
    # a flag begun just before leaving the stretch is the way out (as the judge drops it)
    ends = [t[i] for i in range(1, len(t)) if fr.side[i - 1] and fr.side[i] != fr.side[i - 1]]
    ends.append(t[-1] + 10)
    return [e for e in events if not any(0 <= x - e["start_s"] < EXIT_GRACE_S for x in ends)]


def score(fr: Frames, events: list[dict], th: dict, acc: dict) -> None:
    """As scripts/accuracy.py score_faults, for foot_flexed only."""
    faults = [f for f in fr.clip.faults() if f["check"] == "foot_flexed"]
    for f in faults:
        if f["size"] < th["fault"]:
            continue
        acc["faults"] += 1
        hit = [e for e in events if e["side"] == f["side"]
               and f["start_s"] - ONSET_TOL_S <= e["start_s"] <= f["end_s"]]
        if hit:
            acc["found"] += 1
            acc["onset"].append(hit[0]["start_s"] - f["start_s"])
    for e in events:
        near = [f for f in faults if f["start_s"] - ONSET_TOL_S <= e["start_s"] <= f["end_s"] + ONSET_TOL_S]
        if any(f["size"] >= th["fault"] for f in near):
            acc["true"] += 1
        elif any(f["size"] >= th["clean"] for f in near):
            continue
        else:
            acc["false"] += 1


def _new_acc() -> dict:
    return {"faults": 0, "found": 0, "true": 0, "false": 0, "onset": [], "frames": 0, "unseen": 0,
            "err": [], "fault_frames": 0, "fault_hit": 0, "clean_frames": 0, "clean_hit": 0}


def evaluate(data: list[Frames], est: dict[str, np.ndarray], offset: dict, th: dict,
             offset_neutral: float) -> dict:
    """Per view class (and all): frames, unseen share, |error|, frame-level hit rates, events."""
    by = defaultdict(_new_acc)
    for fr in data:
        raw = est[fr.clip.id]
        pf = raw - offset.get(fr.clip.view, offset["*"])
        truth = fr.truth_angle - offset_neutral
        for key in (fr.clip.view, fr.clip.view.split("-")[0], "all"):
            a = by[key]
            m = fr.scored
            a["frames"] += int(m.sum())
            a["unseen"] += int((m & ~np.isfinite(pf)).sum())
            seen = m & np.isfinite(pf)
            a["err"] += list(np.abs(pf[seen] - truth[seen]))
            fm, cm = seen & (truth >= th["fault"]), seen & (truth < th["clean"])
            a["fault_frames"] += int(fm.sum())
            a["fault_hit"] += int((pf[fm] > LIMIT).sum())
            a["clean_frames"] += int(cm.sum())
            a["clean_hit"] += int((pf[cm] > LIMIT).sum())
            score(fr, simulate(fr, pf), th, a)
    return by


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f} %" if b else "    n/a"


def fit_offsets(train: list[Frames], est: dict[str, np.ndarray], per_view: bool,
                neutral: float) -> dict:
    """Reading - truth plantarflexion, median over the training frames (per view class or all)."""
    diff = defaultdict(list)
    for fr in train:
        d = est[fr.clip.id] - (fr.truth_angle - neutral)
        m = fr.scored & np.isfinite(d)
        diff["*"] += list(d[m])
        if per_view:
            diff[fr.clip.view] += list(d[m])
    return {k: float(np.median(v)) for k, v in diff.items() if len(v) >= 20}


WAYS = {"mp3d": (way_mp3d, False), "mp2d": (way_mp2d, True), "silhouette": (way_silhouette, True),
        "crops": (way_crops, True), "silhouette@truth": (way_silhouette_truth_joints, True),
        "oracle2d": (way_oracle2d, True)}


def table(ways: list[str]) -> None:
    th = manifest()["thresholds"]["foot_flexed"]
    train, val = load("train"), load("val")
    neutral = neutral_offset(train)
    nf = sum(1 for fr in val for f in fr.clip.faults()
             if f["check"] == "foot_flexed" and f["size"] >= th["fault"])
    print(f"validation: {len(val)} {KIND} clips, {nf} foot faults >= {th['fault']:g} deg; "
          f"training: {len(train)} clips. Neutral offset (train) {neutral:.1f} deg.")
    print(f"check: fault above {LIMIT:g} deg of plantarflexion, hysteresis {HYSTERESIS:g}, "
          f"on after {ON_S:g} s; views: the clip's camera class\n")
    print("Where a picture can show the angle at all: the plane of shin and foot within 45 deg of "
          "facing the camera (|cos| >= 0.7), share of the scored frames:")
    seen_by = defaultdict(lambda: [0, 0])
    for fr in val:
        for key in (fr.clip.view, "all"):
            seen_by[key][0] += int((fr.scored & (fr.facing >= 0.7)).sum())
            seen_by[key][1] += int(fr.scored.sum())
    print("  " + ", ".join(f"{k} {_pct(*v).strip()}" for k, v in sorted(seen_by.items())) + "\n")
    print("MediaPipe's crossed leg against the truth (scored frames): ankle error in body scales "
          "(median), ankle nearer the other leg's true ankle, shin direction off by more than 15 deg:")
    loc = defaultdict(lambda: [[], 0, 0, 0])
    for fr in val:
        txy = fr.clip.track["truth_xy"].astype(float) * fr.clip.track["wh"].astype(float)
        for i in np.nonzero(fr.scored & fr.ok)[0]:
            s, xy = fr.side[i], fr.xy[i]
            o = "right" if s == "left" else "left"
            a = xy[li(f"{s}_ankle")]
            ta, to = txy[i, TRUTH[f"{s}_ankle"]], txy[i, TRUTH[f"{o}_ankle"]]
            near = np.linalg.norm(a - to) < np.linalg.norm(a - ta)
            off = _angle(xy[li(f"{s}_knee")] - a, txy[i, TRUTH[f"{s}_knee"]] - ta)
            for key in (fr.clip.view.split("-")[0], "all"):
                L = loc[key]
                L[0].append(np.linalg.norm(a - ta) / body_scale(xy))
                L[1] += int(near)
                L[2] += int(off > 15)
                L[3] += 1
    for key, (err, near, off, n) in sorted(loc.items()):
        print(f"  {key:<6} {n:5d} frames: ankle error {np.median(err):.2f}, on the other ankle "
              f"{_pct(near, n).strip()}, shin off {_pct(off, n).strip()}")
    print()
    hdr = (f"{'way':<17}{'view':<19}{'frames':>7}{'unseen':>9}{'|err| med':>10}{'p90':>6}"
           f"{'fault fr':>9}{'hit':>8}{'clean fr':>9}{'false':>8}{'faults':>7}{'recall':>9}"
           f"{'flags':>6}{'precision':>10}{'onset':>7}")
    print(hdr)
    print("-" * len(hdr))
    for w in ways:
        fn, per_view = WAYS[w]
        t0 = time.perf_counter()
        est_tr = {fr.clip.id: fn(fr) for fr in train}
        est_va = {fr.clip.id: fn(fr) for fr in val}
        off = fit_offsets(train, est_tr, per_view, neutral)
        res = evaluate(val, est_va, off, th, neutral)
        for key in sorted(res, key=lambda k: (k != "all", "-" in k, k)):
            a = res[key]
            err = np.array(a["err"])
            med = f"{np.median(err):9.1f}" if len(err) else "      n/a"
            p90 = f"{np.percentile(err, 90):6.1f}" if len(err) else "   n/a"
            onset = f"{np.median(a['onset']):+6.1f}s" if a["onset"] else "    n/a"
            print(f"{w:<17}{key:<19}{a['frames']:>7}{_pct(a['unseen'], a['frames']):>9}{med}{p90}"
                  f"{a['fault_frames']:>9}{_pct(a['fault_hit'], a['fault_frames']):>8}"
                  f"{a['clean_frames']:>9}{_pct(a['clean_hit'], a['clean_frames']):>8}"
                  f"{a['faults']:>7}{_pct(a['found'], a['faults']):>9}"
                  f"{a['true'] + a['false']:>6}{_pct(a['true'], a['true'] + a['false']):>10}{onset}")
        print(f"  ({w}: {time.perf_counter() - t0:.0f} s)")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("table")
    t.add_argument("ways", nargs="*", default=list(WAYS))
    c = sub.add_parser("crops")
    c.add_argument("--split", default="train")
    m = sub.add_parser("masks")
    m.add_argument("--split", default="val")
    k = sub.add_parser("cost")
    k.add_argument("--clip", default="c1_0258")
    for p in (t, c, k, m):
        p.add_argument("--videos", type=Path, default=VIDEOS, help="the corpus videos (ID.mp4)")
    args = ap.parse_args(argv)
    globals()["VIDEOS"] = args.videos
    if args.cmd == "table":
        table(args.ways)
    elif args.cmd == "masks":
        extract_masks(args.split)
    elif args.cmd == "crops":
        extract_crops(args.split)
    elif args.cmd == "cost":
        cost(args.clip)


if __name__ == "__main__":
    main()
