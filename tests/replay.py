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

With ``COACH_REPLAY_DIR`` set (``scripts/e2e_limits.py`` sets it to ``out/cache/replay``), a
recording is also kept on disk, named by a hash of the video's bytes, the pose model's file and
the orientation, and later processes replay it instead of running the model: regenerating the
e2e limits after a change to the rules or the recogniser then takes a minute or two instead of
a quarter of an hour. CI leaves it unset, so the e2e tests run the real model end to end.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from coach.pose import Pose
from coach.pose.estimator import PoseEstimator, open_estimator
from coach.pose.mediapipe import bundled_model_sha


def xdist_group(sample: str, mirrored: bool = False) -> pytest.MarkDecorator:
    """The mark that sends a test to the pytest-xdist worker of ``sample``'s model run (the
    recordings are kept per process): conftest gives it to every e2e case with a ``name``
    parameter; a test that replays a sample without one carries it itself."""
    return pytest.mark.xdist_group(f"{sample}:{'mirrored' if mirrored else 'as-rendered'}")


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


def _disk_path(video: Path, mirrored: bool) -> Path | None:
    folder = os.environ.get("COACH_REPLAY_DIR")
    if not folder:
        return None
    digest = hashlib.sha256(Path(video).read_bytes()).hexdigest()[:16]
    name = f"{Path(video).stem}-{digest}-{bundled_model_sha()}{'-mirrored' if mirrored else ''}"
    return Path(folder) / f"{name}.npz"


def _save(path: Path, seen: list[tuple[float, Pose, int]]) -> None:
    """A recording as plain arrays (no pickle), written to a temporary name and renamed."""
    n = len(seen)
    xy, world, vis = np.zeros((n, 33, 2)), np.zeros((n, 33, 3)), np.zeros((n, 33))
    bbox = np.full((n, 4), np.nan)
    for i, (_, p, _) in enumerate(seen):
        if not p.is_empty:
            xy[i], world[i], vis[i] = p.xy, p.world, p.visibility
            if p.bbox is not None:
                bbox[i] = p.bbox
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.npz")
    np.savez_compressed(tmp, t=np.array([s[0] for s in seen]), people=np.array([s[2] for s in seen]),
                        empty=np.array([s[1].is_empty for s in seen]), xy=xy, world=world, vis=vis,
                        bbox=bbox, wh=np.array([s[1].image_wh for s in seen]))
    tmp.replace(path)


def _load(path: Path) -> list[tuple[float, Pose, int]]:
    with np.load(path, allow_pickle=False) as d:
        out = []
        for i in range(len(d["t"])):
            wh = (int(d["wh"][i][0]), int(d["wh"][i][1]))
            if d["empty"][i]:
                pose = Pose.empty(wh)
            else:
                box = d["bbox"][i]
                pose = Pose(d["xy"][i], d["world"][i], d["vis"][i], wh,
                            None if np.isnan(box).any() else tuple(float(v) for v in box))
            out.append((float(d["t"][i]), pose, int(d["people"][i])))
        return out


@contextlib.contextmanager
def estimator_for(video: Path, mirrored: bool, frames: int) -> Iterator[PoseEstimator]:
    """An estimator for one run over all ``frames`` of ``video`` (flipped left to right if
    ``mirrored``): the real model the first time, kept if it saw every frame, then its replay
    (also from disk, with ``COACH_REPLAY_DIR``)."""
    key = (str(Path(video).resolve()), mirrored)
    disk = _disk_path(video, mirrored)
    if key not in _recorded and disk is not None and disk.exists():
        _recorded[key] = _load(disk)
    if key in _recorded:
        yield Replay(_recorded[key])
        return
    with open_estimator() as est:
        rec = _Recording(est)
        yield rec
    if len(rec.seen) == frames:
        _recorded[key] = rec.seen
        if disk is not None:
            _save(disk, rec.seen)
