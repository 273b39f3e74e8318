"""Stand-ins for the pose estimator and frame sources, so the fast tests never load a model."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from coach.io.sources import Frame, FrameSource
from coach.pose import Pose


class FakeEstimator:
    """A :class:`coach.pose.estimator.PoseEstimator` playing poses from ``make(t)`` (default:
    nobody in view)."""

    def __init__(self, make: Callable[[float], Pose] | None = None) -> None:
        self.make = make
        self.people = 0

    def estimate(self, frame_bgr: np.ndarray, t: float = 0.0) -> Pose:
        h, w = frame_bgr.shape[:2]
        pose = self.make(t) if self.make else Pose.empty((w, h))
        self.people = int(not pose.is_empty)
        return pose

    def close(self) -> None:
        pass

    def __enter__(self) -> FakeEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Clip(FrameSource):
    """Frames of a plain image at ``fps``; the poses come from a fake estimator."""

    size = (640, 480)

    def __init__(self, seconds: float, fps: float = 15.0) -> None:
        self.fps = fps
        self.frame_count = int(seconds * fps)
        self.name = "synthetic clip"

    def __iter__(self):
        for i in range(self.frame_count):
            yield Frame(np.full((480, 640, 3), 180, np.uint8), i / self.fps, i)
