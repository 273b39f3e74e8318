"""Reading the rendered corpus (corpus/manifest.json, clips/*.json, tracks/*.npz) for the fitting,
training and accuracy scripts. The split is stored in the data: every clip names its body and
camera, and both carry "train" or "val"; ``clips(split)`` trusts nothing else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from coach.pose import N_LANDMARKS, Pose

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
COUNTED = ("hold", "lean", "lean_back", "roll", "kick")  # phases in which the person is in the stretch
EDGE_S = 0.4  # frames this close to a change of label are not scored (the change is gradual)
# Named postures of version c1's negative clips that are coached stretches since c2: their
# segments are the stretch (the posture's side is the stretch's side).
POSTURE_EXERCISE = {"child_pose": "child_pose", "happy_baby": "happy_baby", "seated_twist": "seated_twist",
                    "prone_glute": "prone_glute", "fig4_twist": "figure4_twist",
                    "low_lunge_left": "runners_lunge", "wide_fold": "wide_forward_fold",
                    "cow_face": "cow_face", "side_lying": "side_kick_series"}


# Tracks are stored quantised, which LZMA packs into about half the size of float16: landmark
# coordinates as int16 steps, each frame as its difference from the one before (wrapping, so the
# sum gives back the steps exactly), stored with time as the fastest axis; visibility as 0-255.
# The names end in ``_q``, and each file stores its steps per unit beside them (``NAME_steps``);
# a track stored as plain floats is read as it is. The steps (since c9): xy 1/2048 of the frame
# (0.2 px at 400 px) and the pose model's world landmarks 2 mm, both below its own frame-to-frame
# jitter; the true keypoints 4 mm (a 15 cm foot's angle within about 1.5 deg; the checks' thresholds
# are 3-6 cm and 10-20 deg). 14 % smaller than the finer steps before (1/4096, 1 mm), which files
# without ``NAME_steps`` were stored with (LEGACY_QUANT), so that the corpus with c9 stays under
# 40 MB.
QUANT = {"xy": 2048.0, "world": 500.0, "truth_world": 250.0}
# The true keypoints are COCO's 17 (then heels and toes): shoulders, elbows, wrists, hips, knees,
# ankles, left then right; MediaPipe's landmark for each.
SKELETON_JOINTS = (5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)
COCO_LEFT_KNEE, COCO_RIGHT_KNEE = 13, 14
MP_OF_COCO = {5: 11, 6: 12, 7: 13, 8: 14, 9: 15, 10: 16, 11: 23, 12: 24, 13: 25, 14: 26, 15: 27, 16: 28}
LEGACY_QUANT = {"xy": 4096.0, "world": 1000.0, "truth_world": 1000.0}
# Landmarks the corpus does not keep (since c10): the eyes (inner, centre, outer), the mouth and
# the fingers (pinky, index, thumb), 14 of MediaPipe's 33. Nothing that reads tracks uses them
# (the recogniser's features, the checks' measures, the picture's warnings and the timing read
# the nose, ears, shoulders, elbows, wrists, hips, knees, ankles, heels and toes), and leaving
# them out makes the tracks 28 % smaller, room for more clips within 40 MB. A track read back
# has all 33 again: each one left out holds a copy of its stand-in (the nose for the face, each
# wrist for its own hand), so arrays keep MediaPipe's shape and mirroring maps them as before.
STAND_IN = {1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0, 9: 0, 10: 0, 17: 15, 19: 15, 21: 15, 18: 16, 20: 16, 22: 16}
KEPT_LANDMARKS = tuple(i for i in range(N_LANDMARKS) if i not in STAND_IN)
PER_LANDMARK = ("xy", "world", "vis")  # the members with one row per MediaPipe landmark


def encode_track(arrays: dict[str, np.ndarray],
                 quant: dict[str, float] | None = None) -> dict[str, np.ndarray]:
    """The arrays as stored (see QUANT; ``quant``: other steps per unit)."""
    quant = QUANT if quant is None else quant
    out = {}
    per = [k for k in PER_LANDMARK if k in arrays]
    if per and all(np.shape(arrays[k])[1:2] == (N_LANDMARKS,) for k in per):
        arrays = {k: (np.asarray(a)[:, KEPT_LANDMARKS] if k in PER_LANDMARK else a)
                  for k, a in arrays.items()}
        out["landmarks"] = np.array(KEPT_LANDMARKS, np.uint8)
    for name, a in arrays.items():
        if name in quant:
            q = np.round(np.asarray(a, np.float64) * quant[name])
            if np.abs(q).max(initial=0) > 32767:
                raise ValueError(f"{name}: values beyond what int16 steps of 1/{quant[name]:g} hold")
            q = q.astype(np.int16)
            d = np.diff(q, axis=0, prepend=np.zeros_like(q[:1]))  # int16, wrapping
            out[f"{name}_q"] = np.asfortranarray(d)
            out[f"{name}_steps"] = np.array(quant[name])
        elif name == "vis":
            v = np.clip(np.asarray(a, np.float64), 0, 1)
            out["vis_q"] = np.asfortranarray(np.round(v * 255).astype(np.uint8))
        else:
            out[name] = a
    return out


def stored_steps(stored: dict[str, np.ndarray]) -> dict[str, float]:
    """The steps per unit a stored track's quantised members were written with (their own
    ``NAME_steps``, or the steps before c9 for a file without them)."""
    steps = {}
    for name in QUANT:
        if f"{name}_q" in stored:
            own = stored.get(f"{name}_steps")
            steps[name] = float(own) if own is not None else LEGACY_QUANT[name]
    return steps


def decode_track(stored: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The arrays back (float32) from what ``encode_track`` stored."""
    steps = stored_steps(stored)
    out = {}
    for name, a in stored.items():
        if name.endswith("_q") and name[:-2] in steps:
            q = np.cumsum(a, axis=0, dtype=np.int16)  # wraps as the differences did
            out[name[:-2]] = np.ascontiguousarray(q, dtype=np.float32) / np.float32(steps[name[:-2]])
        elif name == "vis_q":
            out["vis"] = np.ascontiguousarray(a, dtype=np.float32) / np.float32(255)
        elif name.endswith("_steps") and name[:-6] in steps:
            continue
        elif name != "landmarks":
            out[name] = a
    if "landmarks" in stored:  # the landmarks not kept get their stand-ins' values (STAND_IN)
        kept = [int(i) for i in stored["landmarks"]]
        row = {j: r for r, j in enumerate(kept)}
        fill = np.array([row[i] if i in row else row[STAND_IN[i]] for i in range(N_LANDMARKS)])
        for k in PER_LANDMARK:
            if k in out:
                out[k] = np.ascontiguousarray(out[k][:, fill])
    return out


def manifest() -> dict:
    return json.loads((CORPUS / "manifest.json").read_text())


@dataclass
class Clip:
    spec: dict

    @property
    def id(self) -> str:
        return self.spec["id"]

    @property
    def kind(self) -> str:
        return self.spec["kind"]

    @property
    def split(self) -> str:
        return self.spec["split"]

    @property
    def view(self) -> str:
        return self.spec["view"]

    @property
    def fps(self) -> float:
        return float(self.spec["fps"])

    @property
    def first_side(self) -> str | None:
        """The side done first (what a user would tell ``--first-side``)."""
        return next((s for s in self.labels["side"] if s), None)

    @cached_property
    def track(self) -> dict[str, np.ndarray]:
        """The stored arrays, and ``truth_xy`` (the true keypoints in the image, 0-1) worked out
        from the true 3-D keypoints and the clip's camera (it is not stored)."""
        with np.load(CORPUS / "tracks" / f"{self.id}.npz", allow_pickle=False) as d:
            out = decode_track({k: d[k] for k in d.files})
        if "truth_xy" not in out:
            out["truth_xy"] = project(self.spec, out["truth_world"].astype(np.float64)) / out["wh"]
        return out

    @cached_property
    def skeleton_error(self) -> np.ndarray:
        """Per frame, how far the pose model's skeleton lies from the true one in the image: the
        mean distance of 12 joints (shoulders, elbows, wrists, hips, knees, ankles) in true torso
        lengths, the smaller of as labelled and with left and right exchanged (a swap of sides
        is reported on its own); NaN where the model found nobody."""
        tr = self.track
        wh = tr["wh"].astype(np.float64)
        mp = tr["xy"].astype(np.float64) * wh
        tx = tr["truth_xy"].astype(np.float64) * wh
        torso = np.linalg.norm(0.5 * (tx[:, 5] + tx[:, 6]) - 0.5 * (tx[:, 11] + tx[:, 12]), axis=1)
        truth_ix = np.array(SKELETON_JOINTS)
        swapped = truth_ix + np.where(truth_ix % 2 == 1, 1, -1)  # COCO: left odd, right the next
        ours = np.array([MP_OF_COCO[j] for j in SKELETON_JOINTS])
        err = [np.linalg.norm(mp[:, ours] - tx[:, t], axis=2).mean(1) for t in (truth_ix, swapped)]
        out = np.minimum(*err) / np.maximum(torso, 1.0)
        out[~tr["ok"].astype(bool)] = np.nan
        return out

    @property
    def n(self) -> int:
        return len(self.track["ok"])

    @property
    def times(self) -> np.ndarray:
        return np.arange(self.n) / self.fps

    def poses(self) -> list[Pose]:
        """MediaPipe's landmarks per frame as the coach sees them (pixels, world, visibility)."""
        tr = self.track
        wh = tuple(int(v) for v in tr["wh"])
        xy = tr["xy"].astype(np.float64) * np.array(wh)
        world = tr["world"].astype(np.float64)
        vis = tr["vis"].astype(np.float64)
        out = []
        for i, ok in enumerate(tr["ok"]):
            out.append(Pose(xy[i], world[i], vis[i], wh) if ok else Pose.empty(wh))
        return out

    @cached_property
    def labels(self) -> dict[str, np.ndarray]:
        """Per frame: ``phase``, ``side`` ('' for none), ``posture`` ('' unless a named posture),
        ``stretch`` (the coached exercise while in it, including a named posture that is one, else
        ''), ``scored`` (False near a change)."""
        t = self.times
        phase = np.full(self.n, "", object)
        side = np.full(self.n, "", object)
        posture = np.full(self.n, "", object)
        named = np.full(self.n, self.kind if self.kind not in ("none", "routine") else "", object)
        for s in self.spec["segments"]:
            m = (t >= s["start_s"]) & (t < s["end_s"])
            phase[m] = s["phase"]
            side[m] = s["side"] or ""
            posture[m] = s.get("posture") or ""
            if "stretch" in s:  # a routine's clip: each segment names its stretch
                named[m] = s["stretch"] or ""
        inside = np.isin(phase, COUNTED)
        stretch = np.where(inside, named, "").astype(object)
        for i, p in enumerate(posture):
            if p in POSTURE_EXERCISE and phase[i] == "other":
                stretch[i] = POSTURE_EXERCISE[p]
        scored = np.ones(self.n, bool)
        change = np.nonzero(
            (stretch[1:] != stretch[:-1]) | (side[1:] != side[:-1]) | (posture[1:] != posture[:-1])
        )[0]
        for c in change:
            scored &= np.abs(t - t[c + 1]) > EDGE_S
        return {"phase": phase, "side": side, "posture": posture, "stretch": stretch, "scored": scored}

    def recognition_labels(self, unsided: tuple[str, ...], named: dict[str, str] | None = None,
                           none: str = "none") -> np.ndarray:
        """Per frame, what the recogniser should say: ``STRETCH:SIDE`` (``STRETCH`` for one in
        ``unsided``), else the class of a named posture (``named``: posture -> class), else
        ``none``; '' where not scored (near a change of label). The one definition that
        training, the smoother's tuning and the accuracy report share."""
        lab = self.labels
        out = np.full(self.n, none, object)
        for i, s in enumerate(lab["stretch"]):
            if s:
                out[i] = s if s in unsided else f"{s}:{lab['side'][i]}"
            elif named and lab["posture"][i] in named:
                out[i] = named[lab["posture"][i]]
        out[~lab["scored"]] = ""
        return out

    def time_in_stretch(self, sided: bool = True) -> dict[str, float]:
        """Seconds in the stretch per side (``both`` for a stretch done on both sides at once)."""
        lab = self.labels
        inside = lab["stretch"] != ""
        if not sided:
            return {"both": float(inside.sum() / self.fps)}
        return {s: float((inside & (lab["side"] == s)).sum() / self.fps) for s in ("left", "right")}

    def reps(self) -> dict[str, int]:
        """Repetitions per side, as the coach's ``reps`` counts them: pigeon's forward leans, the
        roll-downs, the side kick series' kicks (pigeon's leans back are counted on their own,
        :meth:`leans_back`)."""
        out = self._segments_per_side(("lean", "roll"))
        for k in self.spec["keys"]:
            if k["pose"] == "side_kick_front" and k["side"] in out:
                out[k["side"]] += 1
        return out

    def leans_back(self) -> dict[str, int]:
        """Pigeon's leans back toward the back hip per side (the coach's ``leans_back`` count)."""
        return self._segments_per_side(("lean_back",))

    def _segments_per_side(self, phases: tuple[str, ...]) -> dict[str, int]:
        out = {"left": 0, "right": 0}
        for s in self.spec["segments"]:
            if s["phase"] in phases and s["side"] in out:
                out[s["side"]] += 1
        return out

    def faults(self) -> list[dict]:
        """Fault intervals with their measured size (THRESHOLDS units), once rendered."""
        return self.spec.get("rendered", {}).get("faults", [])


def camera_coordinates(world: np.ndarray, camera_pose: dict) -> np.ndarray:
    """World points (metres, z up) in the camera's OpenCV axes (x right, y down, z forward), as
    the renderer's camera has them (``render.scene.Camera``, not imported here: it needs the
    render extra) and the samples' keypoints are stored."""
    pos = np.asarray(camera_pose["position"], float)
    forward = np.asarray(camera_pose["target"], float) - pos
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, [0.0, 0.0, 1.0])
    right /= np.linalg.norm(right)
    down = np.cross(forward, right)
    return (world - pos) @ np.stack([right, down, forward]).T


def project(spec: dict, world: np.ndarray) -> np.ndarray:
    """World points (..., 3; metres, z up) -> pixels (..., 2) through the clip's camera (the
    renderer's pinhole camera: ``render.scene.Camera.project``)."""
    cp = spec["camera_pose"]
    cam = camera_coordinates(world, cp)
    focal = (spec["height"] / 2) / np.tan(np.radians(cp["yfov_deg"]) / 2)
    return np.stack([spec["width"] / 2 + focal * cam[..., 0] / cam[..., 2],
                     spec["height"] / 2 + focal * cam[..., 1] / cam[..., 2]], -1)


def clips(split: str | None = None, kinds: tuple[str, ...] | None = None, tracked: bool = True) -> list[Clip]:
    """Clips of one split ('train' / 'val' / None for both), checked against the manifest's bodies
    and cameras so a clip can never leak across the split."""
    m = manifest()
    body_split = {b["id"]: b["split"] for b in m["bodies"]}
    cam_split = {c["id"]: c["split"] for c in m["cameras"]}
    out = []
    for cid in m["clip_ids"]:
        f = CORPUS / "clips" / f"{cid}.json"
        spec = json.loads(f.read_text())
        # demo clips (a routine in one take, for end-to-end tests) use validation bodies and
        # cameras and are read only when asked for by name of their split
        home = "val" if spec["split"] == "demo" else spec["split"]
        if body_split[spec["body"]] != home or cam_split[spec["camera"]] != home:
            raise ValueError(f"{cid}: body/camera split does not match the clip's split")
        if spec["split"] != split and (split or spec["split"] == "demo"):
            continue
        if kinds and spec["kind"] not in kinds:
            continue
        if tracked and not (CORPUS / "tracks" / f"{cid}.npz").exists():
            continue
        out.append(Clip(spec))
    return out


def refuse_validation(split: str) -> None:
    """Fitting and training scripts call this: they may only ever read the training part."""
    if split != "train":
        raise SystemExit("error: fitting reads the training part only; validation is for reporting")


__all__ = ["Clip", "clips", "manifest", "refuse_validation", "N_LANDMARKS"]
