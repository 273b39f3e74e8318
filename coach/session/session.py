"""Session state: the per-frame decision step and the report it adds up to.

``Session.update(pose, t)`` is called once per frame (also with ``Pose.empty()``) on video time
and returns a :class:`FrameState` that annotators draw; ``Session.report()`` sums it up.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from coach import __version__
from coach.pose.core import Pose
from coach.rules import measures as M
from coach.rules.definitions import Exercise
from coach.session.state import (
    CheckMonitor,
    Debouncer,
    EventLog,
    HoldTimer,
    MotionMeter,
    RepCounter,
    SideTotals,
    SideTracker,
    TurnTaker,
    Verdict,
)

MAX_DT = 0.5  # a gap longer than this (a stalled camera) is not counted as held time
BASELINE_KEEP_S = 3.0  # out of position longer than this: the next hold gets a new baseline


@dataclass(frozen=True)
class Cue:
    """The one coaching line shown at a time. ``kind``: fault, setup, move, good, info."""

    text: str
    kind: str
    priority: int


@dataclass(frozen=True)
class Balance:
    left_s: float
    right_s: float
    difference_s: float
    ratio: float
    imbalanced: bool
    behind: str | None
    message: str


def balance_of(left_s: float, right_s: float, tolerance: float, min_s: float = 3.0) -> Balance:
    """Compare time per side: imbalanced when the shorter side is more than ``tolerance`` (as a
    fraction of the longer one) behind, once at least ``min_s`` has been held in all."""
    hi = max(left_s, right_s)
    diff = abs(left_s - right_s)
    ratio = diff / hi if hi > 0 else 0.0
    behind = None if diff == 0 else ("right" if left_s > right_s else "left")
    imbalanced = hi >= min_s and ratio > tolerance
    gap = f"{diff:.1f} s" if diff < 10 else f"{diff:.0f} s"
    if hi < min_s:
        msg = "Not enough time held yet to compare sides"
    elif imbalanced:
        msg = f"{behind.capitalize()} side is {gap} behind ({ratio:.0%} less)"
    else:
        msg = f"Sides even (within {gap})"
    return Balance(round(left_s, 2), round(right_s, 2), round(diff, 2), round(ratio, 3),
                   imbalanced, behind, msg)


@dataclass(frozen=True)
class FrameState:
    """Everything decided about one frame: what the annotators draw and the sinks record."""

    t: float
    index: int
    pose: Pose
    people: int
    side: str | None
    in_position: bool
    verdicts: tuple[Verdict, ...]
    hold_s: float
    totals: dict[str, SideTotals]
    cue: Cue | None
    balance: Balance
    display: dict[str, float | None] = field(default_factory=dict)
    rep_direction: int = 0


class CueBoard:
    """Keeps one cue on screen for at least ``min_s`` unless a more urgent one arrives."""

    def __init__(self, min_s: float = 2.0, fault_min_s: float = 0.8) -> None:
        self.min_s, self.fault_min_s = min_s, fault_min_s
        self.current: Cue | None = None
        self._since = 0.0

    def update(self, wanted: Cue | None, t: float) -> Cue | None:
        cur = self.current
        if wanted == cur:
            return cur
        urgent = wanted is not None and (cur is None or wanted.priority < cur.priority)
        # a fault put right (or found to be the way out of the stretch) stops being said soon
        min_s = self.fault_min_s if cur is not None and cur.kind == "fault" else self.min_s
        if cur is None or urgent or t - self._since >= min_s:
            self.current, self._since = wanted, t
        return self.current


class Session:
    """Decides, frame by frame, how the stretch is going, and adds it up."""

    def __init__(self, exercise: Exercise, first_side: str | None = None,
                 still_image: bool = False) -> None:
        """``still_image``: one frame judged on its own, so nothing waits to be confirmed
        (checks that compare with the start of a hold cannot be judged then)."""
        self.exercise = ex = exercise
        vis = ex.min_visibility
        self.sides: SideTracker | TurnTaker
        if ex.side.rule == "alternate":
            self.sides = TurnTaker(first_side or ex.side.first, ex.side.gap_s,  # type: ignore[arg-type]
                                   ex.side.min_turn_s)
        else:
            self.sides = SideTracker(ex.side.rule, ex.side.switch_after_s, vis)
        self.position = Debouncer(on_s=0.5, off_s=1.0)
        if still_image:
            self.position.on_s = 0.0
            if isinstance(self.sides, SideTracker):
                self.sides.switch_after_s = self.sides.quick_s = 0.0
        self.monitors = [CheckMonitor(c, vis, instant=still_image) for c in ex.checks]
        self.hold = HoldTimer()
        self.motion = MotionMeter()
        self.still = Debouncer(on_s=0.3, off_s=0.3)
        self.reps = RepCounter(ex.reps) if ex.reps else None
        self.events = EventLog()
        self.cues = CueBoard()
        self.messages = {c.name: c.cue for c in ex.checks}
        self.frames = 0
        self.t_first: float | None = None
        self.t_last = 0.0
        self.seen_s = 0.0
        self.seen_frames = 0
        self.position_frames = 0
        self.not_seen_s = 0.0
        self.max_people = 0
        self.check_time = {c.name: {"fault_s": 0.0, "unseen_s": 0.0} for c in ex.checks}
        self.position_s = {s: 0.0 for s in M.SIDES}
        self.segments: list[dict[str, Any]] = []  # in-position intervals per side
        self._prev_t: float | None = None
        self._side_for_checks: str | None = None
        self._out_since: float | None = None
        self._rep_side: str | None = None
        self._cleared: list[dict[str, Any]] = []  # fault intervals closed on this frame

    # -- the per-frame step --------------------------------------------------------------
    def update(self, pose: Pose, t: float, people: int | None = None) -> FrameState:
        """Decide one frame: who is there, which side, in position or not, what the checks
        say, what counts as held, reps, and the one cue to show."""
        dt = self._clock(pose, t, people)
        side, raw_pos, in_pos, entered = self._locate(pose, t)
        verdicts, faults = self._judge(pose, side, t, in_pos, dt)
        hold_s = self._count(pose, t, dt, side, raw_pos, in_pos, entered, faults)
        direction = self._count_reps(pose, t, side, in_pos and raw_pos)
        ex, totals = self.exercise, self.hold.totals
        bal = balance_of(totals["left"].hold_s, totals["right"].hold_s, ex.balance_tolerance)
        wanted = self._pick_cue(not pose.is_empty, side, in_pos, verdicts, hold_s, direction)
        display = {n: M.read(pose, n, side, None, ex.min_visibility).value for n in ex.display}
        return FrameState(t, self.frames - 1, pose, people or int(not pose.is_empty), side,
                          in_pos, verdicts, hold_s, copy.deepcopy(totals),
                          self.cues.update(wanted, t), bal, display, direction)

    def _clock(self, pose: Pose, t: float, people: int | None) -> float:
        """Advance video time; the time since the last frame, capped for stalls."""
        dt = 0.0 if self._prev_t is None else min(max(t - self._prev_t, 0.0), MAX_DT)
        self._prev_t = t
        self.frames += 1
        self.t_first = t if self.t_first is None else self.t_first
        self.t_last = t
        person = not pose.is_empty
        self.max_people = max(self.max_people, people if people is not None else int(person))
        if person:
            self.seen_s += dt
            self.seen_frames += 1
        else:
            self.not_seen_s += dt
        return dt

    def _locate(self, pose: Pose, t: float) -> tuple[str | None, bool, bool, bool]:
        """The stretched side and the position: (side, in position on this frame, in position
        confirmed, just entered)."""
        was_in_pos = self.position.state
        side = self.sides.update(pose, t, settled=was_in_pos)
        # While another side is taking over, the old side's checks would judge the wrong leg.
        raw_pos = (not pose.is_empty and side is not None and not self.sides.switching
                   and self._position_ok(pose, side))
        in_pos = self.position.update(raw_pos, t)
        self.sides.note_position(in_pos, t)
        side = self.sides.side  # a new turn (rule "alternate") starts on this very frame
        if side != self._side_for_checks:
            for m in self.monitors:
                m.reset()
            self._side_for_checks = side
        if in_pos:
            self._out_since = None
        else:
            if self._out_since is None:
                self._out_since = t
                # leaving at once after a fault began: that was the way out, not a fault
                self.events.drop_recent(self.position.since or t)
            if t - self._out_since > BASELINE_KEEP_S:
                for m in self.monitors:  # a new hold will measure its own start
                    if m.check.relative:
                        m.reset()
        return side, raw_pos, in_pos, in_pos and not was_in_pos

    def _judge(self, pose: Pose, side: str | None, t: float, in_pos: bool,
               dt: float) -> tuple[tuple[Verdict, ...], list[Verdict]]:
        """Run the checks and keep the fault log; settle the time a fault took to confirm."""
        active = in_pos and not self.sides.switching
        verdicts = tuple(m.update(pose, side, t, active) for m in self.monitors)
        opened_before = set(self.events.open)
        n_closed = len(self.events.events)
        self.events.update(list(verdicts), side, self.messages, t)
        for name in set(self.events.open) - opened_before:
            # a fault is confirmed after it has lasted on_s: that time was not good form
            ev = self.events.open[name]
            if ev.side in self.hold.totals:
                self.hold.retract(ev.side, max(0.0, t - ev.start_s))
        self._cleared = [e for e in self.events.events[n_closed:] if e["check"] in opened_before]
        for v in verdicts:
            if v.status in ("fault", "unseen"):
                self.check_time[v.check][f"{v.status}_s"] += dt
        return verdicts, [v for v in verdicts if v.status == "fault"]

    def _count(self, pose: Pose, t: float, dt: float, side: str | None, raw_pos: bool,
               in_pos: bool, entered: bool, faults: list[Verdict]) -> float:
        """Add the frame's time to the hold when in position, with good form (and still, for
        holds); returns the current unbroken hold."""
        ex = self.exercise
        speed = self.motion.update(pose, t)
        still = True
        if ex.hold.still_max is not None:
            still = self.still.update(speed is not None and speed <= ex.hold.still_max, t)
        good = in_pos and raw_pos and still and not faults
        if entered and good and self.position.since is not None:
            # the position held for the whole confirmation window: count that time too
            dt += max(0.0, t - self.position.since)
        hold_s = self.hold.update(side if in_pos else None, good, dt)
        if good and side:
            for e in self._cleared:  # the form was right again from the moment it cleared
                if e["side"] == side:
                    self.hold.credit(side, max(0.0, t - e["end_s"]))
        self._track_segment(side if (in_pos and raw_pos) else None, t)
        if in_pos and raw_pos and side:
            self.position_s[side] += dt
            self.position_frames += 1
            if faults:
                self.hold.totals[side].fault_s += dt
        return hold_s

    def _count_reps(self, pose: Pose, t: float, side: str | None, counting: bool) -> int:
        """Count reps for the side; returns the movement's direction (+1 in, -1 out, 0)."""
        ex = self.exercise
        if self.reps is None or ex.reps is None:
            return 0
        r = M.read(pose, ex.reps.measure, side, ex.reps.params, ex.min_visibility)
        value = r.value if (counting and r.ok) else None
        if side != self._rep_side:
            self.reps.reset()
            self._rep_side = side
        if self.reps.update(value, t) and side:
            self.hold.totals[side].reps += 1
        return self.reps.direction if value is not None else 0

    def _track_segment(self, side: str | None, t: float, merge_gap_s: float = 1.0) -> None:
        last = self.segments[-1] if self.segments else None
        if last is not None and last.get("open"):
            if side == last["side"]:
                return
            last["end_s"] = round(t, 2)
            del last["open"]
        if side is None:
            return
        if last is not None and last["side"] == side and t - last["end_s"] <= merge_gap_s:
            last["open"] = True  # a short break in the same side's hold: one interval
            return
        self.segments.append({"side": side, "start_s": round(t, 2), "end_s": round(t, 2),
                              "open": True})

    def _position_ok(self, pose: Pose, side: str) -> bool:
        vis = self.exercise.min_visibility
        for cond in self.exercise.position:
            applies = all(w.met(pose, side, vis) for w in cond.when)
            if applies and not cond.met(pose, side, vis):
                return False
        return True

    def _pick_cue(self, person: bool, side: str | None, in_pos: bool,
                  verdicts: tuple[Verdict, ...], hold_s: float, direction: int) -> Cue | None:
        ex = self.exercise
        if not person:
            return Cue("Move into view of the camera", "setup", 3)
        checks = {c.name: c for c in ex.checks}
        faults = [v for v in verdicts if v.status == "fault"]
        if faults:
            first = min(faults, key=lambda v: (not checks[v.check].safety,
                                               [c.name for c in ex.checks].index(v.check)))
            c = checks[first.check]
            return Cue(c.cue, "fault", 0 if c.safety else 1)
        if not in_pos:
            return Cue(ex.position_cue, "setup", 3)
        reminder = self._reminder(hold_s)
        if reminder is not None:
            return reminder
        if ex.reps is not None and direction:
            text = ex.reps.down_cue if direction > 0 else ex.reps.up_cue
            if text:
                return Cue(text, "move", 4)
        if side and hold_s >= ex.hold.target_s:
            other = M.opposite(side)  # type: ignore[arg-type]
            if self.hold.totals[other].hold_s < self.hold.totals[side].hold_s:
                return Cue(f"Well held. Switch to your {other} side", "good", 5)
            return Cue("Well held. Ease out slowly", "good", 5)
        return Cue("Good form. Breathe and hold", "good", 6)

    def _reminder(self, hold_s: float, every_s: float = 20.0, show_s: float = 4.0) -> Cue | None:
        """Checks the model cannot judge are said as reminders: a few seconds into each hold,
        then every ``every_s``, in turn."""
        advisory = [c for c in self.exercise.checks if c.advisory]
        if not advisory or hold_s < 2.0:
            return None
        k, phase = divmod(hold_s - 2.0, every_s)
        if phase >= show_s:
            return None
        return Cue(advisory[int(k) % len(advisory)].cue, "info", 5)

    # -- the summary ---------------------------------------------------------------------
    def duration_s(self, fps: float | None = None) -> float:
        if self.t_first is None:
            return 0.0
        extra = 1.0 / fps if fps else 0.0
        return self.t_last - self.t_first + extra

    def finish(self) -> None:
        """Close open fault and position intervals at the end of the session."""
        self.events.close_all(self.t_last)
        self._track_segment(None, self.t_last)

    def report(self, source: str, fps: float | None, complete: bool = True) -> dict[str, Any]:
        ex = self.exercise
        totals = self.hold.totals
        bal = balance_of(totals["left"].hold_s, totals["right"].hold_s, ex.balance_tolerance)
        events = self.events.events if complete else self.events.snapshot(self.t_last)
        notes = []
        if self.frames and self.seen_frames == 0:
            notes.append("No person was seen: no time was counted.")
        elif self.not_seen_s > 1.0:
            notes.append(f"No person in view for {self.not_seen_s:.1f} s (not counted).")
        if self.max_people > 1:
            notes.append(f"Up to {self.max_people} people in view: followed the largest "
                         "(nearest) person only.")
        if self.seen_frames and self.position_frames == 0:
            notes.append(f"Never in the {ex.title} position: no hold was counted.")
        return {
            "coach_version": __version__,
            "exercise": ex.name,
            "title": ex.title,
            "source": source,
            "complete": complete,
            "fps": round(fps, 3) if fps else None,
            "frames": self.frames,
            "duration_s": round(self.duration_s(fps), 2),
            "person": {"seen_s": round(self.seen_s, 2), "not_seen_s": round(self.not_seen_s, 2),
                       "max_people": self.max_people},
            "targets": {"hold_s": ex.hold.target_s,
                        "reps": ex.reps.target if ex.reps else None,
                        "rep_label": ex.reps.label if ex.reps else None},
            "sides": {
                s: {"hold_s": round(totals[s].hold_s, 2), "reps": totals[s].reps,
                    "best_hold_s": round(totals[s].best_hold_s, 2),
                    "in_position_s": round(self.position_s[s], 2),
                    "fault_s": round(totals[s].fault_s, 2)}
                for s in M.SIDES
            },
            "balance": {"difference_s": bal.difference_s, "ratio": bal.ratio,
                        "imbalanced": bal.imbalanced, "behind": bal.behind,
                        "message": bal.message},
            "checks": {n: {**{k: round(v, 2) for k, v in d.items()},
                           **({"judged": False, "why": ex.check(n).advisory}
                              if ex.check(n).advisory else {"judged": True})}
                       for n, d in self.check_time.items()},
            "events": events,
            "in_position": [{k: v for k, v in seg.items() if k != "open"}
                            for seg in self.segments],
            "notes": notes,
        }
