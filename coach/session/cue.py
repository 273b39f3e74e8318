"""Cue: the one coaching line to show, chosen from the frame's decisions, and held on screen
long enough to be read."""

from __future__ import annotations

from coach.rules.definitions import Exercise, RepsDef
from coach.rules.measures import SIDES, opposite
from coach.session.frame import Cue, Side, SideTotals, Verdict

CUE_MIN_S = 2.0  # a cue stays at least this long unless a more urgent one arrives ...
FAULT_CUE_MIN_S = 0.8  # ... and a fault's cue gives way this soon once the fault is gone
REMIND_AFTER_S = 2.0  # reminders (checks the model cannot judge): this far into a hold,
REMIND_EVERY_S = 20.0  # then every this often,
REMIND_SHOW_S = 4.0  # shown for this long

NOBODY = Cue("Move into view of the camera", "setup", 3)


class CueBoard:
    """Keeps one cue on screen for at least ``min_s`` unless a more urgent one arrives."""

    def __init__(self, min_s: float = CUE_MIN_S, fault_min_s: float = FAULT_CUE_MIN_S) -> None:
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


class CueChooser:
    """The cue a frame calls for, most urgent first: nobody in view, a fault (safety first),
    getting into position, a reminder, the breath with a movement, the breath count of a hold
    counted in breaths, the hold's progress."""

    def __init__(self, exercise: Exercise) -> None:
        self.exercise = exercise
        self._order = {c.name: (not c.safety, i) for i, c in enumerate(exercise.checks)}
        self._cues = {c.name: c for c in exercise.checks}
        self._reminders = [c.cue for c in exercise.checks if c.advisory]

    def choose(self, person: bool, side: Side | None, in_position: bool,
               verdicts: tuple[Verdict, ...], hold_s: float, direction: int,
               totals: dict[str, SideTotals], looks_like: str | None = None,
               moving: RepsDef | None = None, held_out: RepsDef | None = None) -> Cue:
        """``looks_like``: what the recogniser sees instead of this exercise, if anything;
        ``moving``: the count (reps or one of ``counts``) whose movement ``direction`` is,
        default the reps; ``held_out``: a count held out past its ``enter``, still (its
        ``hold_cue`` says what to do there)."""
        ex = self.exercise
        if not person:
            return NOBODY
        faults = [v for v in verdicts if v.status == "fault"]
        if faults:
            c = self._cues[min(faults, key=lambda v: self._order[v.check]).check]
            return Cue(c.cue, "fault", 0 if c.safety else 1)
        if not in_position:
            if looks_like:
                return Cue(f"This looks like {looks_like}. For {ex.title}: {ex.position_cue}", "setup", 3)
            return Cue(ex.position_cue, "setup", 3)
        reminder = self._reminder(hold_s)
        if reminder is not None:
            return reminder
        moving = moving if moving is not None else ex.reps
        if moving is not None and direction:
            text = moving.down_cue if direction > 0 else moving.up_cue
            if text:
                return Cue(text, "move", 4)
        if held_out is not None and held_out.hold_cue:
            return Cue(held_out.hold_cue, "move", 4)
        breath = self._breath(totals[side].hold_s) if side else None
        if breath is not None:
            return breath
        if side and hold_s >= ex.hold.target_s:
            return self._done(side, hold_s, totals)
        return Cue("Good form. Breathe and hold", "good", 6)

    def _done(self, side: Side, hold_s: float, totals: dict[str, SideTotals]) -> Cue:
        other = opposite(side) if side in SIDES else None  # type: ignore[arg-type]
        if other is not None and totals[other].hold_s < totals[side].hold_s:
            return Cue(f"Well held. Switch to your {other} side", "good", 5)
        if self.exercise.hold.max_s is not None and hold_s >= self.exercise.hold.max_s:
            return Cue("That's the longest hold: ease out slowly", "good", 5)
        return Cue("Well held. Ease out slowly", "good", 5)

    def _breath(self, held_s: float) -> Cue | None:
        """A hold counted in breaths is paced on the time held: in for the first half of each
        breath, out for the second, with the count, until the target."""
        hold = self.exercise.hold
        if hold.breaths is None or held_s >= hold.target_s:
            return None
        done, into = divmod(held_s, hold.breath_s)
        n = f"{min(int(done) + 1, hold.breaths)} of {hold.breaths}"
        text = f"Breathe in... {n}" if into < hold.breath_s / 2 else f"...and out, {n}"
        return Cue(text, "breath", 2)  # on time or not at all: before the set-up's cue

    def _reminder(self, hold_s: float) -> Cue | None:
        """Checks the model cannot judge are said as reminders: a few seconds into each hold,
        then every so often, in turn."""
        if not self._reminders or hold_s < REMIND_AFTER_S:
            return None
        k, phase = divmod(hold_s - REMIND_AFTER_S, REMIND_EVERY_S)
        if phase >= REMIND_SHOW_S:
            return None
        return Cue(self._reminders[int(k) % len(self._reminders)], "info", 5)
