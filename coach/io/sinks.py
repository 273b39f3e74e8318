"""Where annotated frames go: an H.264 video file, a still image, a window, or nowhere."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from coach.errors import CoachError


def _make_folder(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CoachError(f"cannot create {path.parent}: {e.strerror or e}") from None


class Sink:
    """``write`` returns False when the sink wants the run to stop (a window's ``q``)."""

    def write(self, image: np.ndarray) -> bool:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self) -> Sink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class NullSink(Sink):
    def write(self, image: np.ndarray) -> bool:
        return True


class VideoFileSink(Sink):
    """H.264 (yuv420p) MP4 at the source's frame rate, one output frame per input frame."""

    def __init__(self, path: Path, fps: float, size: tuple[int, int], crf: int = 23) -> None:
        self.path = Path(path)
        _make_folder(self.path)
        w, h = size
        self.size = (w + w % 2, h + h % 2)  # yuv420p needs even dimensions
        rate = Fraction(fps).limit_denominator(1001)
        try:
            self._out = av.open(str(self.path), mode="w")
        except (OSError, av.FFmpegError) as e:
            raise CoachError(f"{self.path}: cannot write video ({e})") from None
        self._stream = self._out.add_stream("libx264", rate=rate)
        self._stream.width, self._stream.height = self.size
        self._stream.pix_fmt = "yuv420p"
        self._stream.options = {"crf": str(crf), "preset": "veryfast"}

    def write(self, image: np.ndarray) -> bool:
        h, w = image.shape[:2]
        if (w, h) != self.size:
            image = cv2.copyMakeBorder(image, 0, self.size[1] - h, 0, self.size[0] - w,
                                       cv2.BORDER_REPLICATE)
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="bgr24")
        for packet in self._stream.encode(frame):
            self._out.mux(packet)
        return True

    def close(self) -> None:
        if self._out is None:
            return
        for packet in self._stream.encode():
            self._out.mux(packet)
        self._out.close()
        self._out = None


class ImageSink(Sink):
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        _make_folder(self.path)

    def write(self, image: np.ndarray) -> bool:
        if not cv2.imwrite(str(self.path), image):
            raise CoachError(f"{self.path}: cannot write image")
        return True


class WindowSink(Sink):
    """An OpenCV window; ``q`` or Esc, or closing the window, ends the run."""

    def __init__(self, title: str = "coach") -> None:
        self.title = title
        try:
            cv2.namedWindow(self.title, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO
                            | cv2.WINDOW_GUI_NORMAL)
        except cv2.error as e:
            raise CoachError(f"cannot open a window (is a display available?): "
                             f"{str(e).strip().splitlines()[-1]}") from None
        self._shown = False

    def write(self, image: np.ndarray) -> bool:
        if not self._shown:
            cv2.resizeWindow(self.title, image.shape[1], image.shape[0])
        cv2.imshow(self.title, image)
        key = cv2.waitKey(1) & 0xFF
        if key in (ord("q"), ord("Q"), 27):
            return False
        if self._shown and cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) < 1:
            return False
        self._shown = True
        return True

    def close(self) -> None:
        try:
            cv2.destroyWindow(self.title)
            cv2.waitKey(1)
        except cv2.error:
            pass
