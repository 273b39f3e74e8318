"""A still image's confidence floor, chosen on held-out TRAINING frames (never validation).

    python scripts/select_recognizer.py --fold 0 --keep out/models c4_f2_pc3000   # ~4-8 min
    python scripts/still_floor.py out/models/c4_f2_pc3000_fold0.npz 0 6

A still is judged on its own (``Recognizer(instant=True)``): there is no time to weigh a call.
The fold model (fitted without the clips of a quarter of the training bodies and cameras) is run
frame by frame, every STRIDE-th frame, on the clips of those held-out bodies or cameras; for
each floor, a stretch named below it is taken as "none", and the share of stretch frames named
right (stretch and side) and of other frames named "none" are printed. The floor with the best
mean of the two is ``coach.recognizer.STILL_MIN_CONFIDENCE``.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from select_recognizer import folds  # noqa: E402
from train_recognizer import UNSIDED  # noqa: E402

from coach import recognizer as R  # noqa: E402

FLOORS = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", type=Path, help="a fold model saved by select_recognizer.py --keep")
    ap.add_argument("fold", type=int, help="the fold it was fitted on")
    ap.add_argument("stride", type=int, nargs="?", default=6, help="every n-th frame")
    args = ap.parse_args()
    model = R.Model.load(args.model)
    _, either, _ = folds(args.fold)
    rows = []  # (truth label, recognised label, confidence)
    for c in either:
        want = c.recognition_labels(UNSIDED, none=R.NONE)
        for i, p in enumerate(c.poses()):
            if i % args.stride or not want[i] or p.is_empty:
                continue
            r = R.Recognizer(model, instant=True, min_confidence=0.0).update(p, 0.0)
            rows.append((want[i], r.label, r.confidence))
    print(f"{len(rows)} frames of {len(either)} held-out clips")
    for floor in FLOORS:
        st_ok = st_n = no_ok = no_n = 0
        for w, got, conf in rows:
            g = got if (got == R.NONE or conf >= floor) else R.NONE
            if w == R.NONE:
                no_n += 1
                no_ok += g == R.NONE
            else:
                st_n += 1
                st_ok += g == w
        st, no = st_ok / st_n, no_ok / no_n
        print(f"floor {floor:.1f}: stretch and side right {st:.3f} ({st_n} frames), 'none' right {no:.3f} "
              f"({no_n}), mean {(st + no) / 2:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
