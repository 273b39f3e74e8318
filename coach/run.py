"""The session loop: source -> estimator -> session (measures, rules, state) -> overlay ->
sinks, with the report handed to its writers. The CLI only parses arguments and calls
:func:`run`."""

from __future__ import annotations

import contextlib
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from coach.errors import CoachError, CoachWarning, OutputError, SourceError, Terminated
from coach.io.background import Behind, Prefetch
from coach.io.sinks import Sink
from coach.io.sources import Frame, FrameSource
from coach.output.annotate import Overlay
from coach.output.writers import ReportWriter
from coach.pose import Pose
from coach.pose.estimator import PoseEstimator
from coach.rules.definitions import Exercise, load_all
from coach.rules.routines import RoutinePlan
from coach.session import Session
from coach.session.auto import AutoSession
from coach.session.frame import FrameState, Side
from coach.session.report import AnyReport

Outcome = Literal["complete", "source", "output", "interrupted"]

# Frames decoded ahead of the pose model, and annotated frames waiting to be encoded: enough
# to smooth out uneven frames, few enough that memory stays flat (a 720p frame is 2.7 MB).
QUEUE_DEPTH = 4


@dataclass
class RunResult:
    """The final report, what the writers wrote, how the run ended (``outcome``: complete, a
    source that failed, an output that could not be written, interrupted) and why (``error``)."""

    report: AnyReport
    error: str | None = None
    written: list[Path] = field(default_factory=list)
    outcome: Outcome = "complete"


class _Interim:
    """Writes the report every ``every_s`` of wall-clock time while a session runs. The first
    write (before any frame) must succeed; a later one that fails lets the session go on (the
    final write says it again), with a warning once if ``warn`` (a live session, which the
    user may keep going for long)."""

    def __init__(self, writers: Sequence[ReportWriter], every_s: float, warn: bool) -> None:
        self.writers, self.every_s, self.warn = writers, every_s, warn
        self.last = time.monotonic()
        self.failed = False

    def first(self, report: Callable[[], AnyReport]) -> None:
        current = report()
        for w in self.writers:
            w.write(current, final=False)

    def maybe(self, report: Callable[[], AnyReport]) -> None:
        if not self.writers or time.monotonic() - self.last < self.every_s:
            return
        self.last = time.monotonic()
        try:
            current = report()
            for w in self.writers:
                w.write(current, final=False)
        except CoachError as e:
            if self.warn and not self.failed:
                warnings.warn(str(e), CoachWarning, stacklevel=3)
            self.failed = True


def make_session(exercise: Exercise | None, first_side: Side | None = None,
                 still_image: bool = False, recognize: bool = True,
                 routine: RoutinePlan | None = None) -> Session | AutoSession:
    """The session for ``exercise``, located by the shipped recogniser where it knows the
    exercise (else, or with ``recognize=False``, by the exercise's own rules); with no exercise,
    an :class:`AutoSession` that recognises and coaches whichever known stretch is done (and
    scores it against ``routine``, if given)."""
    from coach.recognizer import Recognizer, knows

    if exercise is None:
        if not knows(""):
            raise CoachError("no recogniser model is installed: name the exercise with --exercise")
        return AutoSession(load_all(), Recognizer(instant=still_image), first_side, still_image,
                           routine)
    if not (recognize and knows(exercise.name)):
        return Session(exercise, first_side, still_image)
    recognize_fn = Recognizer(instant=still_image, focus=exercise.name).update
    return Session(exercise, first_side, still_image, recognize=recognize_fn)


def run(
    source: FrameSource,
    estimator: PoseEstimator,
    exercise: Exercise | None,
    sinks: Sequence[Sink],
    writers: Sequence[ReportWriter] = (),
    report_every_s: float = 2.0,
    on_frame: Callable[[FrameState], None] | None = None,
    first_side: Side | None = None,
    recognize: bool = True,
    routine: RoutinePlan | None = None,
) -> RunResult:
    """Run one session over ``source`` (``exercise`` None: recognise the stretches). The writers
    get the report (``"complete": false``) before the first frame and then every
    ``report_every_s`` seconds of wall-clock time, and the final one at the end. A sink's
    ``write`` returning False (a window's ``q``) ends the session.

    Whatever ends it (the source failing, an output that cannot be written, Ctrl-C), the sinks
    are closed here (a video finalised, or removed if it cannot be) and the report is written
    with ``"complete": false`` and the reason; nothing is left that looks complete when it is
    not. ``recognize=False``: locate the stretch with the definition's hand-set rules instead
    of the learned recogniser. ``routine`` (with no exercise): the report scores the recognised
    stretches against its steps."""
    session = make_session(exercise, first_side, source.is_image, recognize, routine)
    interim = _Interim(writers, report_every_s, warn=source.is_live)
    outcome: Outcome = "complete"
    error: str | None = None

    def partial() -> AnyReport:
        report = session.report(source.name, source.fps, complete=False)
        return _with(report, source, "still running")

    drawer = _Drawer(sinks, writers, copy=source.is_live or source.is_image)

    def decide_and_draw(item: tuple[Frame, Pose, int]) -> bool:
        """The session's step for one frame, then its overlay, writers and sinks."""
        frame, pose, people = item
        state = session.update(pose, frame.t, people)
        if not drawer.draw(frame.image, state, session.exercise):
            return False
        if on_frame is not None:
            on_frame(state)
        interim.maybe(partial)
        return True

    # A video file: decoded ahead, and decided, drawn and encoded behind, on threads, while
    # the pose model runs here (it releases the GIL). A camera (it keeps only its newest frame)
    # and a window (drawn from this thread) stay in step on this thread.
    threaded = not (source.is_live or source.is_image)
    frames: Iterator[Frame] = Prefetch(source, QUEUE_DEPTH) if threaded else iter(source)
    behind = Behind(decide_and_draw, QUEUE_DEPTH if threaded else 0)
    stop: KeyboardInterrupt | None = None
    try:
        try:
            interim.first(partial)  # at once: an older report.json must not pass for this run's
            for frame in frames:
                pose = estimator.estimate(frame.image, frame.t)
                behind.put((frame, pose, estimator.people))
                if behind.stopped:
                    break
        finally:
            if isinstance(frames, Prefetch):
                frames.close()  # before the source is closed under it
    except SourceError as e:
        outcome, error = "source", str(e)
    except OutputError as e:
        outcome, error = "output", str(e)
    except KeyboardInterrupt as e:
        outcome, stop = "interrupted", e
    except BaseException:
        behind.abort()
        raise
    # every frame estimated is decided and goes into the video, however the run ended (unless
    # writing it is what failed)
    try:
        if outcome == "output":
            behind.abort()
        else:
            behind.finish()
    except OutputError as e:
        error = f"{error}; {e}" if error else str(e)
        outcome = "output"
    except KeyboardInterrupt as e:  # a second Ctrl-C: stop drawing
        behind.abort()
        if outcome == "complete":
            outcome, stop = "interrupted", e
    if stop is not None:
        error = _interrupted(stop, session.clock.frames) + (f"; {error}" if error else "")
    for sink in sinks:
        try:
            sink.close()
        except OutputError as e:  # the video could not be finalised (and was removed)
            same = outcome == "complete" or (error is not None and str(e).startswith(error))
            error = str(e) if same else f"{error}; {e}"
            outcome = "output"
    session.finish()
    report = _with(session.report(source.name, source.fps), source,
                   None if outcome == "complete" else error)
    written: list[Path] = []
    for i, w in enumerate(writers):
        try:
            if (p := w.write(report, final=True)) is not None:
                written.append(p)
        except OutputError as e:
            if outcome != "complete":
                continue
            outcome, error = "output", str(e)
            report = _with(report, source, error)  # what was written must not say complete
            for done in writers[:i]:
                with contextlib.suppress(OutputError):
                    done.write(report, final=True)
    written = [p for p in written if p.exists()]
    return RunResult(report, error, written, outcome)


def _interrupted(e: KeyboardInterrupt, frames: int) -> str:
    signal = "terminated" if isinstance(e, Terminated) else "interrupted (Ctrl-C)"
    return f"{signal} after {frames} frames"


class _Drawer:
    """Draws the overlay of the exercise being coached on a frame, shows it to the writers
    and writes it to the sinks (False: a sink wants the run to stop)."""

    def __init__(self, sinks: Sequence[Sink], writers: Sequence[ReportWriter],
                 copy: bool = True) -> None:
        self.sinks, self.writers, self.copy = sinks, writers, copy
        self.overlays: dict[str, Overlay] = {}

    def draw(self, image: np.ndarray, state: FrameState, exercise: Exercise) -> bool:
        overlay = self.overlays.get(exercise.name)
        if overlay is None:
            overlay = self.overlays[exercise.name] = Overlay(exercise)
        image = overlay.annotate(image.copy() if self.copy else np.ascontiguousarray(image),
                                 state)
        for w in self.writers:
            w.observe(image, state)
        return all([sink.write(image) for sink in self.sinks])


def _with(report: AnyReport, source: FrameSource, why_incomplete: str | None) -> AnyReport:
    """``report`` with what the run adds: dropped frames (live), and if it did not complete,
    ``"complete": false`` with the reason."""
    update: dict = {}
    if source.is_live:
        update["dropped_frames"] = source.dropped
    if why_incomplete:
        update["complete"] = False
        update["why_incomplete"] = why_incomplete
        if why_incomplete != "still running":
            update["notes"] = [*report.notes, f"Stopped early: {why_incomplete}"]
    return report.model_copy(update=update)
