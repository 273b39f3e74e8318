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

View gates. Some checks cannot be seen from some camera angles (a knee angle with the shin
end-on to the camera). Per check the fit also chooses a view gate: none, or a condition on the
measure ``view_width`` (about 0 side-on, ~0.75 facing; a max of 0.3, 0.45 or 0.6, a min of 0.2
or 0.35) outside which the check is not judged and the coach says "can't judge from this view".
A gated candidate is scored on the faults it can still judge: a truth fault counts as "can't
see" (neither found nor missed) when the gate is closed, with the person in position, over
more than half of its frames; events cannot happen in gated frames, so false flags there are
avoided. Each gate gets its best setting (on a coarser grid of limits: half as many, then the
full grid again for the gate chosen), and the best gate is chosen only where it pays clearly:

- its training F1 on the judged faults beats the best setting without a gate by at least
  MIN_GATE_GAIN (0.1: with 2-40 faults per check, one fault more or less found moves F1 by a
  few hundredths, so a smaller gain could be noise),
- it gates at most MAX_GATED (40 %) of the check's in-position time (where its other
  conditions hold): a check that cannot be judged most of the time is a limit for the README,
  not something to hide behind a gate,
- at least MIN_JUDGED_FAULTS (5) faults stay judged, and its precision is at least 0.8 too.

The gate is written as a ``[[checks.when]]`` on ``view_width`` with a comment starting
``fitted`` (the share it gated, F1 with and without); a later fit replaces (or removes) such a
gate and keeps every other condition. A hand-written view condition (no ``fitted`` comment) is
kept as it is and no gate is searched for that check.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpuslib import Clip, clips, manifest, refuse_validation  # noqa: E402
from train_recognizer import COACHED  # noqa: E402

from coach.pose import Pose  # noqa: E402
from coach.rules import measures as M  # noqa: E402
from coach.rules.checks import CHECK_KINDS  # noqa: E402
from coach.rules.definitions import CheckDef, Exercise, Gate, find_exercise  # noqa: E402
from coach.run import make_session  # noqa: E402
from coach.session.judge import BASELINE_KEEP_S, EXIT_GRACE_S  # noqa: E402
from coach.session.quality import VIEW_MEASURES  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
ONSET_TOL_S = 1.0
MIN_PRECISION = 0.8  # on the training part; below it a setting is not considered
ON_S = (0.3, 0.6, 1.0)
RELATIVE = ("rise", "drop", "change")  # kinds judged against the start of the hold
HYST = (0.15, 0.3, 0.5)  # as a fraction of the limit's distance from the baseline / bound
N_LIMITS = 40  # limits tried per kind (a gate's first search: half as many)
VIEW = "view_width"  # the measure a fitted view gate is on
VIEW_GATES: tuple[tuple[str, float], ...] = (("max", 0.3), ("max", 0.45), ("max", 0.6),
                                             ("min", 0.2), ("min", 0.35))
MIN_GATE_GAIN = 0.1  # training F1 on the judged faults over the best without a gate
MAX_GATED = 0.4  # of the check's in-position time
MIN_JUDGED_FAULTS = 5
CANT_SEE_SHARE = 0.5  # of a fault's frames gated: the fault counts as "can't see"
FITTED = "fitted"  # how a fitted gate's comment starts (a hand-written one is kept)

ViewGate = tuple[str, float] | None  # ("max" | "min", view_width), or no gate


@dataclass
class Track:
    """One clip as the check sees it: per frame time, in position, side, applies (the check's
    conditions other than a fitted view gate), value, and the view's width (NaN where neither
    can be read). ``gated``: frames in position, applicable but outside the view gate."""

    clip: Clip
    t: np.ndarray
    active: np.ndarray
    side: list[str | None]
    applies: np.ndarray
    value: np.ndarray  # NaN where the measure cannot be read
    view: np.ndarray | None = None
    gated: np.ndarray | None = None
    # where the session's judge dropped the faults begun on the way out of a hold: per frame the
    # cut (NaN where none; see ``run_clips``) and the one at the end of the clip. None (a
    # synthetic track): worked out from ``active`` alone, as before the session dated exits.
    cuts: np.ndarray | None = None
    end_cut: float | None = None
    _prep: dict = field(default_factory=dict, repr=False, compare=False)

    def with_gate(self, gate: ViewGate) -> Track:
        """The track as the check sees it with a view gate (the value still read everywhere)."""
        if gate is None:
            return self
        assert self.view is not None
        with np.errstate(invalid="ignore"):
            ok = self.view <= gate[1] if gate[0] == "max" else self.view >= gate[1]
        gated = self.active & self.applies & ~ok  # NaN (unreadable) is closed, as Gate.met
        if self.gated is not None:  # a hand-written view condition's
            gated |= self.gated
        return replace(self, applies=self.applies & ok, gated=gated, _prep={})


@dataclass
class ClipRun:
    """What the coach makes of one clip, shared by all of a stretch's checks."""

    clip: Clip
    poses: list[Pose]
    t: np.ndarray
    active: np.ndarray
    side: list[str | None]
    view: np.ndarray
    cuts: np.ndarray | None = None
    end_cut: float | None = None


def _drop_cut(left_at: float, moved_at: float | None) -> float:
    """As ``EventLog.drop_recent``: faults begun at or after this are the way out of the hold."""
    cut = left_at - EXIT_GRACE_S
    return cut if moved_at is None else min(cut, moved_at)


def run_clips(ex: Exercise, part: list[Clip]) -> list[ClipRun]:
    """The coach once over each clip (recogniser, session): in position, side, view width, and
    where its judge dropped the faults begun on the way out of a hold. That cut is the
    session's own (when the position was first lost, and when the body started moving out as
    its ExitDater dates it), recorded as the judge makes it, so the replay drops what the coach
    drops: worked out from the frame the position is let go (about 1 s after it was first lost,
    and 2.3 s after the hold's end), faults of the way out would count as false flags here that
    the coach never reports."""
    out = []
    for clip in part:
        session = make_session(ex, first_side=clip.first_side)
        log = session.judge.log
        drops: list[tuple[float, float | None]] = []
        keep = log.drop_recent

        def record(left_at: float, moved_at: float | None = None, keep=keep, drops=drops) -> list:
            drops.append((left_at, moved_at))
            return keep(left_at, moved_at)  # the judge takes the dropped faults' time back

        log.drop_recent = record  # type: ignore[method-assign]
        poses = clip.poses()
        active, side, view = [], [], []
        cuts = np.full(len(poses), np.nan)
        for i, pose in enumerate(poses):
            st = session.update(pose, float(clip.times[i]))
            active.append(st.in_position and not pose.is_empty)
            side.append(st.side)
            r = M.read(pose, VIEW, st.side, None, ex.min_visibility)
            view.append(np.nan if r.value is None else r.value)
            if drops:
                cuts[i] = min(_drop_cut(*d) for d in drops)
                drops.clear()
        session.finish()
        end_cut = min(_drop_cut(*d) for d in drops) if drops else None
        out.append(ClipRun(clip, poses, np.asarray(clip.times, float), np.array(active), side,
                           np.array(view), cuts, end_cut))
    return out


def is_fitted_gate(w: Gate, comment: str) -> bool:
    return w.measure == VIEW and comment.lstrip("# ").startswith(FITTED)


def when_comments(ex: Exercise) -> dict[str, list[str]]:
    """Per check, the comment of each of its ``[[checks.when]]`` (in order)."""
    import tomlkit

    doc = tomlkit.parse(ex.path.read_text())
    return {str(t["name"]): [w.trivia.comment for w in t.get("when", [])] for t in doc.get("checks", [])}


def split_when(check: CheckDef, comments: list[str]) -> tuple[tuple[Gate, ...], ViewGate]:
    """The conditions kept as they are, and the fitted view gate (if any)."""
    kept, gate = [], None
    for i, w in enumerate(check.when):
        if is_fitted_gate(w, comments[i] if i < len(comments) else ""):
            gate = ("max", float(w.max)) if w.max is not None else ("min", float(w.min))  # type: ignore[arg-type]
        else:
            kept.append(w)
    return tuple(kept), gate


def cache_tracks(ex: Exercise, check: CheckDef, runs: list[ClipRun],
                 keep: tuple[Gate, ...] | None = None) -> list[Track]:
    """The check's value per frame where its conditions ``keep`` (default: all) hold; a view
    condition among them (hand-written) gates frames as the fitted ones do."""
    when = check.when if keep is None else keep
    views = [w for w in when if w.measure in VIEW_MEASURES]
    others = [w for w in when if w.measure not in VIEW_MEASURES]
    out = []
    for run in runs:
        applies, hidden, value = [], [], []
        for i, pose in enumerate(run.poses):
            ok = not pose.is_empty and all(w.met(pose, run.side[i], ex.min_visibility) for w in others)
            seen = ok and all(w.met(pose, run.side[i], ex.min_visibility) for w in views)
            applies.append(seen)
            hidden.append(ok and not seen)
            r = M.read(pose, check.measure, run.side[i], check.params, ex.min_visibility) if ok else None
            value.append(np.nan if r is None or r.value is None else r.value)
        gated = run.active & np.array(hidden) if views else None
        out.append(Track(run.clip, run.t, run.active, run.side, np.array(applies), np.array(value),
                         run.view, gated, run.cuts, run.end_cut))
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

    def bad_arrays(self, x: np.ndarray) -> tuple[list[bool], list[bool]]:
        """``bad`` over frames at once, for ``x`` the value (or its change from the baseline):
        (a fault starts, a fault goes on)."""
        with np.errstate(invalid="ignore"):
            if self.kind in ("rise", "range_max"):
                return (x > self.limit).tolist(), (x > self.limit - self.hysteresis).tolist()
            if self.kind == "drop":
                return (-x > self.limit).tolist(), (-x > self.limit - self.hysteresis).tolist()
            if self.kind == "change":
                a = np.abs(x)
                return (a > self.limit).tolist(), (a > self.limit - self.hysteresis).tolist()
            return (x < self.limit).tolist(), (x < self.limit + self.hysteresis).tolist()


# frame codes of a prepared track: the check reset (not in position, or not applicable), the
# measure unreadable (not bad), the start of the hold being measured (no verdict), judged
RESET, UNREAD, MEASURING, JUDGED = 0, 1, 2, 3


def prepare(tr: Track, relative: bool, baseline_s: float = 1.0) -> tuple:
    """What does not depend on the setting, once per track: per frame its code, the value (or
    its change from the baseline), whether the side changed, and where the person left the
    position the time before which a fault is the way out (else None)."""
    if relative in tr._prep:
        return tr._prep[relative]
    n = len(tr.t)
    code, x, side_new, exit_cut = [JUDGED] * n, np.full(n, np.nan), [False] * n, [None] * n
    base, b_vals, b_start = None, [], None
    side_prev, out_since = "?", None
    t_list, active, applies, value = tr.t.tolist(), tr.active.tolist(), tr.applies.tolist(), tr.value.tolist()
    for i in range(n):
        t, side = t_list[i], tr.side[i]
        if side != side_prev:
            side_new[i] = True
            base, b_vals, b_start = None, [], None
            side_prev = side
        if active[i]:
            out_since = None
        else:
            if out_since is None:
                out_since = t
                if tr.cuts is None:
                    exit_cut[i] = t - EXIT_GRACE_S
            if t - out_since > BASELINE_KEEP_S:
                base, b_vals, b_start = None, [], None
        if tr.cuts is not None and not math.isnan(tr.cuts[i]):
            exit_cut[i] = float(tr.cuts[i])
        v = value[i]
        if not active[i] or not applies[i]:
            code[i] = RESET
        elif math.isnan(v):
            code[i] = UNREAD
        elif relative and base is None:
            b_start = t if b_start is None else b_start
            b_vals.append(v)
            if t - b_start >= baseline_s:
                base = statistics.median(b_vals)
            code[i] = MEASURING
        else:
            x[i] = v - base if relative else v  # type: ignore[operator]
    tr._prep[relative] = (t_list, code, x, side_new, exit_cut)
    return tr._prep[relative]


def replay(tr: Track, s: Setting, baseline_s: float = 1.0) -> list[tuple[str | None, float, float]]:
    """Fault intervals (side, start, end) the judge would report with setting ``s``."""
    t_list, code, x, side_new, exit_cut = prepare(tr, s.kind in RELATIVE, baseline_s)
    starts, goes_on = s.bad_arrays(x)
    events: list[list] = []
    cur: list | None = None
    state, pending, since = False, None, None
    for i, k in enumerate(code):
        t = t_list[i]
        if side_new[i]:
            state, pending = False, None
        cut = exit_cut[i]
        if cut is not None:
            if cur is not None and cur[1] >= cut:
                cur = None
            events = [e for e in events if e[1] < cut]
        if k == RESET:  # the judge resets the check: closed now
            state, pending = False, None
            if cur is not None:
                cur[2] = t
                events.append(cur)
                cur = None
            continue
        if k != MEASURING:  # the debouncer
            raw = k == JUDGED and (goes_on[i] if state else starts[i])
            if raw == state:
                pending = None
            else:
                pending = t if pending is None else pending
                if t - pending >= (s.on_s if raw else s.off_s):
                    state, since, pending = raw, pending, None
        if state and cur is None:
            cur = [tr.side[i], since if since is not None else t, None]
        elif not state and cur is not None:
            cur[2] = since if (since is not None and since >= cur[1]) else t
            events.append(cur)
            cur = None
    if cur is not None:
        cur[2] = t_list[-1]
        events.append(cur)
    if tr.end_cut is not None:  # the session's finish: a hold still on ends where it was left
        events = [e for e in events if round(e[1], 2) < tr.end_cut]
    return [tuple(e) for e in events]


def _same_side(event_side: str | None, fault_side: str | None) -> bool:
    """An event of a stretch without sides ("both") is on the side of any fault of it."""
    return event_side == M.BOTH or event_side == fault_side


def cant_see(tr: Track, fault: dict) -> bool:
    """The view gate was closed, in position, over more than CANT_SEE_SHARE of the fault."""
    if tr.gated is None:
        return False
    m = (tr.t >= fault["start_s"]) & (tr.t < fault["end_s"])
    return bool(m.any()) and tr.gated[m].mean() > CANT_SEE_SHARE


@dataclass(frozen=True)
class Score:
    f1: float
    recall: float
    precision: float
    onset: float  # mean |onset error|, s
    faults: int  # judged faults at or above their size threshold
    unseen: int  # faults of that size that the view gate hid ("can't see")

    def __getitem__(self, i: int) -> float:  # (F1, recall, precision, onset) as before
        return (self.f1, self.recall, self.precision, self.onset)[i]


def score(tracks: list[Track], check: str, s: Setting, th: dict) -> Score:
    """F1, recall (on the faults the check can see), precision and mean |onset error|."""
    n_faults = found = true_ev = false_ev = unseen = 0
    onset = []
    for tr in tracks:
        evs = replay(tr, s)
        faults = [f for f in tr.clip.faults() if f["check"] == check]
        for f in faults:
            if f["size"] < th["fault"]:
                continue
            if cant_see(tr, f):
                unseen += 1
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
    return Score(f1, rec, prec, float(np.mean(onset)) if onset else 9.9, n_faults, unseen)


def candidates(check: CheckDef, tracks: list[Track], n_limits: int = N_LIMITS) -> list[Setting]:
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
            limits = np.linspace(0.03, 1.0, n_limits) * spread
        else:
            limits = np.linspace(np.percentile(vals, 2), np.percentile(vals, 98), n_limits)
        for lim in limits:
            for h in HYST:
                for on in ON_S:
                    hy = h * (lim if kind in RELATIVE else 0.2 * spread)
                    out.append(Setting(kind, float(lim), float(hy), on, max(0.4, on)))
    return out


def best_setting(tracks: list[Track], check: str, cands: list[Setting], th: dict
                 ) -> tuple[Setting, Score] | None:
    """The candidate with the best F1 (then onset) among those with precision >= MIN_PRECISION."""
    best = None
    for s in cands:
        sc = score(tracks, check, s, th)
        if sc.precision < MIN_PRECISION:  # a coach that nags about faults that are not there is not used
            continue
        key = (round(sc.f1, 4), -sc.onset)
        if best is None or key > best[0]:
            best = (key, s, sc)
    return None if best is None else (best[1], best[2])


def gated_share(tracks: list[Track]) -> float:
    """How much of the check's in-position time (its other conditions holding) a gate hides."""
    inside = sum(int((tr.active & (tr.applies | tr.gated)).sum()) for tr in tracks)  # type: ignore[operator]
    return sum(int(tr.gated.sum()) for tr in tracks) / inside if inside else 0.0  # type: ignore[union-attr]


@dataclass(frozen=True)
class GateChoice:
    gate: ViewGate
    share: float  # of the check's in-position training time gated
    f1: float  # the best setting's training F1 with the gate (judged faults)
    f1_none: float  # ... without a gate
    faults: int  # judged faults
    unseen: int  # faults hidden by the gate

    def comment(self) -> str:
        return (f"{FITTED} (scripts/fit.py): gates {100 * self.share:.0f} % of the training time in "
                f"position, {self.unseen} of {self.faults + self.unseen} faults; training F1 "
                f"{self.f1:.2f} on the rest (without a gate {self.f1_none:.2f})")


def choose_gate(check: CheckDef, tracks: list[Track], th: dict,
                base: tuple[Setting, Score] | None) -> tuple[GateChoice | None, list[str]]:
    """The view gate that pays (see the module's docstring), or None; and a line per gate."""
    f1_none = base[1].f1 if base else 0.0
    lines, best = [], None
    for gate in VIEW_GATES:
        gt = [tr.with_gate(gate) for tr in tracks]
        share = gated_share(gt)
        name = f"{VIEW} {'<=' if gate[0] == 'max' else '>='} {gate[1]:g}"
        if share > MAX_GATED:
            lines.append(f"{name}: gates {100 * share:.0f} % (over {100 * MAX_GATED:.0f} %)")
            continue
        got = best_setting(gt, check.name, candidates(check, gt, N_LIMITS // 2), th)
        if got is None:
            lines.append(f"{name}: gates {100 * share:.0f} %, no setting with precision >= {MIN_PRECISION}")
            continue
        sc = got[1]
        lines.append(f"{name}: gates {100 * share:.0f} %, {sc.unseen} faults unseen, F1 {sc.f1:.3f} "
                     f"recall {sc.recall:.3f} precision {sc.precision:.3f} on {sc.faults} faults")
        if sc.faults < MIN_JUDGED_FAULTS or sc.f1 < f1_none + MIN_GATE_GAIN:
            continue
        if best is None or (round(sc.f1, 4), -share) > (round(best.f1, 4), -best.share):
            best = GateChoice(gate, share, sc.f1, f1_none, sc.faults, sc.unseen)
    return best, lines


def fit_check(ex: Exercise, check: CheckDef, runs: list[ClipRun], th: dict,
              comments: list[str] | None = None) -> tuple[Setting | None, ViewGate, GateChoice | None]:
    """The setting to write (None: keep it) and the view gate (and how it was chosen)."""
    keep, gate_now = split_when(check, comments or [])
    hand_view = any(w.measure in VIEW_MEASURES for w in keep)
    tracks = cache_tracks(ex, check, runs, keep)
    current = current_setting(check)
    now = score([tr.with_gate(gate_now) for tr in tracks], check.name, current, th)
    print(f"  {check.name}: now {current} gate {gate_now} -> F1 {now.f1:.3f} recall {now.recall:.3f} "
          f"precision {now.precision:.3f}")
    cands = candidates(check, tracks)
    base = best_setting(tracks, check.name, cands, th)
    if base:
        print(f"    without a view gate: best F1 {base[1].f1:.3f} recall {base[1].recall:.3f} "
              f"precision {base[1].precision:.3f} on {base[1].faults} faults")
    choice = None
    if hand_view:
        print("    a hand-written view condition: kept, no gate searched")
    else:
        choice, lines = choose_gate(check, tracks, th, base)
        for line in lines:
            print(f"    {line}")
    gate = choice.gate if choice else None
    if gate is not None:
        print(f"    view gate {gate}: {choice.comment()}")  # type: ignore[union-attr]
    elif not hand_view:
        print("    no view gate (none pays)")
    gt = [tr.with_gate(gate) for tr in tracks]
    if gate != gate_now:
        now = score(gt, check.name, current, th)  # the current setting under the chosen gate
    best = base if gate is None else best_setting(gt, check.name, cands, th)
    if best is None or best[1].f1 <= now.f1:
        print(f"  {check.name}: setting kept (no setting with precision >= {MIN_PRECISION} does better)")
        return None, gate, choice
    sc = best[1]
    print(f"  {check.name}: best {best[0]} -> F1 {sc.f1:.3f} recall {sc.recall:.3f} "
          f"precision {sc.precision:.3f} onset {sc.onset:.2f} s")
    return best[0], gate, choice


def current_setting(check: CheckDef) -> Setting:
    r = check.rule
    if check.kind in RELATIVE:
        return Setting(check.kind, r.limit, check.hysteresis, check.on_s, check.off_s)  # type: ignore[attr-defined]
    if getattr(r, "max", None) is not None:
        return Setting("range_max", r.max, check.hysteresis, check.on_s, check.off_s)  # type: ignore[attr-defined]
    return Setting("range_min", r.min, check.hysteresis, check.on_s, check.off_s)  # type: ignore[attr-defined]


def write_back(ex: Exercise, fitted: dict[str, Setting],
               gates: dict[str, GateChoice | None] | None = None) -> None:
    """Put the fitted values into poses/NAME.toml, keeping its comments and layout. ``gates``:
    per check searched, its fitted view gate (None: no gate); an earlier fitted gate goes."""
    import tomlkit

    doc = tomlkit.parse(ex.path.read_text())
    for table in doc["checks"]:
        name = str(table["name"])
        if gates is not None and name in gates:
            _write_gate(table, gates[name])
        s = fitted.get(name)
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


def _write_gate(table, choice: GateChoice | None) -> None:
    import tomlkit

    whens = table.get("when")
    if whens is not None:
        for i in reversed(range(len(whens))):
            w = whens[i]
            if str(w.get("measure")) == VIEW and w.trivia.comment.lstrip("# ").startswith(FITTED):
                del whens[i]
        if not len(whens):
            del table["when"]
            whens = None
    if choice is None or choice.gate is None:
        return
    w = tomlkit.table()
    w.add("measure", VIEW)
    w.add(choice.gate[0], choice.gate[1])
    w.comment(choice.comment())
    w.indent(2)
    if whens is None:
        table["when"] = tomlkit.aot()
        whens = table["when"]
    whens.append(w)


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
        runs = run_clips(ex, part)
        comments = when_comments(ex)
        fitted, gates = {}, {}
        for check in ex.checks:
            if check.advisory or check.name not in th:
                continue
            setting, _gate, choice = fit_check(ex, check, runs, th[check.name], comments.get(check.name))
            if setting is not None:
                fitted[check.name] = setting
            keep, _ = split_when(check, comments.get(check.name, []))
            if not any(w.measure in VIEW_MEASURES for w in keep):
                gates[check.name] = choice
        if not args.dry_run:
            write_back(ex, fitted, gates)
            print(f"  wrote {ex.path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
