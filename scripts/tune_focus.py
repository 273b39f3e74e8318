"""Choose how much the recogniser favours the exercise the person was asked to do
(``coach.recognizer.FOCUS_WEIGHT``, used with ``--exercise NAME``), on the training part only.

    python scripts/tune_focus.py

As in scripts/tune_smoother.py (``held_out_runs``), the MLPs are fitted on the clips of half the
training bodies and run on the other half's clips (bodies they never saw). For each exercise and
each weight, the smoothed recognition is replayed with that exercise's classes weighed up, and
scored frame by frame: in-position recall (the recogniser names the exercise, either side, on
frames where the truth is in it) and false in position (it names the exercise on scored frames
where the truth is anything else: other stretches, other postures, moving between them; at this
level, frames of sitting up cross-legged count against the roll-down, which the session itself
accepts).
The weight kept is the largest whose false in-position rate rises by at most MAX_RISE over no
weighting, for every exercise (the recogniser issue's goal is 2 % on the validation part).
The validation part is never read. The chosen value goes into FOCUS_WEIGHT by hand.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from train_recognizer import COACHED  # noqa: E402
from tune_smoother import held_out_runs  # noqa: E402

from coach.recognizer import Smoother, weigh_focus  # noqa: E402

WEIGHTS = (1.0, 1.5, 2.0, 3.0, 4.0, 6.0)
MAX_RISE = 0.01  # one percentage point


def score(runs, exercise: str, weight: float) -> tuple[float, float]:
    """(in-position recall, false in-position rate) of ``exercise`` at ``weight``."""
    held = held_n = false = other_n = 0
    for clip, probs, want in runs:
        sm = Smoother(())
        for p, t, w in zip(probs, clip.times, want, strict=True):
            q = None if p is None else weigh_focus(p, exercise, weight)
            got = sm.update(q, float(t))[0].split(":")[0]
            if not w:
                continue
            if w.split(":")[0] == exercise:
                held_n += 1
                held += got == exercise
            else:
                other_n += 1
                false += got == exercise
    return held / max(held_n, 1), false / max(other_n, 1)


def main() -> int:
    runs = held_out_runs()
    table = {w: {ex: score(runs, ex, w) for ex in COACHED} for w in WEIGHTS}
    print("weight  mean recall  worst false  " + "  ".join(f"{ex[:10]:>10}" for ex in COACHED))
    for w, row in table.items():
        rec = np.mean([r for r, _ in row.values()])
        worst = max(f for _, f in row.values())
        cells = "  ".join(f"{100 * r:4.0f}/{100 * f:4.1f}" for r, f in row.values())
        print(f"{w:6.1f}  {100 * rec:10.1f} %  {100 * worst:9.2f} %  {cells}", flush=True)
    base = table[1.0]
    ok = [w for w, row in table.items() if all(f - base[ex][1] <= MAX_RISE for ex, (_, f) in row.items())]
    print(f"chosen: {max(ok)} (largest with no exercise's false in position rising by more than "
          f"{100 * MAX_RISE:.0f} point)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
