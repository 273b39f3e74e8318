"""Motion-adaptive stride: run the pose model only when the body may have moved.

Stretches are slow and holds are still, so most frames of a session look like the one before.
:class:`MotionStride` wraps any :class:`~coach.pose.estimator.PoseEstimator`: on each frame it
compares a small grey thumbnail of the region around the body with the one taken when the model
last ran; if enough of it changed (or ``max_gap_s`` of video time passed), the model runs on
this frame, otherwise the last pose is repeated. The decision is made before the model runs, on
the frame itself, so a movement is seen on the frame where it shows (no look-ahead, no lag), and
it works the same on a recorded video and a live camera.
"""

from __future__ import annotations

import cv2
import numpy as np

from coach.pose.core import Pose
from coach.pose.estimator import PoseEstimator

THUMB = 48  # thumbnail side (pixels): one pixel is about 2 % of the body's box
MARGIN = 0.2  # the region compared: the body's box grown by this fraction on each side
# A thumbnail pixel counts as changed past this many grey levels (of 255): what a limb's edge
# of ordinary contrast makes when it moves by about half a thumbnail pixel, i.e. 1 % of the
# body's box or a few percent of a torso length (the pose model's own jitter); far above what
# sensor noise and compression leave after the thumbnail's averaging.
LEVEL = 24
CHANGED = 0.02  # the fraction of changed pixels that means the body moved (a limb's outline)


class MotionStride:
    """A :class:`PoseEstimator` that runs ``estimator`` on a frame only when the picture around
    the body changed since it last ran, or ``max_gap_s`` passed; otherwise it repeats the last
    pose (and count of people). ``estimated`` / ``frames``: how often the model ran."""

    def __init__(self, estimator: PoseEstimator, max_gap_s: float = 0.5) -> None:
        self.estimator = estimator
        self.max_gap_s = max_gap_s
        self.people = 0
        self.frames = self.estimated = 0
        self._pose: Pose | None = None
        self._key: np.ndarray | None = None  # the thumbnail when the model last ran
        self._key_t = 0.0
        self._region: tuple[int, int, int, int] | None = None

    def estimate(self, frame_bgr: np.ndarray, t: float = 0.0) -> Pose:
        self.frames += 1
        if self._pose is not None and self._key is not None and t >= self._key_t and \
                t - self._key_t < self.max_gap_s and not self._moved(frame_bgr):
            return self._pose
        pose = self.estimator.estimate(frame_bgr, t)
        self.people = self.estimator.people
        self.estimated += 1
        self._pose, self._key_t = pose, t
        self._region = _region(pose, frame_bgr.shape)
        self._key = _thumb(frame_bgr, self._region)
        return pose

    def _moved(self, frame_bgr: np.ndarray) -> bool:
        assert self._region is not None and self._key is not None
        diff = cv2.absdiff(_thumb(frame_bgr, self._region), self._key)
        return np.count_nonzero(diff > LEVEL) > CHANGED * diff.size

    def close(self) -> None:
        self.estimator.close()

    def __enter__(self) -> MotionStride:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _region(pose: Pose, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """The body's box grown by :data:`MARGIN` and clipped to the frame (the whole frame when
    nobody is seen, so someone coming into view is noticed)."""
    h, w = shape[:2]
    if pose.is_empty or pose.bbox is None:
        return 0, 0, w, h
    x0, y0, x1, y1 = pose.bbox
    mx, my = MARGIN * (x1 - x0), MARGIN * (y1 - y0)
    x0, y0 = max(0, int(x0 - mx)), max(0, int(y0 - my))
    x1, y1 = min(w, int(np.ceil(x1 + mx))), min(h, int(np.ceil(y1 + my)))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return 0, 0, w, h
    return x0, y0, x1, y1


def _thumb(frame_bgr: np.ndarray, region: tuple[int, int, int, int]) -> np.ndarray:
    x0, y0, x1, y1 = region
    small = cv2.resize(frame_bgr[y0:y1, x0:x1], (THUMB, THUMB), interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
