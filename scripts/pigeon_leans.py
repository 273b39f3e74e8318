"""How pigeon's leans are counted on the corpus, against the truth: forward leans (``[reps]``)
and leans back (``counts.leans_back``), per clip of pigeon (both kinds: forward leans only, and
with leans back). For placing the counts' thresholds on the training part, and reporting them on
the validation part; try other thresholds on a copy of ``poses/`` named by ``COACH_POSES``.

    COACH_POSES=out/poses_try python scripts/pigeon_leans.py [train|val]   # out/poses_try: a copy of poses/

Prints: clips, on how many the forward leans were counted exactly (both sides), how many of the
true leans were found (at most the true number per side) and how many counted beyond it; the
same for the leans back. About 4 minutes for the training part here (the recogniser runs once
per clip).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import accuracy  # noqa: E402
from corpuslib import clips  # noqa: E402
from fit_reps import CountTally  # noqa: E402


def main() -> int:
    from coach.errors import CoachError
    from coach.rules.definitions import find_exercise

    args = sys.argv[1:] or ["train"]
    if len(args) != 1 or args[0] not in ("train", "val"):
        print(f"error: one part, 'train' or 'val', not {' '.join(args)!r}", file=sys.stderr)
        return 2
    part = args[0]
    try:
        find_exercise("pigeon")  # the definitions in COACH_POSES, if set, read before the long run
    except CoachError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    leans, backs = CountTally(), CountTally()
    for c in [c for c in clips(part) if c.kind == "pigeon"]:  # (the lean-back clips' kind too)
        sides = accuracy.run_session("pigeon", c)["report"]["sides"]
        want, back = c.reps(), c.leans_back()
        leans.add({s: sides[s]["reps"] for s in want}, want)
        backs.add({s: sides[s].get("counts", {}).get("leans_back", 0) for s in back}, back)
    n, exact = leans.clips, leans.exact
    print(f"{part}: {n} clips; forward leans counted exactly on {exact} ({exact / max(n, 1):.0%}), "
          f"found {leans.found} of {leans.true}, {leans.extra} counted that were not there; leans back "
          f"found {backs.found} of {backs.true}, {backs.extra} not there")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
