"""Errors and warnings a user can cause, kept apart from programming errors."""

from __future__ import annotations


class CoachError(Exception):
    """A problem the user can fix (bad file, unknown name, broken definition).

    The CLI prints its message on one line and exits with 2; no traceback.
    """


class SourceError(CoachError):
    """A frame source that cannot be opened or read (missing file, not a video, no camera)."""


class OutputError(CoachError):
    """An output that cannot be written (disk full, read-only folder). Before the run starts it
    is bad input like any other; mid-run it stops the run, which still finalises what it can."""


class DefinitionError(CoachError):
    """An exercise definition file that is missing, malformed or names unknown things."""


class Terminated(KeyboardInterrupt):
    """The process was asked to stop (SIGTERM): handled like Ctrl-C, so the run still ends
    with its report marked incomplete."""


class CoachWarning(UserWarning):
    """A degraded-but-continuing situation (low visibility, dropped frames, a second person)."""
