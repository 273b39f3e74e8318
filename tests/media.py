"""Small damaged or unusual videos made by the tests themselves (PyAV), a few KB each."""

from __future__ import annotations

import struct
from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def frame(i: int, w: int = 160, h: int = 120, texture: bool = False) -> np.ndarray:
    """A frame that changes every time (a bar grows) and has a white mark at its top-left;
    ``texture``: with noise, so the picture data outweighs the file's index."""
    img = np.full((h, w, 3), 60, np.uint8)
    if texture:
        img = np.random.default_rng(i).integers(40, 90, (h, w, 3), dtype=np.uint8)
    img[h // 2:, : (i * 5) % w] = (40, 120, 200)
    img[: h // 6, : w // 6] = 255
    return img


def write_video(path: Path, n: int = 30, fps: float = 10.0, size: tuple[int, int] = (160, 120),
                times: list[float] | None = None, faststart: bool = False,
                texture: bool = False) -> Path:
    """An H.264 mp4 of ``n`` frames; ``times``: each frame's timestamp (variable frame rate)."""
    options = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), "w", options=options) as out:
        stream = out.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        if times is not None:
            stream.codec_context.time_base = Fraction(1, 1000)
        for i in range(n if times is None else len(times)):
            f = av.VideoFrame.from_ndarray(frame(i, *size, texture), format="bgr24")
            if times is not None:
                f.pts, f.time_base = round(times[i] * 1000), Fraction(1, 1000)
            for packet in stream.encode(f):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def set_rotation(path: Path, rotate: int) -> Path:
    """Store a display rotation in the track header, as a phone does (``rotate`` = 90: shown
    turned a quarter clockwise, FFmpeg's ``rotate=90``)."""
    data = bytearray(path.read_bytes())
    i = data.index(b"tkhd") + 4
    assert data[i] == 0, "version 0 track header expected"
    matrix_at = i + 4 + 4 * 5 + 8 + 8
    one, zero = 0x10000, 0
    matrices = {90: (zero, one, zero, -one, zero, zero), 270: (zero, -one, zero, one, zero, zero),
                180: (-one, zero, zero, zero, -one, zero)}
    a, b, u, c, d, v = matrices[rotate]
    data[matrix_at:matrix_at + 36] = struct.pack(">9i", a, b, u, c, d, v, 0, 0, 1 << 30)
    path.write_bytes(bytes(data))
    return path


def cut(path: Path, fraction: float) -> Path:
    """Keep only the first ``fraction`` of the file (a copy that was interrupted)."""
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    return path


def garble(path: Path, nbytes: int = 8192) -> Path:
    """Overwrite ``nbytes`` in the middle of the file with noise (a damaged stretch)."""
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    noise = np.random.default_rng(1).integers(0, 256, nbytes, dtype=np.uint8).tobytes()
    data[mid:mid + nbytes] = noise[: len(data) - mid]
    path.write_bytes(bytes(data))
    return path


def concat_videos(paths: list[Path], out: Path) -> Path:
    """The videos one after the other in one H.264 mp4 (same size and frame rate expected), as
    one recording of several stretches; frame times run on across the joins."""
    with av.open(str(paths[0])) as first:
        stream0 = first.streams.video[0]
        rate, size = stream0.average_rate, (stream0.codec_context.width, stream0.codec_context.height)
    with av.open(str(out), "w") as dst:
        stream = dst.add_stream("libx264", rate=rate)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        for path in paths:
            with av.open(str(path)) as src:
                for f in src.decode(video=0):
                    img = f.to_ndarray(format="bgr24")
                    assert img.shape[1::-1] == size, f"{path}: not {size}"
                    for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="bgr24")):
                        dst.mux(packet)
        for packet in stream.encode():
            dst.mux(packet)
    return out
