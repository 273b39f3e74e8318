"""Side rules: how the stretched side is told apart. One class per rule, registered by name,
validating its own settings (the ``[side]`` table); a new rule read from the pose is one class
here naming its measure, its sign and a default margin.
"""

from __future__ import annotations

from typing import ClassVar

from coach.pose import Pose
from coach.rules import measures as M
from coach.rules.registry import Registry
from coach.rules.settings import Amount, Seconds, Side, Table, Text

SIDE_RULES: Registry[type[SideRule]] = Registry("side rule")


class SideRule(Table):
    """The ``[side]`` table; ``rule`` names the class."""

    rule: Text
    takes_turns: ClassVar[bool] = False  # sides not seen in the pose: they take turns
    sides: ClassVar[tuple[str, ...]] = M.SIDES  # the sides held, each timed on its own

    def describe(self) -> str:
        return ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}"
                         for k, v in self.model_dump().items() if k != "rule")


class ScoredSideRule(SideRule):
    """The side whose signed reading of ``measure`` is larger is the stretched one, once it
    leads by more than ``margin`` (in the measure's units) for ``switch_after_s`` while holding,
    or ``quick_s`` between holds."""

    measure: ClassVar[str]
    sign: ClassVar[float]
    margin: Amount
    switch_after_s: Seconds = 1.0
    quick_s: Seconds = 0.3

    def scores(self, pose: Pose, min_visibility: float) -> tuple[float, float] | None:
        """How strongly each side (left, right) looks like the stretched one; None if unseen."""
        out = []
        for s in M.SIDES:
            r = M.read(pose, self.measure, s, {"leg": "active"}, min_visibility)
            if not r.ok:
                return None
            out.append(self.sign * r.value)  # type: ignore[operator]
        return out[0], out[1]

    def leader(self, scores: tuple[float, float]) -> Side | None:
        """The side that leads by more than the margin, or None."""
        left, right = scores
        if abs(left - right) < self.margin:
            return None
        return "left" if left > right else "right"


@SIDE_RULES.register("crossed_ankle")
class CrossedAnkle(ScoredSideRule):
    """The leg whose ankle rests across the other knee (in 3-D)."""

    measure, sign = "crossed_ankle_distance", -1.0
    margin: Amount = 0.15


@SIDE_RULES.register("bent_knee")
class BentKnee(ScoredSideRule):
    """The more bent knee."""

    measure, sign = "knee_angle", -1.0
    margin: Amount = 25.0


@SIDE_RULES.register("front_ankle")
class FrontAnkle(ScoredSideRule):
    """The ankle further forward of the hips (toward the knees)."""

    measure, sign = "ankle_forward", 1.0
    margin: Amount = 0.08


@SIDE_RULES.register("front_knee")
class FrontKnee(ScoredSideRule):
    """The knee further ahead of the hips, in the direction the person faces."""

    measure, sign = "knee_forward", 1.0
    margin: Amount = 0.3


@SIDE_RULES.register("top_knee")
class TopKnee(ScoredSideRule):
    """The knee on top, of two stacked one over the other: the higher one in the image."""

    measure, sign = "knee_height", 1.0
    margin: Amount = 0.1


@SIDE_RULES.register("lower_shoulder")
class LowerShoulder(ScoredSideRule):
    """The side lain on: its shoulder lies below the other one in the image."""

    measure, sign = "shoulder_lift", -1.0
    margin: Amount = 0.15


@SIDE_RULES.register("none")
class NoSide(SideRule):
    """A stretch done on both sides at once (child's pose, happy baby): one hold, timed under
    the one side "both", with nothing to balance. Its measures cannot need a side."""

    sides = (M.BOTH,)

    def describe(self) -> str:
        return "both sides at once, one hold"


@SIDE_RULES.register("alternate")
class Alternate(SideRule):
    """Sides that take turns, where the pose model cannot see which is which: the coach names
    the side to start with (``first``); a new turn starts each time the person comes back into
    position after a break of ``gap_s`` following a turn of at least ``min_turn_s``."""

    takes_turns = True
    first: Side = "left"
    gap_s: Seconds = 1.0
    min_turn_s: Seconds = 5.0
