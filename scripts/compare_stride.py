"""Does ``--stride auto`` give the same reports as analysing every frame? On every sample (and
any other videos named), the pose model runs on every frame and, beside it, under
:class:`coach.pose.stride.MotionStride`; both pose streams go through the same sessions (the
sample's exercise, and recognition), and the reports are compared with
:func:`coach.truth.same_report` (faults within 0.2 s, time per side within 2 %, same reps).

    python scripts/compare_stride.py [--max-gap-s 0.5] [VIDEO...]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.io.sources import open_source  # noqa: E402
from coach.pose.estimator import open_estimator  # noqa: E402
from coach.pose.stride import MotionStride  # noqa: E402
from coach.rules.definitions import find_exercise  # noqa: E402
from coach.run import make_session  # noqa: E402
from coach.truth import all_truths, same_report  # noqa: E402


def compare(video: Path, exercise: str | None, first_side: str | None,
            max_gap_s: float) -> tuple[dict[str, list[str]], float, float, float]:
    """Differences per session kind, the fraction of frames the model ran on under stride,
    and seconds spent in the model each way."""
    kinds = {"recognised": None} if exercise is None else {exercise: exercise, "recognised": None}
    sessions: dict[str, dict[str, object]] = {way: {} for way in ("every", "stride")}
    for way in sessions:
        for kind, name in kinds.items():
            ex = find_exercise(name) if name else None
            first = first_side if ex is not None and ex.side.takes_turns else None
            sessions[way][kind] = make_session(ex, first)  # type: ignore[arg-type]
    t_every = t_stride = 0.0
    with open_source(video) as src, open_estimator() as every, open_estimator() as inner:
        stride = MotionStride(inner, max_gap_s)
        for frame in src:
            t0 = time.perf_counter()
            p_every = every.estimate(frame.image, frame.t)
            t1 = time.perf_counter()
            p_stride = stride.estimate(frame.image, frame.t)
            t2 = time.perf_counter()
            t_every, t_stride = t_every + t1 - t0, t_stride + t2 - t1
            for s in sessions["every"].values():
                s.update(p_every, frame.t, every.people)  # type: ignore[attr-defined]
            for s in sessions["stride"].values():
                s.update(p_stride, frame.t, stride.people)  # type: ignore[attr-defined]
        reports = {}
        for way, by_kind in sessions.items():
            for kind, s in by_kind.items():
                s.finish()  # type: ignore[attr-defined]
                reports[way, kind] = s.report(src.name, src.fps)  # type: ignore[attr-defined]
    diffs = {kind: same_report(reports["every", kind], reports["stride", kind]) for kind in kinds}
    return diffs, stride.estimated / max(1, stride.frames), t_every, t_stride


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("videos", nargs="*", type=Path)
    ap.add_argument("--max-gap-s", type=float, default=0.5)
    args = ap.parse_args()
    cases = []
    if args.videos:
        cases = [(v, None, None) for v in args.videos]
    else:
        for t in all_truths():
            ex = None if t.exercise == "none" else t.exercise
            cases.append((t.video, ex, t.first_side))
    failed = 0
    total_every = total_stride = 0.0
    for video, ex, first in cases:
        diffs, ran, t_every, t_stride = compare(video, ex, first, args.max_gap_s)
        total_every, total_stride = total_every + t_every, total_stride + t_stride
        same = all(not d for d in diffs.values())
        failed += not same
        print(f"{video.stem:24s} model on {100 * ran:5.1f} % of frames, "
              f"{t_every / t_stride:4.1f}x less model time: "
              f"{'same' if same else 'DIFFERENT'}", flush=True)
        for kind, d in diffs.items():
            for line in d:
                print(f"    {kind}: {line}")
    print(f"{len(cases) - failed} of {len(cases)} the same; model time "
          f"{total_every / total_stride:.1f}x less with --stride auto "
          f"(max gap {args.max_gap_s:g} s)")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
