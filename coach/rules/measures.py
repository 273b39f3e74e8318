"""Named measurements: pure functions of a pose (and the stretched side).

Each measurement declares the landmarks it needs so callers can gate on visibility: a
measurement that cannot see its landmarks yields ``None`` with a reason, never a guess.
Lengths are in torso lengths (hip midpoint to shoulder midpoint) so they do not depend on
the camera distance. Joint angles are measured in 3-D on the estimator's world landmarks (they
do not depend on the view); heights and leans use pixel coordinates, where "up" is known.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from coach.pose import geometry as g
from coach.pose.core import Pose, landmark_index

Side = Literal["left", "right"]
SIDES: tuple[Side, Side] = ("left", "right")
BOTH = "both"  # the one "side" of a stretch done on both sides at once (child's pose)
LEGS = ("active", "other")


def opposite(side: Side) -> Side:
    return "right" if side == "left" else "left"


def _leg_side(side: Side | None, params: dict[str, Any]) -> Side:
    """The side of the leg a measurement looks at: the stretched ("active") one or the other."""
    if side is None:
        raise ValueError("this measurement needs to know the stretched side")
    return side if params.get("leg", "active") == "active" else opposite(side)


TRUNK = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
HEAD = ("nose", "left_ear", "right_ear")


@dataclass(frozen=True)
class Measure:
    """A named measurement. ``params`` lists the keys a definition may pass, with defaults."""

    name: str
    unit: str
    doc: str
    landmarks: Callable[[Side | None, dict[str, Any]], tuple[str, ...]]
    compute: Callable[[Pose, Side | None, dict[str, Any]], float]
    needs_side: bool = False
    params: dict[str, Any] = field(default_factory=dict)
    any_of: str | None = None  # a list parameter of landmarks of which any visible ones will do
    # What the overlay marks: landmark names with "{s}" for the measured leg's side and "{o}"
    # for the other; empty = all the landmarks it needs. ``anchor``: where its value is written.
    highlight: tuple[str, ...] = ()
    anchor: str | None = None
    label: str = ""  # the short name written beside the joint on the overlay

    def _fill(self, name: str, side: Side | None, params: dict[str, Any]) -> str | None:
        if "{" not in name:
            return name
        if side is None:
            return None
        s = _leg_side(side, params) if "leg" in self.params else side
        return name.format(s=s, o=opposite(s))

    def highlighted(self, side: Side | None, params: dict[str, Any]) -> tuple[str, ...]:
        """The landmarks the overlay colours with this measurement's verdict."""
        if not self.highlight:
            return self.landmarks(side, params) if (side or not self.needs_side) else ()
        names = (self._fill(n, side, params) for n in self.highlight)
        return tuple(n for n in names if n)

    def anchor_landmark(self, side: Side | None, params: dict[str, Any]) -> str | None:
        return None if self.anchor is None else self._fill(self.anchor, side, params)


@dataclass(frozen=True)
class Reading:
    """A measured value, or None with the reason it could not be measured."""

    value: float | None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.value is not None


def _mid(pose: Pose, a: str, b: str) -> np.ndarray:
    return g.midpoint(pose.point(a), pose.point(b))


def _hip_mid(pose: Pose) -> np.ndarray:
    return _mid(pose, "left_hip", "right_hip")


def _shoulder_mid(pose: Pose) -> np.ndarray:
    return _mid(pose, "left_shoulder", "right_shoulder")


def _torso(pose: Pose) -> float:
    return pose.torso_length()


# ---- the measurements ---------------------------------------------------------------------


def _leg_angle(a: str, b: str, c: str) -> tuple[Callable[..., float], Callable[..., tuple[str, ...]]]:
    """The 3-D angle a-b-c at ``b`` on one side's landmarks (names without "left_"/"right_"),
    on the world landmarks: a knee bending across the body foreshortens badly in the image,
    but its 3-D angle does not depend on the view."""

    def names(side: Side | None, params: dict[str, Any]) -> tuple[str, ...]:
        s = _leg_side(side, params)
        return (f"{s}_{a}", f"{s}_{b}", f"{s}_{c}")

    def compute(pose: Pose, side: Side | None, params: dict[str, Any]) -> float:
        pa, pb, pc = (pose.world_point(n) for n in names(side, params))
        return g.angle_at(pa, pb, pc)

    return compute, names


_knee_angle, _knee_landmarks = _leg_angle("hip", "knee", "ankle")
_hip_angle, _hip_landmarks = _leg_angle("shoulder", "hip", "knee")


def _hips_flexed(pose: Pose, side: Side | None, params: dict[str, Any]) -> float:
    """The more bent of the hips' shoulder-hip-knee angles (3-D), of the legs whose knee is seen
    (``knees``, as filtered by ``read``)."""
    return min(_hip_angle(pose, k.split("_")[0], {"leg": "active"}) for k in params["knees"])


def _ankle_flexion(pose: Pose, side: Side | None, params: dict[str, Any]) -> float:
    """Angle between the shin (ankle->knee) and the foot (heel->toes): ~90 flexed, >120 pointed."""
    s = _leg_side(side, params)
    w = pose.world_point
    shin = w(f"{s}_knee") - w(f"{s}_ankle")
    foot = w(f"{s}_foot_index") - w(f"{s}_heel")
    return g.angle_between(shin, foot)


def _ankle_landmarks(side: Side | None, params: dict[str, Any]) -> tuple[str, ...]:
    s = _leg_side(side, params)
    return (f"{s}_knee", f"{s}_ankle", f"{s}_heel", f"{s}_foot_index")


def _trunk_lean(pose: Pose, side: Side | None, params: dict[str, Any]) -> float:
    """Trunk (hip midpoint -> shoulder midpoint) from vertical: 0 upright, 90 lying flat."""
    return g.angle_from_vertical(_shoulder_mid(pose) - _hip_mid(pose))


def _head_lean(pose: Pose, side: Side | None, params: dict[str, Any]) -> float:
    """Hip midpoint -> ear midpoint from vertical, in 3-D: how far the head has rolled down.
    A roll toward a knee that points at the camera barely moves the head in the image, so
    this uses the world landmarks (y down), where it reads the same from any side."""
    w = pose.world_point
    v = g.midpoint(w("left_ear"), w("right_ear")) - g.midpoint(w("left_hip"), w("right_hip"))
    return g.angle_between(v, np.array([0.0, -1.0, 0.0]))


def _front_sign(pose: Pose, trunk: np.ndarray) -> float:
    """+1 when the body's front (where the face points) lies on the trunk's +perpendicular."""
    face = pose.point("nose") - _mid(pose, "left_ear", "right_ear")
    s = float(np.dot(g.perpendicular(trunk), face))
    return 1.0 if s >= 0 else -1.0


def _spine_curvature(pose: Pose, side: Side | None, params: dict[str, Any]) -> float:
    """How far the neck line bends forward off the trunk line, in degrees (0 = ear, shoulder
    and hip in line; positive = head and shoulders curled forward, i.e. a rounding spine)."""
    hip, sh = _hip_mid(pose), _shoulder_mid(pose)
    ear = _mid(pose, "left_ear", "right_ear")
    trunk, neck = sh - hip, ear - sh
    bend = g.signed_angle(trunk, neck)
    return bend * _front_sign(pose, trunk)


def _hip_height(pose: Pose, side: Side | None, params: dict[str, Any]) -> float:
    """Height of the hip midpoint above the floor line, in torso lengths. The floor line is the
    lowest (largest y) of the ``floor`` landmarks: the body parts resting on the floor."""
    floor_y = max(pose.point(n)[1] for n in params["floor"])
    return float((floor_y - _hip_mid(pose)[1]) / _torso(pose))


# Body segments whose lengths give the image's scale (pixels per metre of body): trunk sides,
# thighs, shins and the shoulder and hip widths, so that no single direction dominates.
SCALE_SEGMENTS = tuple((f"{s}_{a}", f"{s}_{b}") for s in SIDES
                       for a, b in (("shoulder", "hip"), ("hip", "knee"), ("knee", "ankle"))) + (
    ("left_shoulder", "right_shoulder"), ("left_hip", "right_hip"))


def _body_scale(pose: Pose) -> float:
    """Pixels per metre of body: the ``SCALE_SEGMENTS``' lengths in the image over their 3-D
    lengths in the world landmarks. A segment pointing at the camera is short in the image
    but not in 3-D, so a view that foreshortens one part (the trunk seen from the feet end)
    lowers this much less than it lowers the image torso length."""
    img = sum(g.norm(pose.point(a) - pose.point(b)) for a, b in SCALE_SEGMENTS)
    world = sum(g.norm(pose.world_point(a) - pose.world_point(b)) for a, b in SCALE_SEGMENTS)
    return img / world if world > 1e-6 else math.nan


def _hip_height_m(pose: Pose, side: Side | None, params: dict[str, Any]) -> float:
    """``hip_height`` in metres of body instead of image torso lengths: the hip midpoint's
    height above the floor line in pixels over ``_body_scale``. Dividing by the image torso
    length inflates a lift wherever the view foreshortens the trunk (lying down, seen from the
    feet or the head; kneeling, from the front): on the training clips the hips' rise over
    a fault against its true size in cm correlated 0.66 this way, 0.36 over the torso."""
    floor_y = max(pose.point(n)[1] for n in params["floor"])
    return float((floor_y - _hip_mid(pose)[1]) / _body_scale(pose))


def _crossed_ankle_distance(pose: Pose, side: Side | None, params: dict[str, Any]) -> float:
    """Distance from the stretched leg's ankle to the other knee, in torso lengths, in 3-D:
    seen from the side, the resting leg's ankle can line up with the crossed knee."""
    s = _leg_side(side, params)
    w = pose.world_point
    d = w(f"{s}_ankle") - w(f"{opposite(s)}_knee")
    torso = g.norm(g.midpoint(w("left_shoulder"), w("right_shoulder"))
                   - g.midpoint(w("left_hip"), w("right_hip")))
    return g.norm(d) / torso if torso > 1e-6 else math.nan


def _ankle_forward(pose: Pose, side: Side | None, params: dict[str, Any]) -> float:
    """How far the leg's ankle lies forward of the hips (toward the knees), in torso lengths."""
    s = _leg_side(side, params)
    hip = _hip_mid(pose)
    fwd = _mid(pose, "left_knee", "right_knee") - hip
    fwd[1] = 0.0
    n = g.norm(fwd)
    if n < 1e-9:
        return math.nan
    return float(np.dot(pose.point(f"{s}_ankle") - hip, fwd / n) / _torso(pose))


def _facing(pose: Pose) -> float:
    """+1 when the person faces image +x (nose ahead of the ears), -1 when facing -x."""
    return 1.0 if pose.point("nose")[0] >= _mid(pose, "left_ear", "right_ear")[0] else -1.0


def _knee_forward(pose: Pose, side: Side | None, params: dict[str, Any]) -> float:
    """How far a knee lies ahead of the hips in the direction the person faces, in torso
    lengths: positive for a leg bent in front, negative for a leg reaching back."""
    s = _leg_side(side, params)
    dx = pose.point(f"{s}_knee")[0] - _hip_mid(pose)[0]
    return float(dx * _facing(pose) / _torso(pose))


def _ankle_to_hip(pose: Pose, side: Side | None, params: dict[str, Any]) -> float:
    """Image distance from a leg's ankle to its own hip, in torso lengths. Small when the heel
    is drawn in to the groin (judge it only where the shin is not end-on to the camera)."""
    s = _leg_side(side, params)
    return g.norm(pose.point(f"{s}_ankle") - pose.point(f"{s}_hip")) / _torso(pose)


def _view_width(pose: Pose, side: Side | None, params: dict[str, Any]) -> float:
    """How wide the hips and shoulders look, in torso lengths: about 0 seen straight from the
    side, growing as the camera turns toward the front or back."""
    hips = g.norm(pose.point("left_hip") - pose.point("right_hip"))
    shoulders = g.norm(pose.point("left_shoulder") - pose.point("right_shoulder"))
    return max(hips, shoulders) / _torso(pose)


def _leg_spread(pose: Pose, side: Side | None, params: dict[str, Any]) -> float:
    """Distance between the two knees, in torso lengths."""
    return g.norm(pose.point("left_knee") - pose.point("right_knee")) / _torso(pose)


def _knee_height(pose: Pose, side: Side | None, params: dict[str, Any]) -> float:
    """How far a knee lies above the hip midpoint in the image, in torso lengths: of two knees
    stacked one over the other (cow face), the top one is the higher."""
    s = _leg_side(side, params)
    return float((_hip_mid(pose)[1] - pose.point(f"{s}_knee")[1]) / _torso(pose))


def _shoulder_lift(pose: Pose, side: Side | None, params: dict[str, Any]) -> float:
    """How far a side's shoulder lies above the other shoulder in the image, in torso lengths.
    Lying on the back it grows as that shoulder lifts off the floor (judge it as a change: seen
    from above, the far shoulder looks higher by itself); lying on one side, the shoulder lain
    on reads below the other."""
    s = _leg_side(side, params)
    return float((pose.point(f"{opposite(s)}_shoulder")[1] - pose.point(f"{s}_shoulder")[1])
                 / _torso(pose))


def _trunk_pitch(pose: Pose, side: Side | None, params: dict[str, Any]) -> float:
    """``trunk_lean`` signed by where the trunk leans: + toward the way the face points
    (forward), - away from it (leaning back), both read in the image. On the forward leans of
    the corpus's pigeon training clips (|lean| over 30 deg) this sign was right in 100 % of
    side-on frames, 99 % of three-quarter and 77 % of front ones; read in 3-D (the world trunk
    against the face's direction) it was right in 23 % of front ones."""
    trunk = _shoulder_mid(pose) - _hip_mid(pose)
    sign = 1.0 if float(trunk[0]) * _facing(pose) >= 0 else -1.0
    return sign * _trunk_lean(pose, side, params)


def _neck_length(pose: Pose, side: Side | None, params: dict[str, Any]) -> float:
    """Shoulder midpoint to ear midpoint in 3-D, in torso lengths: shorter as the shoulders
    hunch up toward the ears."""
    w = pose.world_point
    sh = g.midpoint(w("left_shoulder"), w("right_shoulder"))
    torso = g.norm(sh - g.midpoint(w("left_hip"), w("right_hip")))
    ear = g.midpoint(w("left_ear"), w("right_ear"))
    return g.norm(ear - sh) / torso if torso > 1e-9 else math.nan


def _fixed(*names: str) -> Callable[[Side | None, dict[str, Any]], tuple[str, ...]]:
    return lambda side, params: tuple(names)


def _floor_landmarks(side: Side | None, params: dict[str, Any]) -> tuple[str, ...]:
    return TRUNK


def _crossed_landmarks(side: Side | None, params: dict[str, Any]) -> tuple[str, ...]:
    s = _leg_side(side, params)
    return (*TRUNK, f"{s}_ankle", f"{opposite(s)}_knee")


def _forward_landmarks(side: Side | None, params: dict[str, Any]) -> tuple[str, ...]:
    s = _leg_side(side, params)
    return (*TRUNK, "left_knee", "right_knee", f"{s}_ankle")


def _ankle_hip_landmarks(side: Side | None, params: dict[str, Any]) -> tuple[str, ...]:
    s = _leg_side(side, params)
    return (*TRUNK, f"{s}_ankle")


def _knee_fwd_landmarks(side: Side | None, params: dict[str, Any]) -> tuple[str, ...]:
    return (*TRUNK, *HEAD, f"{_leg_side(side, params)}_knee")


def _knee_height_landmarks(side: Side | None, params: dict[str, Any]) -> tuple[str, ...]:
    return (*TRUNK, f"{_leg_side(side, params)}_knee")


MEASURES: dict[str, Measure] = {
    m.name: m
    for m in (
        Measure("knee_angle", "deg", "Hip-knee-ankle angle of a leg (180 = straight).",
                _knee_landmarks, _knee_angle, needs_side=True, params={"leg": "active"},
                anchor="{s}_knee", label="knee"),
        Measure("hip_angle", "deg",
                "Shoulder-hip-knee angle of a leg: smaller as the thigh comes to the chest.",
                _hip_landmarks, _hip_angle, needs_side=True, params={"leg": "active"},
                anchor="{s}_hip", label="hip"),
        Measure("hips_flexed", "deg",
                "The smaller shoulder-hip-knee angle (3-D) of the legs whose knee is seen: about 180 "
                "only when the thighs are in line with the trunk, as when standing; 90 sitting up.",
                lambda side, params: (*TRUNK, *params["knees"]), _hips_flexed,
                params={"knees": ["left_knee", "right_knee"]}, any_of="knees", anchor="left_hip",
                label="hips"),
        Measure("ankle_flexion", "deg",
                "Angle between shin and foot: about 90 when the foot is flexed, more when pointed.",
                _ankle_landmarks, _ankle_flexion, needs_side=True, params={"leg": "active"},
                highlight=("{s}_ankle", "{s}_heel", "{s}_foot_index"), anchor="{s}_ankle", label="foot"),
        Measure("trunk_lean", "deg", "Trunk from vertical: 0 sitting tall, 90 lying flat.",
                _fixed(*TRUNK), _trunk_lean, anchor="left_shoulder", label="lean"),
        Measure("head_lean", "deg", "Hips-to-head line from vertical: how far the head has rolled down.",
                _fixed(*TRUNK, "left_ear", "right_ear"), _head_lean, anchor="left_ear", label="roll"),
        Measure("spine_curvature", "deg",
                "Forward bend of the ear-shoulder line off the shoulder-hip line (rounding).",
                _fixed(*TRUNK, *HEAD), _spine_curvature, label="curve"),
        Measure("hip_height", "torso", "Hips above the floor line (lowest of `floor`).",
                _floor_landmarks, _hip_height, params={"floor": None}, any_of="floor",
                highlight=("left_hip", "right_hip")),
        Measure("hip_height_m", "m",
                "Hips above the floor line (lowest of `floor`), in metres of body (the image "
                "scaled by the body's 3-D segment lengths, not the torso's image length).",
                _floor_landmarks, _hip_height_m, params={"floor": None}, any_of="floor",
                highlight=("left_hip", "right_hip")),
        Measure("crossed_ankle_distance", "torso", "Stretched leg's ankle to the other knee.",
                _crossed_landmarks, _crossed_ankle_distance, needs_side=True,
                params={"leg": "active"}, highlight=("{s}_ankle", "{o}_knee")),
        Measure("ankle_forward", "torso", "A leg's ankle forward of the hips, toward the knees.",
                _forward_landmarks, _ankle_forward, needs_side=True, params={"leg": "active"},
                highlight=("{s}_knee", "{s}_ankle")),
        Measure("knee_forward", "torso",
                "A knee ahead of the hips (+) or behind them (-), in the direction faced.",
                _knee_fwd_landmarks, _knee_forward, needs_side=True, params={"leg": "active"},
                highlight=("{s}_hip", "{s}_knee")),
        Measure("ankle_to_hip", "torso", "A leg's ankle to its own hip, in the image.",
                _ankle_hip_landmarks, _ankle_to_hip, needs_side=True, params={"leg": "active"},
                highlight=("{s}_hip", "{s}_knee", "{s}_ankle")),
        Measure("view_width", "torso",
                "Hip/shoulder width in the image: ~0 side-on, larger toward a front view.",
                _fixed(*TRUNK), _view_width),
        Measure("leg_spread", "torso", "Distance between the knees.",
                _fixed(*TRUNK, "left_knee", "right_knee"), _leg_spread),
        Measure("knee_height", "torso", "A knee above the hips, in the image (the top knee of a stack).",
                _knee_height_landmarks, _knee_height, needs_side=True, params={"leg": "active"},
                highlight=("{s}_knee",)),
        Measure("shoulder_lift", "torso",
                "A shoulder above the other one, in the image (grows as it lifts off the floor).",
                _fixed(*TRUNK), _shoulder_lift, needs_side=True, params={"leg": "active"},
                highlight=("{s}_shoulder",), anchor="{s}_shoulder", label="shoulder"),
        Measure("trunk_pitch", "deg",
                "Trunk lean signed: + forward (the way the face points), - leaning back.",
                _fixed(*TRUNK, *HEAD), _trunk_pitch, anchor="left_shoulder", label="lean"),
        Measure("neck_length", "torso",
                "Shoulders to ears, in 3-D: shorter as the shoulders hunch toward the ears.",
                _fixed(*TRUNK, "left_ear", "right_ear"), _neck_length, label="neck"),
    )
}  # fmt: skip


def get_measure(name: str) -> Measure:
    """Look a measurement up by name; raises ValueError listing the valid names."""
    try:
        return MEASURES[name]
    except KeyError:
        raise ValueError(
            f"unknown measure {name!r}; expected one of: {', '.join(sorted(MEASURES))}"
        ) from None


def validate_params(measure: Measure, params: dict[str, Any]) -> dict[str, Any]:
    """Fill defaults and check a definition's parameters for a measurement."""
    unknown = set(params) - set(measure.params)
    if unknown:
        allowed = ", ".join(sorted(measure.params)) or "none"
        raise ValueError(f"unknown parameter(s) {sorted(unknown)} for measure "
                         f"{measure.name!r}; allowed: {allowed}")
    out = {**measure.params, **params}
    if "leg" in out and out["leg"] not in LEGS:
        raise ValueError(f"leg: expected one of {LEGS}, got {out['leg']!r}")
    if "floor" in out:
        floor = out["floor"]
        if not isinstance(floor, list) or not floor or not all(isinstance(n, str) for n in floor):
            raise ValueError("floor: expected a non-empty list of landmark names")
        for n in floor:
            landmark_index(n)
    return out


def read(
    pose: Pose,
    name: str,
    side: Side | None = None,
    params: dict[str, Any] | None = None,
    min_visibility: float = 0.5,
) -> Reading:
    """Measure ``name`` on ``pose``, or say why it can't be measured."""
    m = get_measure(name)
    params = params if params is not None else dict(m.params)
    if pose.is_empty:
        return Reading(None, "no person in view")
    if m.needs_side and side not in SIDES:  # None, or "both" for a stretch without sides
        return Reading(None, "side not known yet")
    if m.any_of:
        seen = [n for n in params[m.any_of] if pose.vis(n) >= min_visibility]
        if not seen:
            return Reading(None, f"can't see any of {', '.join(params[m.any_of][:3])}")
        params = {**params, m.any_of: seen}
    names = m.landmarks(side, params)
    low = [n for n in names if pose.vis(n) < min_visibility]
    if low:
        return Reading(None, f"can't see {', '.join(n.replace('_', ' ') for n in low[:3])}")
    if any(n in TRUNK for n in names) and _torso(pose) < 1.0:
        return Reading(None, "trunk too small to measure")
    value = m.compute(pose, side, params)
    if value is None or not math.isfinite(value):
        return Reading(None, "degenerate geometry")
    return Reading(float(value))
