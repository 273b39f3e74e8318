"""The pose model's output on each sample video, recorded once per test session and replayed.

The e2e tests run the same frames through the pose model many times: the non-stretching sample
once per exercise, a sample asked as its own exercise and again without one (recognised), the
stride test's every-frame reference. The bundled model is deterministic (a new estimator on the
same frames gives the same landmarks), so the first run over a video (as rendered or mirrored)
runs the real model, recording what it returns, and every later run over the same frames in the
session replays that recording through :class:`Replay`, an estimator with the same interface.
The first run is an ordinary end-to-end run; only the pose model is skipped after it.

Not for tests whose subject is the estimator itself or that skip frames (tracking across skipped
frames differs): those open the real model.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from coach.pose import Pose
from coach.pose.estimator import PoseEstimator, open_estimator

# (video, mirrored) -> what the model returned for each frame in order: (t, pose, people)
_recorded: dict[tuple[str, bool], list[tuple[float, Pose, int]]] = {}


class _Recording:
    """The real estimator, noting what it returns."""

    def __init__(self, inner: PoseEstimator) -> None:
        self.inner = inner
        self.people = 0
        self.seen: list[tuple[float, Pose, int]] = []

    def estimate(self, frame_bgr: np.ndarray, t: float = 0.0) -> Pose:
        pose = self.inner.estimate(frame_bgr, t)
        self.people = self.inner.people
        self.seen.append((t, pose, self.people))
        return pose

    def close(self) -> None:
        self.inner.close()

    def __enter__(self) -> _Recording:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Replay:
    """A :class:`coach.pose.estimator.PoseEstimator` returning recorded poses frame by frame; a
    frame out of step with the recording (another time, or past its end) is an error."""

    def __init__(self, seen: list[tuple[float, Pose, int]]) -> None:
        self.seen = seen
        self.people = 0
        self.next = 0

    def estimate(self, frame_bgr: np.ndarray, t: float = 0.0) -> Pose:
        if self.next >= len(self.seen):
            raise AssertionError(f"replay: frame at {t:.3f} s is past the recording's "
                                 f"{len(self.seen)} frames")
        t_seen, pose, people = self.seen[self.next]
        if t != t_seen:
            raise AssertionError(f"replay: frame {self.next} at {t:.3f} s, recorded at {t_seen:.3f} s")
        h, w = frame_bgr.shape[:2]
        if pose.image_wh != (w, h):
            raise AssertionError(f"replay: a {w}x{h} frame, recorded {pose.image_wh}")
        self.next += 1
        self.people = people
        return pose

    def close(self) -> None:
        pass

    def __enter__(self) -> Replay:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def estimator_for(video: Path, mirrored: bool, frames: int) -> Iterator[PoseEstimator]:
    """An estimator for one run over all ``frames`` of ``video`` (flipped left to right if
    ``mirrored``): the real model the first time, kept if it saw every frame, then its replay."""
    key = (str(Path(video).resolve()), mirrored)
    if key in _recorded:
        yield Replay(_recorded[key])
        return
    with open_estimator() as est:
        rec = _Recording(est)
        yield rec
    if len(rec.seen) == frames:
        _recorded[key] = rec.seen
