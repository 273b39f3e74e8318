"""The steps of a live session, from set-up to summary, and what the live screen is told about
each frame. Pure decisions on video time; the live loop (:mod:`coach.live`) feeds them frames
and keys, the live screen (:mod:`coach.output.live_screen`) draws them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from coach.pose import Pose
from coach.rules.definitions import Exercise
from coach.session.frame import FrameState, side_name
from coach.session.framing import Framing
from coach.session.report import AutoReport, Report, RoutineReport, SideReport, Targets

# "rest": between a routine's sides or steps (the guide itself never goes there)
Step = Literal["setup", "framing", "countdown", "coaching", "summary", "rest"]
STEPS: tuple[Step, ...] = ("setup", "framing", "countdown", "coaching", "summary")
SAFETY_NOTE = ("Stop if anything hurts. Not for acute or sharp pain, or a fresh injury: "
               "see a professional first.")


class Guide:
    """Set-up (the safety note and where the camera goes, for ``setup_s``), the framing check
    (until it is ready), a countdown of ``countdown_s``, coaching, the summary. Time moves it
    on; ``next`` and ``back`` (keys) move it by hand."""

    def __init__(self, setup_s: float = 10.0, countdown_s: float = 3.0) -> None:
        self.setup_s, self.countdown_s = setup_s, countdown_s
        self.step: Step = "setup"
        self.since: float | None = None
        self._t = 0.0

    def update(self, t: float, framing_ready: bool) -> Step:
        """Advance on video time ``t``; ``framing_ready``: the framing check has passed."""
        self._t = t
        if self.since is None:
            self.since = t
        if self.step == "setup" and t - self.since >= self.setup_s:
            self._go("framing")
        if self.step == "framing" and framing_ready:
            self._go("countdown")
        if self.step == "countdown" and t - self.since >= self.countdown_s:
            self._go("coaching")
        return self.step

    def _go(self, step: Step) -> None:
        self.step, self.since = step, self._t

    def next(self) -> Step:
        """Skip to the next step (from coaching: the summary)."""
        i = STEPS.index(self.step)
        self._go(STEPS[min(i + 1, len(STEPS) - 1)])
        return self.step

    def back(self) -> Step:
        """Back one step (from coaching: the framing check; the session's totals are kept)."""
        i = STEPS.index(self.step)
        if self.step != "summary":
            self._go(STEPS[max(i - 1, 0)])
        return self.step

    def left_s(self) -> float | None:
        """Seconds left in the set-up or the countdown."""
        length = {"setup": self.setup_s, "countdown": self.countdown_s}.get(self.step)
        if length is None or self.since is None:
            return None
        return max(0.0, length - (self._t - self.since))


@dataclass(frozen=True)
class SideLine:
    side: str
    hold_s: float
    target_s: float
    reps: int | None
    reps_target: int | None
    breaths: int | None = None  # whole breaths held, for a hold counted in breaths
    breaths_target: int | None = None
    counts: tuple[tuple[str, int, int | None], ...] = ()  # [[counts]]: (label, count, target)

    @property
    def count_text(self) -> str:
        """", 2 leans back", ", 1/1 reached the left knee" ("" without further counts)."""
        return "".join(f", {n}/{tg} {label}" if tg else f", {n} {label}"
                       for label, n, tg in self.counts)

    @property
    def breath_count(self) -> str:
        """"6 of 6 breaths", or "" for a hold not counted in breaths."""
        return f"{self.breaths} of {self.breaths_target} breaths" if self.breaths_target else ""

    @property
    def done(self) -> bool:
        return self.hold_s >= self.target_s and (self.reps_target is None
                                                 or (self.reps or 0) >= self.reps_target)


@dataclass(frozen=True)
class Summary:
    """The end of a session, for the summary screen and the terminal."""

    title: str
    sides: tuple[SideLine, ...]
    rep_label: str | None
    top_fault: tuple[str, int, str] | None  # (check title, times, its fix)
    balance: str
    report_path: Path | None

    @property
    def completed(self) -> int:
        return sum(s.done for s in self.sides)

    @property
    def completion(self) -> str:
        if len(self.sides) == 1:  # a stretch without sides
            return "Done." if self.completed else "Not done yet."
        return f"Sides completed: {self.completed} of {len(self.sides)}."

    def lines(self) -> list[str]:
        out = []
        for s in self.sides:
            reps = f", {s.reps}/{s.reps_target} {self.rep_label}" if s.reps_target else ""
            reps += s.count_text
            reps += f", {s.breath_count}" if s.breath_count else ""
            out.append(f"{side_name(s.side)}: {_clock(s.hold_s)} of {_clock(s.target_s)}"
                       f"{reps}" + ("  (done)" if s.done else ""))
        out.append(f"{self.completion} {self.balance}")
        if self.top_fault:
            title, n, fix = self.top_fault
            out.append(f"Most frequent fault: {title} ({n}x). Fix: {fix}")
        else:
            out.append("No form faults.")
        return out


def _clock(s: float) -> str:
    s = max(0, int(s))
    return f"{s // 60}:{s % 60:02d}"


def summary_of(report: Report, exercise: Exercise, report_path: Path | None = None) -> Summary:
    """Time per side against the target, sides completed, the most frequent fault and its fix."""
    reps_target = exercise.reps.target if exercise.reps else None
    sides = tuple(SideLine(s, r.hold_s, exercise.hold.target_s,
                           r.reps if reps_target else None, reps_target, r.breaths,
                           exercise.hold.breaths,
                           tuple((c.label, (r.counts or {}).get(c.name, 0), c.target)
                                 for c in exercise.counts))
                  for s, r in report.sides.items())
    top = None
    if report.events:
        check, n = Counter(e.check for e in report.events).most_common(1)[0]
        c = exercise.check(check)
        top = (c.title, n, c.cue)
    return Summary(exercise.title, sides, exercise.reps.label if exercise.reps else None, top,
                   report.balance.message, report_path)


ANY_STRETCH = "any"  # the stand-in exercise of a live session without --exercise


@dataclass(frozen=True)
class RoutineSummary:
    """The end of a routine: each step's status and what it came to, and the verdict."""

    title: str
    verdict: str
    steps_done: int
    steps: tuple[tuple[int, str, str, str], ...]  # (index, title, status, detail)
    report_path: Path | None
    subtitle: str | None = None  # instead of "N of M steps done" (stretches recognised)

    def lines(self) -> list[str]:
        out = ([f"{self.title}: {self.subtitle}"] if self.subtitle is not None else
               [f"Routine {self.title}: {self.verdict}, {self.steps_done} of {len(self.steps)} "
                "steps done"])
        out += [f"{i}. {title}: {status}" + (f" ({detail})" if detail else "")
                for i, title, status, detail in self.steps]
        return out


def routine_summary_of(r: RoutineReport, report_path: Path | None = None) -> RoutineSummary:
    """Per step: done / partial / missing / skipped, time per side against the target, faults."""
    steps = []
    for s in r.steps:
        parts = []
        for k, v in s.held.items():
            tg = s.target
            got = (f"{v.reps}/{tg.reps} reps" if tg.reps is not None else
                   f"{v.breaths}/{tg.breaths} breaths" if tg.breaths else
                   f"{_clock(v.hold_s)} of {_clock(tg.hold_s or 0)}")
            parts.append(f"{side_name(k).lower()} {got}")
        if s.faults:
            top, n = Counter(f.check for f in s.faults).most_common(1)[0]
            parts.append(f"{len(s.faults)} fault{'s' if len(s.faults) > 1 else ''}, most often "
                         f"{top.replace('_', ' ')}" + (f" ({n}x)" if n > 1 else ""))
        elif s.status in ("done", "partial"):
            parts.append("no faults")
        if s.status in ("missing", "skipped") and s.why:
            parts.append(s.why)
        steps.append((s.index, s.title, s.status, ", ".join(parts)))
    return RoutineSummary(r.title, r.verdict, r.steps_done, tuple(steps), report_path)


def _against(v: SideReport, tg: Targets) -> tuple[str, bool]:
    """One side's result against its target, and whether it reached it."""
    if tg.reps is not None:
        return f"{v.reps} of {tg.reps} {tg.rep_label or 'reps'}", v.reps >= tg.reps
    return f"{_clock(v.hold_s)} of {_clock(tg.hold_s)}", v.hold_s >= tg.hold_s


def recognised_summary_of(r: AutoReport, report_path: Path | None = None) -> RoutineSummary:
    """A session without ``--exercise``: each stretch recognised, in the order first seen, with
    its time per side against its target (done when every side reached it) and its faults."""
    order = list(dict.fromkeys(seg.stretch for seg in r.segments))
    steps = []
    for i, name in enumerate(order, 1):
        rep = r.exercises.get(name)
        if rep is None:
            continue
        sides = {k: _against(v, rep.targets) for k, v in rep.sides.items()}
        parts = [(f"{side_name(k).lower()} " if k != "both" else "") + text
                 for k, (text, _) in sides.items()]
        if len(rep.events) == 1:
            parts.append(f"1 fault: {rep.events[0].check.replace('_', ' ')}")
        elif rep.events:
            top, n = Counter(e.check for e in rep.events).most_common(1)[0]
            parts.append(f"{len(rep.events)} faults, most often {top.replace('_', ' ')} ({n}x)")
        else:
            parts.append("no faults")
        done = all(ok for _, ok in sides.values())
        steps.append((i, rep.title, "done" if done else "partial", ", ".join(parts)))
    n = len(steps)
    sub = (f"{n} stretch{'es' if n != 1 else ''} recognised, {sum(s[2] == 'done' for s in steps)} "
           "of them held to the target" if n else "no stretch the coach knows was recognised")
    return RoutineSummary("Your session", "complete" if n and all(s[2] == "done" for s in steps)
                          else "partial", sum(s[2] == "done" for s in steps), tuple(steps),
                          report_path, subtitle=sub)


@dataclass(frozen=True)
class RoutineStatus:
    """Where a live routine stands, for the screen: step ``index`` of ``count``, the side asked
    for, the step's target per side, and what comes next."""

    title: str
    index: int
    count: int
    step_title: str
    sides: str  # the step's: both, left, right, none
    side: str | None  # the side asked for now: "left", "right", or None
    target_s: float | None
    reps: int | None
    breaths: int | None
    next: str | None = None  # after a rest: "your right side", "Pigeon"

    def target_text(self) -> str:
        if self.reps is not None:
            return f"{self.reps} reps"
        if self.breaths is not None:
            return f"{self.breaths} breaths ({_clock(self.target_s or 0)})"
        return _clock(self.target_s or 0)


@dataclass(frozen=True)
class LiveView:
    """Everything the live screen shows for one frame: the step, the camera image and its pose,
    the session's decisions (while coaching), and the loop's own status."""

    step: Step
    image: np.ndarray
    pose: Pose
    state: FrameState | None = None
    framing: Framing | None = None
    left_s: float | None = None
    paused: bool = False
    voice: str = "on"  # "on", "muted" or "off" (no speech engine)
    fps: float = 0.0
    pose_ms: float = 0.0
    note: str | None = None  # a passing message, e.g. after a key
    summary: Summary | RoutineSummary | None = None
    routine: RoutineStatus | None = None
