"""Locate: which side is being stretched and whether the person is in position.

A :class:`Locator` turns each frame's pose into a :class:`Location`. The rule-based locators
here follow the exercise's side rule (:mod:`coach.rules.sides`) and position conditions; a
learned recogniser of stretch and side plugs in as another Locator, passed to the Session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from coach.pose import Pose
from coach.rules.definitions import Exercise
from coach.rules.measures import BOTH, opposite
from coach.rules.sides import Alternate, ScoredSideRule
from coach.session.frame import Side
from coach.session.timing import Debouncer

if TYPE_CHECKING:
    from coach.recognizer import Recognition


@dataclass(frozen=True)
class Location:
    """Where one frame stands. ``seen``: in position on this frame; ``in_position``: confirmed
    (debounced); ``entered``: confirmed on this frame; ``since``: when the confirmed state
    began; ``switching``: another side leads but has not yet taken over."""

    side: Side | None
    seen: bool
    in_position: bool
    entered: bool
    since: float | None
    switching: bool = False


class Locator(Protocol):
    def update(self, pose: Pose, t: float) -> Location:
        """Locate one frame (also a frame with nobody in view), on video time ``t``."""
        ...


class PositionGate:
    """The exercise's position conditions (``guard`` ones under the recogniser), debounced: in
    position only after holding them for ``on_s``, out only after losing them for ``off_s``."""

    def __init__(self, exercise: Exercise, instant: bool = False, guard: bool = False) -> None:
        self.conditions = exercise.guard if guard else exercise.position
        self.guard = guard  # a guard refuses only what it can see (position conditions need it)
        self.min_visibility = exercise.min_visibility
        self.debounce = Debouncer(0.0 if instant else exercise.position_on_s,
                                  exercise.position_off_s)

    def holds(self, pose: Pose, side: Side | None) -> bool:
        if pose.is_empty or side is None:
            return False
        vis = self.min_visibility
        if self.guard:
            return not any(c.refuses(pose, side, vis) for c in self.conditions
                           if c.applies(pose, side, vis))
        return all(c.met(pose, side, vis) for c in self.conditions if c.applies(pose, side, vis))

    def update(self, seen: bool, t: float, side: Side | None, switching: bool = False) -> Location:
        was = self.debounce.state
        now = self.debounce.update(seen, t)
        return Location(side, seen, now, now and not was, self.debounce.since, switching)


class SideTracker:
    """The side a scored side rule picks, with hysteresis: a new side must lead for
    ``switch_after_s`` while the stretch is held (``settled``), ``quick_s`` between holds."""

    def __init__(self, rule: ScoredSideRule, min_visibility: float, instant: bool = False) -> None:
        self.rule, self.min_visibility = rule, min_visibility
        self.switch_after_s = 0.0 if instant else rule.switch_after_s
        self.quick_s = 0.0 if instant else rule.quick_s
        self.side: Side | None = None
        self._switch = Debouncer(self.switch_after_s, 0.0)
        self._candidate: Side | None = None

    @property
    def switching(self) -> bool:
        """True while another side leads but has not yet led long enough to take over."""
        return self._candidate is not None

    def update(self, pose: Pose, t: float, settled: bool = True) -> Side | None:
        self._switch.on_s = self.switch_after_s if settled else min(self.quick_s,
                                                                     self.switch_after_s)
        scores = None if pose.is_empty else self.rule.scores(pose, self.min_visibility)
        if scores is None:
            return self.side
        lead = self.rule.leader(scores)
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


class PoseSideLocator:
    """The side read from the pose (a scored side rule), then the position on that side."""

    def __init__(self, exercise: Exercise, instant: bool = False) -> None:
        assert isinstance(exercise.side, ScoredSideRule)
        self.sides = SideTracker(exercise.side, exercise.min_visibility, instant)
        self.position = PositionGate(exercise, instant)

    def update(self, pose: Pose, t: float) -> Location:
        side = self.sides.update(pose, t, settled=self.position.debounce.state)
        # while another side is taking over, the old side's checks would judge the wrong leg
        switching = self.sides.switching
        seen = not switching and self.position.holds(pose, side)
        return self.position.update(seen, t, side, switching)


class BothSidesLocator:
    """A stretch done on both sides at once (side rule ``none``): the position alone, on the
    one side "both"."""

    def __init__(self, exercise: Exercise, instant: bool = False) -> None:
        self.position = PositionGate(exercise, instant)

    def update(self, pose: Pose, t: float) -> Location:
        return self.position.update(self.position.holds(pose, BOTH), t, BOTH)  # type: ignore[arg-type]


class TurnTaker:
    """Sides that take turns (rule ``alternate``), where the pose model cannot see which side
    is which. The first turn is the side the coach asked for; a return to the position after a
    break of ``gap_s``, following a turn of at least ``min_turn_s``, starts the next."""

    def __init__(self, exercise: Exercise, first_side: Side | None = None,
                 instant: bool = False, seen: Callable[[Pose, Side], bool] | None = None) -> None:
        """``seen``: whether a frame shows the position (default: the position conditions)."""
        rule = exercise.side
        assert isinstance(rule, Alternate)
        self.side: Side = first_side or rule.first
        self.gap_s, self.min_turn_s = rule.gap_s, rule.min_turn_s
        self.position = PositionGate(exercise, instant)
        self.seen = seen or self.position.holds
        self._turn_s = 0.0  # time in position in the current turn
        self._out_since: float | None = None
        self._last_t: float | None = None

    def update(self, pose: Pose, t: float) -> Location:
        where = self.position.update(self.seen(pose, self.side), t, self.side)
        dt = 0.0 if self._last_t is None else max(0.0, t - self._last_t)
        self._last_t = t
        if not where.in_position:
            if self._out_since is None:
                self._out_since = t
            return where
        if self._out_since is not None:
            if t - self._out_since >= self.gap_s and self._turn_s >= self.min_turn_s:
                self.side = opposite(self.side)  # the new turn starts on this very frame
                self._turn_s = 0.0
            self._out_since = None
        self._turn_s += dt
        return Location(self.side, where.seen, True, where.entered, where.since)


class RecognizedLocator:
    """Side and position from the learned recogniser (:mod:`coach.recognizer`): in position
    while it names this exercise (and the definition's ``guard`` conditions hold), on the side it
    names. Where the model cannot see the side (the roll-down's crossed shins) sides take turns.
    ``recognize`` may be shared by several sessions (one recogniser run per frame)."""

    def __init__(self, exercise: Exercise, recognize: Callable[[Pose, float], Recognition],
                 first_side: Side | None = None, instant: bool = False) -> None:
        self.exercise, self.recognize = exercise, recognize
        self.recognition: Recognition | None = None
        # the recogniser's own smoothing already confirms a change: no second debounce
        self.gate = PositionGate(exercise, instant=True, guard=True)
        self.turns = (TurnTaker(exercise, first_side, instant, seen=self._seen)
                      if exercise.side.takes_turns else None)
        self.side: Side | None = None if exercise.sided else BOTH  # type: ignore[assignment]
        self.refused = False  # the recogniser named this exercise and a guard said no

    def _mine(self) -> bool:
        r = self.recognition
        return r is not None and r.stretch == self.exercise.name

    def _seen(self, pose: Pose, side: Side | None) -> bool:
        if not (self._mine() and not pose.is_empty):
            return False
        held = self.gate.holds(pose, side)
        self.refused = not held
        return held

    def update(self, pose: Pose, t: float) -> Location:
        self.recognition = self.recognize(pose, t)
        self.refused = False
        if self.turns is not None:
            return self.turns.update(pose, t)
        if (self._mine() and self.recognition is not None and self.recognition.side
                and self.exercise.sided):
            self.side = self.recognition.side  # type: ignore[assignment]
        return self.gate.update(self._seen(pose, self.side), t, self.side)


def locator_for(exercise: Exercise, first_side: Side | None = None,
                instant: bool = False, recognize: Callable[[Pose, float], Recognition] | None = None,
                ) -> Locator:
    """The exercise's locator: the recogniser's when one is given and knows the exercise, else
    the rule-based one of its side rule. ``instant``: a still image, judged on its own, so
    nothing waits to be confirmed."""
    if recognize is not None:
        return RecognizedLocator(exercise, recognize, first_side, instant)
    if exercise.side.takes_turns:
        return TurnTaker(exercise, first_side, instant)
    if not exercise.sided:
        return BothSidesLocator(exercise, instant)
    return PoseSideLocator(exercise, instant)
