"""Frame sources and sinks: exact frame counts and rates, and a live source that drops
stale frames instead of building a backlog."""

from __future__ import annotations

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


def test_live_file_source_drops_stale_frames_when_processing_is_slow(tmp_path: Path):
    path = _write(tmp_path / "cam.mp4", 40, 40.0)  # one second of "camera"
    src = LiveSource(str(path))
    seen = []
    started = time.monotonic()
    for frame in src:
        seen.append(frame.index)
        time.sleep(0.1)  # a slow consumer: 10 frames/s against a 40 frames/s camera
    src.close()
    elapsed = time.monotonic() - started
    assert elapsed < 2.0, "the consumer must not work through a backlog"
    assert len(seen) < 25 and src.dropped > 15
    assert seen == sorted(seen) and seen[0] == 0


def test_live_source_keeps_every_frame_when_fast_enough(tmp_path: Path):
    path = _write(tmp_path / "cam.mp4", 20, 20.0)
    src = LiveSource(str(path))
    seen = [f.index for f in src]
    src.close()
    assert len(seen) >= 18  # allow a scheduling hiccup, but no systematic dropping


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
            time.sleep(0.01)
            return True, _frame(self.n)
        time.sleep(0.01)
        return False, None

    def release(self) -> None:
        pass


def test_camera_that_disappears_ends_with_a_source_error_and_keeps_the_report(tmp_path: Path):
    import json

    from coach.io.sinks import NullSink
    from coach.pose.core import Pose
    from coach.rules.definitions import find_exercise
    from coach.run import run

    class _NoBody:
        people = 0

        def estimate(self, image, t):
            return Pose.empty((image.shape[1], image.shape[0]))

    src = LiveSource(str(_write(tmp_path / "cam.mp4", 5, 30.0)), stall_s=0.3)
    src._is_file = False  # behave as a camera: failures are waited on, not end-of-file
    src.cap = _DyingCamera(20)
    report_path = tmp_path / "report.json"
    result = run(src, _NoBody(), find_exercise("pigeon"), [NullSink()], report_path)
    src.close()
    assert result.error and "stopped delivering frames" in result.error
    saved = json.loads(report_path.read_text())
    assert saved["frames"] >= 1 and saved["complete"] is True
    assert any("Stopped early" in n for n in saved["notes"])
