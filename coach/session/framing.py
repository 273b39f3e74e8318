"""The framing check before a live session: is the whole body the stretch needs in view, from a
usable angle and in enough light? Pure decisions on a pose and the frame's brightness; the
live loop measures the brightness and shows the guidance."""

from __future__ import annotations

from dataclasses import dataclass

from coach.pose import Pose
from coach.rules import measures as M
from coach.rules.definitions import Exercise
from coach.session.quality import END_ON, END_ON_WARNING, Picture
from coach.session.timing import Debouncer

# The body parts every floor stretch here is judged on, by the name a person would use.
PARTS: dict[str, tuple[str, ...]] = {
    "head": ("nose",),
    "shoulders": ("left_shoulder", "right_shoulder"),
    "hips": ("left_hip", "right_hip"),
    "knees": ("left_knee", "right_knee"),
    "feet": ("left_ankle", "right_ankle"),
}
DARK = 50.0  # mean grey level (0-255) below which the picture is too dark to trust
DIM = 80.0  # ... below which unseen body parts are blamed on the light
EDGE = 0.02  # a point this close to the frame's edge (fraction of its size) may be cut off
READY_S = 1.0  # framing must stay good this long before the countdown starts


@dataclass(frozen=True)
class Framing:
    """What the framing check says: ``ok`` and the one line of guidance (or praise);
    ``items``: (label, passed) for a short checklist on screen."""

    ok: bool
    message: str
    items: tuple[tuple[str, bool], ...]


def _seen(pose: Pose, name: str, min_vis: float) -> bool:
    if pose.vis(name) < min_vis:
        return False
    x, y = pose.point(name)
    w, h = pose.image_wh
    return EDGE * w <= x <= (1 - EDGE) * w and EDGE * h <= y <= (1 - EDGE) * h


def check_framing(pose: Pose, brightness: float, exercise: Exercise) -> Framing:
    """Judge one frame's framing: light first, then the whole body, then the angle."""
    light = brightness >= DARK
    if pose.is_empty:
        msg = ("More light, please: the camera can't see you" if brightness < DIM
               else "Move into view of the camera, 2 to 3 metres away")
        return Framing(False, msg, (("Light", light), ("Whole body in view", False),
                                    ("Camera angle", False)))
    vis = exercise.min_visibility
    missing = [part for part, names in PARTS.items()
               if not all(_seen(pose, n, vis) for n in names)]
    body = not missing
    angle, end_on = True, False
    if exercise.camera.max_view_width is not None and not missing:
        width = M.read(pose, "view_width", None, None, vis).value
        angle = width is None or width <= exercise.camera.max_view_width
    if not missing:  # lying along the camera's line of sight (any stretch; upright never is)
        toward = Picture.toward_camera(pose)
        end_on = toward is not None and toward > END_ON
        angle = angle and not end_on
    items = (("Light", light), ("Whole body in view", body), ("Camera angle", angle))
    if not light:
        return Framing(False, "More light, please: the room is too dark", items)
    if missing:
        if brightness < DIM:
            return Framing(False, "More light, please: the camera can't see your "
                           + _join(missing), items)
        return Framing(False, "Move back or turn the camera: it can't see your "
                       + _join(missing), items)
    if end_on:
        return Framing(False, END_ON_WARNING, items)
    if not angle:
        return Framing(False, "Turn side-on to the camera", items)
    return Framing(True, "Good: the camera can see all of you", items)


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


class FramingCheck:
    """The framing check over time: ``ready`` once the framing has been good for ``ready_s``
    (video time), so one lucky frame does not start the countdown."""

    def __init__(self, exercise: Exercise, ready_s: float = READY_S) -> None:
        self.exercise = exercise
        self.gate = Debouncer(ready_s, 0.5)
        self.last: Framing | None = None

    def update(self, pose: Pose, brightness: float, t: float) -> Framing:
        self.last = check_framing(pose, brightness, self.exercise)
        self.gate.update(self.last.ok, t)
        return self.last

    @property
    def ready(self) -> bool:
        return self.gate.state
