"""Small objects that span frames. Each has one ``update(..., t)`` called every frame on video
time (seconds), including frames with nobody in view, so a recorded video and a live camera
behave the same."""

from __future__ import annotations

import math
import statistics
from collections import deque
from dataclasses import dataclass, field
from typing import Literal

from coach.pose.core import Pose, landmark_index
from coach.rules import measures as M
from coach.rules.definitions import CheckDef, Condition, RepsDef

Status = Literal["ok", "fault", "unseen", "idle"]


class Debouncer:
    """A boolean that changes only after the raw signal has held its new value long enough.

    ``since`` is the time the raw signal first took the current state's value, so an event
    can be dated from when it really began rather than when it was confirmed.
    """

    def __init__(self, on_s: float, off_s: float) -> None:
        self.on_s, self.off_s = on_s, off_s
        self.state = False
        self.since: float | None = None
        self._pending_since: float | None = None

    def update(self, raw: bool, t: float) -> bool:
        if raw == self.state:
            self._pending_since = None
            return self.state
        if self._pending_since is None:
            self._pending_since = t
        if t - self._pending_since >= (self.on_s if raw else self.off_s):
            self.state = raw
            self.since = self._pending_since
            self._pending_since = None
        return self.state

    def reset(self) -> None:
        self.state, self.since, self._pending_since = False, None, None


@dataclass(frozen=True)
class Verdict:
    """What one check says about one frame."""

    check: str
    status: Status
    value: float | None = None
    reason: str | None = None
    landmarks: tuple[str, ...] = ()
    since: float | None = None


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

    @property
    def in_fault(self) -> bool:
        return self._fault.state

    def _applies(self, pose: Pose, side: M.Side | None) -> bool:
        return all(cond.met(pose, side, self.min_visibility) for cond in self.check.when)

    def _change(self, value: float) -> float:
        """How far the reading has moved from the baseline in the faulty direction."""
        assert self.baseline is not None
        return (value - self.baseline) * (1.0 if self.check.kind == "rise" else -1.0)

    def _bad(self, value: float) -> bool:
        c, margin = self.check, (-self.check.hysteresis if self.in_fault else 0.0)
        if c.relative:
            assert self.baseline is not None and c.max_change is not None
            return self._change(value) > c.max_change + margin
        return not Condition(c.measure, c.params, c.min, c.max).holds(value, margin)

    def update(self, pose: Pose, side: M.Side | None, t: float, active: bool) -> Verdict:
        c = self.check
        m = M.get_measure(c.measure)
        names = m.highlighted(side, c.params)
        if not active or pose.is_empty:
            self._fault.update(False, t)
            if not active:
                self._fault.reset()
            return Verdict(c.name, "idle", landmarks=names, reason="not in position")
        if not self._applies(pose, side):
            self._fault.reset()
            return Verdict(c.name, "idle", landmarks=names, reason="not applicable now")
        r = M.read(pose, c.measure, side, c.params, self.min_visibility)
        if not r.ok:
            self._fault.update(False, t)
            return Verdict(c.name, "unseen", None, r.reason, names)
        value = r.value
        if c.relative:
            if self.baseline is None:
                if self._baseline_start is None:
                    self._baseline_start = t
                self._baseline_values.append(value)
                if t - self._baseline_start >= c.baseline_s:
                    self.baseline = statistics.median(self._baseline_values)
                return Verdict(c.name, "ok", 0.0, "measuring the start position", names)
            value = self._change(r.value)
            bad = self._bad(r.value)
        else:
            bad = self._bad(value)
        fault = self._fault.update(bad, t) and not c.advisory  # advisory: read, never judged
        # ``since``: when the current verdict really began (a fault's onset, or its clearing)
        return Verdict(c.name, "fault" if fault else "ok", value, None, names, self._fault.since)


MOTION_LANDMARKS = tuple(landmark_index(f"{s}_{j}") for s in M.SIDES
                         for j in ("shoulder", "hip", "knee", "ankle"))


class MotionMeter:
    """How fast the body is moving: the median landmark speed over the last ``window_s``, in
    torso lengths per second. Holding a stretch is being still; getting into it is not."""

    def __init__(self, window_s: float = 0.6) -> None:
        self.window_s = window_s
        self._prev: tuple[float, object] | None = None
        self._speeds: deque[tuple[float, float]] = deque()

    def update(self, pose: Pose, t: float) -> float | None:
        if pose.is_empty:
            self._prev = None
            self._speeds.clear()
            return None
        torso = pose.torso_length()
        pts = pose.xy[list(MOTION_LANDMARKS)]
        if self._prev is not None and torso > 1.0 and t > self._prev[0]:
            t0, p0 = self._prev
            step = float(statistics.median(
                math.hypot(*(a - b)) for a, b in zip(pts, p0, strict=True)))
            self._speeds.append((t, step / torso / (t - t0)))
        self._prev = (t, pts)
        while self._speeds and t - self._speeds[0][0] > self.window_s:
            self._speeds.popleft()
        if not self._speeds:
            return None
        return sum(v for _, v in self._speeds) / len(self._speeds)


# side rule -> (measure, sign, margin): the side whose signed reading is larger is the
# stretched one, once it leads by more than the margin (in the measure's units)
SIDE_RULE_MEASURE = {"crossed_ankle": ("crossed_ankle_distance", -1.0, 0.15),
                     "bent_knee": ("knee_angle", -1.0, 25.0),
                     "front_ankle": ("ankle_forward", 1.0, 0.08),
                     "front_knee": ("knee_forward", 1.0, 0.3)}


def side_scores(rule: str, pose: Pose, min_visibility: float) -> tuple[float, float] | None:
    """How strongly each side looks like the stretched one (higher wins), or None if unseen."""
    measure, sign, _ = SIDE_RULE_MEASURE[rule]
    scores = []
    for s in M.SIDES:
        r = M.read(pose, measure, s, {"leg": "active"}, min_visibility)
        scores.append(None if not r.ok else sign * r.value)
    if scores[0] is None or scores[1] is None:
        return None
    return scores[0], scores[1]


class TurnTaker:
    """Sides that take turns (rule ``alternate``): used where the pose model cannot see which
    side is which, such as which shin is in front when sitting cross-legged. The first turn is
    the side the coach asked for; each return to position after a break starts the next."""

    def __init__(self, first: M.Side, gap_s: float, min_turn_s: float) -> None:
        self.side: M.Side = first
        self.gap_s, self.min_turn_s = gap_s, min_turn_s
        self.switching = False
        self._turn_s = 0.0  # time in position in the current turn
        self._out_since: float | None = None
        self._last_t: float | None = None

    def update(self, pose: Pose, t: float, settled: bool = True) -> M.Side:
        return self.side

    def note_position(self, in_position: bool, t: float) -> None:
        """Called every frame with the (debounced) position, to find where turns start."""
        dt = 0.0 if self._last_t is None else max(0.0, t - self._last_t)
        self._last_t = t
        if not in_position:
            if self._out_since is None:
                self._out_since = t
            return
        if self._out_since is not None:
            if t - self._out_since >= self.gap_s and self._turn_s >= self.min_turn_s:
                self.side = M.opposite(self.side)
                self._turn_s = 0.0
            self._out_since = None
        self._turn_s += dt


class SideTracker:
    """Which side is being stretched, with hysteresis: a new side must lead for a while."""

    def __init__(self, rule: str, switch_after_s: float, min_visibility: float = 0.5) -> None:
        self.rule, self.min_visibility = rule, min_visibility
        self.margin = SIDE_RULE_MEASURE[rule][2]
        self.side: M.Side | None = None
        self.switch_after_s = switch_after_s
        self.quick_s = 0.3
        self._switch = Debouncer(switch_after_s, 0.0)
        self._candidate: M.Side | None = None

    def note_position(self, in_position: bool, t: float) -> None:
        """Sides found from the pose need no help from the position."""

    @property
    def switching(self) -> bool:
        """True while another side leads but has not yet led long enough to take over."""
        return self._candidate is not None

    def update(self, pose: Pose, t: float, settled: bool = True) -> M.Side | None:
        """``settled``: the person is holding the stretch, so a change of side must persist for
        ``switch_after_s``; between holds a change is taken after a short ``quick_s``."""
        self._switch.on_s = self.switch_after_s if settled else min(self.quick_s,
                                                                     self.switch_after_s)
        sc = None if pose.is_empty else side_scores(self.rule, pose, self.min_visibility)
        if sc is None:
            return self.side
        left, right = sc
        if abs(left - right) < self.margin:
            lead = None
        else:
            lead = "left" if left > right else "right"
        if lead is None or lead == self.side:
            self._candidate = None
            self._switch.reset()
            return self.side
        if lead != self._candidate:
            self._candidate = lead
            self._switch.reset()
        if self._switch.update(True, t):
            self.side = lead
            self._candidate = None
            self._switch.reset()
        return self.side


@dataclass
class SideTotals:
    hold_s: float = 0.0
    reps: int = 0
    best_hold_s: float = 0.0
    fault_s: float = 0.0


class HoldTimer:
    """Time in good form, per side: total, the current unbroken hold and the best one."""

    def __init__(self, grace_s: float = 1.0) -> None:
        self.totals: dict[str, SideTotals] = {s: SideTotals() for s in M.SIDES}
        self.current_s = 0.0
        self.grace_s = grace_s
        self._side: str | None = None
        self._broken_for = 0.0

    def update(self, side: M.Side | None, good: bool, dt: float) -> float:
        if side != self._side:
            self.current_s, self._side, self._broken_for = 0.0, side, 0.0
        if side is None:
            return 0.0
        if good:
            self.totals[side].hold_s += dt
            self.current_s += dt
            self._broken_for = 0.0
            tot = self.totals[side]
            tot.best_hold_s = max(tot.best_hold_s, self.current_s)
        else:
            self._broken_for += dt
            if self._broken_for > self.grace_s:
                self.current_s = 0.0
        return self.current_s


    def credit(self, side: str, seconds: float) -> None:
        """Count good time that was only confirmed as good afterwards."""
        tot = self.totals[side]
        take = min(seconds, tot.fault_s)
        tot.hold_s += take
        tot.fault_s -= take
        if self._side == side:
            self.current_s += take
            tot.best_hold_s = max(tot.best_hold_s, self.current_s)

    def retract(self, side: str, seconds: float) -> None:
        """Take back time counted as good that turned out to be the start of a fault."""
        tot = self.totals[side]
        take = min(seconds, tot.hold_s)
        tot.hold_s -= take
        tot.fault_s += take
        if self._side == side:
            self.current_s = max(0.0, self.current_s - take)


class RepCounter:
    """Counts movements out past ``enter``: a rep counts once the value has stayed past it for
    ``min_s``, and the next one needs a return past ``exit`` first (the gap is the hysteresis).
    Counting on arrival, not on return, credits a last lean that ends the session."""

    def __init__(self, reps: RepsDef, min_s: float = 0.3) -> None:
        self.reps = reps
        self.down = False
        self.count = 0
        self._deeper = reps.enter > reps.exit  # larger values are "further into the movement"
        self._db = Debouncer(min_s, min_s)
        self._last: float | None = None
        self.direction = 0  # +1 moving into the movement, -1 coming back, 0 still

    def _past(self, value: float, threshold: float) -> bool:
        return value >= threshold if self._deeper else value <= threshold

    def _back(self, value: float) -> bool:
        return value <= self.reps.exit if self._deeper else value >= self.reps.exit

    def update(self, value: float | None, t: float) -> bool:
        """Feed a reading; True on the frame a rep is counted."""
        if value is None or math.isnan(value):
            return False
        if self._last is not None:
            step = (value - self._last) * (1 if self._deeper else -1)
            self.direction = 1 if step > 0.3 else -1 if step < -0.3 else 0
        self._last = value
        # Going down needs the value past `enter`; staying down, only not yet back past `exit`.
        raw = self._past(value, self.reps.enter) if not self.down else not self._back(value)
        was = self.down
        self.down = self._db.update(raw, t)
        if self.down and not was:
            self.count += 1
            return True
        return False

    def reset(self) -> None:
        """Forget a movement in progress (the side changed or the position was lost)."""
        self.down = False
        self._db.reset()
        self._last = None
        self.direction = 0


@dataclass
class OpenEvent:
    check: str
    side: str | None
    start_s: float
    message: str


@dataclass
class EventLog:
    """Fault intervals, opened when a check's verdict turns to fault and closed when it clears."""

    events: list[dict] = field(default_factory=list)
    open: dict[str, OpenEvent] = field(default_factory=dict)

    exit_grace_s: float = 1.5

    def update(self, verdicts: list[Verdict], side: str | None, messages: dict[str, str],
               t: float) -> None:
        for v in verdicts:
            if v.status == "fault" and v.check not in self.open:
                start = v.since if v.since is not None else t
                self.open[v.check] = OpenEvent(v.check, side, start, messages[v.check])
            elif v.status != "fault" and v.check in self.open:
                # cleared: it ended when the form came right, confirmed off_s later
                ev = self.open[v.check]
                end = v.since if (v.status == "ok" and v.since is not None
                                  and v.since >= ev.start_s) else t
                self._close(v.check, end)

    def drop_recent(self, left_at: float) -> None:
        """The person left the position at ``left_at``: a fault that began just before is the
        start of getting out of the stretch (hips rise to change sides), not a fault in it."""
        cut = left_at - self.exit_grace_s
        for name in [n for n, ev in self.open.items() if ev.start_s >= cut]:
            del self.open[name]
        self.events = [e for e in self.events if e["start_s"] < cut]

    def _close(self, check: str, t: float) -> None:
        ev = self.open.pop(check)
        self.events.append({"check": ev.check, "side": ev.side, "start_s": round(ev.start_s, 2),
                            "end_s": round(max(t, ev.start_s), 2), "message": ev.message})

    def close_all(self, t: float) -> None:
        for name in list(self.open):
            self._close(name, t)
        self.events.sort(key=lambda e: (e["start_s"], e["check"]))

    def snapshot(self, t: float) -> list[dict]:
        """All events so far, open ones ending now (for reports written mid-session)."""
        out = list(self.events)
        for ev in self.open.values():
            out.append({"check": ev.check, "side": ev.side, "start_s": round(ev.start_s, 2),
                        "end_s": round(t, 2), "message": ev.message, "open": True})
        return sorted(out, key=lambda e: (e["start_s"], e["check"]))
