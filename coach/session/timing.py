"""Small objects that span frames, on video time (seconds): a debounced boolean, a meter of
how fast the body moves, and when a hold really ended. Each has one ``update(..., t)`` called
every frame."""

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


KEEP_S = 8.0  # poses kept for ExitDater: its look-back and reference, and the position's own delay
EXIT_LANDMARKS = np.array([landmark_index(n) for n in (
    "nose", "left_shoulder", "right_shoulder", "left_hip", "right_hip", "left_knee", "right_knee",
    "left_ankle", "right_ankle", "left_wrist", "right_wrist")])


class ExitDater:
    """When the person really began to leave a hold, found once the leaving is confirmed.

    Whatever says "out of position" decides on evidence that lags the body: the recogniser
    averages its features over the last seconds, and on the training part of the corpus the
    coach let go of a stretch a median 2.3 s after the hold's end (every stretch between 2.2
    and 2.6 s; 1 s of it the position's own ``position_off_s``). Looking back from when the
    position was first lost, the hold ended on the last frame whose body still matched the pose
    held just before (the median of the image landmarks over ``ref_s`` before the look-back;
    each landmark's distance in torso lengths, its ``quantile`` over the landmarks under
    ``still``: a quarter of them moving is leaving, as when only the legs come off a wall); if
    none matched in the last ``look_s``, that far back. Nothing is moved back when the body has
    not moved (a flicker of the position, not a way out). Chosen on 176 exits of 160 training
    clips (10 per stretch): the exit dated a median 0.1 s after the truth's, within 0.5 s for
    86 % and within 1 s for 97 % of them (undated: 2.3 s late, none within 1 s; with the median
    landmark instead of the 75th percentile, the wall stretches' exits stayed 0.7-0.9 s late)."""

    def __init__(self, look_s: float = 1.5, ref_s: float = 2.0, still: float = 0.05,
                 quantile: float = 75.0) -> None:
        self.look_s, self.ref_s, self.still, self.quantile = look_s, ref_s, still, quantile
        self._frames: deque[tuple[float, np.ndarray, float]] = deque()

    def update(self, pose: Pose, t: float) -> None:
        """Keep frame ``t``'s pose; the same frame again (a dater shared by several sessions of
        one video) is kept once."""
        if self._frames and self._frames[-1][0] == t:
            return
        if not pose.is_empty:
            self._frames.append((t, pose.xy[EXIT_LANDMARKS].astype(float), pose.torso_length()))
        while self._frames and self._frames[0][0] < t - KEEP_S:
            self._frames.popleft()

    def left_at(self, lost: float, since: float | None = None, look_s: float | None = None) -> float:
        """The hold (begun at ``since``) whose position was first lost at ``lost``: when it
        really ended, between ``lost - look_s`` and ``lost``, never before ``since``."""
        look_s = self.look_s if look_s is None else look_s
        start = max(lost - look_s, since if since is not None else -math.inf)
        ref = [f for f in self._frames if start - self.ref_s <= f[0] < start
               and (since is None or f[0] >= since)]
        look = [f for f in self._frames if start <= f[0] < lost]
        if len(ref) < 2 or not look:
            return lost
        pts = np.median(np.stack([f[1] for f in ref]), axis=0)
        torso = float(np.median([f[2] for f in ref]))
        if torso <= 1.0:
            return lost
        for i in range(len(look) - 1, -1, -1):
            d = float(np.percentile(np.linalg.norm(look[i][1] - pts, axis=1), self.quantile)) / torso
            if d < self.still:
                return lost if i == len(look) - 1 else look[i + 1][0]
        return look[0][0]
