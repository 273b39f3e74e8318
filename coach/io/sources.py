"""One frame source for webcam, video file, stream URL and still image.

Every source yields :class:`Frame` objects carrying their video time. A *live* source (a camera,
or a file standing in for one) is read on a background thread that keeps only the newest frame:
when processing is slow, old frames are dropped rather than queued, so the coach never lags.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from coach.errors import SourceError

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}


@dataclass(frozen=True)
class Frame:
    image: np.ndarray  # BGR uint8 (h, w, 3)
    t: float  # seconds of video time (capture time for a camera)
    index: int


class FrameSource:
    """Common interface: iterate for frames; ``fps``, ``size``, ``frame_count`` describe it."""

    fps: float | None = None
    size: tuple[int, int] = (0, 0)
    frame_count: int | None = None
    is_image = False
    is_live = False
    dropped = 0
    name = ""

    def __iter__(self) -> Iterator[Frame]:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ImageSource(FrameSource):
    is_image = True

    def __init__(self, path: Path) -> None:
        self.name = str(path)
        data = np.fromfile(str(path), dtype=np.uint8)
        image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
        if image is None:
            raise SourceError(f"{path}: not a readable image")
        self.image = image
        self.size = (image.shape[1], image.shape[0])
        self.frame_count = 1

    def __iter__(self) -> Iterator[Frame]:
        yield Frame(self.image, 0.0, 0)


class Capture(Protocol):
    """What a live source reads from: ``cv2.VideoCapture`` or a stand-in."""

    def read(self) -> tuple[bool, np.ndarray | None]: ...

    def get(self, prop: int) -> float: ...

    def isOpened(self) -> bool: ...  # noqa: N802 - OpenCV's name

    def release(self) -> None: ...


def _open_capture(spec: str | int) -> cv2.VideoCapture:
    cap = cv2.VideoCapture(spec) if isinstance(spec, int) else cv2.VideoCapture(spec, cv2.CAP_FFMPEG)
    return cap


class VideoFileSource(FrameSource):
    """Every frame of a video file, in order, timed by frame index / fps."""

    def __init__(self, path: Path) -> None:
        self.name = str(path)
        self.cap = _open_capture(str(path))
        ok, first = (self.cap.read() if self.cap.isOpened() else (False, None))
        if not ok or first is None:
            self.cap.release()
            raise SourceError(f"{path}: not a readable video or image")
        self._first = first
        fps = self.cap.get(cv2.CAP_PROP_FPS)
        self.fps = float(fps) if fps and 1.0 <= fps <= 240.0 else 30.0
        self.size = (first.shape[1], first.shape[0])
        n = int(self.cap.get(cv2.CAP_PROP_FRAME_COUNT))
        self.frame_count = n if n > 0 else None

    def __iter__(self) -> Iterator[Frame]:
        i, image = 0, self._first
        while image is not None:
            yield Frame(image, i / self.fps, i)
            i += 1
            ok, image = self.cap.read()
            if not ok:
                image = None

    def close(self) -> None:
        self.cap.release()


class LiveSource(FrameSource):
    """A camera, stream or file read on a thread that keeps only the newest frame.

    A file is played at its own frame rate, as a camera would deliver it. A camera that stops
    delivering frames for ``stall_s`` ends the iteration with a :class:`SourceError`.
    ``capture``: an opened capture (``read``, ``get``, ``isOpened``, ``release``, like
    ``cv2.VideoCapture``) to read as a camera instead of opening ``spec``.
    """

    is_live = True

    def __init__(self, spec: str | int, stall_s: float = 3.0, capture: Capture | None = None) -> None:
        self.name = f"camera {spec}" if isinstance(spec, int) else str(spec)
        self._is_file = capture is None and isinstance(spec, str) and Path(spec).is_file()
        self.cap = capture if capture is not None else _open_capture(spec)
        if not self.cap.isOpened():
            self.cap.release()
            what = f"camera {spec}" if isinstance(spec, int) else f"{spec}"
            raise SourceError(f"cannot open {what}")
        ok, first = self.cap.read()
        if not ok or first is None:
            self.cap.release()
            raise SourceError(f"{self.name}: opened but delivered no frames")
        fps = self.cap.get(cv2.CAP_PROP_FPS)
        self.fps = float(fps) if fps and 1.0 <= fps <= 240.0 else 30.0
        self.size = (first.shape[1], first.shape[0])
        self.stall_s = stall_s
        self._cond = threading.Condition()
        self._latest: Frame | None = Frame(first, 0.0, 0)
        self._consumed = -1
        self._ended = False
        self._error: str | None = None
        self._stop = threading.Event()
        self._t0 = time.monotonic()
        # Capture starts with the first iteration, once the caller is ready for frames.
        self._thread = threading.Thread(target=self._reader, name="coach-capture", daemon=True)

    def _reader(self) -> None:
        index = 0
        last_ok = time.monotonic()
        while not self._stop.is_set():
            ok, image = self.cap.read()
            now = time.monotonic()
            if not ok or image is None:
                if self._is_file:
                    break
                if now - last_ok > self.stall_s:
                    self._error = f"{self.name} stopped delivering frames"
                    break
                time.sleep(0.01)
                continue
            last_ok = now
            index += 1
            if self._is_file:
                t = index / self.fps  # video time; pace playback like a real camera
                delay = self._t0 + t - now
                if delay > 0:
                    self._stop.wait(delay)
            else:
                t = now - self._t0
            with self._cond:
                if self._latest is not None and self._latest.index > self._consumed:
                    self.dropped += 1
                self._latest = Frame(image, t, index)
                self._cond.notify_all()
        with self._cond:
            self._ended = True
            self._cond.notify_all()

    def __iter__(self) -> Iterator[Frame]:
        if not self._thread.is_alive() and not self._ended:
            self._t0 = time.monotonic()
            self._thread.start()
        while True:
            with self._cond:
                while not self._ended and (
                    self._latest is None or self._latest.index <= self._consumed
                ):
                    self._cond.wait(0.5)
                fresh = self._latest is not None and self._latest.index > self._consumed
                if not fresh:
                    if self._error:
                        raise SourceError(self._error)
                    return
                frame = self._latest
                self._consumed = frame.index
            yield frame

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2.0)
        self.cap.release()


def parse_camera(spec: str | None) -> str | int:
    """``--camera`` value: a device index ("0"), a file path, or a stream URL."""
    if spec is None or spec == "":
        return 0
    if spec.isdigit():
        return int(spec)
    return spec


def open_source(spec: str | int | Path, live: bool = False) -> FrameSource:
    """Open a frame source; raises SourceError with a one-line reason if it can't."""
    if live:
        if isinstance(spec, str) and "://" not in spec and not Path(spec).exists():
            raise SourceError(f"{spec}: no such file (and not a camera index or URL)")
        return LiveSource(spec if isinstance(spec, int) else str(spec))
    path = Path(spec)
    if not path.exists():
        raise SourceError(f"{path}: no such file")
    if path.is_dir():
        raise SourceError(f"{path}: is a directory, expected a video or image file")
    try:
        with path.open("rb") as fh:
            fh.read(1)
    except OSError as e:
        raise SourceError(f"{path}: cannot read ({e.strerror or e})") from None
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageSource(path)
    return VideoFileSource(path)
