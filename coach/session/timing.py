"""Small objects that span frames, on video time (seconds): a debounced boolean and a meter of
how fast the body moves. Each has one ``update(..., t)`` called every frame."""

from __future__ import annotations

import math
import statistics
from collections import deque

import numpy as np

from coach.pose import Pose, landmark_index

MOTION_LANDMARKS = tuple(landmark_index(f"{s}_{j}") for s in ("left", "right")
                         for j in ("shoulder", "hip", "knee", "ankle"))


class Debouncer:
    """A boolean that changes only after the raw signal has held its new value long enough.

    ``since`` is the time the raw signal first took the current state's value, so an event
    can be dated from when it really began rather than when it was confirmed.
    """

    def __init__(self, on_s: float, off_s: float) -> None:
        self.on_s, self.off_s = on_s, off_s
        self.state = False
        self.since: float | None = None
        self._pending_since: float | None = None

    def update(self, raw: bool, t: float) -> bool:
        if raw == self.state:
            self._pending_since = None
            return self.state
        if self._pending_since is None:
            self._pending_since = t
        if t - self._pending_since >= (self.on_s if raw else self.off_s):
            self.state = raw
            self.since = self._pending_since
            self._pending_since = None
        return self.state

    def reset(self) -> None:
        self.state, self.since, self._pending_since = False, None, None


class MotionMeter:
    """How fast the body is moving: the median landmark speed over the last ``window_s``, in
    torso lengths per second. Holding a stretch is being still; getting into it is not."""

    def __init__(self, window_s: float = 0.6) -> None:
        self.window_s = window_s
        self._prev: tuple[float, np.ndarray] | None = None
        self._speeds: deque[tuple[float, float]] = deque()

    def update(self, pose: Pose, t: float) -> float | None:
        if pose.is_empty:
            self._prev = None
            self._speeds.clear()
            return None
        torso = pose.torso_length()
        pts = pose.xy[list(MOTION_LANDMARKS)]
        if self._prev is not None and torso > 1.0 and t > self._prev[0]:
            t0, p0 = self._prev
            step = float(statistics.median(
                math.hypot(*(a - b)) for a, b in zip(pts, p0, strict=True)))
            self._speeds.append((t, step / torso / (t - t0)))
        self._prev = (t, pts)
        while self._speeds and t - self._speeds[0][0] > self.window_s:
            self._speeds.popleft()
        if not self._speeds:
            return None
        return sum(v for _, v in self._speeds) / len(self._speeds)
