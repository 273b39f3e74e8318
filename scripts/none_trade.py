"""Report (never choose) how recogniser models trade stretch and side against 'none' on the
validation part: each model's label probabilities, 'none' weighed by several factors before
smoothing, scored as scripts/tune_smoother.py scores its held-out folds (its count of side
switches differs a little from docs/accuracy.md's). For comparing two models fairly when one
names stretches more readily: at equal 'none', which names more stretches right?

    python scripts/none_trade.py MODEL.npz [MODEL.npz ...] [--weights 0.8,1,1.25,1.5,2]

Takes about 4 minutes a model here. Nothing is fitted or chosen on these figures.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpuslib import clips  # noqa: E402
from train_recognizer import COACHED  # noqa: E402
from tune_smoother import label_probs, score, truth  # noqa: E402

from coach.recognizer import NONE, Model, weigh_focus  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models", nargs="+", type=Path)
    ap.add_argument("--weights", default="0.8,1,1.25,1.5,2", help="factors on 'none', comma-separated")
    args = ap.parse_args()
    try:
        weights = [float(x) for x in args.weights.split(",") if x.strip()]
    except ValueError:
        weights = []
    if not weights or not all(np.isfinite(w) and w > 0 for w in weights):
        print(f"error: --weights: positive numbers, comma-separated, not {args.weights!r}", file=sys.stderr)
        return 2
    models = {}
    for path in args.models:  # all read before the first takes minutes
        try:
            models[path] = Model.load(path)
        except (OSError, ValueError, KeyError) as e:
            print(f"error: {path}: not a recogniser model ({type(e).__name__}: {e})", file=sys.stderr)
            return 2
    part = clips("val")
    for path, model in models.items():
        model.meta["coached"] = list(COACHED)
        runs = [(c, label_probs(model, c), truth(c)) for c in part]
        for w in weights:
            weighed = [(c, [p and weigh_focus(p, NONE, w) for p in probs], want) for c, probs, want in runs]
            r = score(weighed, {})
            print(f"{path.name} 'none' x{w:g}: stretch+side {r['stretch_side']:.4f}  none {r['none']:.4f}  "
                  f"switches {r['switches_per_10min']:.2f}/10 min", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
