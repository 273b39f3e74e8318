"""Small objects that span frames, on video time (seconds): a debounced boolean, a meter of
how fast the body moves, and when a hold really ended. Each has one ``update(..., t)`` called
every frame."""

from __future__ import annotations

import functools
import math
import statistics
from collections import deque
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from coach.pose import Pose, landmark_index

T = TypeVar("T")

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


def once_per_frame(method: Callable[..., T]) -> Callable[..., T]:
    """For ``method(self, pose, t, ...)`` of something the sessions coaching one video share (one
    per exercise when the stretch is recognised): the same pose at the same time again returns
    the last answer, so the frame is worked out and counted once. Another pose at the same time
    (live: coaching resumed after a countdown) is a new frame."""

    @functools.wraps(method)
    def once(self, pose: Pose, t: float, *args):
        last = self.__dict__.get("_frame_answer")  # (time, pose, answer)
        if last is not None and last[0] == t and last[1] is pose:
            return last[2]
        answer = method(self, pose, t, *args)
        self._frame_answer = (t, pose, answer)
        return answer

    return once


class MotionMeter:
    """How fast the body is moving: the median landmark speed over the last ``window_s``, in
    torso lengths per second. Holding a stretch is being still; getting into it is not."""

    def __init__(self, window_s: float = 0.6) -> None:
        self.window_s = window_s
        self._prev: tuple[float, np.ndarray] | None = None
        self._speeds: deque[tuple[float, float]] = deque()

    @once_per_frame
    def update(self, pose: Pose, t: float) -> float | None:
        """The speed at frame ``t`` (the same frame again: the same speed, counted once)."""
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
    averages its features over the last seconds, so the coach lets go of a stretch a second or
    two after the hold's end. Looking back ``look_s`` from when the position was first lost, the
    pose held (the median of the image landmarks over ``ref_s`` before the look-back) is compared
    with where the body went (the last frame): each frame is placed along that way out by
    projection (0: the pose held, 1: where it went), and the hold ended after the last frame less
    than ``start_frac`` of the way. Sway and breathing across the way out do not count, however
    large; a small way out (only the legs coming off a wall) counts as much as a large one.
    Nothing is moved back when the body has not moved (the ``quantile`` of the landmarks'
    distances from the pose held under ``still`` torso lengths: a flicker of the position, not a
    way out); if every frame was already on its way, the hold ended ``look_s`` back.

    Chosen on the first 12 training clips of each stretch (278 sides, scripts/fit_exits.py): the
    time in position per side within 10 % of the truth on 74.5 % of sides (the way before, a fixed
    distance of 0.05 torso lengths from the pose held over a 1.5 s look-back: 64.7 %; that rule
    with a 2 s look-back: 68.0 %, with 2.5-3 s it dated sways as exits; without measuring from
    where a still look-back began, 73.4 %, and a routine take's figure-4 twist lost 2.2 s)."""

    def __init__(self, look_s: float = 2.0, ref_s: float = 2.0, still: float = 0.05,
                 quantile: float = 75.0, start_frac: float = 0.1) -> None:
        self.look_s, self.ref_s, self.still, self.quantile = look_s, ref_s, still, quantile
        self.start_frac = start_frac
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

    def _spread(self, delta: np.ndarray) -> float:
        """How far the landmarks moved: the ``quantile`` of their distances (as given)."""
        return float(np.percentile(np.linalg.norm(delta, axis=1), self.quantile))

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
        held = np.median(np.stack([f[1] for f in ref]), axis=0)
        torso = float(np.median([f[2] for f in ref]))
        if torso <= 1.0:
            return lost
        away = (look[-1][1] - held) / torso  # the way out, landmark by landmark
        if self._spread(away) < self.still:
            return lost
        norm = float((away * away).sum())
        along = [float((((f[1] - held) / torso) * away).sum()) / norm for f in look]
        # When the look-back begins still (its first half second within ``still`` of its first
        # frame) but a little off the pose of the seconds before (the body settled, or the pose
        # model relabelled a leg), the frames still held start partway along: the way out is
        # measured from the least of them. Moving from the start, the body was already on its way.
        first = [f[1] for f in look if f[0] < look[0][0] + 0.5]
        settled = len(first) > 1 and all(self._spread(p - first[0]) / torso < self.still for p in first[1:])
        base = min(max(min(along), 0.0), 0.9) if settled else 0.0
        for i in range(len(look) - 1, -1, -1):
            if (along[i] - base) / (1.0 - base) < self.start_frac:
                return lost if i == len(look) - 1 else look[i + 1][0]
        return look[0][0]
