"""Command line: ``coach analyze``, ``coach live``, ``coach exercises``.

It parses arguments and calls :func:`coach.run.run`; user errors end with one line on stderr and
a non-zero exit, never a traceback. Exit codes: 0 done; 1 the source failed mid-run (a damaged
video, a camera gone); 2 bad input (file, option, exercise, definition, output folder, no
display); 3 an output could not be written mid-run (disk full); 130 Ctrl-C; 143 SIGTERM.
"""

from __future__ import annotations

import os
import signal
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from coach.errors import CoachError, CoachWarning, Terminated


def open_estimator(*args, **kwargs):  # noqa: ANN002, ANN003, ANN201
    """The pose estimator, imported only when a command needs it (``coach --help`` stays fast)."""
    from coach.pose.estimator import open_estimator as open_

    return open_(*args, **kwargs)

if TYPE_CHECKING:
    from collections.abc import Collection

    from coach.rules.definitions import Exercise
    from coach.run import RunResult
    from coach.session.report import AnyReport, Report, RoutineReport

# How a run that started ended -> exit code (bad input before the start is 2).
EXIT_CODES = {"complete": 0, "source": 1, "output": 3, "interrupted": 130}
EXIT_TERMINATED = 143

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Webcam stretch coach: checks floor-stretch form from body landmarks.",
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",  # a docstring's lines joined into one paragraph
)

ExerciseOpt = Annotated[
    str | None,
    typer.Option("--exercise", "-e", help="Exercise name (see `coach exercises`); without it the "
                 "coach recognises the stretch and coaches whichever it sees."),
]
FirstSideOpt = Annotated[
    str | None,
    typer.Option("--first-side", help="Exercises whose sides take turns (roll-down): the side "
                 "done first, if not the one the coach asks for (left).",
                 case_sensitive=False),
]
RecognizerOpt = Annotated[
    bool,
    typer.Option("--recognizer/--rules", help="Find the stretch and its side with the learned "
                 "recogniser (default), or with the definition's hand-set rules."),
]
RoutineOpt = Annotated[
    str | None,
    typer.Option("--routine", "-r", help="A routine (see `coach routines`): analyze scores the "
                 "recognised stretches against its steps; live guides you through them."),
]
ModelOpt = Annotated[
    Path | None,  # noqa: UP007 - typer needs Optional here
    typer.Option("--model", help="A MediaPipe pose_landmarker_*.task file (default: bundled model)."),
]

StrideOpt = Annotated[
    str,
    typer.Option("--stride", help="How often the pose model runs: 1 (every frame) or auto (only "
                 "when the picture around the body changed, at least every 0.5 s; the frames "
                 "between keep the last pose)."),
]
STRIDES = ("1", "auto")


def _side(value: str | None) -> str | None:
    if value is None:
        return None
    if value.lower() not in ("left", "right"):
        raise _fail(f"--first-side: expected left or right, got {value!r}")
    return value.lower()


def _fail(msg: str, code: int = 2) -> typer.Exit:
    typer.echo(f"coach: error: {msg}", err=True)
    return typer.Exit(code)


def _check_first_side(ex: Exercise, first: str | None) -> None:
    if first is not None and not ex.side.takes_turns:
        how = "its side is read from the pose" if ex.sided else "it works both sides at once"
        warnings.warn(f"--first-side is ignored for {ex.name}: {how} (it applies only where "
                      "sides take turns)", CoachWarning, stacklevel=2)


def _ended(result: RunResult, report_path: Path) -> typer.Exit | None:
    """The one line and exit code for a run that did not complete (None if it did)."""
    if result.outcome == "complete":
        return None
    kept = (f"; the report so far is in {report_path} (\"complete\": false)"
            if report_path.exists() else "")
    if result.outcome == "interrupted":
        code = EXIT_TERMINATED if "terminated" in (result.error or "") else EXIT_CODES["interrupted"]
        typer.echo(f"coach: {result.error}{kept}", err=True)
        return typer.Exit(code)
    return _fail(f"{result.error}{kept}", EXIT_CODES[result.outcome])


def _warning_line(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
    if issubclass(category, CoachWarning):
        print(f"coach: warning: {message}", file=sys.stderr)
    else:
        print(f"{category.__name__}: {message}", file=sys.stderr)


def _target_text(ex: Exercise) -> str:
    per_side = " per side" if ex.sided else ""
    target = f"hold {ex.hold.target_s:g} s{per_side}"
    if ex.hold.max_s:
        target = f"hold {ex.hold.target_s:g}-{ex.hold.max_s:g} s{per_side}"
    if ex.hold.breaths:
        target += f" ({ex.hold.breaths} breaths of {ex.hold.breath_s:g} s)"
    if ex.reps:
        target += f", {ex.reps.target} {ex.reps.label}{per_side}"
    for c in ex.counts:
        target += (f", {c.target} {c.label}{per_side}" if c.target
                   else f", {c.label} counted{per_side}")
    if ex.sided:
        target += f"; sides even within {ex.balance_tolerance:.0%}"
    else:
        target += "; both sides at once"
    return target


def _describe(ex: Exercise, verbose: bool) -> None:
    typer.secho(f"{ex.name}", bold=True, nl=False)
    typer.echo(f"  ({ex.title})")
    if ex.summary:
        typer.echo(f"    {ex.summary}")
    typer.echo(f"    target: {_target_text(ex)}")
    if verbose:
        typer.echo(f"    side: {ex.side.rule} ({ex.side.describe()})")
        typer.echo(f"    position: in after {ex.position_on_s:g} s, out after "
                   f"{ex.position_off_s:g} s; " + ", ".join(c.describe() for c in ex.position))
        if ex.hold.still_max is not None:
            typer.echo(f"    still: under {ex.hold.still_max:g} torso/s over "
                       f"{ex.hold.still_window_s:g} s, for {ex.hold.still_s:g} s")
        if ex.reps:
            typer.echo(f"    {ex.reps.label}: {ex.reps.measure} past {ex.reps.enter:g} for "
                       f"{ex.reps.min_s:g} s, back past {ex.reps.exit:g}")
        for c in ex.counts:
            gates = "".join(f" while {w.describe()}" for w in c.when)
            typer.echo(f"    {c.label}: {c.measure} past {c.enter:g} for {c.min_s:g} s, back "
                       f"past {c.exit:g}{gates}")
    for c in ex.checks:  # a line each on what is checked
        tag = " [reminder only]" if c.advisory else (" [safety]" if c.safety else "")
        typer.echo(f"    - {c.name}{tag}: {c.cue}")
        if verbose:
            typer.echo(f"        {c.describe()}; hysteresis {c.hysteresis:g}, on {c.on_s:g} s, "
                       f"off {c.off_s:g} s")
            if c.advisory:
                typer.echo(f"        not judged: {c.advisory}")
    typer.echo("")


@app.command()
def exercises(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show thresholds.")] = False,
) -> None:
    """List the exercises grouped by routine (those in none under Other), a line each on what
    is checked (-v: thresholds, timings and the measures)."""
    from coach.rules.definitions import load_all
    from coach.rules.measures import MEASURES
    from coach.rules.routines import PLANNED, load_routines

    try:
        exs = {ex.name: ex for ex in load_all()}
        routines = load_routines()
    except CoachError as e:
        raise _fail(str(e)) from None
    shown: set[str] = set()
    for r in routines:
        typer.secho(f"== {r.title} (routine {r.name}) ==", bold=True)
        brief = False  # the last line was a one-liner: the group still needs its blank line
        for name in dict.fromkeys(step.exercise for step in r.steps):
            ex = exs.get(name)
            brief = ex is None or name in shown
            if ex is None:
                typer.echo(f"{name}  ({PLANNED.get(name, name)}): not available yet")
            elif name in shown:
                typer.echo(f"{name}  ({ex.title}): see above")
            else:
                _describe(ex, verbose)
            shown.add(name)
        if brief:
            typer.echo("")
    others = [ex for name, ex in exs.items() if name not in shown]
    if others:
        typer.secho("== Other ==", bold=True)
        for ex in others:
            _describe(ex, verbose)
    if verbose:
        typer.secho("measures", bold=True)
        for m in MEASURES.values():
            typer.echo(f"    {m.name} ({m.unit}): {m.doc}")


@app.command()
def routines() -> None:
    """List the routines: their steps in order with each step's target (a step whose stretch
    has no definition yet is marked, and skipped when the routine runs)."""
    from coach.rules.routines import load_routines, plan

    try:
        plans = [plan(r) for r in load_routines()]
    except CoachError as e:
        raise _fail(str(e)) from None
    for p in plans:
        typer.secho(p.name, bold=True, nl=False)
        typer.echo(f"  ({p.title})")
        if p.routine.summary:
            typer.echo(f"    {p.routine.summary}")
        for step in p.steps:
            rest = f", rest {step.rest_s:g} s after each side" if step.rest_s else ""
            mark = "" if step.available else "  [not available yet]"
            typer.echo(f"    {step.index}. {step.name:18s} {step.title}: {step.describe()}{rest}{mark}")
        typer.echo("")


def _plan(name: str):  # noqa: ANN202 - a RoutinePlan, imported lazily
    from coach.rules.routines import find_routine, plan

    return plan(find_routine(name))


def _outputs(path: Path, out: Path | None, image_suffix: str | None) -> tuple[Path, Path]:
    """The annotated copy (``image_suffix``: the still image's format; None for a video) and
    the report."""
    out_dir = out if out is not None else Path("out") / path.stem
    return out_dir / f"{path.stem}_annotated{image_suffix or '.mp4'}", out_dir / "report.json"


def _summary(report: AnyReport, paths: list[Path]) -> None:
    from coach.session.report import AutoReport

    if isinstance(report, AutoReport):
        if report.routine is not None:
            _routine_summary(report.routine)
        typer.echo(f"Recognised stretches: {report.frames} frames, {report.duration_s:.1f} s"
                   if report.mode == "auto" else
                   f"Coached: {report.frames} frames, {report.duration_s:.1f} s")
        for seg in report.segments:
            side = f" ({seg.side})" if seg.side else ""
            typer.echo(f"  {seg.start_s:6.1f}-{seg.end_s:6.1f} s  {seg.stretch}{side}, "
                       f"{seg.confidence:.0%} sure")
        for note in report.notes:
            typer.echo(f"  note: {note}")
        for r in report.exercises.values():  # (a note said above is not said again)
            _exercise_summary(r, [], said=set(report.notes))
        for p in paths:
            typer.echo(f"  wrote {p}")
        return
    _exercise_summary(report, paths)


def _routine_summary(r: RoutineReport) -> None:
    from coach.session.frame import side_name

    typer.echo(f"Routine {r.title}: {r.verdict} ({r.steps_done} of {len(r.steps)} steps done)")
    for step in r.steps:
        tg = step.target
        held = ", ".join(
            side_name(k).lower() + (f" {v.reps} of {tg.reps} reps" if tg.reps is not None else
                                    f" {v.breaths} of {tg.breaths} breaths ({v.hold_s:.1f} s)"
                                    if tg.breaths else f" {v.hold_s:.1f} of {tg.hold_s:g} s")
            for k, v in step.held.items())
        faults = f", {len(step.faults)} faults" if step.faults else ""
        why = f"; {step.why}" if step.why else ""
        typer.echo(f"  {step.index}. {step.title}: {step.status}"
                   + (f" ({held}{faults})" if held else "") + why)


def _exercise_summary(report: Report, paths: list[Path], said: Collection[str] = ()) -> None:
    sides, label = report.sides, report.targets.rep_label
    typer.echo(f"{report.title}: {report.frames} frames, {report.duration_s:.1f} s")
    for s in sides:
        reps = f", {sides[s].reps} {label}" if label else ""
        n = sides[s].breaths
        reps += f", {n} breath{'' if n == 1 else 's'}" if n is not None else ""
        typer.echo(f"  {s + ':':6s} held in good form {sides[s].hold_s:.1f} s{reps}")
    typer.echo(f"  balance: {report.balance.message}")
    typer.echo(f"  form faults: {len(report.events)}")
    for ev in report.events[:10]:
        typer.echo(f"    {ev.start_s:6.1f}-{ev.end_s:6.1f} s  {ev.side or '-':5s} "
                   f"{ev.check}: {ev.message}")
    for note in report.notes:
        if note not in said:
            typer.echo(f"  note: {note}")
    for p in paths:
        typer.echo(f"  wrote {p}")


@app.command()
def analyze(
    path: Annotated[Path, typer.Argument(help="A video file or a still image.")],
    exercise: ExerciseOpt = None,
    out: Annotated[Path | None,  # noqa: UP007
                   typer.Option(help="Output folder (default: out/NAME for a video NAME.mp4).")] = None,
    model: ModelOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")] = False,
    first_side: FirstSideOpt = None,
    recognizer: RecognizerOpt = True,
    stride: StrideOpt = "1",
    routine: RoutineOpt = None,
) -> None:
    """Analyse a recorded video (or image): annotated copy + report.json. With --routine, the
    report also scores the session against the routine's steps."""
    from coach.io.sinks import ImageSink, VideoFileSink
    from coach.io.sources import open_source
    from coach.output.writers import report_writers
    from coach.rules.definitions import find_exercise
    from coach.run import run

    first = _side(first_side)
    stride = stride.lower()
    if stride not in STRIDES:
        raise _fail(f"--stride: expected one of {', '.join(STRIDES)}, got {stride!r}")
    if exercise and routine:
        raise _fail("--exercise and --routine: name one (a routine names its exercises)")
    try:
        ex = find_exercise(exercise) if exercise else None
        if ex is not None:
            _check_first_side(ex, first)
        steps = _plan(routine) if routine else None
        source = open_source(path)
        with source:
            if steps is not None and source.is_image:
                raise _fail("--routine needs a video: a still image shows one moment, not a "
                            "routine")
            video_path, report_path = _outputs(path, out, getattr(source, "suffix", None))
            sink = (ImageSink(video_path) if source.is_image
                    else VideoFileSink(video_path, source.fps or 30.0, source.size))
            with open_estimator(model, video=not source.is_image) as est, sink:
                if stride == "auto" and not source.is_image:
                    from coach.pose.stride import MotionStride

                    est = MotionStride(est)
                progress = None if quiet else _Progress(source.frame_count)
                try:
                    result = run(source, est, ex, [sink], report_writers(report_path),
                                 on_frame=progress.step if progress else None,
                                 first_side=first, recognize=recognizer, routine=steps)
                finally:
                    if progress:
                        progress.close()
    except CoachError as e:
        raise _fail(str(e)) from None
    if not quiet:
        _summary(result.report, [p for p in (video_path, *result.written) if p.exists()])
    ended = _ended(result, report_path)
    if ended is not None:
        raise ended


class _Progress:
    """A terminal progress bar (rich) for analyze; silent when stderr is not a terminal."""

    def __init__(self, total: int | None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        console = Console(stderr=True)
        self.bar = Progress("[progress.description]{task.description}", BarColumn(),
                            MofNCompleteColumn(), TimeRemainingColumn(), console=console,
                            disable=not console.is_terminal, transient=False)
        self.task = self.bar.add_task("analysing", total=total)
        self.bar.start()

    def step(self, state: object) -> None:
        self.bar.advance(self.task)

    def close(self) -> None:
        self.bar.stop()


def _no_display() -> str | None:
    """Why a window cannot be opened here (Linux without a reachable X or Wayland display), or
    None. Checked before Qt is touched, because Qt aborts the process instead of failing."""
    if not sys.platform.startswith("linux"):
        return None
    if os.environ.get("WAYLAND_DISPLAY"):
        return None
    display = os.environ.get("DISPLAY", "")
    if not display:
        return "no display to open a window on (DISPLAY is not set); use --no-window"
    host, _, number = display.rpartition(":")
    number = number.split(".")[0]
    if host in ("", "unix") and number.isdigit() and not Path(f"/tmp/.X11-unix/X{number}").exists():
        return f"no display to open a window on (nothing listens on DISPLAY={display}); use --no-window"
    return None


def _window_size(value: str) -> tuple[int, int]:
    w, sep, h = value.lower().partition("x")
    if not sep or not w.isdigit() or not h.isdigit() or int(w) < 320 or int(h) < 240:
        raise _fail(f"--window-size: expected WIDTHxHEIGHT of at least 320x240, got {value!r}")
    return int(w), int(h)


def _speaker(mute: bool, wav: Path | None):  # noqa: ANN202 - a Speaker, imported lazily
    from coach.output.speech import Speaker, WavVoice, find_voice

    if wav is not None:
        try:
            return Speaker(WavVoice(wav))
        except FileNotFoundError:
            raise _fail("--speech-wav needs espeak-ng (see README, Spoken cues)") from None
    voice = find_voice()  # also when muted, so that m can turn it on
    if voice is None and not mute:
        warnings.warn("no speech engine found (espeak-ng, or say on macOS): cues are shown, "
                      "not spoken; README, Spoken cues, says how to install one", CoachWarning,
                      stacklevel=2)
    return Speaker(voice, muted=mute)


@app.command()
def live(
    exercise: ExerciseOpt = None,
    camera: Annotated[str, typer.Option(help="Camera index, video file (as a stand-in) or URL.")] = "0",
    out: Annotated[Path, typer.Option(help="Folder for the session report.")] = Path("out/live"),
    model: ModelOpt = None,
    window: Annotated[bool, typer.Option(help="Show the coaching window (q quits).")] = True,
    record: Annotated[Path | None, typer.Option(help="Also save the annotated session to this .mp4.")] = None,  # noqa: UP007
    first_side: FirstSideOpt = None,
    recognizer: RecognizerOpt = True,
    mute: Annotated[bool, typer.Option("--mute", help="Show the cues without saying them.")] = False,
    fullscreen: Annotated[bool, typer.Option("--fullscreen", help="Start fullscreen (f toggles).")] = False,
    window_size: Annotated[str, typer.Option(help="Window size, WIDTHxHEIGHT.")] = "1280x720",
    setup_s: Annotated[float, typer.Option(help="Seconds the safety note and camera placement "
                                           "stay up (n skips).", min=0)] = 10.0,
    summary_s: Annotated[float, typer.Option(help="Seconds the summary stays up (any key "
                                             "closes it).", min=0)] = 30.0,
    speech_wav: Annotated[Path | None, typer.Option(help="Say the cues into this WAV file "  # noqa: UP007
                                                    "instead of the speakers (to check them).")] = None,
    routine: RoutineOpt = None,
) -> None:
    """Coach live from a camera: set-up, framing check, countdown, coaching with spoken cues,
    and a summary; with --routine, each step in turn. Keys: space pause, n skip (a routine:
    the next step), b back, s switch side, m mute, f fullscreen, q quit."""
    from coach.io.sinks import VideoFileSink
    from coach.io.sources import open_source, parse_camera
    from coach.live import LiveOptions, run_live
    from coach.output.writers import report_writers
    from coach.rules.definitions import find_exercise

    report_path = out / "report.json"
    first = _side(first_side)
    size = _window_size(window_size)
    if exercise and routine:
        raise _fail("--exercise and --routine: name one (a routine names its exercises)")
    if window and (why := _no_display()):
        raise _fail(why)
    try:
        ex = find_exercise(exercise) if exercise else None
        if ex is not None:
            _check_first_side(ex, first)
        steps = _plan(routine) if routine else None
        if steps is not None and not any(s.available for s in steps.steps):
            raise _fail(f"routine {steps.name}: none of its steps is available yet (no definition "
                        f"for {', '.join(s.name for s in steps.steps)})")
        source = open_source(parse_camera(camera), live=True)
        with source:
            display = None
            if window:
                from coach.io.window import Window

                title = (ex.title if ex is not None else steps.title if steps is not None
                         else "any stretch")
                display = Window(f"coach - {title}", size, fullscreen)
            # fragmented: a crash or kill loses a second or two at most
            rec = (VideoFileSink(record, source.fps or 30.0, source.size, fragmented=True)
                   if record else None)
            speaker = _speaker(mute, speech_wav)
            options = LiveOptions(setup_s=setup_s, summary_s=summary_s, first_side=first,
                                  recognize=recognizer)
            with open_estimator(model, video=True) as est:
                try:
                    if steps is not None:
                        from coach.live_routine import run_routine_live

                        result = run_routine_live(source, est, steps, display, speaker,
                                                  report_writers(report_path), rec, options)
                    else:  # ex None: whichever stretch the recogniser names
                        result = run_live(source, est, ex, display, speaker,
                                          report_writers(report_path), rec, options)
                finally:
                    speaker.close()
                    for thing in (rec, display):
                        if thing is not None:
                            thing.close()
    except CoachError as e:
        raise _fail(str(e)) from None
    recorded = [record] if record is not None and record.exists() else []
    _summary(result.report, [*recorded, *result.written])
    if ex is not None:  # a routine's summary is its report's routine section, printed above,
        # and a recognising session's its segments and each stretch's report
        for line in result.summary.lines():
            typer.echo(f"  {line}")
    if result.report.dropped_frames:
        typer.echo(f"  dropped {result.report.dropped_frames} stale frames to stay live")
    ended = _ended(result, report_path)
    if ended is not None:
        raise ended


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: every ending is one line on stderr and an exit code (see
    the module docstring), never a traceback or a boxed usage message."""
    warnings.showwarning = _warning_line
    # OpenCV's and FFmpeg's own log lines would come before the coach's one line
    os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
    signal.signal(signal.SIGTERM, _terminate)
    command = typer.main.get_command(app)
    args = sys.argv[1:] if argv is None else argv
    try:
        with command.make_context("coach", list(args)) as ctx:
            command.invoke(ctx)
        code = 0
    except typer.Exit as e:
        code = e.exit_code
    except KeyboardInterrupt as e:  # Ctrl-C outside a run (a run reports it itself)
        print("coach: interrupted", file=sys.stderr)
        code = EXIT_TERMINATED if isinstance(e, Terminated) else EXIT_CODES["interrupted"]
    except typer.TyperException as e:  # usage errors: a bad option, a missing argument
        if type(e).__name__ == "NoArgsIsHelpError":
            print(e.format_message(), file=sys.stderr)
        else:
            print(f"coach: error: {e.format_message()}", file=sys.stderr)
        code = getattr(e, "exit_code", 2)
    sys.exit(code)


if __name__ == "__main__":
    main()
