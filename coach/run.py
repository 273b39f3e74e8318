"""The session loop: source -> estimator -> session (measures, rules, state) -> overlay -> sinks.

The CLI only parses arguments and calls :func:`run`.
"""

from __future__ import annotations

import json
import os
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from coach.errors import CoachError, CoachWarning, SourceError
from coach.io.sinks import Sink
from coach.io.sources import FrameSource
from coach.output.annotate import Overlay
from coach.output.html import render_html
from coach.pose.mediapipe import PoseEstimator
from coach.rules.definitions import Exercise
from coach.session.session import FrameState, Session


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write atomically (temp file + rename) so a report is never left half-written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as e:
        raise CoachError(f"cannot write {path}: {e.strerror or e}") from None


@dataclass
class RunResult:
    report: dict[str, Any]
    stopped_by_user: bool = False
    error: str | None = None
    html_path: Path | None = None


def _snapshot(image: np.ndarray, width: int = 360) -> bytes:
    h, w = image.shape[:2]
    small = cv2.resize(image, (width, max(1, round(h * width / w))), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 80])
    return buf.tobytes() if ok else b""


def run(
    source: FrameSource,
    estimator: PoseEstimator,
    exercise: Exercise,
    sinks: Sequence[Sink],
    report_path: Path | None = None,
    report_every_s: float = 2.0,
    on_frame: Callable[[FrameState], None] | None = None,
    first_side: str | None = None,
) -> RunResult:
    """Run one session over ``source``. The report is written every ``report_every_s`` seconds
    of wall-clock time and at the end, also when the source fails mid-way (then ``error``)."""
    session = Session(exercise, first_side=first_side, still_image=source.is_image)
    overlay = Overlay(exercise)
    last_write = time.monotonic()
    stopped, error = False, None
    snapshots: dict[tuple[str, float], bytes] = {}
    write_failed = False
    try:
        for frame in source:
            pose = estimator.estimate(frame.image, frame.t)
            state = session.update(pose, frame.t, estimator.people)
            image = overlay.annotate(frame.image.copy(), state)
            for ev in session.events.open.values():  # the moment each fault was confirmed
                key = (ev.check, round(ev.start_s, 2))
                if key not in snapshots:
                    snapshots[key] = _snapshot(image)
            if not all([sink.write(image) for sink in sinks]):
                stopped = True
                break
            if on_frame is not None:
                on_frame(state)
            if report_path is not None and time.monotonic() - last_write >= report_every_s:
                last_write = time.monotonic()
                try:
                    write_json(report_path, session.report(source.name, source.fps,
                                                           complete=False))
                except CoachError as e:  # keep coaching; the final write will say it again
                    if not write_failed:
                        warnings.warn(str(e), CoachWarning, stacklevel=2)
                    write_failed = True
    except SourceError as e:
        error = str(e)
    except KeyboardInterrupt:
        stopped = True
    session.finish()
    report = session.report(source.name, source.fps)
    if source.is_live:
        report["dropped_frames"] = source.dropped
    if error:
        report["notes"].append(f"Stopped early: {error}")
    html_path = None
    if report_path is not None:
        write_json(report_path, report)
        html_path = report_path.with_suffix(".html")
        try:
            html_path.write_text(render_html(report, snapshots), encoding="utf-8")
        except OSError as e:
            raise CoachError(f"cannot write {html_path}: {e.strerror or e}") from None
    return RunResult(report, stopped, error, html_path)
