"""Fit each form check's threshold, hysteresis and confirmation time on the corpus's training
part, and write them into poses/*.toml (a reviewable diff; comments are kept).

    python scripts/fit.py [--dry-run] [EXERCISE ...]

How: the coach runs once over every training clip of the exercise (recogniser, session) to get
where the person is in position and on which side; each check's measure is read once per frame.
Then every candidate setting is replayed over those cached readings with the same state machine
as the session's judge (baseline at the start of a hold, hysteresis, confirmation and clearing
times, the way out of a stretch not counted), and scored against the truth: faults at or above
their size threshold must be found (onset within 1 s), nothing may be flagged where the truth is
clean-sized. Among settings with a training precision of at least 0.8, the one with the best F1
(then the smallest onset error) is kept if it beats the current one. Thousands of
settings take seconds. The validation part is never read here (see scripts/accuracy.py).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpuslib import Clip, clips, manifest, refuse_validation  # noqa: E402
from train_recognizer import COACHED  # noqa: E402

from coach.rules import measures as M  # noqa: E402
from coach.rules.checks import CHECK_KINDS  # noqa: E402
from coach.rules.definitions import CheckDef, Exercise, find_exercise  # noqa: E402
from coach.run import make_session  # noqa: E402
from coach.session.judge import BASELINE_KEEP_S, EXIT_GRACE_S  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
ONSET_TOL_S = 1.0
MIN_PRECISION = 0.8  # on the training part; below it a setting is not considered
ON_S = (0.3, 0.6, 1.0)
RELATIVE = ("rise", "drop", "change")  # kinds judged against the start of the hold
HYST = (0.15, 0.3, 0.5)  # as a fraction of the limit's distance from the baseline / bound


@dataclass
class Track:
    """One clip as the check sees it: per frame time, in position, side, applies, value."""

    clip: Clip
    t: np.ndarray
    active: np.ndarray
    side: list[str | None]
    applies: np.ndarray
    value: np.ndarray  # NaN where the measure cannot be read


def cache_tracks(ex: Exercise, check: CheckDef, part: list[Clip]) -> list[Track]:
    out = []
    for clip in part:
        session = make_session(ex, first_side=clip.first_side)
        t, active, side, applies, value = [], [], [], [], []
        for i, pose in enumerate(clip.poses()):
            st = session.update(pose, float(clip.times[i]))
            t.append(float(clip.times[i]))
            active.append(st.in_position and not pose.is_empty)
            side.append(st.side)
            ok = not pose.is_empty and all(w.met(pose, st.side, ex.min_visibility) for w in check.when)
            applies.append(ok)
            r = M.read(pose, check.measure, st.side, check.params, ex.min_visibility) if ok else None
            value.append(np.nan if r is None or r.value is None else r.value)
        out.append(Track(clip, np.array(t), np.array(active), side, np.array(applies), np.array(value)))
    return out


@dataclass(frozen=True)
class Setting:
    kind: str  # rise | drop | change | range_max | range_min
    limit: float
    hysteresis: float
    on_s: float
    off_s: float

    def bad(self, v: float, base: float | None, in_fault: bool) -> bool:
        m = -self.hysteresis if in_fault else 0.0
        if self.kind == "rise":
            return v - base > self.limit + m  # type: ignore[operator]
        if self.kind == "drop":
            return base - v > self.limit + m  # type: ignore[operator]
        if self.kind == "change":
            return abs(v - base) > self.limit + m  # type: ignore[operator]
        if self.kind == "range_max":
            return v > self.limit + m
        return v < self.limit - m


def replay(tr: Track, s: Setting, baseline_s: float = 1.0) -> list[tuple[str | None, float, float]]:
    """Fault intervals (side, start, end) the judge would report with setting ``s``."""
    relative = s.kind in RELATIVE
    events: list[list] = []
    cur: list | None = None
    state, pending, since = False, None, None
    base, b_vals, b_start = None, [], None
    side_prev, out_since = "?", None
    for i in range(len(tr.t)):
        t, side = tr.t[i], tr.side[i]
        if side != side_prev:
            state, pending, base, b_vals, b_start = False, None, None, [], None
            side_prev = side
        if tr.active[i]:
            out_since = None
        else:
            if out_since is None:
                out_since = t
                cut = t - EXIT_GRACE_S
                if cur is not None and cur[1] >= cut:
                    cur = None
                events = [e for e in events if e[1] < cut]
            if t - out_since > BASELINE_KEEP_S:
                base, b_vals, b_start = None, [], None
        raw = None
        if not tr.active[i] or not tr.applies[i]:  # the judge resets the check: closed now
            state, pending = False, None
            if cur is not None:
                cur[2] = t
                events.append(cur)
                cur = None
        else:
            if np.isnan(tr.value[i]):
                raw = False
            elif relative and base is None:
                b_start = t if b_start is None else b_start
                b_vals.append(tr.value[i])
                if t - b_start >= baseline_s:
                    base = statistics.median(b_vals)
                raw = None
            else:
                raw = s.bad(tr.value[i], base, state)
        if raw is not None:  # the debouncer
            if raw == state:
                pending = None
            else:
                pending = t if pending is None else pending
                if t - pending >= (s.on_s if raw else s.off_s):
                    state, since, pending = raw, pending, None
        if state and cur is None:
            cur = [side, since if since is not None else t, None]
        elif not state and cur is not None:
            cur[2] = since if (since is not None and since >= cur[1]) else t
            events.append(cur)
            cur = None
    if cur is not None:
        cur[2] = tr.t[-1]
        events.append(cur)
    return [tuple(e) for e in events]


def _same_side(event_side: str | None, fault_side: str | None) -> bool:
    """An event of a stretch without sides ("both") is on the side of any fault of it."""
    return event_side == M.BOTH or event_side == fault_side


def score(tracks: list[Track], check: str, s: Setting, th: dict) -> tuple[float, float, float, float]:
    """(F1, recall, precision, mean |onset error|) over the tracks."""
    n_faults = found = true_ev = false_ev = 0
    onset = []
    for tr in tracks:
        evs = replay(tr, s)
        faults = [f for f in tr.clip.faults() if f["check"] == check]
        for f in faults:
            if f["size"] < th["fault"]:
                continue
            n_faults += 1
            hit = [e for e in evs if _same_side(e[0], f["side"])
                   and f["start_s"] - ONSET_TOL_S <= e[1] <= f["end_s"]]
            if hit:
                found += 1
                onset.append(abs(hit[0][1] - f["start_s"]))
        for e in evs:
            near = [f for f in faults if f["start_s"] - ONSET_TOL_S <= e[1] <= f["end_s"] + ONSET_TOL_S]
            if any(f["size"] >= th["fault"] for f in near):
                true_ev += 1
            elif not any(f["size"] >= th["clean"] for f in near):
                false_ev += 1
    rec = found / n_faults if n_faults else 1.0
    prec = true_ev / (true_ev + false_ev) if true_ev + false_ev else 1.0
    f1 = 2 * rec * prec / (rec + prec) if rec + prec else 0.0
    return f1, rec, prec, float(np.mean(onset)) if onset else 9.9


def candidates(check: CheckDef, tracks: list[Track]) -> list[Setting]:
    """Limits spread over the readings' own range (relative kinds: over the changes seen)."""
    kinds = [check.kind] if check.kind in RELATIVE else []
    rule = check.rule
    if check.kind == "range":
        kinds = (["range_max"] if getattr(rule, "max", None) is not None else []) + \
                (["range_min"] if getattr(rule, "min", None) is not None else [])
        kinds += ["rise"] if "range_max" in kinds else ["drop"]  # the same as a change from the hold
    vals = np.concatenate([tr.value[tr.active & tr.applies] for tr in tracks])
    vals = vals[np.isfinite(vals)]
    if not len(vals):
        return []
    spread = float(np.percentile(vals, 95) - np.percentile(vals, 5)) or 1.0
    out = []
    for kind in kinds:
        if kind in RELATIVE:
            limits = np.linspace(0.03, 1.0, 40) * spread
        else:
            limits = np.linspace(np.percentile(vals, 2), np.percentile(vals, 98), 40)
        for lim in limits:
            for h in HYST:
                for on in ON_S:
                    hy = h * (lim if kind in RELATIVE else 0.2 * spread)
                    out.append(Setting(kind, float(lim), float(hy), on, max(0.4, on)))
    return out


def fit_check(ex: Exercise, check: CheckDef, part: list[Clip], th: dict) -> tuple[Setting, tuple] | None:
    tracks = cache_tracks(ex, check, part)
    current = current_setting(check)
    now = score(tracks, check.name, current, th)
    print(f"  {check.name}: now {current} -> F1 {now[0]:.3f} recall {now[1]:.3f} precision {now[2]:.3f}")
    best = None
    for s in candidates(check, tracks):
        sc = score(tracks, check.name, s, th)
        if sc[2] < MIN_PRECISION:  # a coach that nags about faults that are not there is not used
            continue
        key = (round(sc[0], 4), -sc[3])
        if best is None or key > best[0]:
            best = (key, s, sc)
    if best is None or best[2][0] <= now[0]:
        print(f"  {check.name}: kept (no setting with precision >= {MIN_PRECISION} does better)")
        return None
    print(f"  {check.name}: best {best[1]} -> F1 {best[2][0]:.3f} recall {best[2][1]:.3f} "
          f"precision {best[2][2]:.3f} onset {best[2][3]:.2f} s")
    return best[1], best[2]


def current_setting(check: CheckDef) -> Setting:
    r = check.rule
    if check.kind in RELATIVE:
        return Setting(check.kind, r.limit, check.hysteresis, check.on_s, check.off_s)  # type: ignore[attr-defined]
    if getattr(r, "max", None) is not None:
        return Setting("range_max", r.max, check.hysteresis, check.on_s, check.off_s)  # type: ignore[attr-defined]
    return Setting("range_min", r.min, check.hysteresis, check.on_s, check.off_s)  # type: ignore[attr-defined]


def write_back(ex: Exercise, fitted: dict[str, Setting]) -> None:
    """Put the fitted values into poses/NAME.toml, keeping its comments and layout."""
    import tomlkit

    doc = tomlkit.parse(ex.path.read_text())
    for table in doc["checks"]:
        s = fitted.get(str(table["name"]))
        if s is None:
            continue
        if s.kind in RELATIVE:
            for k in ("min", "max", "max_rise", "max_drop", "max_change"):
                if k in table:
                    del table[k]
            table["kind"] = s.kind
            table[CHECK_KINDS.get(s.kind).limit_key] = round(s.limit, 3)  # type: ignore[attr-defined]
        else:  # the fitted bound only; the other one (if any) stays
            table["kind"] = "range"
            table["max" if s.kind == "range_max" else "min"] = round(s.limit, 3)
        table["hysteresis"] = round(s.hysteresis, 3)
        table["on_s"] = s.on_s
        table["off_s"] = s.off_s
    ex.path.write_text(tomlkit.dumps(doc))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("exercises", nargs="*", default=list(COACHED))
    ap.add_argument("--dry-run", action="store_true", help="print, do not write poses/*.toml")
    ap.add_argument("--part", default="train", help=argparse.SUPPRESS)
    args = ap.parse_args()
    refuse_validation(args.part)
    th = manifest()["thresholds"]
    for name in args.exercises:
        ex = find_exercise(name)
        part = clips("train", kinds=(name,))
        print(f"{name}: {len(part)} training clips")
        fitted = {}
        for check in ex.checks:
            if check.advisory or check.name not in th:
                continue
            got = fit_check(ex, check, part, th[check.name])
            if got is not None:
                fitted[check.name] = got[0]
        if not args.dry_run:
            write_back(ex, fitted)
            print(f"  wrote {ex.path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
