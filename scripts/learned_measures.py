"""Study: do learned measures (regressing the TRUE quantity a check needs from what the pose
model sees) track the truth better than the hand-written ones, on bodies and cameras never
fitted? Reads the training part only (split by body and camera as scripts/select_recognizer.py
does: regressors are fitted on clips of neither held-out bodies nor cameras, scored on the rest).

    python scripts/learned_measures.py [--fold 0] [--model KIND] [--save PATH | --load PATH]
    python scripts/learned_measures.py --fit [EXERCISE ...] [--load PATH]

(KIND: see scripts/train_measures.py; ``--save`` keeps the regressor fitted on the fold's
fitting clips, ``--fit`` re-fits the checks on it.)

Quantities (targets from the truth's 3-D keypoints, z up, floor at z = 0: the lowest keypoint
of a frame, a joint centre, lies 3-9 cm above it):
- hips: pelvis height above the floor (cm, mean of the true hips' z); what the "rise" checks
  judge is its rise over the start of the hold;
- knee: each knee's true 3-D hip-knee-ankle angle (deg); the check judges the stretched side's
  change from the start of the hold.

Printed, on the held-out clips ("either": a held-out body or camera; "both": both held out),
per view: per frame inside holds of a stretch that has the check, after the hold's first
second: the correlation of the measure's rise (from the median of that first second) with the
true rise, and the learned measure's mean absolute error of the rise in cm / deg (the hand
measure's in the same unit after the least-squares scale fitted on the fitting clips). Per
fault interval of the check (as ``fault_sizes`` in scripts/corpus.py measures it: the median
during minus the median over the second before): the correlation with the true size and the
AUC of faults (>= the fault threshold) against clean ones (< the clean threshold; also 3 s
windows of the holds away from any fault).

With ``--fit``: scripts/fit.py's search (setting and view gate) on the fitting clips for each
check with its hand measure and with the learned one, both scored on the held-out clips.

Findings (corpus c4, fold 0 unless said; "either" 317 held-out clips, "both" 45):

- Hips, rise per frame, correlation with the true rise (either / both): hand ``hip_height``
  0.40 / 0.48; absolute-target MLP 0.31 / 0.26, ridge 0.47 / 0.44; pair-trained linear
  (``diffs``) 0.55 / 0.31, pair-trained MLP (``pairmlp``) 0.52 / 0.48 (fold 1: hand 0.41 /
  0.41, pairmlp 0.46 / 0.57). By view (either; side / three-quarter / front): hand 0.53 / 0.54
  / 0.39, pairmlp 0.60 / 0.44 / 0.53. Learned MAE of the rise 2.7-5.0 cm (hand, scaled to cm
  per stretch on the fitting clips: 2.3; most frames have no rise).
- Hips, faults >= 6 cm against clean < 3 cm (AUC of the interval's size; either: 82 faults,
  296 clean; both: 10 / 38): hand 0.89 / 0.97, diffs 0.89 / 0.71, pairmlp 0.86 / 0.85 (fold
  1, 86 / 309 and 12 / 36: hand 0.87 / 0.95, pairmlp 0.86 / 0.96). Better on some stretches
  (pigeon 0.67 -> 0.90 pairmlp, 0.66 -> 0.78 fold 1; child's pose 0.88 -> 0.93 diffs), worse on
  others (supine figure-4 0.99 -> 0.84, wall glute 0.99 -> 0.92).
- Knee (the stretched knee's change): the pose model's own 3-D knee angle tracks the truth
  better than every learned variant (either: correlation 0.62 vs 0.24-0.43, AUC 0.84 vs
  0.67-0.85; fold 1 0.67 vs 0.49, AUC 0.88 vs 0.85).
- Fitted checks, held-out F1 (hand re-fitted on the fitting clips -> diffs re-fitted; the
  best F1 at any precision where none reached 0.8; * the poses/*.toml setting, fitted on all
  training clips, where the re-fit found nothing better): child's pose hips 0.67 -> 0.67,
  prone glute hips 0.26 -> 0.29, happy baby hips 0.80* -> 0.40, runner's lunge hips 0.77 ->
  0.55 and knee 0.67* -> 0.00, pigeon hips 0.17 -> 0.00 (pairmlp 0.20) and knee 0.36 -> 0.12,
  roll-down hips 0.63 -> 0.68, wall figure-4 hips 0.91 -> 0.62 and knee 1.00* -> 1.00, chair
  figure-4 knee 0.00 -> 0.00 (2-24 held-out faults each); pairmlp: roll-down hips 0.63 ->
  0.55, child's pose hips 0.82* -> 0.57. The training F1 of the learned settings was often
  much higher (roll-down hips 0.53 -> 0.88 pairmlp, pigeon hips 0.35 -> 0.67) and did not carry
  over: the regressor was fitted on those same clips, so it reads them better than new ones (a
  fit on learned readings needs them out of fold).

So the learned measures do not carry over better than the hand ones: the per-frame rise
correlates a little better with the truth, but the faults are told apart no better, and the
checks fitted on them score lower on held-out clips for most stretches. The coach does not use
them.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import learned_model as features  # noqa: E402
from corpuslib import COUNTED, Clip, manifest  # noqa: E402
from select_recognizer import folds  # noqa: E402
from train_measures import clip_rows, targets_from_truth  # noqa: E402

from coach.rules import measures as M  # noqa: E402
from coach.rules.definitions import find_exercise  # noqa: E402

CHECKS = ("hips_down", "knee_angle")
UNIT = {"hips_down": "cm", "knee_angle": "deg"}


def clip_arrays(clip: Clip) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features (N, F) (NaN rows where no pose), targets (N, 3) and the ok mask."""
    tr = clip.track
    wh = tuple(int(v) for v in tr["wh"])
    xy = tr["xy"].astype(np.float64) * np.array(wh)
    ok = tr["ok"].astype(bool)
    x = np.full((clip.n, features.n_features()), np.nan)
    if ok.any():
        x[ok] = features.features(xy[ok], tr["world"][ok].astype(np.float64),
                                  tr["vis"][ok].astype(np.float64), wh)
    y = targets_from_truth(tr["truth_world"].astype(np.float64))
    return x, y, ok


def hand_values(clip: Clip, check: str) -> np.ndarray:
    """The check's hand measure per frame on the stretched side (NaN where unreadable)."""
    ex = find_exercise(clip.kind)
    cd = next(c for c in ex.checks if c.name == check)
    measure, params = cd.measure, cd.params
    if check == "knee_angle":  # pigeon's is ankle_to_hip; compare the knee angle itself
        measure, params = "knee_angle", {"leg": "active"}
    side = clip.labels["side"]
    out = np.full(clip.n, np.nan)
    for i, pose in enumerate(clip.poses()):
        s = side[i] or None
        if pose.is_empty or (check == "knee_angle" and s is None):
            continue
        r = M.read(pose, measure, s, params, ex.min_visibility)
        out[i] = np.nan if r.value is None else r.value
    return out


def holds(clip: Clip) -> list[np.ndarray]:
    """Frame indices of each continuous stretch of the clip's own exercise on one side."""
    lab = clip.labels
    inside = (lab["stretch"] == clip.kind) & np.isin(lab["phase"], COUNTED)
    out, cur = [], []
    for i in range(clip.n):
        if inside[i] and (not cur or lab["side"][i] == lab["side"][cur[-1]]):
            cur.append(i)
        else:
            if len(cur) > 1:
                out.append(np.array(cur))
            cur = [i] if inside[i] else []
    if len(cur) > 1:
        out.append(np.array(cur))
    return out


def rises(values: np.ndarray, t: np.ndarray, idx: np.ndarray, base_s: float = 1.0) -> np.ndarray:
    """Per frame of a hold after its first readable second: the value minus that second's median."""
    v = values[idx]
    good = np.isfinite(v)
    if good.sum() < 2:
        return np.full(len(idx), np.nan)
    t0 = t[idx][good][0]
    first = good & (t[idx] < t0 + base_s)
    out = v - np.median(v[first])
    out[t[idx] < t0 + base_s] = np.nan
    return out


def clean_windows(clip: Clip, hs: list[np.ndarray], every_s: float = 3.0) -> list[dict]:
    """Pseudo-faults of every check on fault-free stretches of the holds (3 s windows after the
    hold's first second, 1 s clear of any fault): the true size says whether they are clean."""
    t = clip.times
    busy = [(f["start_s"] - 2.0, f["end_s"] + 1.0) for f in clip.faults()]
    out = []
    for h in hs:
        s = t[h[0]] + 1.0
        while s + every_s <= t[h[-1]]:
            if not any(a < s + every_s and s - 1.0 < b for a, b in busy):
                side = clip.labels["side"][h[0]] or None
                out += [{"check": k, "side": side, "start_s": s, "end_s": s + every_s, "size": None}
                        for k in CHECKS]
            s += every_s
    return out


def interval_size(values: np.ndarray, t: np.ndarray, f: dict) -> float:
    """As fault_sizes: median over the fault (trimmed) minus median over the second before."""
    before = (t >= f["start_s"] - 1.0) & (t < f["start_s"])
    during = (t >= f["start_s"] + 0.45) & (t <= f["end_s"] - 0.35)
    if not before.any() or not during.any():
        before = before | (t < f["start_s"])
    a, b = values[during], values[before]
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if not len(a) or not len(b):
        return math.nan
    return float(np.median(a) - np.median(b))


def auc(pos: list[float], neg: list[float]) -> float:
    if not pos or not neg:
        return math.nan
    p, n = np.array(pos), np.array(neg)
    return float(((p[:, None] > n[None]) + 0.5 * (p[:, None] == n[None])).mean())


def corr(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a, b)[0, 1]) if len(a) > 2 and a.std() > 0 and b.std() > 0 else math.nan


def fit_model(part: list[Clip], kind: str, cache: dict | None = None):
    """The regressor fitted on ``part``'s frames (and, for "diff", on pairs of its frames)."""
    from train_measures import clip_pairs, fit

    rows = {}
    for c in part:
        if cache is not None and c.id in cache:
            xc, yc, ok = cache[c.id]
            rows[c.id] = (xc[ok], yc[ok])
        else:
            rows[c.id] = clip_rows(c)
    x = np.concatenate([r[0] for r in rows.values()])
    y = np.concatenate([r[1] for r in rows.values()])
    pairs = None
    if kind in ("diff", "diffv", "diffs", "pairmlp"):
        pp = [clip_pairs(c, *rows[c.id], seed=k, in_stretch=kind in ("diffs", "pairmlp"))
              for k, c in enumerate(part)]
        pairs = tuple(np.concatenate([p[k] for p in pp]) for k in range(3))
    return fit(x, y, kind="diff" if kind == "diffs" else kind, pairs=pairs)


def target_of(check: str, y: np.ndarray, side: np.ndarray) -> np.ndarray:
    """The truth quantity the check needs per frame: pelvis height, or the stretched knee."""
    if check == "hips_down":
        return y[:, 0]
    return np.where(side == "right", y[:, 2], np.where(side == "left", y[:, 1], np.nan))


def view_group(clip: Clip) -> str:
    return clip.view


EXERCISES_WITH_CHECKS = ("pigeon", "supine_figure4", "seated_rolldown", "child_pose", "happy_baby",
                         "prone_glute", "runners_lunge", "wall_glute", "wall_figure4", "chair_figure4")


def study(fold: int, kind: str, save: Path | None = None, load: Path | None = None) -> None:
    th = manifest()["thresholds"]
    fit_part, either, both = folds(fold)
    both_ids = {c.id for c in both}
    t0 = time.time()
    cache = {c.id: clip_arrays(c) for c in fit_part + either}
    x = np.concatenate([cache[c.id][0][cache[c.id][2]] for c in fit_part])
    print(f"fold {fold}: {len(fit_part)} fitting clips ({len(x)} frames), {len(either)} held out "
          f"({len(both)} both); features {time.time() - t0:.0f} s", flush=True)
    t0 = time.time()
    if load:
        model = features.Regressor.load(load)
    else:
        model = fit_model(fit_part, kind, cache)
        if save:
            model.save(save)
    print(f"{model.meta['kind']} fitted in {time.time() - t0:.0f} s", flush=True)
    # all-frame accuracy of the absolute quantities on held-out clips
    for name, part in (("either", either), ("both", both)):
        xs = np.concatenate([cache[c.id][0][cache[c.id][2]] for c in part])
        ys = np.concatenate([cache[c.id][1][cache[c.id][2]] for c in part])
        e = np.abs(model.predict(xs) - ys).mean(0)
        print(f"  all frames, {name}: MAE pelvis height {e[0]:.1f} cm, "
              f"knee angle L {e[1]:.1f} R {e[2]:.1f} deg")

    def values(c: Clip, check: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        xc, yc, ok = cache.get(c.id) or clip_arrays(c)
        side = c.labels["side"]
        learned = np.full(c.n, np.nan)
        if ok.any():
            learned[ok] = target_of(check, model.predict(xc[ok]), side[ok])
        return hand_values(c, check), learned, target_of(check, yc, side)

    for check in CHECKS:
        kinds = {c.kind for c in fit_part if c.kind != "none"
                 and any(k.name == check for k in find_exercise(c.kind).checks)}
        # the hand measure's scale to the check's unit, per stretch, on the fitting clips
        num, den = defaultdict(float), defaultdict(float)
        for c in fit_part:
            if c.kind not in kinds:
                continue
            hand, _, true = values(c, check)
            for h in holds(c):
                rh, rt = rises(hand, c.times, h), rises(true, c.times, h)
                m = np.isfinite(rh) & np.isfinite(rt)
                num[c.kind] += float((rh[m] * rt[m]).sum())
                den[c.kind] += float((rh[m] ** 2).sum())
        scale = {k: num[k] / den[k] if den[k] else 0.0 for k in kinds}
        frames = defaultdict(lambda: [[], [], [], []])  # group -> hand, learned, true, stretch
        faults = defaultdict(list)  # group -> (true size, hand size, learned size)
        for c in either:
            if c.kind not in kinds:
                continue
            hand, learned, true = values(c, check)
            groups = ["either", f"either {c.view.split('-')[0]}", f"stretch {c.kind}"]
            if c.id in both_ids:
                groups += ["both", f"both {c.view}"]
            for h in holds(c):
                rh, rl, rt = (rises(v, c.times, h) for v in (hand, learned, true))
                m = np.isfinite(rh) & np.isfinite(rl) & np.isfinite(rt)
                for g in groups:
                    frames[g][0].append(rh[m] * scale[c.kind])
                    frames[g][1].append(rl[m])
                    frames[g][2].append(rt[m])
            for f in c.faults() + clean_windows(c, holds(c)):
                if f["check"] != check:
                    continue
                size = f["size"] if f["size"] is not None else interval_size(true, c.times, f)
                row = (size,
                       interval_size(hand, c.times, f), interval_size(learned, c.times, f))
                for g in groups:
                    faults[g].append(row)
        u, fth = UNIT[check], th[check]
        hands = sorted({next(k for k in find_exercise(e).checks if k.name == check).measure for e in kinds})
        print(f"\n{check}: hand measure {hands} on {sorted(kinds)}; rise per frame (after the hold's "
              "first second) and per fault")
        print(f"  {'group':34s} {'frames':>7s} {'corr hand':>9s} {'corr lrn':>8s} {'MAE hand':>8s} "
              f"{'MAE lrn':>7s} | {'faults':>6s} {'clean':>5s} {'AUC hand':>8s} {'AUC lrn':>7s} "
              f"{'corr hand':>9s} {'corr lrn':>8s}")
        for g in sorted(frames, key=lambda g: (g.split()[0], g)):
            rh, rl, rt = (np.concatenate(frames[g][k]) if frames[g][k] else np.zeros(0) for k in range(3))
            fl = faults.get(g, [])
            big = [r for r in fl if r[0] >= fth["fault"]]
            small = [r for r in fl if abs(r[0]) < fth["clean"]]
            sign = 1.0 if check == "hips_down" else None

            def aucs(k: int, big=big, small=small, sign=sign) -> float:
                # knee: the check may open or close it; judge the size of the change
                a = abs if sign is None else float
                return auc([a(r[k]) for r in big if math.isfinite(r[k])],
                           [a(r[k]) for r in small if math.isfinite(r[k])])

            fa = np.array([r for r in fl if math.isfinite(r[1]) and math.isfinite(r[2])]).reshape(-1, 3)
            if sign is None and len(fa):
                fa = np.abs(fa)
            print(f"  {g:34s} {len(rt):7d} {corr(rh, rt):9.2f} {corr(rl, rt):8.2f} "
                  f"{np.abs(rh - rt).mean() if len(rt) else math.nan:6.1f}{u:>2s} "
                  f"{np.abs(rl - rt).mean() if len(rt) else math.nan:5.1f}{u:>2s} | "
                  f"{len(big):6d} {len(small):5d} "
                  f"{aucs(1):8.2f} {aucs(2):7.2f} {corr(fa[:, 1], fa[:, 0]) if len(fa) else math.nan:9.2f} "
                  f"{corr(fa[:, 2], fa[:, 0]) if len(fa) else math.nan:8.2f}", flush=True)


LEARNED = {"hips_down": ("pelvis_height_cm", {}), "knee_angle": ("knee_angle_true", {"leg": "active"})}


def fit_compare(fold: int, exercises: list[str], model) -> None:
    """Per check: scripts/fit.py's search (threshold, hysteresis, confirmation, view gate) on the
    fitting clips, once with the check's current measure and once with the learned one, each
    setting then scored on the held-out clips ("either"; "both" in brackets)."""
    import fit as F
    import learned_model as learned

    th = manifest()["thresholds"]
    fit_part, either, both = folds(fold)
    both_ids = {c.id for c in both}
    learned.register()
    learned.use(model)
    for name in exercises:
        ex = find_exercise(name)
        runs = F.run_clips(ex, [c for c in fit_part if c.kind == name])
        held = F.run_clips(ex, [c for c in either if c.kind == name])
        held_both = [r for r in held if r.clip.id in both_ids]
        comments = F.when_comments(ex)
        for check in ex.checks:
            if check.name not in LEARNED or check.advisory:
                continue
            lm, lp = LEARNED[check.name]
            params = M.validate_params(M.get_measure(lm), lp)
            variants = {"toml": None, check.measure: check,
                        lm: check.model_copy(update={"measure": lm, "params": params})}
            print(f"{name} {check.name}: {len(runs)} fitting clips, {len(held)} held out "
                  f"({len(held_both)} both)", flush=True)
            for label, cd in variants.items():
                if cd is None:  # the setting in poses/*.toml as it is (fitted on all training clips)
                    keep, gate = F.split_when(check, comments.get(check.name, []))
                    setting, cd = F.current_setting(check), check
                else:
                    keep, _ = F.split_when(cd, comments.get(check.name, []))
                    with contextlib.redirect_stdout(io.StringIO()):
                        setting, gate, _choice = F.fit_check(ex, cd, runs, th[check.name],
                                                             comments.get(check.name))
                    if setting is None and label == check.measure:  # the current setting kept
                        setting, label = F.current_setting(cd), f"{label} (kept)"
                    if setting is None:  # none with training precision >= 0.8: the best F1 at any
                        min_p, F.MIN_PRECISION = F.MIN_PRECISION, 0.0
                        with contextlib.redirect_stdout(io.StringIO()):
                            setting, gate, _choice = F.fit_check(ex, cd, runs, th[check.name],
                                                                 comments.get(check.name))
                        F.MIN_PRECISION = min_p
                        label += " (any P)"
                if setting is None:
                    print(f"  {label:18s} no setting")
                    continue
                out = []
                for part in (runs, held, held_both):
                    tr = [t.with_gate(gate) for t in F.cache_tracks(ex, cd, part, keep)]
                    sc = F.score(tr, check.name, setting, th[check.name])
                    out.append(f"F1 {sc.f1:.2f} R {sc.recall:.2f} P {sc.precision:.2f} "
                               f"({sc.faults}+{sc.unseen})")
                print(f"  {label:26s} {setting.kind} {setting.limit:.3g} on {setting.on_s} gate {gate}: "
                      f"fit {out[0]} | held {out[1]} | both {out[2]}", flush=True)
    learned.use(None)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fold", type=int, default=0)
    ap.add_argument("--model", default="mlp", choices=("mlp", "ridge", "diff", "diffv", "diffs", "pairmlp"))
    ap.add_argument("--save", type=Path, help="write the regressor fitted on the fold's fitting clips here")
    ap.add_argument("--load", type=Path, help="read it from here instead of fitting it")
    ap.add_argument("--fit", nargs="*", metavar="EXERCISE",
                    help="compare the checks' fitted settings on the two measures instead of the study")
    args = ap.parse_args()
    if args.fit is not None:
        model = features.Regressor.load(args.load) if args.load else None
        if model is None:
            model = fit_model(folds(args.fold)[0], args.model)
        fit_compare(args.fold, args.fit or sorted(EXERCISES_WITH_CHECKS), model)
        return 0
    study(args.fold, args.model, args.save, args.load)
    return 0


if __name__ == "__main__":
    sys.exit(main())
