"""Which way of choosing a check's setting generalises? Nested on the TRAINING part only.

    python scripts/fit_select.py [EXERCISE ...] [--folds 4]

scripts/fit.py picks, among a few hundred candidate settings per check, the one with the best
training F1 (precision at least 0.8). With 10-40 faults per check that maximum is partly luck:
a setting that happens to catch one more fault of these clips. This study measures how each
selection rule does on bodies it did not choose on: the training bodies are split into
``--folds`` groups; for each group the rule chooses on the clips of the other bodies and the
choice is scored on the group's clips (counts pooled over the groups, then F1). The view gate is
the one in the definition now (its search is fit.py's and is not re-run here). The validation
part is never read.

Rules:

- ``best``: fit.py's rule (best F1 with precision >= 0.8, then onset);
- ``plateau``: each candidate scored by the mean F1 of it and its neighbours on the limit axis
  (two grid steps either way, same kind, hysteresis and timing), and by its own precision;
  a lone spike loses to a broad ridge;
- ``p90``: fit.py's rule with a precision floor of 0.9;
- ``plateau_p90``: both.

Prints, per check and in all (faults pooled), held-out recall, precision and F1 per rule.
"""

from __future__ import annotations

import argparse
import sys
import zlib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpuslib import clips, manifest, refuse_validation  # noqa: E402
from fit import (  # noqa: E402
    N_LIMITS,
    ONSET_TOL_S,
    Setting,
    Track,
    _same_side,
    cache_tracks,
    candidates,
    cant_see,
    replay,
    run_clips,
    split_when,
    when_comments,
)
from train_recognizer import COACHED  # noqa: E402

from coach.rules.definitions import find_exercise  # noqa: E402

RULES = ("best", "plateau", "p90", "plateau_p90")
NEIGHBOURS = 2  # grid steps either way on the limit axis (plateau)


def track_counts(tr: Track, check: str, s: Setting, th: dict) -> tuple[int, int, int, int, float]:
    """(faults judged, found, true events, false events, sum of |onset error|) on one track, as
    fit.score counts them."""
    n_faults = found = true_ev = false_ev = 0
    onset = 0.0
    evs = replay(tr, s)
    faults = [f for f in tr.clip.faults() if f["check"] == check]
    for f in faults:
        if f["size"] < th["fault"] or cant_see(tr, f):
            continue
        n_faults += 1
        hit = [e for e in evs
               if _same_side(e[0], f["side"]) and f["start_s"] - ONSET_TOL_S <= e[1] <= f["end_s"]]
        if hit:
            found += 1
            onset += abs(hit[0][1] - f["start_s"])
    for e in evs:
        near = [f for f in faults if f["start_s"] - ONSET_TOL_S <= e[1] <= f["end_s"] + ONSET_TOL_S]
        if any(f["size"] >= th["fault"] for f in near):
            true_ev += 1
        elif not any(f["size"] >= th["clean"] for f in near):
            false_ev += 1
    return n_faults, found, true_ev, false_ev, onset


def ratios(c: np.ndarray) -> tuple[float, float, float]:
    """(recall, precision, F1) from summed counts (..., 5)."""
    faults, found, tru, fal = c[..., 0], c[..., 1], c[..., 2], c[..., 3]
    with np.errstate(invalid="ignore", divide="ignore"):
        rec = np.where(faults > 0, found / np.maximum(faults, 1), 1.0)
        prec = np.where(tru + fal > 0, tru / np.maximum(tru + fal, 1), 1.0)
        f1 = np.where(rec + prec > 0, 2 * rec * prec / np.maximum(rec + prec, 1e-9), 0.0)
    return rec, prec, f1


def neighbour_index(cands: list[Setting]) -> list[list[int]]:
    """Per candidate, the indices of it and its neighbours on the limit axis."""
    groups: dict[tuple, list[int]] = {}
    for i, s in enumerate(cands):
        groups.setdefault((s.kind, round(s.hysteresis / max(s.limit, 1e-9), 3), s.on_s), []).append(i)
    out: list[list[int]] = [[] for _ in cands]
    for idx in groups.values():
        idx = sorted(idx, key=lambda i: cands[i].limit)
        for k, i in enumerate(idx):
            out[i] = idx[max(0, k - NEIGHBOURS):k + NEIGHBOURS + 1]
    return out


def choose(rule: str, counts: np.ndarray, near: list[list[int]]) -> int | None:
    """The candidate a rule picks from counts summed over the clips it may see (n_cands, 5)."""
    rec, prec, f1 = ratios(counts)
    floor = 0.9 if rule.endswith("p90") else 0.8
    onset = counts[:, 4] / np.maximum(counts[:, 1], 1)
    score = np.array([f1[n].mean() for n in near]) if rule.startswith("plateau") else f1
    ok = prec >= floor
    if not ok.any():
        return None
    keys = [(round(float(score[i]), 4), -float(onset[i]), i) for i in np.nonzero(ok)[0]]
    return max(keys)[2]


def body_fold(body: str, folds: int) -> int:
    return zlib.crc32(body.encode()) % folds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("exercises", nargs="*", default=list(COACHED))
    ap.add_argument("--folds", type=int, default=4)
    args = ap.parse_args()
    refuse_validation("train")
    th_all = manifest()["thresholds"]
    total = {r: np.zeros(5) for r in RULES}
    for name in args.exercises:
        ex = find_exercise(name)
        part = clips("train", kinds=(name,))
        runs = run_clips(ex, part)
        comments = when_comments(ex)
        fold_of = np.array([body_fold(r.clip.spec["body"], args.folds) for r in runs])
        for check in ex.checks:
            if check.advisory or check.name not in th_all:
                continue
            th = th_all[check.name]
            keep, gate = split_when(check, comments.get(check.name, []))
            tracks = [tr.with_gate(gate) for tr in cache_tracks(ex, check, runs, keep)]
            cands = candidates(check, tracks, N_LIMITS)
            if not cands:
                continue
            per = np.array([[track_counts(tr, check.name, s, th) for tr in tracks] for s in cands], float)
            near = neighbour_index(cands)
            line = f"{name}.{check.name} ({int(per[0, :, 0].sum())} faults):"
            for rule in RULES:
                held = np.zeros(5)
                for k in range(args.folds):
                    fit_on = per[:, fold_of != k].sum(1)
                    i = choose(rule, fit_on, near)
                    if i is None:  # no setting passes: nothing is flagged (counted as all missed)
                        held[0] += per[0, fold_of == k, 0].sum()
                        continue
                    held += per[i, fold_of == k].sum(0)
                total[rule] += held
                r, p, f = ratios(held)
                line += f"  {rule} R{r:.2f} P{p:.2f} F{f:.2f}"
            print(line, flush=True)
    print("all checks, pooled:")
    for rule in RULES:
        r, p, f = ratios(total[rule])
        print(f"  {rule:12s} recall {r:.3f} precision {p:.3f} F1 {f:.3f}  "
              f"(found {int(total[rule][1])}/{int(total[rule][0])}, false {int(total[rule][3])})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
