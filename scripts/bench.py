"""Where the time goes, per frame, for analysing a sample: decode, pose model, rules and state,
overlay, H.264 encode. Prints milliseconds per frame, each stage's share and the overall
frames per second (ratios in one run, since machines here are noisy), and peak memory.

    python scripts/bench.py [samples/NAME.mp4] [--exercise NAME]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from coach.io.sinks import VideoFileSink
from coach.io.sources import open_source
from coach.output.annotate import Overlay
from coach.pose.estimator import open_estimator
from coach.rules.definitions import find_exercise
from coach.run import make_session
from coach.truth import SAMPLES_DIR, load_truth


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("video", nargs="?", default=str(SAMPLES_DIR / "pigeon_clean.mp4"))
    ap.add_argument("--exercise")
    args = ap.parse_args()
    video = Path(args.video)
    exercise = args.exercise or load_truth(video).exercise
    ex = find_exercise(exercise if exercise != "none" else "pigeon")
    stages = {"decode": 0.0, "pose model": 0.0, "rules + state": 0.0, "overlay": 0.0,
              "encode": 0.0}
    n = 0
    with tempfile.TemporaryDirectory() as tmp, open_source(video) as src, \
            open_estimator() as est:
        session, overlay = make_session(ex), Overlay(ex)
        sink = VideoFileSink(Path(tmp) / "out.mp4", src.fps or 30.0, src.size)
        frames = iter(src)
        t_all = time.perf_counter()
        while True:
            t0 = time.perf_counter()
            frame = next(frames, None)
            t1 = time.perf_counter()
            if frame is None:
                break
            pose = est.estimate(frame.image, frame.t)
            t2 = time.perf_counter()
            state = session.update(pose, frame.t, est.people)
            t3 = time.perf_counter()
            image = overlay.annotate(frame.image.copy(), state)
            t4 = time.perf_counter()
            sink.write(image)
            t5 = time.perf_counter()
            for k, dt in zip(stages, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=True):
                stages[k] += dt
            n += 1
        sink.close()
        total = time.perf_counter() - t_all
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{video.name}: {n} frames {src.size[0]}x{src.size[1]}, exercise {ex.name}")
    for k, v in stages.items():
        print(f"  {k:14s} {1000 * v / n:7.2f} ms/frame  {100 * v / total:5.1f} %")
    print(f"  {'total':14s} {1000 * total / n:7.2f} ms/frame  -> {n / total:.1f} frames/s "
          f"({n / total / (src.fps or 30):.2f}x real time)")
    print(f"  peak memory {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
