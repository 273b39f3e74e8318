"""Where a recogniser fitted by scripts/select_recognizer.py errs, on its held-out TRAINING clips.

    python scripts/select_recognizer.py --fold 0 --keep out/models c4
    python scripts/recognizer_errors.py out/models/c4_fold0.npz --fold 0

Scores the fold's clips of held-out bodies *and* cameras ("both"; ``--either`` for those of
either) frame by frame, raw (the per-frame argmax of the symmetric probabilities, sides merged
as the smoother takes them) and smoothed (the live Smoother), and splits the errors on frames in a
stretch into: called 'none', called another stretch, called the other side; by view, by time
from the nearest change of label (entry/exit against mid-hold), and per stretch with what it
is taken for. Also an upper bound for smoothing: each run of one label called by its majority
raw label. The validation part is never read.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from select_recognizer import folds  # noqa: E402
from train_recognizer import COACHED, UNSIDED  # noqa: E402
from tune_smoother import label_probs, truth  # noqa: E402

from coach.recognizer import NONE, Model, Smoother  # noqa: E402


def kind(got: str, want: str) -> str:
    if got == want:
        return "right"
    if got == NONE:
        return "as_none"
    if got.split(":")[0] == want.split(":")[0]:
        return "other_side"
    return "other_stretch"


def since_change(want: list[str], fps: float) -> np.ndarray:
    """Seconds from each frame to the nearest change of its label."""
    n = len(want)
    out = np.full(n, np.inf)
    edges = [i for i in range(1, n) if want[i] != want[i - 1]]
    idx = np.arange(n)
    for e in edges:
        out = np.minimum(out, np.abs(idx - e) / fps)
    return out


def share(c: Counter) -> str:
    n = sum(c.values())
    keys = ("right", "as_none", "other_stretch", "other_side")
    return f"n={n:6d} " + " ".join(f"{k} {100 * c[k] / max(n, 1):5.1f}" for k in keys)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", type=Path)
    ap.add_argument("--fold", type=int, default=0)
    ap.add_argument("--either", action="store_true")
    args = ap.parse_args()
    model = Model.load(args.model)
    model.meta["coached"] = list(COACHED)
    model.meta["unsided"] = list(UNSIDED)
    _, either, both = folds(args.fold)
    part = either if args.either else both
    tot = {"raw": Counter(), "smooth": Counter(), "vote": Counter()}
    by_view = defaultdict(lambda: {"raw": Counter(), "smooth": Counter()})
    by_view_stretch = defaultdict(Counter)
    by_time = defaultdict(lambda: {"raw": Counter(), "smooth": Counter()})
    by_stretch = defaultdict(lambda: {"raw": Counter(), "smooth": Counter(), "taken": Counter()})
    neg = {"raw": Counter(), "smooth": Counter()}
    neg_taken = Counter()
    margin = []  # raw: probability of the truth's label minus the best other, on stretch frames
    for clip in part:
        probs = label_probs(model, clip)
        want = truth(clip)
        sm = Smoother(())
        smooth = [sm.update(p, float(t))[0] for p, t in zip(probs, clip.times, strict=True)]
        raw = [NONE if p is None else max(p, key=p.__getitem__) for p in probs]
        near = since_change(want, clip.fps)
        view = clip.view.split("-")[0]
        # majority raw label over each run of one true label
        vote = list(raw)
        i = 0
        while i < len(want):
            j = i + 1
            while j < len(want) and want[j] == want[i]:
                j += 1
            if want[i]:
                top = Counter(raw[i:j]).most_common(1)[0][0]
                vote[i:j] = [top] * (j - i)
            i = j
        for k, w in enumerate(want):
            if not w:
                continue
            if w == NONE:
                if clip.kind == "none":
                    neg["raw"][raw[k] == NONE] += 1
                    neg["smooth"][smooth[k] == NONE] += 1
                    if smooth[k] != NONE:
                        neg_taken[f"{clip.labels['posture'][k] or '-'} -> {smooth[k]}"] += 1
                continue
            name = w.split(":")[0]
            kr, ks = kind(raw[k], w), kind(smooth[k], w)
            tot["raw"][kr] += 1
            tot["smooth"][ks] += 1
            tot["vote"][kind(vote[k], w)] += 1
            by_view[clip.view]["raw"][kr] += 1
            by_view[clip.view]["smooth"][ks] += 1
            by_view_stretch[(name, view)][ks] += 1
            b = "<1s" if near[k] < 1 else "1-2s" if near[k] < 2 else "2-4s" if near[k] < 4 else ">4s"
            by_time[b]["raw"][kr] += 1
            by_time[b]["smooth"][ks] += 1
            by_stretch[name]["raw"][kr] += 1
            by_stretch[name]["smooth"][ks] += 1
            if ks != "right":
                by_stretch[name]["taken"][smooth[k].split(":")[0] if ks != "other_side" else "(side)"] += 1
            p = probs[k]
            if p is not None:
                pw = p.get(w, 0.0)
                margin.append(pw - max(v for c, v in p.items() if c != w))
    print(f"fold {args.fold}, {'either' if args.either else 'both'}: {len(part)} clips")
    for k in ("raw", "smooth", "vote"):
        print(f"  stretch frames {k:6s}: {share(tot[k])}")
    m = np.array(margin)
    print(f"  raw margin of the truth: right by >0.3 {np.mean(m > 0.3):.3f}, "
          f"within +-0.3 {np.mean(np.abs(m) <= 0.3):.3f}, wrong by >0.3 {np.mean(m < -0.3):.3f}")
    for k in ("raw", "smooth"):
        n = sum(neg[k].values())
        print(f"  negatives {k}: none right {neg[k][True] / max(n, 1):.3f} of {n}")
    print("  negatives called a stretch (smoothed), top:", neg_taken.most_common(8))
    print("  by time from the nearest change of label:")
    for b in ("<1s", "1-2s", "2-4s", ">4s"):
        print(f"    {b:5s} raw {share(by_time[b]['raw'])} | smooth {share(by_time[b]['smooth'])}")
    print("  by view (smoothed):")
    for v in sorted(by_view):
        print(f"    {v:20s} {share(by_view[v]['smooth'])}")
    print("  per stretch (smoothed), and what it is taken for:")
    for s in sorted(by_stretch):
        d = by_stretch[s]
        vs = {v: by_view_stretch[(s, v)] for v in ("front", "three", "side")}
        views = " ".join(f"{v} {100 * c['right'] / sum(c.values()):.0f}" for v, c in vs.items() if c)
        raw_right = 100 * d["raw"]["right"] / max(sum(d["raw"].values()), 1)
        taken = d["taken"].most_common(3)
        print(f"    {s:18s} {share(d['smooth'])} | raw right {raw_right:5.1f} | {views} | {taken}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
