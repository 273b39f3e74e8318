"""Frame sources and sinks: exact frame counts and rates, and a live source that drops
stale frames instead of building a backlog."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import av
import numpy as np
import pytest

from coach.errors import SourceError
from coach.io.sinks import VideoFileSink
from coach.io.sources import LiveSource, open_source, parse_camera


def _frame(i: int, w: int = 96, h: int = 64) -> np.ndarray:
    img = np.zeros((h, w, 3), np.uint8)
    img[:, : (i * 7) % w] = (40, 120, 200)
    return img


def _write(path: Path, n: int, fps: float, size=(96, 64)) -> Path:
    with VideoFileSink(path, fps, size) as sink:
        for i in range(n):
            sink.write(_frame(i, *size))
    return path


@pytest.mark.parametrize(("fps", "n"), [(15.0, 30), (30.0, 45), (29.97, 20)])
def test_video_sink_keeps_frame_count_and_rate(tmp_path: Path, fps, n):
    path = _write(tmp_path / "v.mp4", n, fps)
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        assert s.codec_context.name == "h264"
        assert float(s.average_rate) == pytest.approx(fps, rel=1e-3)
        assert sum(1 for _ in c.decode(video=0)) == n


def test_video_sink_pads_odd_sizes(tmp_path: Path):
    path = tmp_path / "odd.mp4"
    with VideoFileSink(path, 10, (95, 63)) as sink:
        for i in range(5):
            sink.write(_frame(i, 95, 63))
    src = open_source(path)
    assert src.size == (96, 64)
    src.close()


def test_video_source_times_frames_on_video_time(tmp_path: Path):
    path = _write(tmp_path / "v.mp4", 20, 10.0)
    with open_source(path) as src:
        frames = list(src)
    assert [f.index for f in frames] == list(range(20))
    assert frames[5].t == pytest.approx(0.5)
    assert src.fps == pytest.approx(10.0)


class _GatedCamera:
    """A camera stand-in that delivers a frame only when the test lets it, so the tests can say
    exactly what arrived while the consumer was busy (no sleeps, no clocks)."""

    def __init__(self) -> None:
        self.permits = threading.Semaphore(1)  # the first frame, read when the source opens
        self.idle = threading.Event()  # set while the reader waits for the next frame
        self.closed = False
        self.n = 0

    def deliver(self, n: int) -> None:
        """Let ``n`` more frames arrive and wait until the source has taken them all."""
        self.idle.clear()
        for _ in range(n):
            self.permits.release()
        assert self.idle.wait(10), "the capture thread did not take the frames"

    def read(self):
        if not self.permits.acquire(blocking=False):
            self.idle.set()
            self.permits.acquire()
        if self.closed:
            return False, None
        self.n += 1
        return True, _frame(self.n)

    def get(self, prop: int) -> float:
        return 30.0

    def isOpened(self) -> bool:  # noqa: N802 - OpenCV's name
        return True

    def release(self) -> None:
        self.closed = True
        self.permits.release()


def test_a_slow_consumer_gets_the_newest_frame_and_stale_ones_are_dropped():
    cam = _GatedCamera()
    src = LiveSource("gated", stall_s=0.05, capture=cam)
    frames = iter(src)
    assert next(frames).index == 0
    cam.deliver(5)  # five frames arrive while the consumer is busy
    assert next(frames).index == 5  # the newest, not a backlog
    assert src.dropped == 4
    src.close()


def test_a_fast_consumer_gets_every_frame():
    cam = _GatedCamera()
    src = LiveSource("gated", capture=cam)
    frames = iter(src)
    seen = [next(frames).index]
    for _ in range(10):
        cam.deliver(1)
        seen.append(next(frames).index)
    src.close()
    assert seen == list(range(11)) and src.dropped == 0


@pytest.mark.parametrize(("spec", "expected"), [(None, 0), ("", 0), ("2", 2),
                                                ("rtsp://cam/stream", "rtsp://cam/stream"),
                                                ("clip.mp4", "clip.mp4")])
def test_parse_camera(spec, expected):
    assert parse_camera(spec) == expected


def test_truncated_video_is_a_source_error(tmp_path: Path):
    good = _write(tmp_path / "v.mp4", 10, 10.0)
    bad = tmp_path / "cut.mp4"
    bad.write_bytes(good.read_bytes()[:200])
    with pytest.raises(SourceError, match="not a readable video"):
        open_source(bad)


class _DyingCamera:
    """A capture that delivers ``n`` frames and then nothing, like an unplugged webcam."""

    def __init__(self, n: int) -> None:
        self.n = n

    def read(self):
        if self.n > 0:
            self.n -= 1
            return True, _frame(self.n)
        time.sleep(0.01)
        return False, None

    def get(self, prop: int) -> float:
        return 30.0

    def isOpened(self) -> bool:  # noqa: N802 - OpenCV's name
        return True

    def release(self) -> None:
        pass


def test_camera_that_disappears_ends_with_a_source_error_and_keeps_the_report(tmp_path: Path):
    import json

    from fakes import FakeEstimator

    from coach.io.sinks import NullSink
    from coach.output.writers import report_writers
    from coach.rules.definitions import find_exercise
    from coach.run import run

    src = LiveSource("usb camera", stall_s=0.3, capture=_DyingCamera(20))
    report_path = tmp_path / "report.json"
    result = run(src, FakeEstimator(), find_exercise("pigeon"), [NullSink()],
                 report_writers(report_path))
    src.close()
    assert result.error and "stopped delivering frames" in result.error
    saved = json.loads(report_path.read_text())
    assert saved["frames"] >= 1 and saved["complete"] is False
    assert "stopped delivering frames" in saved["why_incomplete"]
    assert any("Stopped early" in n for n in saved["notes"])
    assert result.outcome == "source"


def test_video_sink_keeps_colours(tmp_path: Path):
    img = np.zeros((64, 96, 3), np.uint8)
    img[:, :24], img[:, 24:48], img[:, 48:72], img[:, 72:] = (0, 0, 255), (0, 255, 0), \
        (255, 0, 0), (200, 180, 160)
    with VideoFileSink(tmp_path / "c.mp4", 10, (96, 64)) as sink:
        for _ in range(3):
            sink.write(img)
    with av.open(str(tmp_path / "c.mp4")) as c:
        back = next(c.decode(video=0)).to_ndarray(format="bgr24")
    for x in (12, 36, 60, 84):
        assert np.abs(back[32, x].astype(int) - img[32, x]).max() <= 4
