"""A routine, live: each step announced (title, position cue, side), coached by its own
:class:`~coach.live.LiveCoach` (guided start, session, spoken cues), moved on when the hold or
count of each side is done, with rests where the routine sets them, and a summary per step.

Coaching time runs on from one step to the next (set-ups, rests and pauses left out), so the
step reports and the routine's own share one timeline.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence

from coach import __version__
from coach.io.sinks import Sink
from coach.io.sources import Frame, FrameSource
from coach.live import (
    Display,
    LiveCoach,
    LiveOptions,
    LiveResult,
    _show_summary,
    _spoken_time,
    live_loop,
)
from coach.output.live_screen import LiveScreen
from coach.output.speech import Speaker
from coach.output.writers import ReportWriter
from coach.pose import Pose
from coach.pose.estimator import PoseEstimator
from coach.rules.definitions import Exercise
from coach.rules.routines import PlannedStep, RoutinePlan
from coach.session.guide import LiveView, RoutineStatus, routine_summary_of
from coach.session.report import AutoReport, Person, Report
from coach.session.routine import RoutineEvent, RoutineRun

NOTE_S = 4.0  # a routine's message (a switch, a skipped step) stays on screen this long


def _side_words(step: PlannedStep, side: str | None) -> str:
    if side not in ("left", "right"):
        return ""
    return f"Start with your {side} side." if step.sides == "both" else f"Your {side} side."


class RoutineCoach:
    """One live routine's decisions, frame by frame and key by key: which step is on, its coach,
    rests, what to say, and the view to draw (the step's own, with where the routine stands)."""

    def __init__(self, plan: RoutinePlan, speaker: Speaker, options: LiveOptions,
                 writers: Sequence[ReportWriter] = (), record: Sink | None = None) -> None:
        self.plan, self.speaker, self.options = plan, speaker, options
        self.writers, self.record = writers, record
        self.run = RoutineRun(plan, options.first_side)
        self.coaches: dict[int, LiveCoach] = {}  # step index -> the coach that ran it
        self.coach: LiveCoach | None = None
        self.view: LiveView | None = None
        self.paused = False  # a rest paused with Space
        self.rest_s = 0.0  # time rested (left out of coaching time, as set-ups are)
        self._prev_t: float | None = None
        self._note: tuple[str, float] | None = None
        self._side: str | None = None  # the side asked for now
        self._handle(self.run.start())
        if self.coach is None:
            raise ValueError(f"routine {plan.name}: no step is available")

    @property
    def exercise(self) -> Exercise:
        assert self.coach is not None
        return self.coach.exercise

    @property
    def finished(self) -> bool:
        return self.run.phase == "finished"

    @property
    def coaching(self) -> bool:
        return True  # the routine's report is worth writing from the start

    def say(self, text: str, kind: str = "side") -> None:
        assert self.coach is not None
        self.coach.say(text, kind)

    def _tell(self, text: str) -> None:
        self._note = (text, time.monotonic())

    # -- the routine's events --------------------------------------------------------------
    def _handle(self, events: list[RoutineEvent]) -> None:
        """Act on the routine's events, and say them as one phrase (one waiting phrase would
        replace another): a step done, steps skipped, then a rest, a switch or the next step's
        announcement."""
        words: list[str] = []
        for e in events:
            step = e.step
            if e.kind == "step_done" and step is not None:
                words.append(f"{step.title}: done.")
            elif e.kind == "skip" and step is not None:
                self._tell(f"{step.title}: not available yet, skipped")
                words.append(f"{step.title} is not available yet: skipping it.")
            elif e.kind == "start" and step is not None:
                self._start(step, e.side, " ".join(words))  # said with its announcement
                words = []
            elif e.kind == "switch":
                self._side = e.side
                if self.coach is not None:
                    self.coach.paused = False
                self._tell(f"Switch to your {e.side} side")
                words.append(f"Switch to your {e.side} side")
            elif e.kind == "rest" and self.coach is not None:
                self.coach.paused = True  # the step's timers stop while resting
                self._note = None  # the rest's own line says what is next
                self._side = e.side if e.side else self._side
                then = f"your {e.side} side" if e.side else (step.title if step else "the next")
                words.append(f"Rest {_spoken_time(e.seconds)}. Then {then}.")
        if words and self.coach is not None:
            self.say(" ".join(words))

    def _start(self, step: PlannedStep, side: str | None, before: str = "") -> None:
        """The step's own coach, which announces it (after ``before``: what just happened)."""
        assert step.exercise is not None
        first = self.coach is None
        n = len(self.plan.steps)
        intro = " ".join(p for p in (
            f"{self.plan.title}. Stop if anything hurts." if first else "", before,
            f"Step {step.index} of {n}: {step.title}. {step.exercise.position_cue}.",
            _side_words(step, side)) if p)
        opts = dataclasses.replace(
            self.options,
            setup_s=self.options.setup_s if first else min(self.options.setup_s,
                                                           self.options.announce_s),
            # where sides take turns the coach cannot see which is which: it asks for this one
            first_side=side if side in ("left", "right") else self.options.first_side)
        coach = LiveCoach(step.exercise, self.speaker, opts, self.writers, self.record,
                          intro=intro)
        if self.coach is not None:
            coach.continue_from(self.coach)
            self.coach.paused = True
        self.coaches[step.index] = self.coach = coach
        self._side = side

    # -- frames and keys -------------------------------------------------------------------
    def frame(self, frame: Frame, pose: Pose, people: int, pose_ms: float) -> LiveView:
        dt = 0.0 if self._prev_t is None else max(0.0, frame.t - self._prev_t)
        self._prev_t = frame.t
        coach = self.coach
        assert coach is not None
        view = coach.frame(frame, pose, people, pose_ms)
        if self.run.phase == "rest":
            if not self.paused:
                self.rest_s += dt
                self._handle(self.run.tick(dt))
        elif coach.coaching and not coach.paused and coach.state is not None:
            self._handle(self.run.update(coach.state.t, coach.state.totals))
        if self.coach is not coach:  # the next step began: its first frame is the next one
            view = dataclasses.replace(view, state=None)
        self.view = self._wrap(view)
        return self.view

    def _status(self) -> RoutineStatus:
        rec = self.run.current
        step = rec.step if rec is not None else self.plan.steps[-1]
        nxt = None
        if self.run.phase == "rest" and self.run.rest is not None:
            nxt = (f"your {self.run.rest.side} side" if self.run.rest.then == "side"
                   else (self.run.upcoming.title if self.run.upcoming else None))
        side = self._side if self._side in ("left", "right") else None
        return RoutineStatus(self.plan.title, step.index, len(self.plan.steps), step.title,
                             step.sides, side, step.target.seconds, step.target.reps,
                             step.target.breaths, nxt)

    def _wrap(self, view: LiveView) -> LiveView:
        note = view.note
        if self._note and time.monotonic() - self._note[1] < NOTE_S:
            note = note or self._note[0]
        if self.run.phase == "rest":
            return LiveView("rest", view.image, view.pose, left_s=self.run.rest_left,
                            paused=self.paused, voice=view.voice, fps=view.fps,
                            pose_ms=view.pose_ms, note=note, routine=self._status())
        return dataclasses.replace(view, note=note, routine=self._status())

    def key(self, action: str) -> str | None:
        """Act on a key: N moves on (a rest ends, a step being coached ends as it stands),
        Space pauses a rest too; the others go to the step's coach."""
        if action in ("quit", "fullscreen"):
            return action
        coach = self.coach
        assert coach is not None
        if self.run.phase == "rest":
            if action == "skip":
                self._handle(self.run.skip())
            elif action == "pause":
                self.paused = not self.paused
                self.say("Paused" if self.paused else "Go on")
            elif action == "mute":
                coach.key(action)
        elif action == "skip" and coach.coaching:
            rec = self.run.current
            self._handle(self.run.skip())
            if rec is not None and rec.status == "partial":
                self._tell(f"Moving on from {rec.step.title}")
        else:
            coach.key(action)
        if self.view is not None:
            base = coach.view if coach.view is not None else self.view
            self.view = self._wrap(base)
        return None

    # -- the report ------------------------------------------------------------------------
    def interim(self, source: FrameSource) -> AutoReport:
        return self.report(source, {i: c.interim(source) for i, c in self._coached()},
                           complete=False)

    def _coached(self) -> list[tuple[int, LiveCoach]]:
        return [(i, c) for i, c in self.coaches.items() if c.session.clock.frames]

    def finish(self, source: FrameSource, error: str | None) -> AutoReport:
        self.run.finish()
        reports = {i: c.finish(source, error) for i, c in self._coached()}
        report = self.report(source, reports, complete=True)
        notes = list(report.notes)
        if error:
            notes.append(f"Stopped early: {error}")
        return report.model_copy(update={"notes": notes})

    def report(self, source: FrameSource, reports: dict[int, Report], complete: bool) -> AutoReport:
        """The routine's report: each coached step's own report under ``exercises`` and the
        steps scored under ``routine``."""
        exercises: dict[str, Report] = {}
        for i, r in reports.items():
            key = r.exercise if r.exercise not in exercises else f"{r.exercise} (step {i})"
            exercises[key] = r
        rs = list(reports.values())
        notes = []
        excluded = self.coach.excluded_s if self.coach is not None else 0.0
        if excluded > 0.5:
            notes.append(f"Times count coaching only ({excluded:.0f} s of set-ups, framing "
                         "checks, countdowns, rests and pauses left out).")
        update: dict = {}
        if source.is_live:
            update["dropped_frames"] = source.dropped
        return AutoReport(
            coach_version=__version__, mode="routine", source=source.name, complete=complete,
            fps=round(source.fps, 3) if source.fps else None, frames=sum(r.frames for r in rs),
            duration_s=round(sum(r.duration_s for r in rs), 2),
            person=Person(seen_s=round(sum(r.person.seen_s for r in rs), 2),
                          not_seen_s=round(sum(r.person.not_seen_s for r in rs), 2),
                          max_people=max((r.person.max_people for r in rs), default=0)),
            segments=[], exercises=exercises, routine=self.run.report(reports), notes=notes,
            **update)


def run_routine_live(source: FrameSource, estimator: PoseEstimator, plan: RoutinePlan,
                     display: Display | None, speaker: Speaker,
                     writers: Sequence[ReportWriter] = (), record: Sink | None = None,
                     options: LiveOptions | None = None,
                     on_shown: Callable[[int, float], None] | None = None) -> LiveResult:
    """Guide through ``plan``'s steps until the last is done, the source ends or ``q``; then
    the summary (on screen, spoken, returned)."""
    options = options or LiveOptions()
    coach = RoutineCoach(plan, speaker, options, writers, record)
    error = live_loop(coach, source, estimator, display, writers, options, on_shown)
    report = coach.finish(source, error)
    written = [p for w in writers if (p := w.write(report, final=True)) is not None]
    assert report.routine is not None
    summary = routine_summary_of(report.routine, written[0] if written else None)
    r = report.routine
    spoken = [f"{plan.title}: {r.steps_done} of {len(r.steps)} steps done."]
    if r.verdict == "complete":
        spoken.append("Well done.")
    else:
        spoken += [f"{s.title}: {s.status}." for s in r.steps if s.status != "done"][:3]
    coach.say(" ".join(spoken))
    if display is not None and coach.view is not None:
        _show_summary(display, LiveScreen(coach.exercise), coach.view, summary, options.summary_s)
    speaker.close(drain_s=15.0)
    return LiveResult(report, summary, error, written, [s.text for s in speaker.said])
