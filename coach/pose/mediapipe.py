"""The MediaPipe backends of :class:`coach.pose.estimator.PoseEstimator`: the only module that
knows MediaPipe exists.

:class:`LegacyPose` runs the full pose model bundled inside ``mediapipe==0.10.21`` through the
legacy ``solutions.pose`` graph, fully offline. :class:`TasksPose` runs a user-supplied
``pose_landmarker_*.task`` file through the Tasks API, which can see several people; the largest
person is followed. The model is built when the estimator is created, never at import.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from coach.errors import CoachError, CoachWarning
from coach.pose.core import N_LANDMARKS, Pose

os.environ.setdefault("GLOG_minloglevel", "2")  # keep MediaPipe's C++ logging quiet
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@functools.cache
def bundled_model_sha() -> str:
    """A short SHA-256 of the bundled full pose model's file: names what landmarks came from
    (the corpus's tracks, the e2e tests' kept recordings)."""
    import hashlib

    import mediapipe

    f = Path(mediapipe.__file__).parent / "modules" / "pose_landmark" / "pose_landmark_full.tflite"
    return hashlib.sha256(f.read_bytes()).hexdigest()[:16]


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Silence the C++ log lines MediaPipe prints to fd 2 while its graph starts up."""
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, ValueError, OSError):
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)


def _to_pose(landmarks, world, wh: tuple[int, int]) -> Pose:
    w, h = wh
    xy = np.array([[lm.x * w, lm.y * h] for lm in landmarks], dtype=np.float64)
    vis = np.array([getattr(lm, "visibility", 1.0) or 0.0 for lm in landmarks])
    if world is not None:
        xyz = np.array([[lm.x, lm.y, lm.z] for lm in world], dtype=np.float64)
    else:
        xyz = np.zeros((len(xy), 3))
    if len(xy) != N_LANDMARKS:
        return Pose.empty(wh)
    pts = xy[vis > 0.3] if (vis > 0.3).any() else xy
    bbox = (float(pts[:, 0].min()), float(pts[:, 1].min()),
            float(pts[:, 0].max()), float(pts[:, 1].max()))
    return Pose(xy, np.nan_to_num(xyz), vis, wh, bbox)


def _area(p: Pose) -> float:
    if p.bbox is None:
        return 0.0
    x0, y0, x1, y1 = p.bbox
    return (x1 - x0) * (y1 - y0)


def _import_mediapipe():  # noqa: ANN202 - the module, untyped
    try:
        import mediapipe as mp
    except ImportError as e:  # pragma: no cover - install problem
        raise CoachError(f"mediapipe is not installed ({e}); run: pip install -e .") from None
    return mp


class _MediaPipeBackend:
    """What both backends share: BGR in, quiet logs while the graph warms up, context manager.
    A subclass implements ``_detect(rgb, t, wh) -> list[Pose]`` and ``_close``."""

    def __init__(self, video: bool) -> None:
        self.video = video
        self.people = 0
        self._warm = False

    def estimate(self, frame_bgr: np.ndarray, t: float = 0.0) -> Pose:
        """Landmarks of the followed person in a BGR frame at video time ``t`` (seconds)."""
        if frame_bgr.ndim != 3 or frame_bgr.shape[2] != 3:
            raise ValueError(f"expected a BGR image of shape (h, w, 3), got {frame_bgr.shape}")
        h, w = frame_bgr.shape[:2]
        rgb = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)  # a new array, faster than numpy's
        if not self._warm:
            # MediaPipe builds its landmark model on the first frame with a person in it and
            # logs noisily then; stay quiet until that has happened.
            with quiet_stderr():
                poses = self._detect(rgb, t, (w, h))
            self._warm = bool(poses)
        else:
            poses = self._detect(rgb, t, (w, h))
        self.people = len(poses)
        if not poses:
            return Pose.empty((w, h))
        if len(poses) > 1:
            warnings.warn(f"{len(poses)} people in view: following the largest one",
                          CoachWarning, stacklevel=2)
        return max(poses, key=_area)

    def _detect(self, rgb: np.ndarray, t: float, wh: tuple[int, int]) -> list[Pose]:
        raise NotImplementedError

    def _close(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        with quiet_stderr():  # shutting the graph down logs too
            self._close()

    def __enter__(self) -> _MediaPipeBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LegacyPose(_MediaPipeBackend):
    """The full pose model bundled in ``mediapipe==0.10.21``, through the legacy
    ``solutions.pose`` graph: offline, one person (the most prominent)."""

    def __init__(self, video: bool = True, min_confidence: float = 0.5) -> None:
        super().__init__(video)
        mp = _import_mediapipe()
        with quiet_stderr():
            self._graph = mp.solutions.pose.Pose(
                static_image_mode=not video,
                model_complexity=1,
                smooth_landmarks=True,
                enable_segmentation=False,
                min_detection_confidence=min_confidence,
                min_tracking_confidence=min_confidence,
            )
            # The graph starts its models on worker threads that log as they come up; one
            # blank frame waits for them while stderr is still quiet.
            self._graph.process(np.zeros((64, 64, 3), np.uint8))

    def _detect(self, rgb: np.ndarray, t: float, wh: tuple[int, int]) -> list[Pose]:
        res = self._graph.process(rgb)
        if res.pose_landmarks is None:
            return []
        world = res.pose_world_landmarks.landmark if res.pose_world_landmarks else None
        pose = _to_pose(res.pose_landmarks.landmark, world, wh)
        return [] if pose.is_empty else [pose]

    def _close(self) -> None:
        if self._graph is not None:
            self._graph.close()
        self._graph = None


class TasksPose(_MediaPipeBackend):
    """A user-supplied ``pose_landmarker_*.task`` through the Tasks API: up to two people, the
    largest followed."""

    def __init__(self, model_path: Path, video: bool = True, min_confidence: float = 0.5) -> None:
        super().__init__(video)
        self._mp = _import_mediapipe()
        self._last_ms = -1
        if not model_path.is_file():
            raise CoachError(f"model file not found: {model_path}")
        from mediapipe.tasks.python import BaseOptions, vision

        mode = vision.RunningMode.VIDEO if video else vision.RunningMode.IMAGE
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(model_path)),
            running_mode=mode,
            num_poses=2,
            min_pose_detection_confidence=min_confidence,
            min_pose_presence_confidence=min_confidence,
            min_tracking_confidence=min_confidence,
        )
        try:
            with quiet_stderr():
                self._tasks = vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as e:
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise CoachError(
                f"{model_path}: not a usable MediaPipe pose landmarker .task file ({first})"
            ) from None

    def _detect(self, rgb: np.ndarray, t: float, wh: tuple[int, int]) -> list[Pose]:
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb)
        if self.video:
            ms = max(int(round(t * 1000)), self._last_ms + 1)
            self._last_ms = ms
            res = self._tasks.detect_for_video(image, ms)
        else:
            res = self._tasks.detect(image)
        poses = [
            _to_pose(lms, res.pose_world_landmarks[i] if res.pose_world_landmarks else None, wh)
            for i, lms in enumerate(res.pose_landmarks)
        ]
        return [p for p in poses if not p.is_empty]

    def _close(self) -> None:
        if self._tasks is not None:
            self._tasks.close()
        self._tasks = None
