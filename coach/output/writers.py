"""Report writers: each turns the typed :class:`Report` into one output. The run loop hands
every annotated frame to ``observe`` and the report to ``write`` (``final`` at the end; live
sessions also write as they go). A new output (a history database, a CSV row) is one writer."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from coach.errors import OutputError
from coach.output.html import render_auto_html, render_html
from coach.session.frame import FrameState
from coach.session.report import AnyReport, AutoReport


class ReportWriter(Protocol):
    def observe(self, image: np.ndarray, state: FrameState) -> None:
        """See one annotated frame and what was decided about it (live, without a recording:
        only frames with a fault open, ``state.open_faults``)."""
        ...

    def write(self, report: AnyReport, final: bool) -> Path | None:
        """Write the report; the path written, or None if this writer waits for the end."""
        ...


def write_text(path: Path, text: str) -> None:
    """Write atomically (temp file + rename) so a file is never left half-written. If it cannot
    be written (disk full), the temp file and any older ``path`` are removed: an old report
    beside this run's outputs would pass for this run's."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as e:
        for stale in (tmp, path):
            with contextlib.suppress(OSError):
                stale.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {e.strerror or e}") from None


class JsonWriter:
    """``report.json``, rewritten whenever asked (so a live session's file is always current)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def observe(self, image: np.ndarray, state: FrameState) -> None:
        pass

    def write(self, report: AnyReport, final: bool) -> Path | None:
        write_text(self.path, report.to_json())
        return self.path


def snapshot_jpeg(image: np.ndarray, width: int = 360) -> bytes:
    h, w = image.shape[:2]
    small = cv2.resize(image, (width, max(1, round(h * width / w))), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 80])
    return buf.tobytes() if ok else b""


class HtmlWriter:
    """``report.html`` at the end, with a snapshot of the frame on which each fault was
    confirmed (keyed by the fault's check and onset)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.snapshots: dict[tuple[str, float], bytes] = {}

    def observe(self, image: np.ndarray, state: FrameState) -> None:
        for check, start_s in state.open_faults:
            key = (check, round(start_s, 2))
            if key not in self.snapshots:
                self.snapshots[key] = snapshot_jpeg(image)

    def write(self, report: AnyReport, final: bool) -> Path | None:
        if not final:
            return None
        page = (render_auto_html(report, self.snapshots) if isinstance(report, AutoReport)
                else render_html(report, self.snapshots))
        write_text(self.path, page)
        return self.path


def report_writers(report_path: Path) -> list[ReportWriter]:
    """The usual outputs beside each other: ``report.json`` and ``report.html``."""
    return [JsonWriter(report_path), HtmlWriter(report_path.with_suffix(".html"))]
