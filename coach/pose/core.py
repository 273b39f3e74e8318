"""The one frame type: a body pose of 33 MediaPipe-compatible landmarks.

Everything downstream of the estimator adapter sees only :class:`Pose`, so tests can build
synthetic poses and never load a model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from coach.pose.geometry import norm

LANDMARK_NAMES: tuple[str, ...] = (
    "nose",
    "left_eye_inner", "left_eye", "left_eye_outer",
    "right_eye_inner", "right_eye", "right_eye_outer",
    "left_ear", "right_ear",
    "mouth_left", "mouth_right",
    "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow",
    "left_wrist", "right_wrist",
    "left_pinky", "right_pinky",
    "left_index", "right_index",
    "left_thumb", "right_thumb",
    "left_hip", "right_hip",
    "left_knee", "right_knee",
    "left_ankle", "right_ankle",
    "left_heel", "right_heel",
    "left_foot_index", "right_foot_index",
)  # fmt: skip
N_LANDMARKS = len(LANDMARK_NAMES)
LANDMARK_INDEX: dict[str, int] = {name: i for i, name in enumerate(LANDMARK_NAMES)}

# Bones drawn by the skeleton annotator (pairs of landmark names).
SKELETON: tuple[tuple[str, str], ...] = (
    ("left_shoulder", "right_shoulder"),
    ("left_hip", "right_hip"),
    ("left_shoulder", "left_hip"), ("right_shoulder", "right_hip"),
    ("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist"),
    ("right_shoulder", "right_elbow"), ("right_elbow", "right_wrist"),
    ("left_hip", "left_knee"), ("left_knee", "left_ankle"),
    ("right_hip", "right_knee"), ("right_knee", "right_ankle"),
    ("left_ankle", "left_heel"), ("left_heel", "left_foot_index"),
    ("left_ankle", "left_foot_index"),
    ("right_ankle", "right_heel"), ("right_heel", "right_foot_index"),
    ("right_ankle", "right_foot_index"),
    ("left_ear", "left_shoulder"), ("right_ear", "right_shoulder"),
    ("nose", "left_ear"), ("nose", "right_ear"),
)  # fmt: skip


def landmark_index(name: str) -> int:
    """Index of a landmark name; raises ValueError listing the valid names."""
    try:
        return LANDMARK_INDEX[name]
    except KeyError:
        raise ValueError(
            f"unknown landmark {name!r}; expected one of: {', '.join(LANDMARK_NAMES)}"
        ) from None


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=np.float64, copy=True)
    a.setflags(write=False)
    return a


@dataclass(frozen=True)
class Pose:
    """One person's landmarks in one frame.

    xy: (33, 2) pixel coordinates (x right, y down) in the frame the pose came from.
    world: (33, 3) metric coordinates (metres, hip-centred, y down) as the estimator gives them.
    visibility: (33,) in [0, 1]; how likely each landmark is visible and correctly placed.
    image_wh: (width, height) of the frame, so drawing and normalisation never guess.
    An empty pose (nobody in view) has zero landmarks: check ``pose.is_empty``.
    """

    xy: np.ndarray
    world: np.ndarray
    visibility: np.ndarray
    image_wh: tuple[int, int] = (0, 0)
    bbox: tuple[float, float, float, float] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        xy, world, vis = _frozen(self.xy), _frozen(self.world), _frozen(self.visibility)
        n = xy.shape[0] if xy.ndim == 2 else -1
        if n not in (0, N_LANDMARKS) or xy.shape[1:] != (2,):
            raise ValueError(f"xy: expected shape ({N_LANDMARKS}, 2) or (0, 2), got {xy.shape}")
        if world.shape != (n, 3):
            raise ValueError(f"world: expected shape ({n}, 3), got {world.shape}")
        if vis.shape != (n,):
            raise ValueError(f"visibility: expected shape ({n},), got {vis.shape}")
        if n and not (np.isfinite(xy).all() and np.isfinite(world).all()):
            raise ValueError("xy and world must be finite")
        w, h = self.image_wh
        if w < 0 or h < 0:
            raise ValueError(f"image_wh: expected non-negative (width, height), got {self.image_wh}")
        object.__setattr__(self, "xy", xy)
        object.__setattr__(self, "world", world)
        object.__setattr__(self, "visibility", np.clip(vis, 0.0, 1.0))

    @classmethod
    def empty(cls, image_wh: tuple[int, int] = (0, 0)) -> Pose:
        """The pose of a frame with nobody in it."""
        return cls(np.zeros((0, 2)), np.zeros((0, 3)), np.zeros((0,)), image_wh)

    @classmethod
    def from_points(
        cls,
        points: dict[str, tuple[float, float]],
        image_wh: tuple[int, int] = (640, 480),
        visibility: float = 1.0,
        depth: dict[str, float] | None = None,
    ) -> Pose:
        """Build a pose from named pixel points (for tests and tools).

        Landmarks not named are placed at the centroid of the given ones with visibility 0.
        World coordinates are the pixel coordinates scaled to metres (1 px = 1 mm) plus an
        optional depth per landmark, which is enough for geometry that expects metric units.
        """
        xy = np.zeros((N_LANDMARKS, 2))
        vis = np.zeros(N_LANDMARKS)
        given = [landmark_index(name) for name in points]
        for name, (x, y) in points.items():
            xy[landmark_index(name)] = (x, y)
            vis[landmark_index(name)] = visibility
        if given:
            centre = xy[given].mean(axis=0)
            for i in range(N_LANDMARKS):
                if i not in given:
                    xy[i] = centre
        world = np.zeros((N_LANDMARKS, 3))
        world[:, :2] = xy / 1000.0
        for name, z in (depth or {}).items():
            world[landmark_index(name), 2] = z
        return cls(xy, world, vis, image_wh)

    @property
    def is_empty(self) -> bool:
        return self.xy.shape[0] == 0

    def point(self, name: str) -> np.ndarray:
        """Pixel position of a landmark."""
        return self.xy[landmark_index(name)]

    def world_point(self, name: str) -> np.ndarray:
        """Metric 3-D position of a landmark (estimator's world frame)."""
        return self.world[landmark_index(name)]

    def vis(self, name: str) -> float:
        """Visibility of a landmark (0 for an empty pose)."""
        return 0.0 if self.is_empty else float(self.visibility[landmark_index(name)])

    def min_visibility(self, names: tuple[str, ...] | list[str]) -> float:
        """Lowest visibility among the named landmarks (0 for an empty pose)."""
        if self.is_empty:
            return 0.0
        return float(min(self.visibility[landmark_index(n)] for n in names)) if names else 1.0

    def torso_length(self) -> float:
        """2-D distance from the hip midpoint to the shoulder midpoint, in pixels."""
        sh = (self.point("left_shoulder") + self.point("right_shoulder")) / 2
        hp = (self.point("left_hip") + self.point("right_hip")) / 2
        return norm(sh - hp)
