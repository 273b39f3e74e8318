"""A definition's position conditions and checks read over the corpus's frames of its posture
(training part only), to set loose position guards and see a check's noise before any fault of
that stretch is rendered.

    python scripts/posture_readings.py [EXERCISE ...] [--posture NAME] [--clips]

For each position condition: the share of the posture's frames that pass it (a frame whose
landmarks cannot be seen fails) and its readings. For each check: its readings and, for one
judged against the start of the hold, the change from the first ``baseline_s`` of each still
spell of the posture, with the share of frames past the limit: the posture is rendered without
faults, so that share is how often a still person would be told off (before the check's
confirmation time, which removes short blips). Sided postures are read on their true side. The
validation part is never read here.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpuslib import Clip, clips, refuse_validation  # noqa: E402

from coach.pose import Pose  # noqa: E402
from coach.rules import measures as M  # noqa: E402
from coach.rules.definitions import Exercise, find_exercise  # noqa: E402

# The corpus's posture of each stretch the guides teach beyond the first three, as a negative
# clip's posture (the frog of the adductor opener is rendered in its own clips only, from c8).
POSTURES = {
    "child_pose": "child_pose", "happy_baby": "happy_baby", "seated_twist": "seated_twist",
    "prone_glute": "prone_glute", "figure4_twist": "fig4_twist", "runners_lunge": "low_lunge_left",
    "wide_forward_fold": "wide_fold", "cow_face": "cow_face", "side_kick_series": "side_lying",
}


def spells(posture: str, part: str = "train") -> list[tuple[Clip, list[tuple[float, Pose, str | None]]]]:
    """Per clip, the scored frames of each spell of ``posture``: (time, pose, true side)."""
    refuse_validation(part)
    out = []
    for clip in clips(part, kinds=("none",)):
        lab = clip.labels
        if posture not in set(lab["posture"]):
            continue
        poses = clip.poses()
        run: list[tuple[float, Pose, str | None]] = []
        for i, t in enumerate(clip.times):
            if lab["posture"][i] == posture and lab["scored"][i]:
                run.append((float(t), poses[i], lab["side"][i] or None))
            elif run:
                out.append((clip, run))
                run = []
        if run:
            out.append((clip, run))
    return out


def _side(ex: Exercise, true_side: str | None) -> str | None:
    return true_side if ex.sided else M.BOTH


def _stats(values: list[float | None]) -> str:
    v = np.array([x for x in values if x is not None])
    if not len(v):
        return f"n={len(values)}, none readable"
    q = np.percentile(v, [0, 5, 50, 95, 100])
    return (f"read {len(v) / len(values):4.0%}  min {q[0]:7.2f}  p5 {q[1]:7.2f}  median {q[2]:7.2f}"
            f"  p95 {q[3]:7.2f}  max {q[4]:7.2f}")


def report(ex: Exercise, posture: str, per_clip: bool) -> None:
    runs = spells(posture)
    frames = [(t, p, _side(ex, s)) for _, run in runs for t, p, s in run]
    vis = ex.min_visibility
    print(f"{ex.name}: posture {posture!r}, {len(runs)} spells in "
          f"{len({c.id for c, _ in runs})} training clips, {len(frames)} frames")
    print("  position (in position only where every condition holds):")
    every = np.ones(len(frames), bool)
    for i, cond in enumerate(ex.position):
        reads = [M.read(p, cond.measure, s, cond.params, vis) for _, p, s in frames]  # type: ignore[arg-type]
        ok = np.array([not cond.applies(p, s, vis) or (r.ok and cond.holds(r.value))  # type: ignore[arg-type]
                       for (_, p, s), r in zip(frames, reads, strict=True)])
        every &= ok
        print(f"    [{i}] {cond.describe():45s} pass {ok.mean():5.1%}   {_stats([r.value for r in reads])}")
    print(f"    all of them: pass {every.mean():5.1%}")
    for check in ex.checks:
        rule = check.rule
        print(f"  check {check.name} ({check.describe()}):")
        values = [M.read(p, check.measure, s, check.params, vis).value for _, p, s in frames]  # type: ignore[arg-type]
        print(f"    reading     {_stats(values)}")
        window = rule.baseline_window()
        if window is None:
            past = [v is not None and rule.fault(v, None, 0.0) for v in values]
            print(f"    outside its bounds on {np.mean(past):5.1%} of frames")
            continue
        shown: list[float | None] = []
        for clip, run in runs:
            vals = [M.read(p, check.measure, _side(ex, s), check.params, vis).value  # type: ignore[arg-type]
                    for _, p, s in run]
            base = [v for (t, _, _), v in zip(run, vals, strict=True)
                    if v is not None and t - run[0][0] <= window]
            b = float(np.median(base)) if base else None  # as the judge
            got = [None if v is None or b is None else rule.shown(v, b) for v in vals]
            shown += got
            if per_clip:
                print(f"      {clip.id} {clip.view:20s} {run[0][2] or '':5s} change {_stats(got)}")
        past = np.mean([v is not None and v > rule.limit for v in shown])  # type: ignore[attr-defined]
        print(f"    change      {_stats(shown)}")
        print(f"    past the limit on {past:5.1%} of frames")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("exercises", nargs="*", default=list(POSTURES))
    ap.add_argument("--posture", help="the corpus posture to read (default: the exercise's own)")
    ap.add_argument("--clips", action="store_true", help="each spell's change, clip by clip")
    args = ap.parse_args()
    for name in args.exercises:
        ex = find_exercise(name)
        posture = args.posture or POSTURES.get(ex.name)
        if posture is None:
            print(f"{ex.name}: no corpus posture (give --posture)\n")
            continue
        report(ex, posture, args.clips)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
