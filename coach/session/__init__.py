"""The session: per-frame decisions (locate, judge, count, cue) and the report they add up to."""

from coach.session.session import Session

__all__ = ["Session"]
