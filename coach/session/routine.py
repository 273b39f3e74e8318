"""A routine's steps, in order, against what was held.

Live, :class:`RoutineRun` moves through the steps on video time: it is fed the current step's
session totals each coaching frame and says when a side is done (switch, or rest first), when
the step is done (next step) and when the routine is over. For a recording,
:func:`score_recording` matches the recogniser's segments to the steps in order. Both end in
the same :class:`RoutineReport`, whose verdict is complete only when every step is done.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from coach.rules.measures import BOTH, SIDES
from coach.rules.routines import PlannedStep, RoutinePlan, Target
from coach.session.frame import Side, SideTotals
from coach.session.report import Event, Report, RoutineReport, RoutineStep, Segment, StepSide, StepTarget

Status = Literal["done", "partial", "missing", "skipped"]
MIN_FOUND_S = 3.0  # a recognised run shorter than this does not count as doing a step
NOT_DEFINED = "not available yet: no definition"


def progress(totals: Mapping[str, SideTotals], key: str) -> tuple[float, int]:
    """(time held in good form, reps) of one side; for ``both``, of a stretch without sides
    (timed under "both"), or of either side of one with sides, added up."""
    if key in totals:
        return totals[key].hold_s, totals[key].reps
    if key == BOTH:
        return (sum(totals[s].hold_s for s in SIDES if s in totals),
                sum(totals[s].reps for s in SIDES if s in totals))
    return 0.0, 0


def met(target: Target, hold_s: float, reps: int) -> bool:
    if target.reps is not None:
        return reps >= target.reps
    return hold_s >= (target.seconds or 0.0) - 1e-6


class StepTracker:
    """One step's sides against its target, fed the step's session totals each frame: which
    side is asked for, and which are done. ``first``: the side asked for first."""

    def __init__(self, step: PlannedStep, first: Side | None = None) -> None:
        self.step = step
        keys = step.side_keys
        if first is not None and len(keys) == 2 and keys[0] != first:
            keys = keys[::-1]
        self.order = keys
        self.held: dict[str, tuple[float, int]] = {k: (0.0, 0) for k in keys}
        self.reached: dict[str, bool] = {k: False for k in keys}

    def update(self, totals: Mapping[str, SideTotals]) -> list[str]:
        """Take the session's totals; the sides that met the target on this call."""
        newly = []
        for k in self.order:
            self.held[k] = progress(totals, k)
            if not self.reached[k] and met(self.step.target, *self.held[k]):
                self.reached[k] = True
                newly.append(k)
        return newly

    @property
    def asked(self) -> str | None:
        """The side to do now: the first in order not yet done (None when all are)."""
        return next((k for k in self.order if not self.reached[k]), None)

    @property
    def done(self) -> bool:
        return all(self.reached.values())


@dataclass(frozen=True)
class RoutineEvent:
    """What happened in the routine on a frame: a step started (``side`` asked first), was
    skipped (not available), a side is done (``switch`` to ``side``, or ``rest`` for
    ``seconds`` first), a step is done, the routine is over."""

    kind: Literal["start", "skip", "switch", "rest", "step_done", "finished"]
    step: PlannedStep | None = None
    side: str | None = None
    seconds: float = 0.0


@dataclass
class StepRecord:
    """How one step went live: its status once settled (None while it is on or to come)."""

    step: PlannedStep
    status: Status | None = None
    why: str | None = None
    tracker: StepTracker | None = None
    start_s: float | None = None
    end_s: float | None = None


@dataclass
class _Rest:
    left_s: float
    then: Literal["side", "next"]
    side: str | None = None


class RoutineRun:
    """The steps in order, live: ``update`` on each coaching frame of the current step (its
    session's time and totals), ``tick`` on each frame of a rest (the time it adds)."""

    def __init__(self, plan: RoutinePlan, first_side: Side | None = None) -> None:
        self.plan, self.first_side = plan, first_side
        self.records = [StepRecord(s) for s in plan.steps]
        self.index = -1
        self.phase: Literal["step", "rest", "finished"] = "step"
        self.rest: _Rest | None = None

    @property
    def current(self) -> StepRecord | None:
        return self.records[self.index] if 0 <= self.index < len(self.records) else None

    @property
    def upcoming(self) -> PlannedStep | None:
        """The next available step after the current one."""
        return next((r.step for r in self.records[self.index + 1:] if r.step.available), None)

    def start(self) -> list[RoutineEvent]:
        return self._next()

    def _next(self) -> list[RoutineEvent]:
        events = []
        while True:
            self.index += 1
            rec = self.current
            if rec is None:
                self.phase = "finished"
                return [*events, RoutineEvent("finished")]
            if rec.step.available:
                break
            rec.status, rec.why = "skipped", NOT_DEFINED
            events.append(RoutineEvent("skip", rec.step))
        first = self.first_side if self.first_side in rec.step.side_keys else None
        rec.tracker = StepTracker(rec.step, first)  # type: ignore[arg-type]
        self.phase = "step"
        return [*events, RoutineEvent("start", rec.step, rec.tracker.asked)]

    def update(self, t: float, totals: Mapping[str, SideTotals]) -> list[RoutineEvent]:
        """A coaching frame of the current step at time ``t`` with its session's totals."""
        rec = self.current
        if self.phase != "step" or rec is None or rec.tracker is None:
            return []
        rec.start_s = t if rec.start_s is None else rec.start_s
        rec.end_s = t
        tracker = rec.tracker
        newly = tracker.update(totals)
        if tracker.done:
            rec.status = "done"
            events = [RoutineEvent("step_done", rec.step)]
            if rec.step.rest_s > 0 and self.upcoming is not None:
                self.phase, self.rest = "rest", _Rest(rec.step.rest_s, "next")
                return [*events, RoutineEvent("rest", self.upcoming, None, rec.step.rest_s)]
            return events + self._next()
        if newly:
            side = tracker.asked
            if rec.step.rest_s > 0:
                self.phase, self.rest = "rest", _Rest(rec.step.rest_s, "side", side)
                return [RoutineEvent("rest", rec.step, side, rec.step.rest_s)]
            return [RoutineEvent("switch", rec.step, side)]
        return []

    def tick(self, dt: float) -> list[RoutineEvent]:
        """A frame during a rest, ``dt`` seconds on (0 while paused): when the rest is over,
        the next side or the next step."""
        if self.phase != "rest" or self.rest is None:
            return []
        self.rest.left_s -= dt
        if self.rest.left_s > 1e-6:
            return []
        rest, self.rest = self.rest, None
        if rest.then == "next":
            return self._next()
        self.phase = "step"
        rec = self.current
        return [RoutineEvent("switch", rec.step if rec else None, rest.side)]

    @property
    def rest_left(self) -> float:
        return max(0.0, self.rest.left_s) if self.rest is not None else 0.0

    def skip(self) -> list[RoutineEvent]:
        """Move on by hand (N): a rest ends now; a step ends as it stands (partial)."""
        if self.phase == "rest" and self.rest is not None:
            return self.tick(self.rest.left_s)
        rec = self.current
        if self.phase != "step" or rec is None:
            return []
        self._end(rec, "moved on before the target (N)")
        return self._next()

    @staticmethod
    def _end(rec: StepRecord, why: str) -> None:
        """A step that ends before its target: partial, or missing if nothing was held."""
        tracker = rec.tracker
        if tracker is not None and tracker.done:
            rec.status, rec.why = "done", None
        elif tracker is not None and any(h > 0 or r > 0 for h, r in tracker.held.values()):
            rec.status, rec.why = "partial", why
        else:
            rec.status, rec.why = "missing", f"{why}: nothing held"

    def finish(self) -> None:
        """The session ended: the step on is partial (missing if nothing was held); the steps
        not reached are missing (skipped if not available)."""
        for i, rec in enumerate(self.records):
            if rec.status is not None:
                continue
            if i == self.index and rec.start_s is not None:
                self._end(rec, "the session ended before the target")
            elif not rec.step.available:
                rec.status, rec.why = "skipped", NOT_DEFINED
            else:
                rec.status, rec.why = "missing", "not reached: the session ended first"
        self.phase = "finished"

    def report(self, reports: Mapping[int, Report]) -> RoutineReport:
        """The routine section, from the records and each coached step's session report
        (keyed by step index)."""
        steps = []
        for rec in self.records:
            rep = reports.get(rec.step.index)
            held = ({k: rec.tracker.held[k] for k in rec.tracker.order} if rec.tracker else {})
            faults = list(rep.events) if rep is not None else []
            status, why = rec.status, rec.why
            if status is None:  # a report while the routine goes on
                status, why = (("partial", "in progress") if rec.start_s is not None else
                               ("skipped", NOT_DEFINED) if not rec.step.available else
                               ("missing", "not reached yet"))
            steps.append(step_result(rec.step, status, why, rec.start_s, rec.end_s, held, faults))
        return routine_report(self.plan, steps)


# -- the report --------------------------------------------------------------------------------

def _amount(target: Target, hold_s: float, reps: int) -> str:
    if target.reps is not None:
        return f"{reps} of {target.reps} reps"
    if target.breaths is not None:
        return (f"{int(hold_s / target.breath_s + 1e-6)} of {target.breaths} breaths "
                f"({hold_s:.1f} of {target.seconds:g} s)")
    return f"{hold_s:.1f} of {target.seconds:g} s"


def step_result(step: PlannedStep, status: Status, why: str | None, start_s: float | None,
                end_s: float | None, held: Mapping[str, tuple[float, int]],
                faults: Sequence[Event]) -> RoutineStep:
    """One step's entry: a step said done that falls short on any side is partial."""
    tg = step.target
    sides = {k: StepSide(hold_s=round(held[k][0], 2), reps=held[k][1],
                         breaths=int(held[k][0] / tg.breath_s + 1e-6) if tg.breaths else None,
                         met=met(tg, *held[k])) for k in held}
    if status in ("done", "partial"):
        all_met = bool(sides) and all(s.met for s in sides.values()) and \
            len(sides) == len(step.side_keys)
        short = [f"{k} {_amount(step.target, *held[k])}" for k in step.side_keys
                 if k not in sides or not sides[k].met]
        if all_met:
            status, why = "done", None
        else:
            status = "partial"
            why = "; ".join(p for p in (why, "short: " + ", ".join(short) if short else None) if p)
    target = StepTarget(hold_s=step.target.seconds, breaths=step.target.breaths,
                        reps=step.target.reps)
    r = (lambda v: None if v is None else round(v, 2))  # noqa: E731
    return RoutineStep(index=step.index, exercise=step.name, title=step.title, sides=step.sides,
                       target=target, status=status, why=why, start_s=r(start_s), end_s=r(end_s),
                       held=sides, faults=list(faults))


def routine_report(plan: RoutinePlan, steps: Sequence[RoutineStep]) -> RoutineReport:
    """The routine section: complete only when every step is done."""
    why = [f"{s.index}. {s.title}: {s.status}" + (f" ({s.why})" if s.why else "")
           for s in steps if s.status != "done"]
    done = sum(s.status == "done" for s in steps)
    return RoutineReport(name=plan.name, title=plan.title,
                         verdict="complete" if not why and steps else "incomplete",
                         steps_done=done, why_incomplete=why, steps=list(steps))


# -- a recording -------------------------------------------------------------------------------

TotalsAt = Callable[[str, "float | None"], Mapping[str, SideTotals]]


@dataclass
class _Found:
    """A step found in a recording: from its first fitting segment to the next step's."""

    step: PlannedStep
    start_s: float
    end_s: float = 0.0
    last_seen_s: float = 0.0


def _fits(step: PlannedStep, seg: Segment) -> bool:
    if seg.stretch != step.name or seg.end_s - seg.start_s < MIN_FOUND_S:
        return False
    return step.sides in ("both", "none") or seg.side is None or seg.side == step.sides


def score_recording(plan: RoutinePlan, segments: Sequence[Segment], reports: Mapping[str, Report],
                    totals_at: TotalsAt, recognised: set[str]) -> RoutineReport:
    """Match the recogniser's ``segments`` to the steps in order: each step is found at the
    first fitting segment (its stretch, a side it asks for, at least ``MIN_FOUND_S`` long)
    after the previous step's, and lasts until the next found step begins. What was held in
    that span is the step's session totals at its end less those at its start (``totals_at``:
    an exercise's totals at a time, None for the end). ``recognised``: the exercises the
    recogniser can find; a step of another is skipped."""
    segs = sorted(segments, key=lambda s: s.start_s)
    found: list[_Found] = []
    status: dict[int, tuple[Status, str]] = {}
    pos = 0
    for step in plan.steps:
        if not step.available:
            status[step.index] = ("skipped", NOT_DEFINED)
            continue
        if step.name not in recognised:
            status[step.index] = ("skipped", "the recogniser cannot find it in a recording yet")
            continue
        j = next((j for j in range(pos, len(segs)) if _fits(step, segs[j])), None)
        if j is None:
            status[step.index] = ("missing", "not found in the recording"
                                  + (" after the step before" if found else ""))
            continue
        found.append(_Found(step, segs[j].start_s))
        pos = j + 1
    for i, a in enumerate(found):
        a.end_s = found[i + 1].start_s if i + 1 < len(found) else float("inf")
        seen = [s.end_s for s in segs if s.stretch == a.step.name and a.start_s <= s.start_s < a.end_s]
        a.last_seen_s = max(seen, default=a.start_s)
    steps = []
    by_index = {f.step.index: f for f in found}
    for step in plan.steps:
        f = by_index.get(step.index)
        if f is None:
            st, why = status[step.index]
            steps.append(step_result(step, st, why, None, None, {}, []))
            continue
        before = totals_at(step.name, f.start_s)
        after = totals_at(step.name, None if f.end_s == float("inf") else f.end_s)
        held = {}
        for k in step.side_keys:
            h1, r1 = progress(after, k)
            h0, r0 = progress(before, k)
            held[k] = (max(0.0, h1 - h0), max(0, r1 - r0))
        rep = reports.get(step.name)
        faults = [e for e in (rep.events if rep else []) if f.start_s <= e.start_s < f.end_s]
        steps.append(step_result(step, "done", None, f.start_s, f.last_seen_s, held, faults))
    return routine_report(plan, steps)
