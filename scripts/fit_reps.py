"""How an exercise's reps are counted on the corpus against the truth, for a grid of settings of
its ``[reps]``: for choosing them on the training part and reporting the choice on the
validation part (which is never used to choose).

    python scripts/fit_reps.py EXERCISE [--part train|val] [--swing 15,20] [--min-s 0.2,0.3]
    python scripts/fit_reps.py EXERCISE --enter 30,40 --exit 15,20   # a count without swing
    python scripts/fit_reps.py EXERCISE --measure hips_flexed --swing 20   # another measure

The coach (recogniser, session, as ``scripts/accuracy.py`` runs it) goes over every clip of the
exercise in the part once per setting, in one process: the recogniser reads each clip once and
its reading is replayed for every setting, so a setting costs only the sessions. A grid axis
left out keeps the definition's own value; ``--measure`` counts on another measure (with its
default parameters) instead. A setting that would count the other way round from the
definition (enter and exit swapped) is skipped. Printed per setting as it is tried, then on the
training part again best first (most clips counted exactly on every side, then the smallest
total error; the validation part is not ranked): clips exact, true reps found (at most the true
number per side), reps counted beyond the truth, the mean error per side (counted minus true).
Nothing is written: the chosen setting goes into ``poses/EXERCISE.toml`` by hand, with
its figures in a comment.
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import accuracy  # noqa: E402
from corpuslib import clips  # noqa: E402


def floats(text: str) -> list[float]:
    try:
        out = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if not out:
        raise argparse.ArgumentTypeError("an empty list")
    if not all(math.isfinite(x) for x in out):
        raise argparse.ArgumentTypeError(f"not finite numbers: {text!r}")
    return out


class CountTally:
    """Counts per side against the truth's, added up over clips: clips counted exactly on every
    side, true movements found (at most the true number per side), ones counted beyond the
    truth, and each side's error (counted minus true)."""

    def __init__(self) -> None:
        self.clips = self.exact = self.found = self.true = self.extra = 0
        self.errors: list[int] = []

    def add(self, got: dict[str, int], want: dict[str, int]) -> None:
        self.clips += 1
        self.exact += all(got[s] == want[s] for s in want)
        for s in want:
            self.found += min(got[s], want[s])
            self.true += want[s]
            self.extra += max(got[s] - want[s], 0)
            self.errors.append(got[s] - want[s])

    def figures(self) -> dict:
        return {"clips": self.clips, "exact": self.exact, "found": self.found, "true": self.true,
                "extra": self.extra, "abs_error": sum(abs(e) for e in self.errors),
                "mean_error": sum(self.errors) / max(len(self.errors), 1)}


def score(exercise: str, part: list, definition) -> dict:
    """Counted against true reps over the clips, per side."""
    tally = CountTally()
    for c in part:
        sides = accuracy.run_session(exercise, c, definition=definition)["report"]["sides"]
        want = c.reps()
        tally.add({s: sides[s]["reps"] for s in want}, want)
    return tally.figures()


def main() -> int:
    from pydantic import ValidationError

    from coach.errors import CoachError
    from coach.rules.definitions import find_exercise
    from coach.rules.measures import get_measure, validate_params

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("exercise")
    ap.add_argument("--part", default="train", choices=("train", "val"))
    ap.add_argument("--measure", help="count on this measure (its default parameters) instead")
    for name in ("enter", "exit", "swing", "min-s"):
        ap.add_argument(f"--{name}", type=floats, help="comma-separated values to try")
    args = ap.parse_args()
    try:
        ex = find_exercise(args.exercise)
    except CoachError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if ex.reps is None:
        print(f"error: {ex.name} counts no reps (no [reps] in its definition)", file=sys.stderr)
        return 2
    if args.swing and ex.reps.swing is None:
        print(f"error: {ex.name}'s reps have no swing to vary (they count past enter and exit)",
              file=sys.stderr)
        return 2
    try:
        part = [c for c in clips(args.part) if c.kind == ex.name]
    except (OSError, ValueError) as e:
        print(f"error: cannot read the corpus: {e}", file=sys.stderr)
        return 2
    if not part:
        print(f"error: no clips of {ex.name} in the {args.part} part", file=sys.stderr)
        return 2
    r = ex.reps
    if args.measure and args.measure != r.measure:
        try:
            r = r.model_copy(update={"measure": args.measure,
                                     "params": validate_params(get_measure(args.measure), {})})
        except ValueError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    axes = {"enter": args.enter or [r.enter], "exit": args.exit or [r.exit],
            "swing": args.swing or [r.swing], "min_s": args.min_s or [r.min_s]}
    deeper = ex.reps.enter > ex.reps.exit  # which way the definition counts
    rows = []
    for values in itertools.product(*axes.values()):
        setting = dict(zip(axes, values, strict=True))
        if setting["enter"] == setting["exit"] or (setting["enter"] > setting["exit"]) != deeper:
            print(f"{_setting(setting)}: skipped (enter must lie beyond exit the way the definition "
                  f"counts: enter {'above' if deeper else 'below'} exit)", flush=True)
            continue
        try:
            reps = type(r).model_validate({**r.model_dump(), **setting})
        except ValidationError as e:
            print(f"error: {_setting(setting)}: {e.errors()[0]['msg']}", file=sys.stderr)
            return 2
        t0 = time.monotonic()
        fig = score(ex.name, part, ex.model_copy(update={"reps": reps}))
        rows.append((setting, fig))
        own = reps.measure == ex.reps.measure and reps.params == ex.reps.params and all(
            getattr(ex.reps, k) == v for k, v in setting.items())
        mark = "  (the definition's)" if own else ""
        print(f"{_setting(setting)}: {_figures(fig)}  [{time.monotonic() - t0:.0f} s]{mark}", flush=True)
    if not rows:
        print("error: no setting left to try (each was skipped above)", file=sys.stderr)
        return 2
    if args.part == "val":  # for reporting a choice made on the training part, not for making one
        print(f"\n{ex.name}, validation part, {len(part)} clips, counted on {r.measure}: as tried above")
        return 0
    rows.sort(key=lambda sf: (-sf[1]["exact"], sf[1]["abs_error"]))
    print(f"\n{ex.name}, {args.part} part, {len(part)} clips, counted on {r.measure}, best first:")
    for setting, fig in rows:
        print(f"  {_setting(setting)}: {_figures(fig)}")
    return 0


def _setting(s: dict) -> str:
    return ", ".join(f"{k} {v:g}" for k, v in s.items() if v is not None)


def _figures(f: dict) -> str:
    return (f"exact {f['exact']}/{f['clips']} ({f['exact'] / f['clips']:.0%}), found {f['found']} of "
            f"{f['true']}, {f['extra']} extra, error per side mean {f['mean_error']:+.2f}, "
            f"total {f['abs_error']}")


if __name__ == "__main__":
    raise SystemExit(main())
