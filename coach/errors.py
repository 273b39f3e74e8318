"""Errors and warnings a user can cause, kept apart from programming errors."""

from __future__ import annotations


class CoachError(Exception):
    """A problem the user can fix (bad file, unknown name, broken definition).

    The CLI prints its message on one line and exits with 2; no traceback.
    """


class SourceError(CoachError):
    """A frame source that cannot be opened or read (missing file, not a video, no camera)."""


class DefinitionError(CoachError):
    """An exercise definition file that is missing, malformed or names unknown things."""


class CoachWarning(UserWarning):
    """A degraded-but-continuing situation (low visibility, dropped frames, a second person)."""
