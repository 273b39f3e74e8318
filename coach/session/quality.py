"""What the coach can see: warnings for a low-resolution picture, a body partly out of frame,
and a check the camera's view does not let it judge. One ``update`` per frame (also with
nobody in view) on video time; ``notes`` sums them up for the report.

Each warning is debounced, so it neither flickers nor fires on a single bad frame.
"""

from __future__ import annotations

from coach.pose import Pose
from coach.rules.definitions import Exercise
from coach.session.frame import Verdict
from coach.session.judge import NOT_APPLICABLE, NOT_FROM_VIEW, VIEW_MEASURES
from coach.session.timing import Debouncer

__all__ = ["NOT_APPLICABLE", "NOT_FROM_VIEW", "VIEW_MEASURES", "Quality"]

MIN_SHORT_SIDE = 240  # pixels: below this the pose model's landmarks are unreliable
BODY = tuple(f"{s}_{j}" for j in ("shoulder", "hip", "knee", "ankle") for s in ("left", "right"))
OUT_ON_S, OUT_OFF_S = 1.0, 1.0  # out of frame this long to warn, back in this long to clear
BLIND_ON_S, BLIND_OFF_S = 2.0, 1.0  # a check not judged while in position this long to warn


class Quality:
    """Warnings about the picture, kept on video time."""

    def __init__(self, exercise: Exercise) -> None:
        self.exercise = exercise
        self.low_res: tuple[int, int] | None = None
        self._out = Debouncer(OUT_ON_S, OUT_OFF_S)
        self.out_s = 0.0
        self.out_names: set[str] = set()
        judged = [c for c in exercise.checks if not c.advisory]
        self._blind = {c.name: Debouncer(BLIND_ON_S, BLIND_OFF_S) for c in judged}
        self.blind_s = {c.name: 0.0 for c in judged}
        self.blind_why: dict[str, str] = {}
        self._titles = {c.name: c.title for c in judged}

    @staticmethod
    def outside(pose: Pose) -> list[str]:
        """The main body landmarks placed outside the picture (the model guesses them there)."""
        w, h = pose.image_wh
        if pose.is_empty or not (w and h):
            return []
        return [n for n in BODY
                if not (0 <= pose.point(n)[0] < w and 0 <= pose.point(n)[1] < h)]

    def _blind_reason(self, v: Verdict) -> str | None:
        if v.status == "unseen":
            return "its landmarks cannot be seen"
        if v.reason == NOT_FROM_VIEW:  # not while its other conditions do not hold
            return NOT_FROM_VIEW
        return None

    def update(self, pose: Pose, in_position: bool, verdicts: tuple[Verdict, ...], t: float,
               dt: float) -> tuple[str, ...]:
        """The warnings to show for this frame."""
        shown: list[str] = []
        w, h = pose.image_wh
        if w and h and min(w, h) < MIN_SHORT_SIDE:
            self.low_res = (w, h)
            shown.append(f"Low resolution ({w}x{h}): results are unreliable")
        outside = self.outside(pose)
        if self._out.update(bool(outside), t):
            self.out_s += dt
            self.out_names.update(outside)
            shown.append("Part of the body is out of frame: move the camera back")
        for v in verdicts:
            if v.check not in self._blind:
                continue
            why = self._blind_reason(v) if in_position else None
            if self._blind[v.check].update(why is not None, t):
                self.blind_s[v.check] += dt
                if why:
                    self.blind_why[v.check] = why
                verb = "can't see" if v.status == "unseen" else "can't judge from this view:"
                shown.append(f"{verb} {self._titles[v.check].lower()}")
        return tuple(shown)

    def notes(self) -> list[str]:
        """The warnings of the whole session, for the report."""
        notes = []
        if self.low_res:
            w, h = self.low_res
            notes.append(f"Low resolution ({w}x{h}): the pose model needs at least "
                         f"{MIN_SHORT_SIDE} pixels on the short side; landmarks and verdicts "
                         "may be wrong.")
        if self.out_s > 0:
            names = ", ".join(n.replace("_", " ") for n in BODY if n in self.out_names)
            notes.append(f"Part of the body was out of frame for {self.out_s:.1f} s ({names}): "
                         "checks on it could not be judged then.")
        for name, seconds in self.blind_s.items():
            if seconds > 0:
                why = self.blind_why.get(name, "not visible")
                notes.append(f"{self._titles[name]} could not be judged for {seconds:.1f} s "
                             f"while in position ({why}).")
        return notes
