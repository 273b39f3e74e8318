"""Compare recogniser variants on a held-out part of the TRAINING split (never the validation part).

    python scripts/select_recognizer.py [--fold K] [--keep DIR] VARIANT [VARIANT ...]

The training part is split by body and by camera: a quarter of the training bodies and a
quarter of the training cameras are held out; the MLPs are fitted on the clips of neither, and
scored on the clips of held-out bodies *and* held-out cameras ("both", like the validation part)
and on those of either ("either", more clips). Scoring is frame by frame through the live
smoother, as in scripts/tune_smoother.py. Prints one line of figures per variant.
``--fold K`` runs one draw only (default both); ``--keep DIR`` saves each fitted model as
DIR/VARIANT_foldK.npz (for scripts/recognizer_errors.py; DIR an ignored folder such as out/models).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpuslib import clips  # noqa: E402
from train_recognizer import COACHED, SEED, UNSIDED, recipe, recipe_fit, recipe_rows  # noqa: E402
from tune_smoother import label_probs, score, truth  # noqa: E402

from coach.recognizer import NONE, Model  # noqa: E402

NONE_WEIGHTS = (1.0, 0.5, 0.25)
FOLDS = (0, 1)  # two different draws of held-out bodies and cameras
VARIANTS = {
    # what train_recognizer.py's constants fit (c4's shipped model)
    "c4": {"members": 5, "windows": (1.0, 3.0), "hidden": (192, 96), "alpha": 1e-2, "per_class": 8000},
    # with the image-plane pose (frame_features version 2)
    "c4_f2": {"members": 5, "windows": (1.0, 3.0), "hidden": (192, 96), "alpha": 1e-2, "features": 2,
              "per_class": 8000},
    "c4_f2_a1": {"members": 5, "windows": (1.0, 3.0), "hidden": (192, 96), "alpha": 1e-1, "features": 2},
    "c4_f2_turn60": {"members": 5, "windows": (1.0, 3.0), "hidden": (192, 96), "alpha": 1e-2, "features": 2,
                     "turn_copies": 1, "turn_deg": 60.0},
    # fewer rows of the largest classes ('other', the roll-down, pigeon): a weaker prior for 'none'
    "c4_f2_pc3000": {"members": 5, "windows": (1.0, 3.0), "hidden": (192, 96), "alpha": 1e-2, "features": 2,
                     "per_class": 3000},
    # class-balanced sample weights (each class counts alike) on top of the caps
    "c4_f2_pc3000_sw": {"members": 5, "windows": (1.0, 3.0), "hidden": (192, 96), "alpha": 1e-2,
                        "features": 2,
                        "per_class": 3000, "weighting": "balanced"},
    "c4_f2_sw": {"members": 5, "windows": (1.0, 3.0), "hidden": (192, 96), "alpha": 1e-2, "features": 2,
                 "per_class": 8000, "weighting": "balanced"},
    "c4_f2_sqrt": {"members": 5, "windows": (1.0, 3.0), "hidden": (192, 96), "alpha": 1e-2, "features": 2,
                   "per_class": 8000, "weighting": "sqrt"},
    # a third, longer window (6 s)
    "c5_w136": {"members": 5, "windows": (1.0, 3.0, 6.0), "hidden": (192, 96), "alpha": 1e-2, "features": 2,
                "per_class": 3000},
    # Up to 5000 rows a class instead of 3000, on corpus c7's folds (2026-11-28), against c5_w136 there:
    # stretch and side on clips of either held out 79.9 -> 78.3 % and 80.4 -> 79.7 %, 'none' 89.0 -> 89.4
    # and 84.4 -> 84.6 %, side switches 1.50 -> 1.67 and 2.46 -> 3.03 per 10 min. Not used.
    "c5_w136_pc5000": {"members": 5, "windows": (1.0, 3.0, 6.0), "hidden": (192, 96), "alpha": 1e-2,
                       "features": 2, "per_class": 5000},
    # Ten members instead of five, on corpus c7's folds (2026-11-28), against c5_w136 there, clips of
    # either held out: stretch and side 79.9 -> 80.5 % and 80.4 -> 81.0 %, 'none' 88.95 -> 88.94 and
    # 84.4 -> 84.1 %, side switches unchanged (1.50, 2.46 per 10 min); of both: 79.7 -> 80.5 and
    # 79.4 -> 80.1 %, 'none' 79.8 -> 86.7 and 91.7 -> 90.9 %, switches 2.04 -> 2.04 and 1.44 -> 2.88.
    # Trained on the whole training part of c7 (train_recognizer.py with MEMBERS = 10, 47 min here),
    # on the validation part: stretch and side 84.7 % (c7 with five members 84.8, the shipped c6 model
    # 85.6), 'none' on negatives 91.6 % (90.5, 90.6), 16 side switches (16, 12). No gain for twice
    # the MLPs' CPU and a 5 MB model: not used.
    "c5_w136_m10": {"members": 10, "windows": (1.0, 3.0, 6.0), "hidden": (192, 96), "alpha": 1e-2,
                    "features": 2, "per_class": 3000},
    # the stretches' rest postures and the moving in and out as a class of their own ("other_near")
    "c5_w136_near": {"members": 5, "windows": (1.0, 3.0, 6.0), "hidden": (192, 96), "alpha": 1e-2,
                     "features": 2, "per_class": 3000, "near": True},
    # what train_recognizer.py's constants fitted for the c9 model (scikit-learn members only)
    "c9": {"members": 5, "windows": (1.0, 3.0, 6.0), "hidden": (192, 96), "alpha": 1e-2, "features": 2,
           "per_class": 3000, "near": True},
    # Three MLPs fitted as c9's, three with PyTorch (train_recognizer.fit_torch) and three more with
    # dropout, all averaged (train_recognizer.KINDS). On corpus c9's folds (2026-11-29; each kind
    # fitted on the same rows and combined afterwards, the PyTorch members with 200 steps an epoch),
    # clips of either held out, against c9 (five MLPs): stretch and side 81.6 -> 81.7 % and 79.3 ->
    # 79.6 %, 'none' 91.2 -> 92.6 % and 89.6 -> 90.0 %, side switches 1.24 -> 1.38 and 2.14 -> 1.53 per
    # 10 min; of both: 76.5 -> 78.2 % and 68.6 -> 69.3 %, 'none' 95.0 -> 96.3 % and 95.2 -> 94.6 %.
    # Five of each kind: 81.5 and 79.7 %, 'none' 92.9 and 90.3 %, switches 1.79 and 2.29 (of both
    # 76.9 and 68.6 %, 95.6 and 95.0 %), for two thirds more of the MLPs' CPU. Weighing 'none' by
    # 0.6-1.6 before smoothing moves c9 and the five-a-kind ensemble along the same trade, the latter's
    # 'none' 1-1.7 points higher on fold 0 at the same stretch and side, 0-0.7 on fold 1. Either kind
    # of PyTorch member alone (five) was worse than c9: without dropout 'none' up 2.7-3.0 points and
    # stretch and side down 4.7-5.2; with dropout stretch and side up 0.8-1.8, 'none' down 1.5-2.2,
    # side switches 3.7 and 3.4.
    "c9_kinds3": {"members": 3, "windows": (1.0, 3.0, 6.0), "hidden": (192, 96), "alpha": 1e-2,
                  "features": 2, "per_class": 3000, "near": True,
                  "kinds": ("sklearn", "torch", "torch_dropout")},
    "base": {},
    "ens5": {"members": 5},
    "win3": {"windows": (1.0, 3.0)},
    "swap1": {"swap_copies": 1},
    "ens5_win3": {"members": 5, "windows": (1.0, 3.0)},
    "ens5_win3_swap1": {"members": 5, "windows": (1.0, 3.0), "swap_copies": 1},
    "ens5_swap1": {"members": 5, "swap_copies": 1},
    "turn1": {"turn_copies": 1},
    "win3_turn1": {"windows": (1.0, 3.0), "turn_copies": 1},
    "win3_turn2": {"windows": (1.0, 3.0), "turn_copies": 2},
    "win3_turn1_swap1": {"windows": (1.0, 3.0), "turn_copies": 1, "swap_copies": 1},
    "win3_swap1": {"windows": (1.0, 3.0), "swap_copies": 1},
    "alpha1e-1": {"alpha": 1e-1},
    "alpha1": {"alpha": 1.0},
    "alpha3": {"alpha": 3.0},
    "win3_a1": {"windows": (1.0, 3.0), "alpha": 1e-1},
    "win3_alpha1": {"windows": (1.0, 3.0), "alpha": 1.0},
    "turn1_alpha1": {"turn_copies": 1, "alpha": 1.0},
    "ens5_win3_a1": {"members": 5, "windows": (1.0, 3.0), "alpha": 1e-1},
    "ens5_a1_turn1": {"members": 5, "alpha": 1e-1, "turn_copies": 1},
    "ens5_win3_a1_turn1": {"members": 5, "windows": (1.0, 3.0), "alpha": 1e-1, "turn_copies": 1},
    "ens5_win3_a1_swap1": {"members": 5, "windows": (1.0, 3.0), "alpha": 1e-1, "swap_copies": 1},
    "small": {"hidden": (128, 64)},
}

# Measured and not kept (2026-11-29, fold 0; against c9_kinds3 fitted in the same session: clips
# of either held out, stretch and side 82.00 %, 'none' 92.54 %, 1.52 side switches per 10 min;
# of both 77.87 %, 93.46 %): hidden layers twice as wide, 81.37 %, 92.30 %, 1.65 (both 76.87 %,
# 93.12 %), fitted in 861 s against 584; input dropout 0.2 on the PyTorch members, 81.49 %,
# 90.64 %, 2.20 (both 76.41 %, 91.89 %).
VARIANTS["c9_kinds3_h384"] = VARIANTS["c9_kinds3"] | {"hidden": (384, 192)}
VARIANTS["c9_kinds3_indrop"] = VARIANTS["c9_kinds3"] | {"in_dropout": 0.2}


def folds(fold: int = 0) -> tuple[list, list, list]:
    rng = np.random.default_rng(SEED + fold)
    train = clips("train")
    bodies = sorted({c.spec["body"] for c in train})
    cams = sorted({c.spec["camera"] for c in train})
    hb = set(rng.choice(bodies, len(bodies) // 4, replace=False).tolist())
    hc = set(rng.choice(cams, len(cams) // 4, replace=False).tolist())
    fit_part = [c for c in train if c.spec["body"] not in hb and c.spec["camera"] not in hc]
    either = [c for c in train if c.spec["body"] in hb or c.spec["camera"] in hc]
    both = [c for c in either if c.spec["body"] in hb and c.spec["camera"] in hc]
    return fit_part, either, both


def in_position(runs) -> dict[str, float]:
    held = defaultdict(lambda: [0, 0])
    for _, _, want, got in runs:
        for g, w in zip(got, want, strict=True):
            if w and w != NONE:
                held[w.split(":")[0]][0] += g.split(":")[0] == w.split(":")[0]
                held[w.split(":")[0]][1] += 1
    return {k: round(a / b, 3) for k, (a, b) in sorted(held.items())}


def errors(runs) -> dict[str, float]:
    """Of the frames in a stretch: the share called 'none', and called the other side; of the
    frames out of the stretch in a stretch's clips (getting in and out, its rest position), the
    share called 'none'."""
    n = as_none = other_side = out_n = out_none = 0
    for clip, _, want, got in runs:
        for g, w in zip(got, want, strict=True):
            if w and w != NONE:
                n += 1
                as_none += g == NONE
                other_side += g != w and g.split(":")[0] == w.split(":")[0]
            elif w == NONE and clip.kind != "none":
                out_n += 1
                out_none += g == NONE
    return {"as_none": round(as_none / max(n, 1), 4), "other_side": round(other_side / max(n, 1), 4),
            "none_in_stretch_clips": round(out_none / max(out_n, 1), 4)}


def weigh_none(probs: list, w: float) -> list:
    """The smoother's inputs with 'none' weighed by ``w`` (a prior shift), renormalised."""
    out = []
    for p in probs:
        if p is None:
            out.append(None)
            continue
        q = dict(p)
        q[NONE] = q.get(NONE, 0.0) * w
        z = sum(q.values())
        out.append({k: v / z for k, v in q.items()})
    return out


def evaluate(model: Model, part: list, none_weights=(1.0,)) -> dict:
    from coach.recognizer import Smoother

    raw = [(c, label_probs(model, c), truth(c)) for c in part]
    res = {}
    for nw in none_weights:
        runs = []
        for c, probs, want in raw:
            probs = weigh_none(probs, nw) if nw != 1.0 else probs
            sm = Smoother(())
            got = [sm.update(p, float(t))[0] for p, t in zip(probs, c.times, strict=True)]
            runs.append((c, probs, want, got))
        r = score([(c, p, w) for c, p, w, _ in runs], {})
        r = {k: round(v, 4) for k, v in r.items()} | errors(runs)
        r["in_position"] = in_position(runs)
        if nw == 1.0:
            res |= r
        else:
            res[f"none_w{nw}"] = {k: v for k, v in r.items() if k != "in_position"}
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("variants", nargs="+", choices=sorted(VARIANTS))
    ap.add_argument("--fold", type=int, choices=FOLDS, help="one draw only (default: both)")
    ap.add_argument("--none-weights", default=",".join(f"{w:g}" for w in NONE_WEIGHTS),
                    help="weights of 'none' to score the held-out clips with (comma-separated; "
                         "a prior shift before smoothing)")
    ap.add_argument("--keep", type=Path,
                    help="save each fitted model here (an ignored folder, e.g. out/models)")
    args = ap.parse_args()
    none_weights = tuple(float(w) for w in args.none_weights.split(","))
    for name in args.variants:
        for fold in FOLDS if args.fold is None else (args.fold,):
            fit_part, either, both = folds(fold)
            r = recipe(name)
            t0 = time.time()
            x, y = recipe_rows(r, fit_part)
            model = recipe_fit(x, y, r)
            model.meta["coached"] = list(COACHED)
            model.meta["unsided"] = list(UNSIDED)
            fit_s = time.time() - t0
            if args.keep:
                model.save(args.keep / f"{name}_fold{fold}.npz")
            out = {"variant": name, "fold": fold, "fit_s": round(fit_s), "rows": len(x),
                   "clips": [len(fit_part), len(either), len(both)],
                   "either": evaluate(model, either, none_weights), "both": evaluate(model, both)}
            print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
