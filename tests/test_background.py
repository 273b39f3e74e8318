"""Threads beside the run loop: order kept, queues bounded, errors raised where they belong,
and a large video decoded at the working size."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from fakes import Clip, FakeEstimator
from media import write_video

from coach.errors import OutputError, SourceError
from coach.io.background import Behind, Prefetch
from coach.io.sinks import NullSink, VideoFileSink
from coach.io.sources import fit_within, open_source
from coach.rules.definitions import find_exercise
from coach.run import run


def _numbers(n: int, error: Exception | None = None, produced: list[int] | None = None):
    for i in range(n):
        if produced is not None:
            produced.append(i)
        yield i
    if error is not None:
        raise error


def test_prefetch_keeps_order_and_raises_the_source_error_after_its_items():
    got = []
    with pytest.raises(SourceError, match="damaged"):
        for i in Prefetch(_numbers(50, SourceError("damaged")), depth=3):
            got.append(i)
    assert got == list(range(50))


def test_prefetch_reads_at_most_depth_ahead_and_close_stops_it():
    produced: list[int] = []
    frames = Prefetch(_numbers(1000, produced=produced), depth=3)
    assert next(frames) == 0
    time.sleep(0.3)
    assert len(produced) <= 1 + 3 + 1  # taken, queued, one waiting to be queued
    frames.close()
    assert not frames._thread.is_alive()
    with pytest.raises(StopIteration):
        next(frames)


def test_behind_works_in_order_on_another_thread_and_finish_waits():
    done, threads = [], set()

    def work(i: int) -> bool:
        threads.add(threading.current_thread().name)
        time.sleep(0.001)
        done.append(i)
        return True

    behind = Behind(work, depth=2)
    for i in range(40):
        behind.put(i)
    behind.finish()
    assert done == list(range(40)) and threads == {"coach-behind"}


def test_behind_raises_the_work_error_on_a_later_put_and_drops_the_rest():
    done = []

    def work(i: int) -> bool:
        if i == 5:
            raise OutputError("disk full")
        done.append(i)
        return True

    behind = Behind(work, depth=2)
    with pytest.raises(OutputError, match="disk full"):
        for i in range(100):
            behind.put(i)
    behind.finish()  # raised once only
    assert done == list(range(5))


def test_behind_depth_zero_works_in_the_callers_thread():
    names = []
    behind = Behind(lambda i: names.append(threading.current_thread().name) or i < 2, depth=0)
    for i in range(3):
        behind.put(i)
    assert names == [threading.current_thread().name] * 3 and behind.stopped


@pytest.mark.parametrize(("size", "expected"), [
    ((640, 480), (640, 480)), ((1280, 720), (1280, 720)), ((1920, 1080), (1280, 720)),
    ((3840, 2160), (1280, 720)), ((1080, 1920), (720, 1280)), ((1768, 994), (1280, 720)),
    ((2000, 800), (1280, 512)), ((95, 63), (95, 63)),
])
def test_fit_within_the_working_size_either_way_round(size, expected):
    assert fit_within(size) == expected


def test_a_large_video_is_decoded_at_the_working_size(tmp_path: Path):
    path = write_video(tmp_path / "big.mp4", 4, size=(1920, 1080))
    with open_source(path) as src:
        frames = list(src)
        assert src.size == (1280, 720) and src.full_size == (1920, 1080)
    assert {f.image.shape for f in frames} == {(720, 1280, 3)}
    with open_source(path, max_size=None) as src:
        assert next(iter(src)).image.shape == (1080, 1920, 3)


def test_a_threaded_run_writes_every_frame_in_order(tmp_path: Path):
    path = write_video(tmp_path / "v.mp4", 45, size=(160, 120))  # a bar grows 5 px a frame
    out = tmp_path / "out.mp4"
    with open_source(path) as src, VideoFileSink(out, src.fps, src.size) as sink:
        result = run(src, FakeEstimator(), find_exercise("pigeon"), [sink])
    assert result.outcome == "complete" and result.report.frames == 45
    with open_source(out) as back:
        bars = [int((f.image[85, :, 2] > 150).sum()) for f in back]
    assert len(bars) == 45
    assert all(abs(b - (i * 5) % 160) <= 2 for i, b in enumerate(bars)), bars


def test_an_unexpected_error_stops_the_threads():
    class Broken(FakeEstimator):
        def estimate(self, frame_bgr, t=0.0):
            if t > 0.5:
                raise RuntimeError("bug")
            return super().estimate(frame_bgr, t)

    before = threading.active_count()
    with pytest.raises(RuntimeError, match="bug"):
        run(Clip(2.0), Broken(), find_exercise("pigeon"), [NullSink()])
    assert threading.active_count() == before


# Motion-adaptive stride (coach.pose.stride) ----------------------------------------------

class _Counting(FakeEstimator):
    def __init__(self, make=None):
        super().__init__(make)
        self.calls = 0

    def estimate(self, frame_bgr, t=0.0):
        self.calls += 1
        return super().estimate(frame_bgr, t)


def test_stride_repeats_the_pose_while_the_picture_is_still_and_runs_when_it_moves():
    import numpy as np
    import synth

    from coach.pose.stride import MotionStride

    pose = synth.pigeon()
    inner = _Counting(lambda t: pose)
    stride = MotionStride(inner, max_gap_s=0.5)
    w, h = pose.image_wh
    still = np.full((h, w, 3), 120, np.uint8)
    for i in range(15):  # 1 s of a still picture at 15 frames/s
        assert stride.estimate(still, i / 15) is pose
    assert inner.calls == 2  # at 0 and 0.53 s: at least every max_gap_s
    moved = still.copy()
    moved[h // 4:h // 2, w // 4:w // 2] = 30  # a sixteenth of the picture changes
    stride.estimate(moved, 15 / 15)
    assert inner.calls == 3 and stride.people == 1
    assert (stride.frames, stride.estimated) == (16, 3)
