"""Where annotated frames go: an H.264 video file, a still image, a window, or nowhere."""

from __future__ import annotations

import contextlib
import os
import sys
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from coach.errors import CoachError, OutputError


def _make_folder(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CoachError(f"cannot create {path.parent}: {e.strerror or e}") from None


def _reason(e: Exception) -> str:
    return getattr(e, "strerror", None) or str(e)


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


# x264's speed preset. "superfast" keeps CABAC and the deblocking filter (so the same CRF looks
# the same) but searches motion less and plans no rate ahead: about two thirds of "veryfast"'s
# time per frame, so encoding keeps up with the pose model on the other core, for files
# about twice as big (still well under 1 Mbit/s at 720p for a mat and a person).
# "ultrafast" would drop CABAC and deblocking: blocky, and five times bigger.
PRESET = "superfast"


class VideoFileSink(Sink):
    """H.264 (yuv420p) MP4 at the source's frame rate, one output frame per input frame.

    ``fragmented``: written in self-contained fragments of about a second (and without encoder
    lookahead), so a recording killed mid-way still plays up to its last second or two.
    Otherwise the index is written at ``close``. A video without frames is removed at
    ``close``. A write that fails (disk full) raises
    :class:`OutputError`; the encoder is not touched again and ``close`` removes the file, so
    nothing unplayable is left behind.
    """

    def __init__(self, path: Path, fps: float, size: tuple[int, int], crf: int = 23,
                 fragmented: bool = False, preset: str = PRESET) -> None:
        self.path = Path(path)
        _make_folder(self.path)
        w, h = size
        self.size = (w + w % 2, h + h % 2)  # yuv420p needs even dimensions
        self._failed: str | None = None
        self._written = False
        rate = Fraction(fps).limit_denominator(1001)
        options: dict[str, str] = {}
        if fragmented:
            options = {"movflags": "frag_keyframe+empty_moov+default_base_moof",
                       "frag_duration": "1000000", "flush_packets": "1"}
        try:
            with open(self.path, "wb"):  # the muxer opens the file only at the first frame
                pass
            self._out = av.open(str(self.path), mode="w", format="mp4", options=options)
        except (OSError, av.FFmpegError) as e:
            raise OutputError(f"{self.path}: cannot write video ({_reason(e)})") from None
        self._stream = self._out.add_stream("libx264", rate=rate)
        self._stream.width, self._stream.height = self.size
        self._stream.pix_fmt = "yuv420p"
        self._stream.options = {"crf": str(crf), "preset": preset}
        if fragmented:  # a keyframe every second starts a fragment; no frames held back
            self._stream.options |= {"tune": "zerolatency", "g": str(max(1, round(fps)))}

    def write(self, image: np.ndarray) -> bool:
        if self._failed:
            raise OutputError(self._failed)
        h, w = image.shape[:2]
        if (w, h) != self.size:
            image = cv2.copyMakeBorder(image, 0, self.size[1] - h, 0, self.size[0] - w,
                                       cv2.BORDER_REPLICATE)
        # OpenCV's BGR -> YUV 4:2:0 (BT.601, as swscale's) is about three times faster than
        # handing x264 BGR to convert
        yuv = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_BGR2YUV_I420)
        frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
        try:
            for packet in self._stream.encode(frame):
                self._out.mux(packet)
        except (OSError, av.FFmpegError) as e:
            self._fail(e)
        self._written = True
        return True

    def _fail(self, e: Exception) -> None:
        # FFmpeg crashes if a muxer that failed is flushed again: from here on only close it
        self._failed = f"{self.path}: cannot write video ({_reason(e)})"
        raise OutputError(self._failed) from None

    def close(self) -> None:
        """Finalise the video (playable up to the last frame written) or, if it cannot be
        finalised, remove it; raises :class:`OutputError` in the second case."""
        if self._out is None:
            return
        out, self._out = self._out, None
        if not self._written and not self._failed:  # no frame came (the run stopped first)
            with contextlib.suppress(OSError, av.FFmpegError):
                out.close()
            self.path.unlink(missing_ok=True)
            return
        if not self._failed:
            try:
                for packet in self._stream.encode():
                    out.mux(packet)
                out.close()
                return
            except (OSError, av.FFmpegError) as e:
                self._failed = f"{self.path}: cannot write video ({_reason(e)})"
        with contextlib.suppress(OSError, av.FFmpegError):
            out.close()
        self.path.unlink(missing_ok=True)
        raise OutputError(f"{self._failed}; removed the unfinished video")


class ImageSink(Sink):
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        _make_folder(self.path)

    def write(self, image: np.ndarray) -> bool:
        ok, data = cv2.imencode(self.path.suffix or ".png", image)
        if not ok:
            raise OutputError(f"{self.path}: cannot encode image")
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        try:  # written whole or not at all
            tmp.write_bytes(data.tobytes())
            os.replace(tmp, self.path)
        except OSError as e:
            tmp.unlink(missing_ok=True)
            raise OutputError(f"{self.path}: cannot write image ({_reason(e)})") from None
        return True


def no_display(env: dict[str, str] | None = None) -> str | None:
    """Why no window can be shown on Linux (no display, or a local X display with no server
    listening), or None where one can be tried."""
    env = dict(os.environ) if env is None else env
    if not sys.platform.startswith("linux") or env.get("WAYLAND_DISPLAY"):
        return None
    display = env.get("DISPLAY", "")
    if not display:
        return "no display (DISPLAY is not set)"
    host, _, number = display.rpartition(":")
    if host in ("", "unix") and number:
        socket = Path("/tmp/.X11-unix") / f"X{number.split('.')[0]}"
        if not socket.exists():
            return f"no X server on display {display}"
    return None


class WindowSink(Sink):
    """An OpenCV window; ``q`` or Esc, or closing the window, ends the run."""

    def __init__(self, title: str = "coach") -> None:
        self.title = title
        missing = no_display()
        if missing:  # Qt would abort the process rather than raise
            raise CoachError(f"cannot open a window: {missing}; use --no-window to coach "
                             "without one")
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
