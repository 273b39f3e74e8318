"""What the session decides about one frame (:class:`FrameState`), for annotators and writers
to draw and record without deciding anything themselves."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from coach.pose import Pose
from coach.rules.measures import BOTH

if TYPE_CHECKING:
    from coach.recognizer import Recognition

Status = Literal["ok", "fault", "unseen", "idle"]
Side = Literal["left", "right", "both"]  # "both": a stretch done on both sides at once


@dataclass(frozen=True)
class Verdict:
    """What one check says about one frame. ``since``: when the current verdict really began
    (a fault's onset, or its clearing). ``judged`` is False for a reminder the model cannot
    judge; ``landmarks`` are the ones its verdict colours, ``anchor`` where it is measured."""

    check: str
    status: Status
    value: float | None = None
    reason: str | None = None
    landmarks: tuple[str, ...] = ()
    since: float | None = None
    title: str = ""
    judged: bool = True
    anchor: str | None = None


@dataclass(frozen=True)
class Reading:
    """A measurement shown beside its joint: ``label`` and ``unit`` come from the measure."""

    label: str
    value: float
    unit: str
    anchor: str


@dataclass(frozen=True)
class Cue:
    """The one coaching line shown at a time. ``kind``: fault, setup, move, good, info."""

    text: str
    kind: str
    priority: int


@dataclass
class SideTotals:
    hold_s: float = 0.0
    reps: int = 0
    best_hold_s: float = 0.0
    fault_s: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)  # the definition's [[counts]], by name


def snapshot(totals: dict[str, SideTotals]) -> dict[str, SideTotals]:
    """A copy of ``totals`` that later counting leaves alone (what ``copy.deepcopy`` made, a
    field-by-field copy instead of its generic walk, which cost a tenth of a session's step)."""
    return {side: replace(tot, counts=dict(tot.counts)) for side, tot in totals.items()}


@dataclass(frozen=True)
class Balance:
    left_s: float
    right_s: float
    difference_s: float
    ratio: float
    imbalanced: bool
    behind: Side | None
    message: str


def balance_of(left_s: float, right_s: float, tolerance: float, min_s: float = 3.0) -> Balance:
    """Compare time per side: imbalanced when the shorter side is more than ``tolerance`` (as a
    fraction of the longer one) behind, once at least ``min_s`` has been held in all."""
    hi = max(left_s, right_s)
    diff = abs(left_s - right_s)
    ratio = diff / hi if hi > 0 else 0.0
    behind: Side | None = None if diff == 0 else ("right" if left_s > right_s else "left")
    imbalanced = hi >= min_s and ratio > tolerance
    gap = f"{diff:.1f} s" if diff < 10 else f"{diff:.0f} s"
    if hi < min_s:
        msg = "Not enough time held yet to compare sides"
    elif imbalanced:
        msg = f"{behind.capitalize()} side is {gap} behind ({ratio:.0%} less)"  # type: ignore[union-attr]
    else:
        msg = f"Sides even (within {gap})"
    return Balance(round(left_s, 2), round(right_s, 2), round(diff, 2), round(ratio, 3),
                   imbalanced, behind, msg)


def balance_of_sides(totals: dict[str, SideTotals], tolerance: float) -> Balance:
    """The balance of left against right; a stretch without sides has none to keep."""
    if BOTH in totals:
        return Balance(0.0, 0.0, 0.0, 0.0, False, None, "One hold for both sides")
    return balance_of(totals["left"].hold_s, totals["right"].hold_s, tolerance)


def side_name(side: str) -> str:
    """How a side is written for people: "Left side", "Right side" or "Both sides"."""
    return "Both sides" if side == BOTH else f"{side.capitalize()} side"


@dataclass(frozen=True)
class FrameState:
    """Everything decided about one frame. ``open_faults``: (check, onset) of each fault in
    progress, dated from its onset (the HTML report keeps a snapshot of each). ``warnings``:
    what limits what the coach can see (low resolution, out of frame, filmed end-on, a check the
    view hides)."""

    t: float
    pose: Pose
    people: int
    side: Side | None
    in_position: bool
    verdicts: tuple[Verdict, ...]
    hold_s: float
    totals: dict[str, SideTotals]
    cue: Cue | None
    balance: Balance
    readings: tuple[Reading, ...] = ()
    open_faults: tuple[tuple[str, float], ...] = ()
    warnings: tuple[str, ...] = ()
    recognition: Recognition | None = None  # what the recogniser sees (stretch, side, how sure)
    # without --exercise, before any stretch has been recognised: no stretch to show yet
    seeking: bool = False
