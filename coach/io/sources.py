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

import av
import cv2
import numpy as np

from coach.errors import SourceError

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}
# An image is known by its first bytes, whatever its name (a PNG named .mp4 is still a PNG).
IMAGE_MAGIC = {b"\x89PNG\r\n\x1a\n": ".png", b"\xff\xd8\xff": ".jpg", b"BM": ".bmp",
               b"II*\x00": ".tif", b"MM\x00*": ".tif"}


def image_kind(head: bytes) -> str | None:
    """The suffix of the image format whose signature starts ``head``, or None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ".webp"
    return next((suffix for magic, suffix in IMAGE_MAGIC.items() if head.startswith(magic)), None)


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
    """A still image; ``suffix`` is its format's (for the annotated copy)."""

    is_image = True

    def __init__(self, path: Path, suffix: str | None = None) -> None:
        self.name = str(path)
        self.suffix = suffix or path.suffix.lower()
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


# Turns that make a stored frame upright, by the container's display rotation (degrees
# counter-clockwise, as FFmpeg reports it; a phone held upright stores -90).
_UPRIGHT = {1: cv2.ROTATE_90_COUNTERCLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_CLOCKWISE}


def upright(image: np.ndarray, rotation: float) -> np.ndarray:
    """``image`` turned by its display ``rotation`` (degrees counter-clockwise), so it stands up."""
    turn = _UPRIGHT.get(round(rotation / 90) % 4)
    return image if turn is None else cv2.rotate(image, turn)


# The largest frame analysed, drawn and encoded (long side, short side): a bigger video is
# scaled down as it is decoded. The pose model works on its own 256-pixel input whatever the
# frame size, and an overlay and H.264 copy at 720p read well; full-size 4K frames cost 25 MB
# each and most of the time spent converting, drawing and encoding them.
WORK_SIZE = (1280, 720)


def fit_within(size: tuple[int, int], box: tuple[int, int] = WORK_SIZE) -> tuple[int, int]:
    """``size`` (w, h) scaled down, keeping its shape, to fit ``box`` (long side, short side)
    either way round; even dimensions when scaled. Unchanged if it fits already."""
    w, h = size
    k = min(1.0, max(box) / max(w, h), min(box) / max(1, min(w, h)))
    if k >= 1.0:
        return size
    return max(2, round(w * k / 2) * 2), max(2, round(h * k / 2) * 2)


class VideoFileSource(FrameSource):
    """Every frame of a video file, in order, decoded with PyAV: timed by the container's
    timestamps (variable frame rates stay true), turned upright by its rotation metadata, and
    scaled down to fit ``max_size`` (see :data:`WORK_SIZE`; None: full size).

    A packet that cannot be decoded (a damaged stretch) is skipped and counted; a file that
    ends before the frames its index promises (cut short) or had damaged packets ends the
    iteration with a :class:`SourceError` after the frames that could be read.
    """

    def __init__(self, path: Path, max_size: tuple[int, int] | None = WORK_SIZE) -> None:
        self.name = str(path)
        self.damaged = 0  # packets that could not be decoded
        try:
            self._container = av.open(str(path))
        except (av.FFmpegError, OSError, UnicodeDecodeError):
            raise SourceError(f"{path}: not a readable video or image") from None
        if not self._container.streams.video:
            self._container.close()
            raise SourceError(f"{path}: not a readable video or image (no video stream)")
        self._stream = stream = self._container.streams.video[0]
        stream.thread_type = "AUTO"
        self._frames = self._decode()
        first = next(self._frames, None)
        if first is None:
            self.close()
            raise SourceError(f"{path}: not a readable video or image")
        self._first = first
        self.rotation = float(first.rotation or 0)
        rate = stream.average_rate or stream.guessed_rate
        self.fps = float(rate) if rate and 1.0 <= float(rate) <= 240.0 else 30.0
        turned = round(self.rotation / 90) % 2 == 1
        upright_wh = (first.height, first.width) if turned else (first.width, first.height)
        self.full_size = upright_wh
        w, h = fit_within(upright_wh, max_size) if max_size else upright_wh
        self._decode_wh = None if (w, h) == upright_wh else ((h, w) if turned else (w, h))
        self.size = (w, h)
        self.frame_count = stream.frames or None

    def _decode(self) -> Iterator[av.VideoFrame]:
        for packet in self._container.demux(self._stream):
            try:
                frames = packet.decode()
            except (av.FFmpegError, ValueError):
                self.damaged += 1
                continue
            yield from frames

    def _image(self, frame: av.VideoFrame) -> np.ndarray:
        if self._decode_wh is None:
            image = frame.to_ndarray(format="bgr24")
        else:  # scaled and converted in one pass
            w, h = self._decode_wh
            image = frame.to_ndarray(format="bgr24", width=w, height=h, interpolation="AREA")
        return upright(image, self.rotation)

    def __iter__(self) -> Iterator[Frame]:
        i, t0, t = 0, self._first.time or 0.0, 0.0
        frame: av.VideoFrame | None = self._first
        while frame is not None:
            # container time from the first frame; a frame without a timestamp, or one out of
            # order, is placed one frame after the previous
            ft = None if frame.time is None else frame.time - t0
            t = ft if ft is not None and (i == 0 or ft > t) else (t + 1.0 / self.fps if i else 0.0)
            yield Frame(self._image(frame), t, i)
            i += 1
            frame = next(self._frames, None)
        missing = (self.frame_count or 0) - i
        if self.damaged or missing > 1:  # one frame of slack for edit lists
            what = f"{self.damaged} damaged packet(s) skipped" if self.damaged else "it ends early"
            expected = f" of {self.frame_count}" if self.frame_count else ""
            raise SourceError(f"{self.name}: the video is damaged ({what}): read {i}{expected} "
                              f"frames, up to {t:.1f} s")

    def close(self) -> None:
        self._container.close()


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


def open_source(spec: str | int | Path, live: bool = False,
                max_size: tuple[int, int] | None = WORK_SIZE) -> FrameSource:
    """Open a frame source (a video file's frames scaled down to fit ``max_size``); raises
    SourceError with a one-line reason if it can't."""
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
            head = fh.read(16)
    except OSError as e:
        raise SourceError(f"{path}: cannot read ({e.strerror or e})") from None
    kind = image_kind(head)
    if kind is not None or path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageSource(path, kind)
    return VideoFileSource(path, max_size)
