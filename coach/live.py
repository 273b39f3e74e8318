"""The live session: a guided start (safety note, camera placement, framing check, countdown),
coaching with spoken cues and keys, and a summary at the end.

Pose estimation runs on its own thread one frame ahead of the screen, so the window keeps
answering keys and redrawing while the model works:

    source -> [estimation thread] -> guide / session -> speech, writers, recording -> screen

Every decision is on video time (a camera's capture time), minus the time outside coaching, so
the report counts coaching only and a pause stops every timer.
"""

from __future__ import annotations

import queue
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from coach.errors import CoachError, CoachWarning, SourceError
from coach.io.sinks import Sink
from coach.io.sources import Frame, FrameSource
from coach.output.annotate import Overlay
from coach.output.live_screen import LiveScreen
from coach.output.speech import Speaker, Utterance
from coach.output.writers import ReportWriter
from coach.pose import Pose
from coach.pose.estimator import PoseEstimator
from coach.rules.definitions import Exercise
from coach.rules.measures import opposite
from coach.run import make_session
from coach.session.auto import AutoSession
from coach.session.frame import FrameState, Side, side_name
from coach.session.framing import FramingCheck
from coach.session.guide import (
    ANY_STRETCH,
    Guide,
    LiveView,
    RoutineSummary,
    Step,
    Summary,
    recognised_summary_of,
    summary_of,
)
from coach.session.locate import TurnTaker
from coach.session.quality import ACTIONABLE
from coach.session.report import AnyReport, AutoReport
from coach.session.session import Session

KEYS = {ord(" "): "pause", ord("p"): "pause", ord("n"): "skip", ord("b"): "back",
        ord("s"): "side", ord("m"): "mute", ord("f"): "fullscreen", ord("q"): "quit",
        27: "quit"}
# what each kind of cue sounds like: (priority, cooldown in seconds); lower is more urgent
# ("step": a routine's step announced, which the countdown must not cut)
SPOKEN = {"safety": (0, 8.0), "fault": (1, 10.0), "step": (1, 0.0), "side": (2, 5.0),
          "setup": (3, 15.0), "move": (4, 2.0), "breath": (4, 2.0), "info": (5, 20.0),
          "good": (6, 30.0)}
REDRAW_S = 0.25  # without a new frame, the screen is redrawn this often (resizes, clocks)
NOTE_S = 2.0  # a key's note stays up this long
WARN_AGAIN_S = 60.0  # a warning about the camera is said when it appears, and again this often while on
# The frame rate and the pose model's time on screen are refreshed this often, the model's time
# as its mean since the last refresh: figures that change every frame cannot be read, and each
# new text is drawn afresh (the screen's other texts are drawn once and blended after).
STATS_S = 0.5


class Display(Protocol):
    """Where the live screen goes (a :class:`coach.io.window.Window`, or a test's stand-in)."""

    def size(self) -> tuple[int, int]: ...

    def show(self, canvas: np.ndarray) -> None: ...

    def key(self, wait_ms: int = 1) -> int: ...

    def toggle_fullscreen(self) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class LiveOptions:
    """``setup_s``: how long the safety note and camera placement stay up (N skips);
    ``summary_s``: how long the summary stays up (any key closes it); ``recognize``: find
    side and position with the learned recogniser where it knows the exercise."""

    setup_s: float = 10.0
    countdown_s: float = 3.0
    summary_s: float = 30.0
    announce_s: float = 6.0  # a routine's later steps: their announcement stays up this long
    report_every_s: float = 2.0
    first_side: Side | None = None
    recognize: bool = True  # locate by the learned recogniser where it knows the exercise


@dataclass
class LiveResult:
    report: AnyReport
    summary: Summary | RoutineSummary
    error: str | None = None
    written: list[Path] = field(default_factory=list)
    said: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        """As :class:`coach.run.RunResult`'s: "complete", or "source" when the camera failed."""
        return "complete" if self.error is None else "source"


class _Estimation(threading.Thread):
    """Reads the source and estimates each frame's pose, one frame ahead of the screen; a live
    source meanwhile drops stale frames, a file source waits."""

    END = object()

    def __init__(self, source: FrameSource, estimator: PoseEstimator) -> None:
        super().__init__(name="coach-estimation", daemon=True)
        self.source, self.estimator = source, estimator
        self.out: queue.Queue = queue.Queue(maxsize=1)
        self.stop = threading.Event()

    def _put(self, item: object) -> None:
        while not self.stop.is_set():
            try:
                self.out.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def run(self) -> None:
        try:
            for frame in self.source:
                if self.stop.is_set():
                    break
                t0 = time.perf_counter()
                pose = self.estimator.estimate(frame.image, frame.t)
                ms = (time.perf_counter() - t0) * 1000
                self._put((frame, pose, self.estimator.people, ms))
        except SourceError as e:
            self._put(e)
        except Exception as e:  # noqa: BLE001 - handed to the main thread, raised there
            self._put(e)
        self._put(self.END)


def _spoken_time(s: float) -> str:
    m, sec = divmod(max(0, int(s)), 60)
    if not m:
        return f"{sec} second{'s' if sec != 1 else ''}"
    return f"{m} minute{'s' if m > 1 else ''}" + (f" {sec}" if sec else "")


class LiveCoach:
    """One live session's decisions, frame by frame and key by key: the guide's steps, the
    framing check, the session (coaching only), what to say, and the view to draw."""

    def __init__(self, exercise: Exercise, speaker: Speaker, options: LiveOptions,
                 writers: Sequence[ReportWriter] = (), record: Sink | None = None,
                 intro: str | None = None, session: Session | AutoSession | None = None) -> None:
        """``intro``: what is said at the set-up (default: the title and the safety note);
        ``session``: the session to coach (default: ``exercise``'s)."""
        self.exercise, self.speaker, self.options = exercise, speaker, options
        self.intro = intro
        self.session = session or make_session(exercise, options.first_side, False, options.recognize)
        self.guide = Guide(options.setup_s, options.countdown_s)
        self.framing = FramingCheck(exercise)
        self._overlays: dict[str, Overlay] = {}
        self.writers, self.record = writers, record
        self.paused = False
        self.excluded_s = 0.0  # video time outside coaching (set-up, framing, pauses)
        self.state: FrameState | None = None
        self.view: LiveView | None = None
        self._prev_t: float | None = None
        self._step: Step | None = None
        self._cue_text: str | None = None
        self._side: Side | None = None
        self._warned: dict[str, float] = {}  # warning -> coaching time it was last said
        self._note: tuple[str, float] | None = None
        self._fps = 0.0
        self._last_wall: float | None = None
        self._stats = (0.0, 0.0)  # (frames/s, pose ms) as shown
        self._stats_at: float | None = None
        self._pose_ms: list[float] = []  # since the last refresh

    def continue_from(self, before: LiveCoach) -> None:
        """Go on from another coach's clock (a routine's previous step): coaching time runs on
        from where it stopped, with this one's set-up left out too."""
        self._prev_t, self.excluded_s = before._prev_t, before.excluded_s
        self._fps, self._last_wall = before._fps, before._last_wall
        self._stats, self._stats_at = before._stats, before._stats_at

    @property
    def finished(self) -> bool:
        """The session is over (the summary is next)."""
        return self.guide.step == "summary"

    @property
    def coaching(self) -> bool:
        return self.guide.step == "coaching"

    def interim(self, source: FrameSource) -> AnyReport:
        """The report so far (``"complete": false``), written every few seconds."""
        return self.session.report(source.name, source.fps, complete=False)

    # -- speech ----------------------------------------------------------------------------
    def say(self, text: str, kind: str) -> None:
        priority, cooldown = SPOKEN[kind]
        # a routine's step, a side switch or the summary is worth saying late; a form cue is not
        fresh = {"side": 10.0, "step": 15.0}.get(kind, 3.0)
        self.speaker.say(Utterance(text, priority, cooldown, fresh))

    def _announce_step(self, step: Step) -> None:
        ex = self.exercise
        if step == "setup":
            if self.intro:  # a routine's step: what to do next, not to be cut by the countdown
                self.say(self.intro, "step")
            else:
                self.say(f"{ex.title}. Stop if anything hurts.", "setup")
        elif step == "countdown":
            self.say(f"Get ready. {int(round(self.options.countdown_s))}, 2, 1"
                     if self.options.countdown_s >= 3 else "Get ready", "side")
        elif step == "coaching":
            self.say("Begin", "side")

    def _announce_coaching(self, state: FrameState) -> None:
        if state.side and self._side and state.side != self._side:
            self.say(f"Now your {state.side} side", "side")
        if state.side:
            self._side = state.side
        self._say_warnings(state)
        self._say_cue(state)

    def _say_warnings(self, state: FrameState) -> None:
        """A warning that asks for something (move the camera) said when it appears, and again
        every WARN_AGAIN_S while it stays: the person may be lying down, not looking at the
        screen."""
        for w in state.warnings:
            said = self._warned.get(w)
            if w in ACTIONABLE and (said is None or state.t - said >= WARN_AGAIN_S):
                self.say(w, "setup")
                self._warned[w] = state.t

    def _say_cue(self, state: FrameState) -> None:
        """The frame's cue, once (a safety fault at the top priority)."""
        cue = state.cue
        if cue is None or cue.text == self._cue_text:
            return
        self._cue_text = cue.text
        kind = "safety" if cue.kind == "fault" and cue.priority == 0 else cue.kind
        self.say(cue.text, kind if kind in SPOKEN else "info")

    # -- frames ----------------------------------------------------------------------------
    def frame(self, frame: Frame, pose: Pose, people: int, pose_ms: float) -> LiveView:
        """Decide one estimated frame: the guide's step, then framing or coaching."""
        dt = 0.0 if self._prev_t is None else max(0.0, frame.t - self._prev_t)
        self._prev_t = frame.t
        now = time.monotonic()
        if self._last_wall is not None and now > self._last_wall:
            self._fps = 0.8 * self._fps + 0.2 / (now - self._last_wall) if self._fps else \
                1 / (now - self._last_wall)
        self._last_wall = now
        self._pose_ms.append(pose_ms)
        if self._stats_at is None or now - self._stats_at >= STATS_S or not self._stats[0]:
            self._stats = (self._fps, sum(self._pose_ms) / len(self._pose_ms))
            self._stats_at, self._pose_ms = now, []
        coaching = self.guide.step == "coaching" and not self.paused
        if not coaching:
            self.excluded_s += dt
        t = frame.t - self.excluded_s  # coaching time
        framing = None
        if self.guide.step in ("setup", "framing"):
            framing = self.framing.update(pose, float(frame.image.mean()), frame.t)
        if not self.paused:
            self.guide.update(frame.t, self.framing.ready)
        step = self.guide.step
        if step != self._step:
            if self._step is None and step != "setup":  # a set-up of 0 s is still announced
                self._announce_step("setup")
            self._step = step
            self._announce_step(step)
        if step == "framing" and framing is not None and not framing.ok:
            self.say(framing.message, "setup")
        if step == "coaching" and not self.paused:
            # (the first coaching frame's gap was left out above, the guide not yet coaching)
            self.state = self.session.update(pose, t, people)
            self._announce_coaching(self.state)
            # the annotated picture is for a recording, and for the HTML report's snapshot of
            # a fault (taken while it is open): not drawn otherwise, as it would delay the screen
            if self.record is not None or (self.writers and self.state.open_faults):
                ex = self.session.exercise
                overlay = self._overlays.get(ex.name) or self._overlays.setdefault(ex.name, Overlay(ex))
                image = overlay.annotate(frame.image.copy(), self.state)
                for w in self.writers:
                    w.observe(image, self.state)
                if self.record is not None:
                    self.record.write(image)
        view = LiveView(step, frame.image, pose, self.state if step == "coaching" else None,
                        framing, self.guide.left_s(), self.paused, self._voice(), *self._stats,
                        self._current_note())
        self.view = view
        return view

    def _voice(self) -> str:
        return "off" if not self.speaker.available else ("muted" if self.speaker.muted else "on")

    def _current_note(self) -> str | None:
        if self._note and time.monotonic() - self._note[1] < NOTE_S:
            return self._note[0]
        return None

    def _tell(self, text: str) -> None:
        self._note = (text, time.monotonic())

    # -- keys ------------------------------------------------------------------------------
    def key(self, action: str) -> str | None:
        """Act on a key; returns "quit" or "fullscreen" for the loop to do."""
        if action in ("quit", "fullscreen"):
            return action
        if action == "pause" and self.guide.step == "coaching":
            self.paused = not self.paused
            self.say("Paused" if self.paused else "Go on", "side")
        elif action == "skip":
            self.paused = False
            self._tell({"setup": "Framing check", "framing": "Get ready",
                        "countdown": "Begin", "coaching": "Finishing"}.get(self.guide.step, ""))
            self.guide.next()
        elif action == "back":
            self.paused = False
            self.guide.back()
            self._tell("Back to the " + {"setup": "start", "framing": "framing check",
                                         "countdown": "countdown"}.get(self.guide.step, "start"))
        elif action == "side":
            self._switch_side()
        elif action == "mute":
            muted = self.speaker.toggle_mute()
            self._tell("Voice off (M turns it on)" if muted else "Voice on")
            if not self.speaker.available:
                self._tell("No speech engine: see README, Spoken cues")
            elif not muted:
                self.say("Voice on", "side")
        if self.view is not None:
            self.view = LiveView(self.guide.step, self.view.image, self.view.pose,
                                 self.state if self.guide.step == "coaching" else None,
                                 self.view.framing, self.guide.left_s(), self.paused,
                                 self._voice(), self.view.fps, self.view.pose_ms,
                                 self._current_note(), self.view.summary)
        return None

    def _switch_side(self) -> None:
        """Sides that take turns move to the other side; a side read from the pose follows
        the legs, so the key only says so."""
        if not self.session.exercise.sided:
            self._tell("This stretch works both sides at once")
            return
        locator = self.session.locator
        current = self.state.side if self.state is not None else None
        if isinstance(locator, TurnTaker):
            locator.side = opposite(locator.side)
            current = opposite(locator.side)
        other = opposite(current) if current else "other"
        self._tell(f"Switch to your {other} side")
        self.say(f"Switch to your {other} side", "side")

    def finish(self, source: FrameSource, error: str | None) -> AnyReport:
        self.session.finish()
        report = self.session.report(source.name, source.fps)
        update: dict = {}
        if source.is_live:
            update["dropped_frames"] = source.dropped
        notes = list(report.notes)
        if self.excluded_s > 0.5:
            notes.append(f"Times count coaching only ({self.excluded_s:.0f} s of set-up, "
                         "framing check, countdown and pauses left out).")
        if error:
            notes.append(f"Stopped early: {error}")
        update["notes"] = notes
        return report.model_copy(update=update)


ANY_STRETCH_INTRO = ("Get into any stretch the coach knows: it will say which one it sees, and "
                     "coach it. Stop if anything hurts.")


def any_stretch(exercises: Sequence[Exercise]) -> Exercise:
    """What the screen shows before a stretch is recognised: set-up, framing check and
    countdown for whichever stretch comes (no camera angle asked for: each stretch has its own)."""
    first = exercises[0]
    return first.model_copy(update={
        "name": ANY_STRETCH, "title": "Any stretch",
        "summary": "Do any stretch the coach knows (coach exercises lists them), in any order: "
                   "it names the stretch and the side it sees, times the hold and checks your form.",
        "position_cue": "Get into any stretch the coach knows",
        "camera": first.camera.model_copy(update={
            "placement": "On the floor or a low table 2-3 m away, side-on to your mat, your whole "
                         "body in view",
            "max_view_width": None}),
        "min_visibility": min(e.min_visibility for e in exercises),
    })


class RecognisingCoach(LiveCoach):
    """``coach live`` without an exercise: the same guided session (set-up, framing check,
    countdown, voice, keys, summary) coaching whichever stretch the recogniser names. The screen
    follows the stretch being done; the voice names each stretch (and side) as it is recognised."""

    def __init__(self, speaker: Speaker, options: LiveOptions,
                 writers: Sequence[ReportWriter] = (), record: Sink | None = None,
                 session: AutoSession | None = None) -> None:
        """``session``: the recognising session (default: every known stretch, the shipped
        recogniser)."""
        session = session or make_session(None, options.first_side, False, True)  # type: ignore[assignment]
        assert isinstance(session, AutoSession)
        exercises = [s.exercise for s in session.sessions.values()]
        super().__init__(any_stretch(exercises), speaker, options, writers, record,
                         intro=ANY_STRETCH_INTRO, session=session)
        self.auto = session
        self._named: tuple[str, str | None] | None = None  # the stretch and side last said

    def frame(self, frame: Frame, pose: Pose, people: int, pose_ms: float) -> LiveView:
        view = super().frame(frame, pose, people, pose_ms)
        if self.state is not None and not self.state.seeking:
            self.exercise = self.auto.exercise  # the screen's title, targets and checks
        return view

    def _announce_coaching(self, state: FrameState) -> None:
        if state.seeking:
            super()._announce_coaching(state)
            return
        ex = self.auto.exercise
        key = (ex.name, state.side if ex.sided else None)
        if state.in_position and key != self._named:
            if self._named is not None and self._named[0] == ex.name and key[1]:
                self.say(f"Now your {key[1]} side", "side")
            else:
                self.say(ex.title + (f", {key[1]} side" if key[1] else ""), "step")
            self._named = key
            self._side = state.side
        self._say_warnings(state)
        self._say_cue(state)

    def _switch_side(self) -> None:
        """The recogniser reads the side from the legs: the key only says so."""
        if not self.auto.exercise.sided or self.state is None or self.state.seeking:
            self._tell("The coach reads the side from your legs")
            return
        super()._switch_side()


class Coach(Protocol):
    """What the live loop drives: a :class:`LiveCoach`, or a routine's (one per step)."""

    exercise: Exercise
    view: LiveView | None

    @property
    def finished(self) -> bool: ...

    @property
    def coaching(self) -> bool: ...

    def frame(self, frame: Frame, pose: Pose, people: int, pose_ms: float) -> LiveView: ...

    def key(self, action: str) -> str | None: ...

    def interim(self, source: FrameSource) -> AnyReport: ...


def run_live(source: FrameSource, estimator: PoseEstimator, exercise: Exercise | None,
             display: Display | None, speaker: Speaker, writers: Sequence[ReportWriter] = (),
             record: Sink | None = None, options: LiveOptions = LiveOptions(),
             on_shown: Callable[[int, float], None] | None = None) -> LiveResult:
    """Run a live session until the source ends, ``q`` or the summary; ``exercise`` None:
    whichever stretch the recogniser names. ``display`` None: no window (nothing is drawn, no
    keys). ``on_shown(frame_index, monotonic_time)``: called when a frame has been shown (for
    the latency benchmark)."""
    coach = (LiveCoach(exercise, speaker, options, writers, record) if exercise is not None
             else RecognisingCoach(speaker, options, writers, record))
    return finish_live(coach, source, estimator, display, speaker, writers, options, on_shown)


def finish_live(coach: LiveCoach, source: FrameSource, estimator: PoseEstimator,
                display: Display | None, speaker: Speaker, writers: Sequence[ReportWriter] = (),
                options: LiveOptions = LiveOptions(),
                on_shown: Callable[[int, float], None] | None = None) -> LiveResult:
    """Run ``coach`` through the live loop, then its report, its summary (said, and shown for
    ``options.summary_s``) and the result."""
    error = live_loop(coach, source, estimator, display, writers, options, on_shown)
    report = coach.finish(source, error)
    written = [p for w in writers if (p := w.write(report, final=True)) is not None]
    summary: Summary | RoutineSummary
    if isinstance(report, AutoReport):
        summary = recognised_summary_of(report, written[0] if written else None)
        _say_recognised_summary(coach, report)
    else:
        summary = summary_of(report, coach.exercise, written[0] if written else None)
        _say_summary(coach, summary)
    if display is not None and coach.view is not None:
        _show_summary(display, LiveScreen(coach.exercise), coach.view, summary, options.summary_s)
    speaker.close(drain_s=15.0)  # let the summary be said
    return LiveResult(report, summary, error, written, [s.text for s in speaker.said])


def live_loop(coach: Coach, source: FrameSource, estimator: PoseEstimator,
              display: Display | None, writers: Sequence[ReportWriter], options: LiveOptions,
              on_shown: Callable[[int, float], None] | None = None) -> str | None:
    """Frames to the coach, keys to the coach, its view to the screen, and the report to the
    writers every few seconds, until the source ends, ``q`` or the coach is finished; returns
    why the source failed, if it did."""
    screen = LiveScreen(coach.exercise)
    worker = _Estimation(source, estimator)
    interim_at = time.monotonic() + options.report_every_s
    interim_failed = False
    error: str | None = None
    last_draw, last_size, dirty = 0.0, (0, 0), False
    worker.start()
    try:
        while True:
            try:
                item = worker.out.get(timeout=0.01 if display is not None else 0.5)
            except queue.Empty:
                item = None
            if item is _Estimation.END:
                break
            if isinstance(item, SourceError):
                error = str(item)
                break
            if isinstance(item, BaseException):
                raise item
            index = None
            if item is not None:
                frame, pose, people, ms = item
                coach.frame(frame, pose, people, ms)
                index = frame.index
                if display is None and on_shown is not None:
                    on_shown(index, time.monotonic())
            if coach.finished:
                break
            if display is not None:
                size = display.size()
                now = time.monotonic()
                drawn = False
                if coach.view is not None and (index is not None or dirty or size != last_size
                                               or now - last_draw > REDRAW_S):
                    screen.exercise = coach.exercise  # a routine's step changes it
                    display.show(screen.render(coach.view, size))
                    last_draw, last_size, dirty, drawn = now, size, False, True
                # the window paints what was shown while it reads the keys: right after showing
                action = KEYS.get(display.key(1))
                if drawn and index is not None and on_shown is not None:
                    on_shown(index, time.monotonic())
                todo = coach.key(action) if action else None
                dirty = dirty or action is not None
                if todo == "quit":
                    break
                if todo == "fullscreen":
                    display.toggle_fullscreen()
                if coach.finished:
                    break
            if writers and time.monotonic() >= interim_at and coach.coaching:
                interim_at = time.monotonic() + options.report_every_s
                try:
                    current = coach.interim(source)
                    for w in writers:
                        w.write(current, final=False)
                except CoachError as e:
                    if not interim_failed:
                        warnings.warn(str(e), CoachWarning, stacklevel=2)
                    interim_failed = True
    except KeyboardInterrupt:
        pass
    finally:
        worker.stop.set()
        # the source is closed after this returns: its reader must not be decoding then
        worker.join(timeout=5.0)
    return error


def _say_summary(coach: LiveCoach, s: Summary) -> None:
    parts = ["Well done."]
    for line in s.sides:
        breaths = f", {line.breaths} breaths" if line.breaths_target else ""
        parts.append(f"{side_name(line.side)}, {_spoken_time(line.hold_s)}{breaths}.")
    if s.top_fault:
        parts.append(f"Most often: {s.top_fault[0].lower()}. {s.top_fault[2]}.")
    coach.say(" ".join(parts), "side")


def _say_recognised_summary(coach: LiveCoach, report: AutoReport) -> None:
    """Each recognised stretch's time per side (or its one hold)."""
    if not report.exercises:
        coach.say("No stretch the coach knows was recognised.", "side")
        return
    parts = ["Well done."]
    for name in dict.fromkeys(seg.stretch for seg in report.segments):  # in the order done
        r = report.exercises[name]
        sides = {k: v for k, v in r.sides.items() if v.hold_s >= 0.5} or r.sides
        held = [f"{side_name(k).lower()} {_spoken_time(v.hold_s)}" if k != "both" else
                _spoken_time(v.hold_s) for k, v in sides.items()]
        parts.append(f"{r.title}: {', '.join(held)}.")
    coach.say(" ".join(parts), "side")


def _show_summary(display: Display, screen: LiveScreen, view: LiveView,
                  summary: Summary | RoutineSummary, seconds: float) -> None:
    view = LiveView("summary", view.image, view.pose, voice=view.voice, summary=summary)
    end = time.monotonic() + seconds
    last_size = (0, 0)
    while time.monotonic() < end:
        size = display.size()
        if size != last_size:
            display.show(screen.render(view, size))
            last_size = size
        k = display.key(50)
        action = KEYS.get(k)
        if action == "fullscreen":
            display.toggle_fullscreen()
            last_size = (0, 0)
        elif k != -1:
            return
