"""The session loop: source -> estimator -> session (measures, rules, state) -> overlay ->
sinks, with the report handed to its writers. The CLI only parses arguments and calls
:func:`run`."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from coach.errors import CoachError, CoachWarning, SourceError
from coach.io.sinks import Sink
from coach.io.sources import FrameSource
from coach.output.annotate import Overlay
from coach.output.writers import ReportWriter
from coach.pose.estimator import PoseEstimator
from coach.rules.definitions import Exercise, load_all
from coach.session import Session
from coach.session.auto import AutoSession
from coach.session.frame import FrameState, Side
from coach.session.report import AnyReport


@dataclass
class RunResult:
    """The final report, what the writers wrote, and the source's error if it failed."""

    report: AnyReport
    error: str | None = None
    written: list[Path] = field(default_factory=list)


class _Interim:
    """Writes the report every ``every_s`` of wall-clock time while a session runs; a failed
    write warns once and coaching goes on (the final write will say it again)."""

    def __init__(self, writers: Sequence[ReportWriter], every_s: float) -> None:
        self.writers, self.every_s = writers, every_s
        self.last = time.monotonic()
        self.failed = False

    def maybe(self, report: Callable[[], AnyReport]) -> None:
        if not self.writers or time.monotonic() - self.last < self.every_s:
            return
        self.last = time.monotonic()
        try:
            current = report()
            for w in self.writers:
                w.write(current, final=False)
        except CoachError as e:
            if not self.failed:
                warnings.warn(str(e), CoachWarning, stacklevel=3)
            self.failed = True


def make_session(exercise: Exercise | None, first_side: Side | None = None,
                 still_image: bool = False, recognize: bool = True) -> Session | AutoSession:
    """The session for ``exercise``, located by the shipped recogniser where it knows the
    exercise (else, or with ``recognize=False``, by the exercise's own rules); with no exercise,
    an :class:`AutoSession` that recognises and coaches whichever known stretch is done."""
    from coach.recognizer import Recognizer, knows

    if exercise is None:
        if not knows(""):
            raise CoachError("no recogniser model is installed: name the exercise with --exercise")
        return AutoSession(load_all(), Recognizer(instant=still_image), first_side, still_image)
    if not (recognize and knows(exercise.name)):
        return Session(exercise, first_side, still_image)
    recognize_fn = Recognizer(instant=still_image).update
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
) -> RunResult:
    """Run one session over ``source`` (``exercise`` None: recognise the stretches). The writers
    get the report every ``report_every_s`` seconds of wall-clock time and at the end, also when
    the source fails mid-way (then ``error``); a sink's ``write`` returning False (a window's
    ``q``) ends the session. ``recognize=False``: locate the stretch with the definition's
    hand-set rules instead of the learned recogniser."""
    session = make_session(exercise, first_side, source.is_image, recognize)
    overlays: dict[str, Overlay] = {}
    interim = _Interim(writers, report_every_s)
    error = None
    try:
        for frame in source:
            pose = estimator.estimate(frame.image, frame.t)
            state = session.update(pose, frame.t, estimator.people)
            ex = session.exercise
            overlay = overlays.get(ex.name) or overlays.setdefault(ex.name, Overlay(ex))
            image = overlay.annotate(frame.image.copy(), state)
            for w in writers:
                w.observe(image, state)
            if not all([sink.write(image) for sink in sinks]):
                break
            if on_frame is not None:
                on_frame(state)
            interim.maybe(lambda: session.report(source.name, source.fps, complete=False))
    except SourceError as e:
        error = str(e)
    except KeyboardInterrupt:
        pass
    session.finish()
    report = session.report(source.name, source.fps)
    update: dict = {}
    if source.is_live:
        update["dropped_frames"] = source.dropped
    if error:
        update["notes"] = [*report.notes, f"Stopped early: {error}"]
    report = report.model_copy(update=update)
    written = [p for w in writers if (p := w.write(report, final=True)) is not None]
    return RunResult(report, error, written)
