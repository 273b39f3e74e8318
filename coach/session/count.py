"""Count: time held in good form per side (and the unbroken hold), time in position, reps.

Verdicts are confirmed only after their debounce windows, and dated from when they really
began; the count dates its time the same way. A fault confirmed on a frame was a fault from its
onset, so the ledger books that window as fault time; a fault found cleared was good form from
when it cleared. The ledger is told these dates by the judge and books them itself.
"""

from __future__ import annotations

import math
from collections import deque

from coach.pose import Pose
from coach.rules import measures as M
from coach.rules.definitions import Exercise, RepsDef
from coach.session.frame import Side, SideTotals
from coach.session.judge import EXIT_GRACE_S, Judgement
from coach.session.locate import Location
from coach.session.timing import Debouncer, MotionMeter

HOLD_GRACE_S = 1.0  # a break in good form this short does not end the unbroken hold
MERGE_GAP_S = 1.0  # in-position intervals of one side this close together are one
RETRACT_KEEP_S = 15.0  # bookings kept this long, to take back the way out of a hold or
# move a late-confirmed change of side back (session.SIDE_HISTORY_S)


class HoldLedger:
    """Time in good form per side: totals, the current unbroken hold and the best one, and the
    time in position with a fault."""

    def __init__(self, sides: tuple[str, ...] = M.SIDES, grace_s: float = HOLD_GRACE_S) -> None:
        self.totals: dict[str, SideTotals] = {s: SideTotals() for s in sides}
        self.current_s = 0.0
        self.grace_s = grace_s
        self._side: str | None = None
        self._broken_for = 0.0
        self._best_before = 0.0  # the side's best hold before the current one began
        self._ended: tuple[str, float, float] | None = None  # (side, length, best before it)

    @property
    def side(self) -> str | None:
        """The side of the hold being counted now."""
        return self._side

    def update(self, side: Side | None, good: bool, dt: float) -> float:
        if side != self._side:
            if self._side is not None:
                self._ended = (self._side, self.current_s, self._best_before)
            self.current_s, self._side, self._broken_for = 0.0, side, 0.0
        if side is None:
            return 0.0
        tot = self.totals[side]
        if good:
            if self.current_s == 0.0:
                self._best_before = tot.best_hold_s
            tot.hold_s += dt
            self.current_s += dt
            self._broken_for = 0.0
            tot.best_hold_s = max(tot.best_hold_s, self.current_s)
        else:
            self._broken_for += dt
            if self._broken_for > self.grace_s:
                self.current_s = 0.0
        return self.current_s

    def book_fault(self, side: str, seconds: float) -> None:
        """``seconds`` up to now were the fault confirmed now: fault time, not good form."""
        tot = self.totals[side]
        take = min(seconds, tot.hold_s)
        tot.hold_s -= take
        tot.fault_s += take
        if self._side == side:
            self.current_s = max(0.0, self.current_s - take)

    def retract(self, side: str, good_s: float, fault_s: float) -> None:
        """The last ``good_s`` of good form and ``fault_s`` in fault on ``side`` were the way out
        of the hold just ended, not the hold: take them back (and from its length)."""
        tot = self.totals[side]
        take = min(good_s, tot.hold_s)
        tot.hold_s -= take
        tot.fault_s = max(0.0, tot.fault_s - fault_s)
        if self._ended is not None and self._ended[0] == side:
            _, length, before = self._ended
            if tot.best_hold_s <= length + 1e-9:
                tot.best_hold_s = max(before, length - take)

    def book_good(self, side: str, seconds: float) -> None:
        """``seconds`` up to now were good form again, a fault having cleared that long ago."""
        tot = self.totals[side]
        take = min(seconds, tot.fault_s)
        tot.hold_s += take
        tot.fault_s -= take
        if self._side == side:
            self.current_s += take
            tot.best_hold_s = max(tot.best_hold_s, self.current_s)


class RepCounter:
    """Counts movements out past ``enter``: a rep counts once the value has stayed past it for
    ``min_s``, and the next one needs a return past ``exit`` first (the gap is the hysteresis).
    Counting on arrival, not on return, credits a last lean that ends the session."""

    def __init__(self, reps: RepsDef) -> None:
        self.reps = reps
        self.down = False
        self.count = 0
        self._deeper = reps.enter > reps.exit  # larger values are "further into the movement"
        self._db = Debouncer(reps.min_s, reps.min_s)
        self._last: float | None = None
        self._ref: float | None = None  # swing: least deep value since the last return
        self._deep: float | None = None  # swing: deepest value since going out
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
            self.direction = 1 if step > self.reps.step else -1 if step < -self.reps.step else 0
        self._last = value
        if self.reps.swing is not None:
            raw = self._swing(value)
        else:
            # Going down needs the value past `enter`; staying down, only not yet back past `exit`.
            raw = self._past(value, self.reps.enter) if not self.down else not self._back(value)
        was = self.down
        self.down = self._db.update(raw, t)
        if self.down != was:  # a swing measures the next move from here
            self._ref = self._deep = self._depth(value)
        if self.down and not was:
            self.count += 1
            return True
        return False

    def _depth(self, value: float) -> float:
        """The reading signed so that larger is further into the movement."""
        return value if self._deeper else -value

    def _swing(self, value: float) -> bool:
        """Out: ``swing`` deeper than the least deep value since the return; back: half of it
        shallower than the deepest since going out."""
        v = self._depth(value)
        swing = float(self.reps.swing)
        if not self.down:
            self._ref = v if self._ref is None else min(self._ref, v)
            return v >= self._ref + swing
        self._deep = v if self._deep is None else max(self._deep, v)
        return v > self._deep - swing / 2

    def reset(self) -> None:
        """Forget a movement in progress (the side changed or the position was lost)."""
        self.down = False
        self._db.reset()
        self._last = None
        self._ref = self._deep = None
        self.direction = 0


class Intervals:
    """When the person was in position, per side: [{side, start_s, end_s}], short breaks merged."""

    def __init__(self) -> None:
        self.items: list[dict] = []
        self._open = False

    def end_at(self, side: Side, t: float) -> None:
        """The interval of ``side`` just closed really ended at ``t``."""
        last = self.items[-1] if self.items else None
        if last is not None and not self._open and last["side"] == side:
            last["end_s"] = round(max(last["start_s"], min(last["end_s"], t)), 2)

    def redate_switch(self, old_end: float, new_start: float) -> None:
        """The last two intervals (one side, then the other, open) really ended and began then."""
        if len(self.items) < 2 or not self._open:
            return
        old, new = self.items[-2], self.items[-1]
        if old["side"] == new["side"]:
            return
        old["end_s"] = round(max(old["start_s"], min(old["end_s"], old_end)), 2)
        new["start_s"] = round(max(old["end_s"], min(new["start_s"], new_start)), 2)
        if old["end_s"] <= old["start_s"]:  # the old side was never really held: no interval
            self.items.pop(-2)

    def update(self, side: Side | None, t: float, since: float | None = None) -> None:
        """Frame ``t`` is in position on ``side`` (None: not); ``since``: a newly confirmed
        position began then (the time its confirmation waited was held, and is booked so)."""
        last = self.items[-1] if self.items else None
        if last is not None and self._open:
            if side == last["side"]:
                return
            last["end_s"] = round(t, 2)
            self._open = False
        if side is None:
            return
        self._open = True
        start = t if since is None else min(t, max(since, last["end_s"] if last is not None else since))
        if last is not None and last["side"] == side and start - last["end_s"] <= MERGE_GAP_S:
            return  # a short break in the same side's hold: one interval
        self.items.append({"side": side, "start_s": round(start, 2), "end_s": round(t, 2)})


class Counter:
    """Holds, time in position and reps, per side, from the location and the judgement."""

    def __init__(self, exercise: Exercise, motion: MotionMeter | None = None) -> None:
        """``motion``: a :class:`MotionMeter` shared with other sessions over the same frames,
        used if its window is this exercise's (else one of its own)."""
        self.exercise = exercise
        self.ledger = HoldLedger(exercise.sides)
        window = exercise.hold.still_window_s
        self.motion = motion if motion is not None and motion.window_s == window else MotionMeter(window)
        self.still = Debouncer(exercise.hold.still_s, exercise.hold.still_s)
        self.reps = RepCounter(exercise.reps) if exercise.reps else None
        self.counts = [(c, RepCounter(c)) for c in exercise.counts]
        for tot in self.ledger.totals.values():
            tot.counts.update({c.name: 0 for c in exercise.counts})
        self.moving: RepsDef | None = None  # whose movement cues the last frame called for
        self.held_out: RepsDef | None = None  # whose movement is held out past enter, still
        self._last_count: dict[str, tuple[Side, float]] = {}
        self.position_s = {s: 0.0 for s in exercise.sides}
        self.position_frames = 0
        self._booked: deque[tuple[float, str, float, bool, bool]] = deque()  # (t, side, s, good, fault)
        self.intervals = Intervals()
        self._rep_side: Side | None = None
        self._last_rep: tuple[Side, float] | None = None
        self._was_in = False
        # (t, side, count name or None for a rep) of each movement counted lately, for a change
        # of side dated back to move what was counted since then (:meth:`move_counts`)
        self._counted: deque[list] = deque()

    @property
    def totals(self) -> dict[str, SideTotals]:
        return self.ledger.totals

    def _still(self, pose: Pose, t: float) -> bool:
        speed = self.motion.update(pose, t)
        limit = self.exercise.hold.still_max
        if limit is None:
            return True
        return self.still.update(speed is not None and speed <= limit, t)

    def update(self, pose: Pose, where: Location, judged: Judgement, t: float,
               dt: float) -> float:
        """Book the frame; returns the current unbroken hold."""
        for ev in judged.opened:  # dated from its onset: that window was not good form
            if ev.side is not None:
                self.ledger.book_fault(ev.side, self._rebook(ev.side, ev.start_s, to_fault=True))
        still = self._still(pose, t)  # the motion meter follows every frame
        side, held = where.side, where.in_position and where.seen
        good = held and still and not judged.faults
        if where.entered and good and where.since is not None:
            dt_held = dt + max(0.0, t - where.since)  # confirmed: the whole window was held
        else:
            dt_held = dt
        hold_s = self.ledger.update(side if where.in_position else None, good, dt_held)
        if good and side:
            for ev in judged.closed:  # the form was right again from the moment it cleared
                if ev.side == side and ev.end_s is not None:
                    self.ledger.book_good(side, self._rebook(side, round(ev.end_s, 2), to_fault=False))
        self.intervals.update(side if held else None, t,
                              where.since if where.entered and dt_held > dt else None)
        if held and side:
            self.position_s[side] += dt_held
            self.position_frames += 1
            if judged.faults:
                self.ledger.totals[side].fault_s += dt_held
            self._booked.append((t, side, dt_held, good, bool(judged.faults)))
        while self._booked and self._booked[0][0] < t - RETRACT_KEEP_S:
            self._booked.popleft()
        return hold_s

    def _rebook(self, side: str, since: float, to_fault: bool) -> float:
        """A fault confirmed now began at ``since`` (``to_fault``), or one cleared now ended then:
        the frames booked to ``side`` from then on as good form were in fault (or those booked in
        fault were good form). Marks them so and returns their seconds, for the ledger to move:
        only time that was booked moves (frames out of position or moving were neither), and
        taking back the way out of a hold (:meth:`retract`) then finds it where the ledger has it."""
        moved, out = 0.0, deque()
        for tb, sb, s, g, f in self._booked:
            if sb == side and tb >= since and (g if to_fault else f):
                moved += s
                g, f = not to_fault, to_fault
            out.append((tb, sb, s, g, f))
        self._booked = out
        return moved

    def retract(self, side: Side, at: float) -> list[tuple[float, str, float, bool, bool]]:
        """Take back what was booked to ``side`` from ``at`` on: the way out of its hold.
        Returns the bookings taken back."""
        kept: deque[tuple[float, str, float, bool, bool]] = deque()
        taken = []
        for b in self._booked:
            (taken if b[1] == side and b[0] >= at else kept).append(b)
        pos = sum(s for _, _, s, _, _ in taken)
        if pos <= 0.0:
            return []
        self.position_s[side] = max(0.0, self.position_s[side] - pos)
        self.ledger.retract(side, sum(s for _, _, s, g, _ in taken if g),
                            sum(s for _, _, s, _, f in taken if f))
        self.intervals.end_at(side, at)
        self._booked = kept
        return taken

    def rebook(self, side: Side, taken: list[tuple[float, str, float, bool, bool]], since: float,
               old_end: float) -> float:
        """A change of side dated back: the frames ``taken`` back from the old side, from
        ``since`` on, were ``side``'s hold, whose interval began then (the old one ended at
        ``old_end``). Called after the frame that confirmed the change is booked; returns the
        current unbroken hold."""
        taken = [b for b in taken if b[0] >= since]
        tot = self.ledger.totals[side]
        good = sum(s for _, _, s, g, _ in taken if g)
        self.position_s[side] += sum(s for _, _, s, _, _ in taken)
        tot.hold_s += good
        tot.fault_s += sum(s for _, _, s, _, f in taken if f)
        if self.ledger.side == side:
            self.ledger.current_s += good
            tot.best_hold_s = max(tot.best_hold_s, self.ledger.current_s)
        now = self._booked.pop() if self._booked and self._booked[-1][1] == side else None
        self._booked.extend((tb, side, s, g, f) for tb, _, s, g, f in taken)
        if now is not None:
            self._booked.append(now)
        self.intervals.redate_switch(old_end, since)
        return self.ledger.current_s if self.ledger.side == side else 0.0

    def count_reps(self, pose: Pose, where: Location, t: float) -> int:
        """Count reps, and the definition's further counts, for the side; returns the movement's
        direction (+1 in, -1 out, 0) of the count whose cues apply (``moving``): a count's own
        movement if one is under way (on its side of its ``cue_past``), else the reps'."""
        ex, side = self.exercise, where.side
        held = where.in_position and where.seen
        if side != self._rep_side:
            for counter in self._counters():
                counter.reset()
            self._rep_side = side
        leaving = self._was_in and not where.in_position
        since = where.since if where.since is not None else t
        moves: list[tuple[RepsDef, int]] = []
        held_out: list[RepsDef] = []
        if self.reps is not None and ex.reps is not None:
            value = self._value(pose, ex.reps, side) if held else None
            if self.reps.update(value, t) and side:
                self.ledger.totals[side].reps += 1
                self._last_rep = (side, t)
                self._counted.append([t, side, None])
            if leaving and self._last_rep is not None:
                # leaving the position just after a rep was counted: that movement was the way
                # out (leaning forward to change sides), not a rep, as for faults
                # (judge.EXIT_GRACE_S)
                rep_side, at = self._last_rep
                if at >= since - EXIT_GRACE_S:
                    self.ledger.totals[rep_side].reps -= 1
                    self._uncount(at, None)
                self._last_rep = None
            if value is not None and self.reps.direction and ex.reps.cues_at(value):
                moves.append((ex.reps, self.reps.direction))
            if value is not None and self.reps.down and not self.reps.direction:
                held_out.append(ex.reps)
        for c, counter in self.counts:
            gated = held and all(w.met(pose, side, ex.min_visibility) for w in c.when)
            value = self._value(pose, c, side) if gated else None
            if counter.update(value, t) and side:
                self.ledger.totals[side].counts[c.name] += 1
                self._last_count[c.name] = (side, t)
                self._counted.append([t, side, c.name])
            last = self._last_count.get(c.name)
            if leaving and last is not None:
                if last[1] >= since - EXIT_GRACE_S:  # the way out, as for the reps
                    self.ledger.totals[last[0]].counts[c.name] -= 1
                    self._uncount(last[1], c.name)
                del self._last_count[c.name]
            if value is not None and counter.direction and c.cues_at(value):
                moves.insert(0, (c, counter.direction))
            if value is not None and counter.down and not counter.direction:
                held_out.insert(0, c)
        self._was_in = where.in_position
        while self._counted and self._counted[0][0] < t - RETRACT_KEEP_S:
            self._counted.popleft()
        self.moving, direction = moves[0] if moves else (None, 0)
        self.held_out = held_out[0] if held_out else None
        return direction

    def _uncount(self, t: float, name: str | None) -> None:
        self._counted = deque(c for c in self._counted if not (c[0] == t and c[2] == name))

    def move_counts(self, old: Side, new: Side, since: float) -> None:
        """A change of side dated back: the reps and counts booked to ``old`` since the old
        side's hold ended (``since``) were ``new``'s, and so is a movement under way (not
        forgotten, as on a change of side, to be counted a second time), unless its measure
        reads one side's leg: that reading was the other leg's, and starts afresh."""
        if self._rep_side == old:
            self._rep_side = new
            for d, counter in self._defined():
                if M.get_measure(d.measure).needs_side:
                    counter.reset()
        for c in self._counted:
            if c[1] == old and c[0] >= since:
                tot_old, tot_new = self.ledger.totals[old], self.ledger.totals[new]
                if c[2] is None:
                    tot_old.reps -= 1
                    tot_new.reps += 1
                else:
                    tot_old.counts[c[2]] -= 1
                    tot_new.counts[c[2]] += 1
                c[1] = new
        if self._last_rep is not None and self._last_rep[0] == old and self._last_rep[1] >= since:
            self._last_rep = (new, self._last_rep[1])
        for name, (side, at) in list(self._last_count.items()):
            if side == old and at >= since:
                self._last_count[name] = (new, at)

    def _defined(self) -> list[tuple[RepsDef, RepCounter]]:
        """Each counter with the definition it counts: the reps', then the further counts'."""
        reps = [(self.exercise.reps, self.reps)] if self.reps is not None and self.exercise.reps else []
        return reps + self.counts

    def _counters(self) -> list[RepCounter]:
        return [c for _, c in self._defined()]

    def _value(self, pose: Pose, reps: RepsDef, side: Side | None) -> float | None:
        return M.read(pose, reps.measure, side, reps.params, self.exercise.min_visibility).value
