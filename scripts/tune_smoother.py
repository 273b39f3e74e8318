"""Choose the recogniser's smoothing (coach.recognizer.Smoother) on the training part only.

    python scripts/tune_smoother.py [--kept MODEL.npz --fold K]

The MLPs (the variant train_recognizer.py fits) are fitted on the clips of half the training
bodies and run on the other half's clips (bodies it never saw, as in use); the smoother's
settings are then compared there, frame by frame, on the corpus's own scoring (stretch and side
right on frames in a stretch, "none" on negatives, spurious side switches inside one-sided
holds). The validation part is never read.
With ``--kept``, a model scripts/select_recognizer.py fitted on one of its folds (--keep) is
run on that fold's held-out clips instead (bodies or cameras it never saw).
Prints the table, best first; the chosen values go into Smoother's defaults by hand.
``--side-taus 4,8`` compares only those values of ``side_tau_s`` (the others at their defaults),
with how late each real change of side is named (``side_delays``).
``--fast`` compares the fast path for a plain change of side (``fast_margin`` x ``fast_dwell_s``;
margin 2 = none), with side_delays.
``--none-weights 1,2`` weighs 'none' by each factor before smoothing (a prior against naming a
stretch); ``--offline`` decodes each whole clip at once instead (:func:`decode`, what a second
pass over a recorded video could do; live coaching cannot look ahead).
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpuslib import clips  # noqa: E402
from train_recognizer import COACHED, SEED, UNSIDED, fit, training_rows  # noqa: E402

from coach.recognizer import NONE, Recognizer, Smoother, clip_probabilities, weigh_focus  # noqa: E402

GRID = {
    "tau_s": [0.25, 0.4, 0.7],
    "dwell_s": [0.2, 0.4, 0.8],
    "side_tau_s": [0.4, 2.0, 4.0, 8.0],
    "side_dwell_s": [1.0, 1.5, 3.0],
}


def label_probs(model, clip) -> list[dict[str, float] | None]:
    tr = clip.track
    wh = tuple(int(v) for v in tr["wh"])
    xy = tr["xy"].astype(np.float64) * np.array(wh)
    p = clip_probabilities(model, xy, tr["world"].astype(np.float64), tr["vis"].astype(np.float64),
                           tr["ok"], clip.times, wh)
    rec = Recognizer(model, unsided=UNSIDED)
    out: list[dict[str, float] | None] = []
    for i, row in enumerate(p):
        out.append(None if not tr["ok"][i] or np.isnan(row).any() else rec.label_probs(row))
    return out


def truth(clip) -> list[str]:
    """Per frame: the label to recognise ('' = not scored)."""
    return list(clip.recognition_labels(UNSIDED, none=NONE))


def score(runs, settings: dict) -> dict:
    ok = n = none_ok = none_n = switches = 0
    hold_s = 0.0
    for clip, probs, want in runs:
        sm = Smoother((), **settings)
        got = [sm.update(p, float(t))[0] for p, t in zip(probs, clip.times, strict=True)]
        for g, w in zip(got, want, strict=True):
            if not w:
                continue
            if w == NONE:
                if clip.kind == "none":
                    none_n += 1
                    none_ok += g == NONE
            else:
                n += 1
                ok += g == w
        i = 0
        while i < len(want):  # spurious side switches inside each run of one sided label
            w = want[i]
            j = i + 1
            while j < len(want) and want[j] == w:
                j += 1
            if ":" in w:
                name = w.split(":")[0]
                sides = [g.split(":")[1] for g in got[i:j] if ":" in g and g.split(":")[0] == name]
                switches += sum(x != y for x, y in zip(sides, sides[1:], strict=False))
                hold_s += (j - i) / clip.fps
            i = j
    return {"stretch_side": ok / max(n, 1), "none": none_ok / max(none_n, 1),
            "switches_per_10min": 600 * switches / max(hold_s, 1e-9)}


def side_delays(runs, settings: dict) -> dict:
    """How late the smoother names a real change of side: for every run of one sided label that
    follows a run of the same stretch's other side in its clip (with at most unlabelled or 'none'
    frames between), the seconds from the run's start to the first frame named right (the run's
    length if never); the run starts where its frames are scored, a little after the change.
    Returns the count, median, 90th percentile, share named within 2 s, and the
    share of those runs' frames named right."""
    delays, right, frames = [], 0, 0
    for clip, probs, want in runs:
        sm = Smoother((), **settings)
        got = [sm.update(p, float(t))[0] for p, t in zip(probs, clip.times, strict=True)]
        last = None  # the sided label of the last run of a stretch
        i = 0
        while i < len(want):
            w = want[i]
            j = i + 1
            while j < len(want) and want[j] == w:
                j += 1
            if ":" in w:
                name, side = w.split(":")
                if last is not None and last[0] == name and last[1] != side:
                    hit = next((k for k in range(i, j) if got[k] == w), j)
                    delays.append(float(clip.times[min(hit, len(want) - 1)] - clip.times[i]))
                    right += sum(g == w for g in got[i:j])
                    frames += j - i
                last = (name, side)
            elif w and w != NONE:
                last = None
            i = j
    d = np.array(delays) if delays else np.zeros(1)
    return {"changes": len(delays), "median_s": round(float(np.median(d)), 2),
            "p90_s": round(float(np.percentile(d, 90)), 2), "within_2s": round(float((d <= 2).mean()), 3),
            "right": round(right / max(frames, 1), 4)}


def decode(probs: list[dict[str, float] | None], times: np.ndarray, switch: float,
           side_switch: float, floor: float = 1e-4) -> list[str]:
    """The most likely sequence of labels for a whole clip (Viterbi): each frame scores the log
    of its probability (nobody seen: 'none'), each change of stretch costs ``switch`` and each
    change of side within a stretch ``side_switch`` (in log units)."""
    labels = sorted({k for p in probs if p for k in p} | {NONE})
    ix = {k: i for i, k in enumerate(labels)}
    lp = np.full((len(probs), len(labels)), np.log(floor))
    for i, p in enumerate(probs):
        for key, v in (p or {NONE: 1.0}).items():
            lp[i, ix[key]] = np.log(max(v, floor))
    base = np.array([k.split(":")[0] for k in labels])
    cost = np.where(base[:, None] == base[None], side_switch, switch)
    np.fill_diagonal(cost, 0.0)
    total, back = lp[0].copy(), np.zeros(lp.shape, int)
    for i in range(1, len(lp)):
        m = total[:, None] - cost
        back[i] = m.argmax(0)
        total = m.max(0) + lp[i]
    path = [int(total.argmax())]
    for i in range(len(lp) - 1, 0, -1):
        path.append(int(back[i, path[-1]]))
    return [labels[j] for j in reversed(path)]


INSTANT = {"tau_s": 1e-3, "dwell_s": 0.0, "side_dwell_s": 0.0, "side_tau_s": 1e-3, "margin": 0.0}


def held_out_runs() -> list:
    """(clip, per-frame label probabilities, truth) for the clips of half the training bodies,
    from MLPs fitted on the other half's clips (the training part only)."""
    rng = np.random.default_rng(SEED)
    train = clips("train")
    bodies = sorted({c.spec["body"] for c in train})
    fold = set(rng.choice(bodies, len(bodies) // 2, replace=False).tolist())
    a = [c for c in train if c.spec["body"] in fold]
    b = [c for c in train if c.spec["body"] not in fold]
    x, y = training_rows(a)
    model = fit(x, y)
    model.meta["coached"] = list(COACHED)
    runs = [(c, label_probs(model, c), truth(c)) for c in b]
    print(f"fitted on {len(a)} clips ({len(fold)} bodies), scored on {len(b)} clips of the others",
          flush=True)
    return runs


def kept_runs(path: Path, fold: int) -> list:
    """(clip, per-frame label probabilities, truth) for the held-out clips ("either") of one of
    scripts/select_recognizer.py's folds, from the model it fitted there and kept (--keep)."""
    from select_recognizer import folds

    from coach.recognizer import Model

    model = Model.load(path)
    model.meta["coached"] = list(COACHED)
    _, either, _ = folds(fold)
    print(f"{path.name}: scored on fold {fold}'s {len(either)} held-out clips", flush=True)
    return [(c, label_probs(model, c), truth(c)) for c in either]


def main() -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kept", type=Path, help="a model select_recognizer.py kept (default: fit one here)")
    ap.add_argument("--fold", type=int, default=0, help="the fold that model was fitted on")
    ap.add_argument("--side-taus", help="only these side_tau_s values, comma-separated, with side_delays")
    ap.add_argument("--fast", action="store_true", help="only the fast side path's margin and dwell")
    ap.add_argument("--none-weights", help="only weigh 'none' by these factors, comma-separated")
    ap.add_argument("--offline", action="store_true", help="only decode whole clips (Viterbi), a few costs")
    args = ap.parse_args()
    runs = kept_runs(args.kept, args.fold) if args.kept else held_out_runs()

    def line(r: dict) -> str:
        return (f"stretch+side {r['stretch_side']:.4f}  none {r['none']:.4f}  "
                f"switches {r['switches_per_10min']:.2f}/10 min")

    if args.none_weights or args.offline:
        print(f"live smoother: {line(score(runs, {}))}", flush=True)
        for w in (float(x) for x in (args.none_weights or "").split(",") if x):
            weighed = [(c, [p and weigh_focus(p, NONE, w) for p in probs], want) for c, probs, want in runs]
            print(f"'none' weighed {w:g}: {line(score(weighed, {}))}", flush=True)
        costs = itertools.product((5.0, 10.0, 20.0), (10.0, 20.0, 40.0)) if args.offline else ()
        for switch, side_switch in costs:
            # the decoded labels, scored as they are (one-hot through a smoother that keeps none)
            decoded = [(c, [{g: 1.0} for g in decode(probs, np.asarray(c.times, float), switch, side_switch)],
                        want) for c, probs, want in runs]
            print(f"offline, a change of stretch {switch:g}, of side {side_switch:g}: "
                  f"{line(score(decoded, INSTANT))}", flush=True)
        return 0
    if args.fast:
        margins, dwells = (0.3, 0.5, 0.7, 0.8, 0.9), (0.5, 1.0, 1.5, 2.0, 3.0, 4.0)
        grid = [(2.0, 1.0), *itertools.product(margins, dwells)]
        for m, d in grid:
            st = {"fast_margin": m, "fast_dwell_s": d}
            print(f"fast_margin {m:g} fast_dwell_s {d:g}: {line(score(runs, st))}  "
                  f"side changes {side_delays(runs, st)}", flush=True)
        return 0
    if args.side_taus:
        for v in (float(x) for x in args.side_taus.split(",")):
            r = score(runs, {"side_tau_s": v})
            print(f"side_tau_s {v:g}: stretch+side {r['stretch_side']:.4f}  none {r['none']:.4f}  "
                  f"switches {r['switches_per_10min']:.2f}/10 min  "
                  f"side changes {side_delays(runs, {'side_tau_s': v})}",
                  flush=True)
        return 0
    rows = []
    for values in itertools.product(*GRID.values()):
        st = dict(zip(GRID, values, strict=True))
        r = score(runs, st)
        rows.append((r["stretch_side"] + r["none"] - 0.01 * r["switches_per_10min"], st, r))
    rows.sort(key=lambda r: -r[0])
    default = score(runs, {})
    print(f"defaults: {default}")
    for total, st, r in rows[:12]:
        print(f"{total:.4f}  {st}  stretch+side {r['stretch_side']:.3f}  none {r['none']:.3f}  "
              f"switches {r['switches_per_10min']:.1f}/10 min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
