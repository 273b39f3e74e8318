"""What the coach can see: warnings for a low-resolution picture, a body partly out of frame,
a camera looking along the body (end-on), and a check the camera's view does not let it judge.
One ``update`` per frame (also with nobody in view) on video time; ``notes`` sums them up for the
report.

Each warning is debounced, so it neither flickers nor fires on a single bad frame.
"""

from __future__ import annotations

import numpy as np

from coach.pose import Pose
from coach.rules.definitions import Exercise
from coach.session.frame import Verdict
from coach.session.judge import NOT_APPLICABLE, NOT_FROM_VIEW, VIEW_MEASURES
from coach.session.timing import Debouncer, once_per_frame

__all__ = ["NOT_APPLICABLE", "NOT_FROM_VIEW", "VIEW_MEASURES", "Picture", "Quality"]

MIN_SHORT_SIDE = 240  # pixels: below this the pose model's landmarks are unreliable
BODY = tuple(f"{s}_{j}" for j in ("shoulder", "hip", "knee", "ankle") for s in ("left", "right"))
TRUNK = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
OUT_ON_S, OUT_OFF_S = 1.0, 1.0  # out of frame this long to warn, back in this long to clear
BLIND_ON_S, BLIND_OFF_S = 2.0, 1.0  # a check not judged while in position this long to warn
# Filmed end-on: the trunk (hips to shoulders, in the pose model's 3-D landmarks) pointing along
# the camera's line of sight, its share of the trunk's length over END_ON, for END_ON_S. From
# there the pose model misplaces the body most: on the corpus's training part, in a stretch, the
# skeleton was more than 0.3 torso lengths off the truth (Clip.skeleton_error) on 61 % of the
# frames this warned on and 19 % of the others; it warned on 11 % of those frames (the corpus
# places cameras all around on purpose) and 7 % of other postures' (lying flat seen from the
# feet). 0.6, 0.7, 0.8 and 0.85 warned on 20, 14, 8 and 6 % at 53, 57, 64 and 70 %; 3 s instead of
# 2 on a quarter less. Lying stretches suffer most (supine figure-4, happy baby, the figure-4
# twist, child's pose, the prone glute stretch: 76-96 % of such frames off), seated ones least.
# On the validation part it warned on 9 % of stretch frames (docs/accuracy.md, where the share
# off counts other postures' frames too); the recogniser named stretch and side as often there
# (89.7 against 88.4 %), having learned those views, but the checks' heights and angles are read
# off that skeleton. (The wall stretches suffer less: 24 and 40 % off when warned, against 3-4 %.)
END_ON, END_ON_S, END_ON_OFF_S = 0.75, 2.0, 2.0
END_ON_VIS = 0.3  # shoulders and hips seen at least this surely to judge it
END_ON_WARNING = "The camera looks along your body: move it more to your side"
OUT_OF_FRAME = "Part of the body is out of frame: move the camera back"
# the warnings that ask the person to do something (live coaching says them aloud, now and then)
ACTIONABLE = (END_ON_WARNING, OUT_OF_FRAME)


class Picture:
    """Warnings about the picture itself, whatever the exercise: its resolution, a body partly
    out of frame, a camera looking along the body. Sessions coaching the same frames (one per
    exercise when the stretch is recognised) share one, so it is worked out once a frame: an
    update with the pose and time it was last given returns that frame's warnings."""

    def __init__(self) -> None:
        self.low_res: tuple[int, int] | None = None
        self._out = Debouncer(OUT_ON_S, OUT_OFF_S)
        self.out_s = 0.0
        self.out_names: set[str] = set()
        self._end_on = Debouncer(END_ON_S, END_ON_OFF_S)
        self.end_on_s = 0.0
        self._trunk_seen: float | None = None  # when the trunk was last seen (toward_camera)

    @staticmethod
    def toward_camera(pose: Pose) -> float | None:
        """How much the trunk points along the camera's line of sight: the depth share of the
        3-D vector from the hips' midpoint to the shoulders' (0 across the picture, 1 straight at
        or away from the camera); None when the trunk is not seen."""
        if pose.is_empty or min(pose.vis(n) for n in TRUNK) < END_ON_VIS:
            return None
        w = pose.world_point
        v = 0.5 * (w("left_shoulder") + w("right_shoulder")) - 0.5 * (w("left_hip") + w("right_hip"))
        length = float(np.linalg.norm(v))
        return abs(float(v[2])) / length if length > 1e-9 else None

    @staticmethod
    def outside(pose: Pose) -> list[str]:
        """The main body landmarks placed outside the picture (the model guesses them there)."""
        w, h = pose.image_wh
        if pose.is_empty or not (w and h):
            return []
        return [n for n in BODY
                if not (0 <= pose.point(n)[0] < w and 0 <= pose.point(n)[1] < h)]

    @once_per_frame
    def update(self, pose: Pose, t: float, dt: float) -> tuple[str, ...]:
        """The picture's warnings for frame ``t`` (the same frame again, as every session of a
        recognised session asks: the same warnings, counted once)."""
        shown: list[str] = []
        w, h = pose.image_wh
        if w and h and min(w, h) < MIN_SHORT_SIDE:
            self.low_res = (w, h)
            shown.append(f"Low resolution ({w}x{h}): results are unreliable")
        outside = self.outside(pose)
        if self._out.update(bool(outside), t):
            self.out_s += dt
            self.out_names.update(outside)
            shown.append(OUT_OF_FRAME)
        toward = self.toward_camera(pose)
        if toward is not None:
            self._trunk_seen = t
        # a moment with the trunk unseen (end-on views often hide the shoulders) neither starts
        # nor clears the warning; unseen for END_ON_OFF_S, it counts as not end-on
        if toward is not None or self._trunk_seen is None or t - self._trunk_seen > END_ON_OFF_S:
            self._end_on.update(toward is not None and toward > END_ON, t)
        if self._end_on.state:
            self.end_on_s += dt
            shown.append(END_ON_WARNING)
        return tuple(shown)

    def notes(self) -> list[str]:
        """The warnings about the picture over the whole session, for the report (also what a
        report of recognised stretches says once)."""
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
        if self.end_on_s > 0:
            notes.append(f"Filmed end-on (the camera looking along the body) for {self.end_on_s:.1f} s: "
                         "from there the pose model often misplaces the body, and checks of heights "
                         "and angles are not judged or are less sure. A camera at the side sees more.")
        return notes


class Quality:
    """Warnings about what the coach can see for one exercise, kept on video time: the
    picture's (:class:`Picture`, possibly shared with other sessions over the same frames) and
    the checks its view does not let it judge."""

    def __init__(self, exercise: Exercise, picture: Picture | None = None) -> None:
        self.exercise = exercise
        self.picture = picture or Picture()
        judged = [c for c in exercise.checks if not c.advisory]
        self._blind = {c.name: Debouncer(BLIND_ON_S, BLIND_OFF_S) for c in judged}
        self.blind_s = {c.name: 0.0 for c in judged}
        self.blind_why: dict[str, str] = {}
        self._titles = {c.name: c.title for c in judged}

    def _blind_reason(self, v: Verdict) -> str | None:
        if v.status == "unseen":
            return "its landmarks cannot be seen"
        if v.reason == NOT_FROM_VIEW:  # not while its other conditions do not hold
            return NOT_FROM_VIEW
        return None

    def update(self, pose: Pose, in_position: bool, verdicts: tuple[Verdict, ...], t: float,
               dt: float) -> tuple[str, ...]:
        """The warnings to show for this frame."""
        shown = list(self.picture.update(pose, t, dt))
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
        notes = self.picture_notes()
        for name, seconds in self.blind_s.items():
            if seconds > 0:
                why = self.blind_why.get(name, "not visible")
                notes.append(f"{self._titles[name]} could not be judged for {seconds:.1f} s "
                             f"while in position ({why}).")
        return notes

    def picture_notes(self) -> list[str]:
        """The warnings about the picture itself, whatever the exercise (resolution, framing,
        the camera's angle): also what a report of recognised stretches says once."""
        return self.picture.notes()
