"""Ground truth of the rendered samples (``samples/NAME.truth.json`` + ``.keypoints.npz``).

Used by the end-to-end tests and the tuning scripts; see samples/README.md for the format.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coach.pose import N_LANDMARKS, Pose, landmark_index

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "samples"


@dataclass(frozen=True)
class Truth:
    name: str
    data: dict
    video: Path
    xy: np.ndarray | None
    xyz: np.ndarray | None
    names: tuple[str, ...]

    @property
    def exercise(self) -> str:
        return self.data["exercise"]

    @property
    def fps(self) -> float:
        return float(self.data["fps"])

    def side_at(self, t: float) -> str | None:
        for seg in self.data["segments"]:
            if seg["start_s"] <= t < seg["end_s"]:
                return seg["side"]
        return None

    def phase_at(self, t: float) -> str | None:
        for seg in self.data["segments"]:
            if seg["start_s"] <= t < seg["end_s"]:
                return seg["phase"]
        return None

    def pose(self, i: int) -> Pose:
        """The true pose of frame ``i`` as a Pose (landmarks the truth lacks are invisible)."""
        xy = np.zeros((N_LANDMARKS, 2))
        world = np.zeros((N_LANDMARKS, 3))
        vis = np.zeros(N_LANDMARKS)
        for k, name in enumerate(self.names):
            j = landmark_index(name)
            xy[j], world[j], vis[j] = self.xy[i, k], self.xyz[i, k], 1.0
        return Pose(xy, world, vis, (int(self.data["width"]), int(self.data["height"])))


def load_truth(name_or_path: str | Path) -> Truth:
    p = Path(name_or_path)
    if p.suffix == ".mp4":
        p = p.with_suffix("").with_suffix(".truth.json")
    elif not p.name.endswith(".truth.json"):
        p = SAMPLES_DIR / f"{p.name}.truth.json"
    data = json.loads(p.read_text())
    kp = p.with_name(p.name.replace(".truth.json", ".keypoints.npz"))
    xy = xyz = None
    names: tuple[str, ...] = ()
    if kp.exists():
        d = np.load(kp)
        xy, xyz, names = d["xy"], d["xyz"], tuple(str(n) for n in d["names"])
    return Truth(data["sample"], data, p.parent / data["video"], xy, xyz, names)


def all_truths(samples_dir: Path = SAMPLES_DIR) -> list[Truth]:
    return [load_truth(p) for p in sorted(samples_dir.glob("*.truth.json"))]
