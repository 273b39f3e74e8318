"""Choose how the coach dates the end of a hold (coach.session.timing.ExitDater's look-back and
the share of the way out that counts as leaving), on the corpus's training part only.

    python scripts/fit_exits.py [--clips 12] [--look 1.5,2,2.5] [--frac 0.05,0.1,0.2]

For each setting the coach runs, as with ``--exercise NAME``, over the first ``--clips`` training
clips of every stretch (scripts/accuracy.py's ``run_session``: the recogniser runs once per clip,
each setting replays it), and each side's time in position is compared with the truth's time in
the stretch, as scripts/accuracy.py does on the validation part: the share of sides (3 s or more
in the truth) within 10 %, the median and mean relative error, and when each hold left within the
clip was let go against the truth (stretches with movements to count are not dated, so theirs
stay as they are). The setting with the most sides within 10 % is printed last; it goes into
ExitDater's defaults by hand. The validation part is never read. The first setting takes about
3.5 minutes here (one core), each further one less.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy import run_session, side_time_errors  # noqa: E402
from corpuslib import Clip, clips  # noqa: E402

from coach.rules.definitions import find_exercise  # noqa: E402
from coach.session.timing import ExitDater  # noqa: E402


def _truth_holds(clip: Clip) -> list[tuple[float, bool]]:
    """(end, left within the clip) of each run of frames in the stretch on one side."""
    lab = clip.labels
    inside, side, t = lab["stretch"] != "", lab["side"], clip.times
    out, i = [], 0
    while i < clip.n:
        if not inside[i]:
            i += 1
            continue
        j = i
        while j < clip.n and inside[j] and side[j] == side[i]:
            j += 1
        out.append((float(t[j - 1]) + 1 / clip.fps, j < clip.n))
        i = j
    return out


def score(part: list[Clip], look_s: float, frac: float) -> dict:
    """Time per side against the truth, and how late holds were let go, for one setting."""
    errors, late = [], []
    for clip in part:
        ex = find_exercise(clip.kind)
        r = run_session(clip.kind, clip, exits=ExitDater(look_s=look_s, start_frac=frac))
        report = r["report"]
        errors += side_time_errors(clip, report, ex.sided)
        for end, left in _truth_holds(clip):
            got = [iv["end_s"] for iv in report["in_position"] if iv["start_s"] < end]
            if left and got:
                late.append(got[-1] - end)
    e, x = np.array(errors), np.array(late)
    return {"within_10pct": float(np.mean(np.abs(e) <= 0.10)), "median_error": float(np.median(e)),
            "mean_abs_error": float(np.mean(np.abs(e))), "sides": len(e),
            "let_go_late_p10_50_90": np.percentile(x, [10, 50, 90]).round(2).tolist()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", type=int, default=12, help="training clips per stretch")
    ap.add_argument("--look", default="1.5,2,2.5", help="look-back lengths to try, seconds")
    ap.add_argument("--frac", default="0.05,0.1,0.2", help="shares of the way out to try")
    args = ap.parse_args()
    train = clips("train")
    kinds = sorted({c.kind for c in train} - {"none", "routine"})
    part = [c for k in kinds for c in [c for c in train if c.kind == k][: args.clips]]
    print(f"{len(part)} training clips ({args.clips} per stretch at most)", flush=True)
    results = []
    grid = [(float(a), float(b)) for a in args.look.split(",") for b in args.frac.split(",")]
    for look_s, frac in grid:
        r = score(part, look_s, frac)
        results.append((r["within_10pct"], -r["mean_abs_error"], look_s, frac))
        print(f"look_s {look_s:.2f} start_frac {frac:.2f}: within 10 % "
              f"{r['within_10pct']:.3f} of "
              f"{r['sides']} sides, median error {r['median_error']:+.3f}, mean |error| "
              f"{r['mean_abs_error']:.3f}, let go late (s, p10/50/90) {r['let_go_late_p10_50_90']}",
              flush=True)
    best = max(results)
    print(f"best: look_s {best[2]} start_frac {best[3]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
