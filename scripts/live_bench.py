"""Live responsiveness: display latency (camera read -> its overlay on screen) against the pose
model's time per frame measured alone in the same run, where the time goes, and dropped frames,
with a video standing in for the camera, read at its own frame rate as a camera delivers.

    xvfb-run -a python scripts/live_bench.py samples/figure4_clean.mp4 -e figure-4   # a window
    python scripts/live_bench.py samples/figure4_clean.mp4 -e figure-4 --no-window
    xvfb-run -a python scripts/live_bench.py samples/figure4_clean.mp4   # stretch recognised

First the model alone runs on the video's frames decoded beforehand (the baseline); then the
live session (guided start skipped: ``--setup-s 0``). With a window (needs a display, e.g.
under ``xvfb-run``) "shown" is when the window has painted the frame (the event loop run after
``imshow``); without one it is when the frame's decisions are made. Per frame, the latency is
split into: waiting for the model (read -> model starts), the model, and after it (handing
over, deciding, drawing the screen, showing it).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import cv2

from coach.io.sources import LiveSource
from coach.live import LiveOptions, run_live
from coach.output.speech import Speaker
from coach.pose.estimator import open_estimator
from coach.rules.definitions import find_exercise


class PacedCapture:
    """A video file read like a camera: one frame every 1/fps, each read's time noted."""

    def __init__(self, path: Path) -> None:
        self.cap = cv2.VideoCapture(str(path))
        self.fps = self.cap.get(cv2.CAP_PROP_FPS) or 30.0
        self.read_at: list[float] = []
        self.index_of: dict[int, int] = {}  # id(image) -> frame index, for the model's timing
        self.t0: float | None = None

    def read(self):  # noqa: ANN201 - cv2's signature
        if self.t0 is None:
            self.t0 = time.monotonic()
        due = self.t0 + len(self.read_at) / self.fps
        if due > time.monotonic():
            time.sleep(due - time.monotonic())
        ok, image = self.cap.read()
        if ok:
            self.index_of[id(image)] = len(self.read_at)
            self.read_at.append(time.monotonic())
        return ok, image

    def get(self, prop: int) -> float:
        return self.cap.get(prop)

    def isOpened(self) -> bool:  # noqa: N802 - OpenCV's name
        return self.cap.isOpened()

    def release(self) -> None:
        self.cap.release()


class TimedEstimator:
    """The estimator, each call's start and end noted by frame index."""

    def __init__(self, est, cap: PacedCapture) -> None:  # noqa: ANN001
        self.est, self.cap = est, cap
        self.spans: dict[int, tuple[float, float]] = {}

    @property
    def people(self) -> int:
        return self.est.people

    def estimate(self, image, t: float = 0.0):  # noqa: ANN001, ANN201
        t0 = time.monotonic()
        pose = self.est.estimate(image, t)
        i = self.cap.index_of.pop(id(image), None)
        if i is not None:
            self.spans[i] = (t0, time.monotonic())
        return pose


def model_alone(path: Path, limit: int = 150) -> float:
    """The pose model's milliseconds per frame, alone, on the video's first ``limit`` frames
    decoded beforehand (a fresh estimator, as the live session's)."""
    cap = cv2.VideoCapture(str(path))
    frames = []
    while len(frames) < limit:
        ok, image = cap.read()
        if not ok:
            break
        frames.append(image)
    cap.release()
    with open_estimator(None, video=True) as est:
        est.estimate(frames[0], 0.0)
        t0 = time.perf_counter()
        for i, f in enumerate(frames[1:], 1):
            est.estimate(f, i / 15)
        return 1000 * (time.perf_counter() - t0) / (len(frames) - 1)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("video", type=Path)
    ap.add_argument("-e", "--exercise", help="the stretch asked for (default: recognised, as "
                                             "`coach live` without --exercise)")
    ap.add_argument("--no-window", action="store_true")
    ap.add_argument("--window-size", default="1280x720")
    ap.add_argument("--skip-s", type=float, default=2.0,
                    help="leave the first seconds out of the latency (window opening, warm-up)")
    args = ap.parse_args()
    if not args.video.is_file():
        raise SystemExit(f"live_bench: {args.video}: no such file")
    ex = find_exercise(args.exercise) if args.exercise else None
    alone_ms = model_alone(args.video)
    cap = PacedCapture(args.video)
    source = LiveSource("bench", stall_s=0.5, capture=cap)
    shown: dict[int, float] = {}
    display = None
    if not args.no_window:
        from coach.io.window import Window

        w, h = (int(v) for v in args.window_size.split("x"))
        display = Window("coach bench", (w, h))
    with source, open_estimator(None, video=True) as raw:
        est = TimedEstimator(raw, cap)
        t0 = time.monotonic()
        result = run_live(source, est, ex, display, Speaker(None),
                          options=LiveOptions(setup_s=0, countdown_s=0, summary_s=0),
                          on_shown=lambda i, t: shown.setdefault(i, t))
        wall = time.monotonic() - t0
    if display is not None:
        display.close()
    read = len(cap.read_at)
    first = round(args.skip_s * cap.fps)
    rows = [(cap.read_at[i], *est.spans[i], t) for i, t in shown.items()
            if first <= i < read and i in est.spans]
    where = f"window {args.window_size}, painted" if display else "no window, decided"
    print(f"{args.video.name}: {read} frames read at {cap.fps:g} fps in {wall:.1f} s, "
          f"{len(shown)} shown ({where})")
    print(f"  dropped (never shown): {read - len(shown)} ({(read - len(shown)) / read:.0%}); "
          f"source dropped {source.dropped} stale frames; report frames {result.report.frames}")
    if not rows:
        return
    lat = [1000 * (s - r) for r, _, _, s in rows]
    wait = [1000 * (a - r) for r, a, _, _ in rows]
    model = [1000 * (b - a) for _, a, b, _ in rows]
    after = [1000 * (s - b) for _, _, b, s in rows]
    med = statistics.median(lat)
    print(f"  model alone (decoded beforehand, same run): {alone_ms:.1f} ms per frame")
    print(f"  display latency, frames after the first {args.skip_s:g} s ({len(rows)}): median "
          f"{med:.1f} ms = {med / alone_ms:.2f}x the model alone (goal <= 1.2x), "
          f"p95 {pct(lat, 0.95):.1f}, max {max(lat):.1f}")
    print(f"    of which (medians): waiting for the model {statistics.median(wait):.1f} ms, "
          f"the model {statistics.median(model):.1f} ms, after it (decide, draw, show) "
          f"{statistics.median(after):.1f} ms")
    backlog = sum(1 for x in lat if x > 1000 / cap.fps + alone_ms * 2)
    print(f"  backlog: {backlog} frames shown more than a frame interval + 2 model times late")


if __name__ == "__main__":
    main()
