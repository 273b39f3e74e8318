"""Train the stretch-and-side recogniser on the corpus's training part (deterministic).

    python scripts/train_recognizer.py [--out coach/models/recognizer.npz]

Reads corpus/tracks (MediaPipe landmarks of the rendered clips) and their labels, fits a small
MLP (scikit-learn) on window features of every other frame and of their mirror images (sides
exchanged), then scores the validation part (bodies and cameras never fitted) frame by frame
through the live :class:`coach.recognizer.Recognizer`, and stores the weights as plain arrays
with the corpus version, the seed and those figures. Takes a few minutes here.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpuslib import clips, manifest  # noqa: E402

from coach.recognizer import (  # noqa: E402
    MODEL_PATH,
    Model,
    Recognizer,
    frame_features,
    mirror_arrays,
    window_features,
)

SEED = 0
COACHED = ("supine_figure4", "pigeon", "seated_rolldown", "child_pose", "happy_baby", "seated_twist",
           "prone_glute", "figure4_twist", "runners_lunge", "adductor_opener", "wide_forward_fold",
           "cow_face", "side_kick_series")
# Which shin is in front cannot be seen in the roll-down (sides take turns); the others have no side.
UNSIDED = ("seated_rolldown", "child_pose", "happy_baby", "adductor_opener", "wide_forward_fold")
# Other postures, learned as their own classes (so the coach can say what a pose looks like);
# ordinary postures and movement between them are "other".
NAMED = {
    "butterfly": "butterfly",
    "seated_fold_long": "seated_forward_fold",
    "ninety_ninety": "ninety_ninety",
    "supine_hamstring": "supine_hamstring",
    "table_top": "table_top",
    "sphinx": "sphinx",
}
PER_CLASS = 8000  # training rows per class at most (balance the classes)


def frame_classes(clip) -> np.ndarray:
    """Training label per frame ('' = not used: near a change of label)."""
    lab = clip.labels
    out = np.full(clip.n, "other", object)
    for i in range(clip.n):
        if lab["stretch"][i]:
            s = lab["stretch"][i]
            out[i] = s if s in UNSIDED else f"{s}:{lab['side'][i]}"
        elif lab["posture"][i] in NAMED:
            out[i] = NAMED[lab["posture"][i]]
    out[~lab["scored"]] = ""
    return out


def clip_rows(clip) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    tr = clip.track
    wh = tuple(int(v) for v in tr["wh"])
    xy = tr["xy"].astype(np.float64) * np.array(wh)
    world, vis, ok = tr["world"].astype(np.float64), tr["vis"].astype(np.float64), tr["ok"]
    f = window_features(frame_features(xy, world, vis, wh), ok, clip.times)
    fm = window_features(frame_features(*mirror_arrays(xy, world, vis, wh[0]), wh), ok, clip.times)
    return f, fm, frame_classes(clip)


def swap_side(c: str) -> str:
    name, _, side = c.partition(":")
    return f"{name}:{'right' if side == 'left' else 'left'}" if side else c


def build_training(rng: np.random.Generator, part: list | None = None):
    """Rows (features of every other frame and of its mirror image) and labels, balanced per
    class, from ``part`` (default: the whole training part)."""
    xs, ys = [], []
    for clip in clips("train") if part is None else part:
        f, fm, y = clip_rows(clip)
        use = (y != "") & clip.track["ok"]
        use[1::2] = False  # neighbouring frames are nearly the same: every other one is enough
        xs += [f[use], fm[use]]
        ys += [y[use], np.array([swap_side(c) for c in y[use]], object)]
    x, y = np.concatenate(xs), np.concatenate(ys)
    keep = []
    for c in sorted(set(y)):
        idx = np.nonzero(y == c)[0]
        if len(idx) > PER_CLASS:
            idx = rng.choice(idx, PER_CLASS, replace=False)
        keep.append(np.sort(idx))
    keep = np.concatenate(keep)
    return x[keep], y[keep]


def fit(x: np.ndarray, y: np.ndarray) -> Model:
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler

    sc = StandardScaler().fit(x)
    mlp = MLPClassifier(
        hidden_layer_sizes=(192, 96),
        alpha=1e-2,
        batch_size=512,
        learning_rate_init=2e-3,
        max_iter=60,
        random_state=SEED,
        early_stopping=False,
    )
    mlp.fit(sc.transform(x), y)
    return Model(
        classes=tuple(str(c) for c in mlp.classes_),
        mean=sc.mean_,
        scale=sc.scale_,
        weights=tuple(mlp.coefs_),
        biases=tuple(mlp.intercepts_),
        meta={},
    )


def validate(model: Model) -> dict:
    """Frame-level figures on the validation part, through the live recogniser (smoothed)."""
    right = total = neg_right = neg_total = 0
    for clip in clips("val"):
        rec = Recognizer(model, unsided=UNSIDED)
        lab = clip.labels
        for i, pose in enumerate(clip.poses()):
            r = rec.update(pose, float(clip.times[i]))
            if not lab["scored"][i]:
                continue
            if lab["stretch"][i]:
                want = lab["stretch"][i]
                side = None if want in UNSIDED else lab["side"][i]
                total += 1
                right += r.stretch == want and r.side == side
            else:
                neg_total += 1
                neg_right += r.stretch == "none"
    return {
        "stretch_side_right": round(right / max(total, 1), 4),
        "stretch_frames": total,
        "none_right": round(neg_right / max(neg_total, 1), 4),
        "none_frames": neg_total,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    args = ap.parse_args()
    rng = np.random.default_rng(SEED)
    t0 = time.time()
    x, y = build_training(rng)
    print(f"{len(x)} training rows, {x.shape[1]} features, {len(set(y))} classes ({time.time() - t0:.0f} s)")
    model = fit(x, y)
    print(f"fitted in {time.time() - t0:.0f} s")
    m = manifest()
    meta = {
        "corpus_version": m["version"],
        "seed": SEED,
        "coached": list(COACHED),
        "unsided": list(UNSIDED),
        "train_clips": len(clips("train")),
        "train_rows": int(len(x)),
    }
    model = Model(model.classes, model.mean, model.scale, model.weights, model.biases, meta)
    meta["validation"] = validate(model)
    print(f"validation: {meta['validation']}")
    model.save(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e3:.0f} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
