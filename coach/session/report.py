"""The session report, typed once. Writers (:mod:`coach.output.writers`) turn it into files;
``docs/report.schema.json`` is generated from it (``python scripts/report_schema.py``)."""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Side = Literal["left", "right"]
SideKey = Literal["left", "right", "both"]  # "both": a stretch done on both sides at once


def _unset(value: object) -> bool:
    return value is None


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Person(_Part):
    seen_s: float
    not_seen_s: float
    max_people: int


class CountTarget(_Part):
    """One of a definition's further counts (``[[counts]]``): its label and target, if any."""

    label: str
    target: int | None


class Targets(_Part):
    """``breaths``: for a hold counted in breaths, how many, each ``breath_s`` long."""

    hold_s: float
    reps: int | None
    rep_label: str | None
    breaths: int | None = Field(default=None, exclude_if=_unset)
    breath_s: float | None = Field(default=None, exclude_if=_unset)
    counts: dict[str, CountTarget] | None = Field(default=None, exclude_if=_unset)


class SideReport(_Part):
    """Seconds of video time. ``hold_s``: in position with good form; ``in_position_s``
    includes time with a fault. ``breaths``: whole breaths held (``hold_s`` over the breath's
    length), for a hold counted in breaths."""

    hold_s: float
    reps: int
    best_hold_s: float
    in_position_s: float
    fault_s: float
    breaths: int | None = Field(default=None, exclude_if=_unset)
    counts: dict[str, int] | None = Field(default=None, exclude_if=_unset)


class BalanceReport(_Part):
    difference_s: float
    ratio: float
    imbalanced: bool
    behind: Side | None
    message: str


class CheckReport(_Part):
    """``judged`` is False for a reminder the pose model cannot judge, with ``why``."""

    fault_s: float
    unseen_s: float
    judged: bool
    why: str | None = Field(default=None, exclude_if=_unset)


class Event(_Part):
    """One fault interval; ``open`` (mid-session reports only) while it goes on."""

    check: str
    side: SideKey | None
    start_s: float
    end_s: float
    message: str
    open: bool | None = Field(default=None, exclude_if=_unset)


class Interval(_Part):
    side: SideKey
    start_s: float
    end_s: float


class Report(_Part):
    """What a session adds up to (``report.json``)."""

    coach_version: str
    exercise: str
    title: str
    source: str
    complete: bool = Field(description="false while the session is still running, and for one "
                           "that was interrupted or failed (see why_incomplete)")
    why_incomplete: str | None = Field(default=None, exclude_if=_unset,
                                       description="why complete is false: still running, "
                                       "interrupted, a damaged source, an output not written")
    fps: float | None
    frames: int
    duration_s: float
    person: Person
    targets: Targets
    sides: dict[SideKey, SideReport] = Field(description="left and right, or both for a "
                                            "stretch done on both sides at once")
    balance: BalanceReport
    checks: dict[str, CheckReport]
    events: list[Event]
    in_position: list[Interval]
    notes: list[str]
    dropped_frames: int | None = Field(default=None, exclude_if=_unset,
                                       description="live only: stale frames skipped")

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), indent=2) + "\n"


class Segment(_Part):
    """A stretch the recogniser saw, from ``start_s`` to ``end_s``, and how sure it was (mean
    probability of that stretch and side over the segment)."""

    stretch: str
    side: Side | None
    start_s: float
    end_s: float
    confidence: float


class StepTarget(_Part):
    """What a routine step asks of each side: ``hold_s`` seconds in good form (for a
    ``breaths`` target: that many breaths at the routine's pace), or ``reps``."""

    hold_s: float | None
    breaths: int | None
    reps: int | None


class StepSide(_Part):
    """What one side of a step came to (``both``: a stretch without sides, or either side of
    one with sides, added up);
    ``breaths``: for a breaths target, the breaths held at the routine's pace."""

    hold_s: float
    reps: int
    breaths: int | None = Field(default=None, exclude_if=_unset)
    met: bool


class RoutineStep(_Part):
    """One step of a routine: ``done`` (every side met its target), ``partial`` (done short of
    it, or moved on), ``missing`` (not found in the recording, or not reached live) or
    ``skipped`` (not available yet), with ``why`` unless done."""

    index: int = Field(description="1-based position in the routine")
    exercise: str
    title: str
    sides: Literal["both", "left", "right", "none"]
    target: StepTarget
    status: Literal["done", "partial", "missing", "skipped"]
    why: str | None = Field(default=None, exclude_if=_unset)
    start_s: float | None = Field(description="when the step began (null if never)")
    end_s: float | None
    held: dict[str, StepSide] = Field(description="per side counted: left, right, or both "
                                      "(a step without sides)")
    faults: list[Event]


class RoutineReport(_Part):
    """A session against a routine: each step in order and the verdict, which is
    ``complete`` only when every step is done (never with a step missing, short or skipped)."""

    name: str
    title: str
    verdict: Literal["complete", "incomplete"]
    steps_done: int
    why_incomplete: list[str]
    steps: list[RoutineStep]


class AutoReport(_Part):
    """A session of several stretches: recognised without ``--exercise`` (``mode`` auto: what
    was seen when in ``segments``), or guided through a routine live (``mode`` routine). Each
    exercise done has its own report (``exercises``); ``routine`` scores the steps."""

    coach_version: str
    mode: Literal["auto", "routine"] = "auto"
    source: str
    complete: bool = Field(description="false while a live session is still writing it")
    fps: float | None
    frames: int
    duration_s: float
    person: Person
    segments: list[Segment]
    exercises: dict[str, Report]
    routine: RoutineReport | None = Field(default=None, exclude_if=_unset,
                                          description="the routine's steps, with --routine")
    notes: list[str]
    why_incomplete: str | None = Field(default=None, exclude_if=_unset,
                                       description="why a report is not complete")
    dropped_frames: int | None = Field(default=None, exclude_if=_unset,
                                       description="live only: stale frames skipped")

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), indent=2) + "\n"


AnyReport = Report | AutoReport


def schema() -> str:
    """The JSON Schema of a report (one exercise, or recognised ones), as committed in
    ``docs/report.schema.json``."""
    from pydantic import TypeAdapter

    return json.dumps(TypeAdapter(AnyReport).json_schema(), indent=2) + "\n"
