"""The pose-estimator interface: BGR frame -> :class:`Pose`. The run loop, the scripts and the
tests see only this Protocol; the MediaPipe backends live in :mod:`coach.pose.mediapipe`, and a
fake in the tests plays synthetic poses."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from coach.pose.core import Pose


class PoseEstimator(Protocol):
    """``people`` after ``estimate`` is how many people were found in that frame."""

    people: int

    def estimate(self, frame_bgr: np.ndarray, t: float = 0.0) -> Pose:
        """The followed person's landmarks in a BGR frame at video time ``t`` (seconds)."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> PoseEstimator: ...

    def __exit__(self, *exc: object) -> None: ...


def open_estimator(model_path: Path | None = None, video: bool = True) -> PoseEstimator:
    """The default backend: MediaPipe's bundled full model (legacy graph), or with
    ``model_path`` a ``pose_landmarker_*.task`` through the Tasks API. ``video``: frames of one
    video, tracked across time (timestamps must increase); otherwise unrelated stills."""
    from coach.pose.mediapipe import LegacyPose, TasksPose

    return LegacyPose(video) if model_path is None else TasksPose(Path(model_path), video)
