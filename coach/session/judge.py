"""Judge: the form checks over time (visibility gating, baseline, hysteresis, debounce) and the
fault intervals they add up to."""

from __future__ import annotations

import statistics
from collections import deque
from dataclasses import dataclass, field

from coach.pose import Pose
from coach.rules import measures as M
from coach.rules.definitions import CheckDef, Exercise
from coach.session.frame import Side, Verdict
from coach.session.locate import Location
from coach.session.timing import Debouncer

BASELINE_KEEP_S = 3.0  # out of position longer than this: the next hold gets a new baseline
# In position for less than this before leaving: a flicker of the position (often while moving in
# or out, the legs still going where they will be held); a baseline taken in it is not the hold's
# start, so the next hold takes its own however soon it comes.
BASELINE_MIN_HOLD_S = 3.0
EXIT_GRACE_S = 1.5  # a fault begun this soon before leaving the position is the way out
FAULT_FRAMES_KEEP_S = 15.0  # a check's frames in fault kept this long, to give back a dropped fault's time
VIEW_MEASURES = frozenset({"view_width"})  # measures that describe the camera's angle
NOT_APPLICABLE = "not applicable now"  # the reason when a check's other `when` conditions fail
NOT_FROM_VIEW = "not from this camera angle"  # ... when they hold but a view condition fails


class CheckMonitor:
    """Runs one check over time: visibility gating, baseline, value hysteresis, debounce."""

    def __init__(self, check: CheckDef, min_visibility: float = 0.5, instant: bool = False) -> None:
        self.check = check
        self.min_visibility = min_visibility
        self._fault = Debouncer(0.0, 0.0) if instant else Debouncer(check.on_s, check.off_s)
        self._baseline_values: list[float] = []
        self._baseline_start: float | None = None
        self.baseline: float | None = None

    def reset(self) -> None:
        """Forget the baseline and any fault (a new hold or a new side begins)."""
        self._fault.reset()
        self._baseline_values, self._baseline_start, self.baseline = [], None, None

    def measured_since(self, t: float) -> bool:
        """Whether the baseline (set or being measured) was begun at ``t`` or later."""
        return self._baseline_start is not None and self._baseline_start >= t

    def _verdict(self, status: str, side: Side | None, value: float | None = None,
                 reason: str | None = None, since: float | None = None) -> Verdict:
        c = self.check
        m = M.get_measure(c.measure)
        return Verdict(c.name, status, value, reason, m.highlighted(side, c.params),  # type: ignore[arg-type]
                       since, c.title, not c.advisory, m.anchor_landmark(side, c.params))

    def _measuring_start(self, value: float, t: float) -> bool:
        """Collect the baseline over the first ``baseline_s`` of the hold; True until it is set."""
        if self.baseline is not None:
            return False
        window = self.check.rule.baseline_window()
        assert window is not None
        if self._baseline_start is None:
            self._baseline_start = t
        self._baseline_values.append(value)
        if t - self._baseline_start >= window:
            self.baseline = statistics.median(self._baseline_values)
        return True

    def update(self, pose: Pose, side: Side | None, t: float, active: bool) -> Verdict:
        c = self.check
        if not active or pose.is_empty:
            self._fault.update(False, t)
            if not active:
                self._fault.reset()
            return self._verdict("idle", side, reason="not in position")
        views = [w for w in c.when if w.measure in VIEW_MEASURES]
        if not all(w.met(pose, side, self.min_visibility) for w in c.when if w not in views):
            self._fault.reset()
            return self._verdict("idle", side, reason=NOT_APPLICABLE)
        if not all(w.met(pose, side, self.min_visibility) for w in views):
            self._fault.reset()  # the check applies now, but the camera's angle hides it
            return self._verdict("idle", side, reason=NOT_FROM_VIEW)
        r = M.read(pose, c.measure, side, c.params, self.min_visibility)
        if r.value is None:
            self._fault.update(False, t)
            return self._verdict("unseen", side, reason=r.reason)
        if c.relative and self._measuring_start(r.value, t):
            return self._verdict("ok", side, 0.0, "measuring the start position")
        margin = -c.hysteresis if self._fault.state else 0.0
        bad = c.rule.fault(r.value, self.baseline, margin)
        fault = self._fault.update(bad, t) and not c.advisory  # advisory: read, never judged
        return self._verdict("fault" if fault else "ok", side,
                             c.rule.shown(r.value, self.baseline), since=self._fault.since)


@dataclass
class FaultEvent:
    """One fault interval (``end_s`` None while it goes on)."""

    check: str
    side: Side | None
    start_s: float
    message: str
    end_s: float | None = None


@dataclass
class EventLog:
    """Fault intervals, opened when a check's verdict turns to fault and closed when it clears."""

    events: list[FaultEvent] = field(default_factory=list)
    open: dict[str, FaultEvent] = field(default_factory=dict)

    def update(self, verdicts: tuple[Verdict, ...], side: Side | None, messages: dict[str, str],
               t: float) -> tuple[list[FaultEvent], list[FaultEvent]]:
        """Open and close intervals; returns those (opened, closed) on this frame."""
        opened, closed = [], []
        for v in verdicts:
            if v.status == "fault" and v.check not in self.open:
                start = v.since if v.since is not None else t
                self.open[v.check] = ev = FaultEvent(v.check, side, start, messages[v.check])
                opened.append(ev)
            elif v.status != "fault" and v.check in self.open:
                # cleared: it ended when the form came right, confirmed off_s later
                ev = self.open[v.check]
                end = v.since if (v.status == "ok" and v.since is not None
                                  and v.since >= ev.start_s) else t
                closed.append(self._close(v.check, end))
        return opened, closed

    def drop_recent(self, left_at: float, moved_at: float | None = None) -> list[FaultEvent]:
        """The person left the position at ``left_at``: a fault that began just before is the
        start of getting out of the stretch (hips rise to change sides), not a fault in it; so
        is one begun after the body started moving out (``moved_at``). Returns those dropped."""
        cut = left_at - EXIT_GRACE_S
        if moved_at is not None:
            cut = min(cut, moved_at)
        dropped = [ev for ev in self.open.values() if ev.start_s >= cut]
        for ev in dropped:
            del self.open[ev.check]
        kept = []
        for e in self.events:
            (kept if round(e.start_s, 2) < cut else dropped).append(e)
        self.events = kept
        return dropped

    def _close(self, check: str, t: float) -> FaultEvent:
        ev = self.open.pop(check)
        ev.end_s = max(t, ev.start_s)
        self.events.append(ev)
        return ev

    def close_all(self, t: float) -> None:
        for name in list(self.open):
            self._close(name, t)
        self.events.sort(key=lambda e: (round(e.start_s, 2), e.check))

    def snapshot(self) -> list[FaultEvent]:
        """All intervals so far, open ones included (for reports written mid-session)."""
        return sorted([*self.events, *self.open.values()], key=lambda e: (round(e.start_s, 2),
                                                                          e.check))


@dataclass(frozen=True)
class Judgement:
    """The checks' verdicts on one frame; the faults confirmed on it (dated from their onset),
    those cleared on it (dated from when the form came right) and those dropped on it as the way
    out of the position."""

    verdicts: tuple[Verdict, ...]
    opened: tuple[FaultEvent, ...] = ()
    closed: tuple[FaultEvent, ...] = ()
    dropped: tuple[FaultEvent, ...] = ()

    @property
    def faults(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.status == "fault"]


class Judge:
    """All the checks of an exercise, the fault log, and the time each check spent in fault or
    unseen. Baselines are kept through short breaks and per side."""

    def __init__(self, exercise: Exercise, instant: bool = False) -> None:
        self.monitors = [CheckMonitor(c, exercise.min_visibility, instant)
                         for c in exercise.checks]
        self.messages = {c.name: c.cue for c in exercise.checks}
        self.log = EventLog()
        self.time = {c.name: {"fault_s": 0.0, "unseen_s": 0.0} for c in exercise.checks}
        # each check's recent frames in fault (t, dt): a fault dropped as the way out of the
        # position gives its time back (see drop_recent)
        self._fault_frames: dict[str, deque[tuple[float, float]]] = {c.name: deque() for c in exercise.checks}
        self._side: Side | None = None
        self._out_since: float | None = None
        self._in_since: float | None = None

    def _follow(self, where: Location, t: float, moved_at: float | None = None) -> list[FaultEvent]:
        """A new side resets the checks; leaving the position settles the faults begun just
        before (returns those dropped as the way out), and a long break, or a short spell in
        position before it, forgets the start of the hold."""
        if where.side != self._side:
            for m in self.monitors:
                m.reset()
            self._side = where.side
            self._in_since = None  # this side's spell in position begins now
        if where.in_position:
            self._out_since = None
            if self._in_since is None:
                self._in_since = t
            return []
        dropped = []
        if self._out_since is None:
            self._out_since = t
            if self._in_since is not None and t - self._in_since < BASELINE_MIN_HOLD_S:
                for m in self.monitors:
                    if m.check.relative and m.measured_since(self._in_since):
                        m.reset()
            self._in_since = None
            dropped = self.drop_recent(where.since if where.since is not None else t, moved_at)
        if t - self._out_since > BASELINE_KEEP_S:
            for m in self.monitors:
                if m.check.relative:
                    m.reset()
        return dropped

    def update(self, pose: Pose, where: Location, t: float, dt: float,
               moved_at: float | None = None) -> Judgement:
        """``moved_at``: on the frame a hold is left, when the body really started moving out."""
        dropped = self._follow(where, t, moved_at)
        active = where.in_position and not where.switching
        verdicts = tuple(m.update(pose, where.side, t, active) for m in self.monitors)
        opened, closed = self.log.update(verdicts, where.side, self.messages, t)
        for v in verdicts:
            if v.status in ("fault", "unseen"):
                self.time[v.check][f"{v.status}_s"] += dt
            frames = self._fault_frames[v.check]
            if v.status == "fault":
                frames.append((t, dt))
            while frames and frames[0][0] < t - FAULT_FRAMES_KEEP_S:
                frames.popleft()
        return Judgement(verdicts, tuple(opened), tuple(closed), tuple(dropped))

    def drop_recent(self, left_at: float, moved_at: float | None = None) -> list[FaultEvent]:
        """:meth:`EventLog.drop_recent`, and the time the faults dropped were counted in fault
        taken back from their checks (the report's time in fault and its list of faults agree).
        Returns the faults dropped."""
        dropped = self.log.drop_recent(left_at, moved_at)
        for ev in dropped:
            frames = self._fault_frames[ev.check]
            back = sum(dt for tf, dt in frames if tf >= ev.start_s)
            self.time[ev.check]["fault_s"] = max(0.0, self.time[ev.check]["fault_s"] - back)
            self._fault_frames[ev.check] = deque(f for f in frames if f[0] < ev.start_s)
        return dropped

    def finish(self, t: float) -> None:
        self.log.close_all(t)
