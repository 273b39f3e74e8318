"""Live responsiveness: display latency (camera read -> frame on screen) and dropped frames,
with a video standing in for the camera, read at its own frame rate as a camera delivers.

    python scripts/live_bench.py samples/figure4_clean.mp4 -e figure-4            # a window
    python scripts/live_bench.py samples/figure4_clean.mp4 -e figure-4 --no-window

With a window (needs a display, e.g. under ``xvfb-run``) "shown" is after ``imshow``; without
one it is when the frame's decisions are made. The guided start is skipped (``--setup-s 0``).
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
        self.t0: float | None = None

    def read(self):  # noqa: ANN201 - cv2's signature
        if self.t0 is None:
            self.t0 = time.monotonic()
        due = self.t0 + len(self.read_at) / self.fps
        if due > time.monotonic():
            time.sleep(due - time.monotonic())
        ok, image = self.cap.read()
        if ok:
            self.read_at.append(time.monotonic())
        return ok, image

    def get(self, prop: int) -> float:
        return self.cap.get(prop)

    def isOpened(self) -> bool:  # noqa: N802 - OpenCV's name
        return self.cap.isOpened()

    def release(self) -> None:
        self.cap.release()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("video", type=Path)
    ap.add_argument("-e", "--exercise", required=True)
    ap.add_argument("--no-window", action="store_true")
    ap.add_argument("--window-size", default="1280x720")
    args = ap.parse_args()
    ex = find_exercise(args.exercise)
    cap = PacedCapture(args.video)
    source = LiveSource("bench", stall_s=0.5, capture=cap)
    shown: dict[int, float] = {}
    display = None
    if not args.no_window:
        from coach.io.window import Window

        w, h = (int(v) for v in args.window_size.split("x"))
        display = Window("coach bench", (w, h))
    with source, open_estimator(None, video=True) as est:
        t0 = time.monotonic()
        result = run_live(source, est, ex, display, Speaker(None),
                          options=LiveOptions(setup_s=0, countdown_s=0, summary_s=0),
                          on_shown=lambda i, t: shown.setdefault(i, t))
        wall = time.monotonic() - t0
    if display is not None:
        display.close()
    lat = sorted((t - cap.read_at[i]) * 1000 for i, t in shown.items() if i < len(cap.read_at))
    read = len(cap.read_at)
    print(f"{args.video.name}: {read} frames read at {cap.fps:g} fps in {wall:.1f} s, "
          f"{len(shown)} shown ({'window ' + args.window_size if display else 'no window'})")
    print(f"  dropped (never shown): {read - len(shown)} ({(read - len(shown)) / read:.0%}); "
          f"source dropped {source.dropped} stale frames")
    if lat:
        p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))]
        print(f"  display latency ms: median {statistics.median(lat):.0f}, p95 {p95:.0f}, "
              f"max {lat[-1]:.0f}")
    print(f"  shown rate {len(shown) / wall:.1f} fps; report frames {result.report.frames}")


if __name__ == "__main__":
    main()
