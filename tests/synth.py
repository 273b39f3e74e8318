"""Synthetic stick-figure poses (side view, pixels) for tests that must not load the model.

Each builder places named landmarks so that the coach's measurements read known values:
knee angles and ankle flexion are built exactly, heights are in pixels above a floor line.
"""

from __future__ import annotations

import math

import numpy as np

from coach.pose.core import Pose

FLOOR_Y = 420.0


def _dir(angle_deg: float) -> np.ndarray:
    """Unit vector at an angle measured counter-clockwise on screen from +x (y grows down)."""
    a = math.radians(angle_deg)
    return np.array([math.cos(a), -math.sin(a)])


def _apex(a: np.ndarray, b: np.ndarray, angle_deg: float, away: np.ndarray) -> np.ndarray:
    """The apex of an isosceles triangle on segment a-b whose apex angle is ``angle_deg``,
    on the side of the segment toward ``away``."""
    mid = (a + b) / 2
    d = b - a
    half = np.linalg.norm(d) / 2
    h = half / math.tan(math.radians(angle_deg) / 2)
    n = np.array([-d[1], d[0]]) / np.linalg.norm(d)
    if np.dot(n, away) < 0:
        n = -n
    return mid + n * h


def _foot(ankle: np.ndarray, knee: np.ndarray, flex_deg: float, toward: np.ndarray,
          length: float = 40.0) -> tuple[np.ndarray, np.ndarray]:
    """Heel and toe so that the shin (ankle->knee) and foot (heel->toe) make ``flex_deg``."""
    shin = (knee - ankle) / np.linalg.norm(knee - ankle)
    a = math.radians(flex_deg)
    options = []
    for sgn in (1, -1):
        c, s = math.cos(sgn * a), math.sin(sgn * a)
        options.append(np.array([shin[0] * c - shin[1] * s, shin[0] * s + shin[1] * c]))
    foot = max(options, key=lambda v: float(np.dot(v, toward)))
    heel = ankle - foot * 8
    return heel, heel + foot * length


def _sym(points: dict[str, np.ndarray], name: str, p: np.ndarray, dx: float = 3.0) -> None:
    points[f"left_{name}"] = p + (dx, 0)
    points[f"right_{name}"] = p - (dx, 0)


def _trunk(points: dict[str, np.ndarray], hip: np.ndarray, lean: float, curve: float = 0.0,
           length: float = 170.0) -> np.ndarray:
    """Hips at ``hip``, the trunk leaning ``lean`` degrees forward (toward +x) from vertical, the
    neck bent ``curve`` degrees further forward, the face turned forward; returns the shoulders."""
    sh = hip + length * _dir(90 - lean)
    ear = sh + 55 * _dir(90 - lean - curve)
    _sym(points, "hip", hip)
    _sym(points, "shoulder", sh)
    points["left_ear"] = points["right_ear"] = ear
    points["nose"] = ear + 22 * _dir(-lean - curve)
    return sh


def _supine_trunk(points: dict[str, np.ndarray], hip_lift: float) -> tuple[np.ndarray, np.ndarray]:
    """Lying on the back, head at the left of the frame: shoulders, hips (raised ``hip_lift``
    pixels), ears and nose; returns (shoulder, hip)."""
    sh = np.array([160.0, FLOOR_Y - 12])
    hip = np.array([320.0, FLOOR_Y - 12 - hip_lift])
    _sym(points, "shoulder", sh)
    _sym(points, "hip", hip)
    points["left_ear"] = points["right_ear"] = np.array([105.0, FLOOR_Y - 20])
    points["nose"] = np.array([100.0, FLOOR_Y - 45])
    return sh, hip


def _pose(points: dict[str, np.ndarray], vis: float) -> Pose:
    """A pose from named points: (x, y) pixels, or (x, y, z) with z a depth in pixels (toward the
    camera is negative, as MediaPipe's), for 3-D angles across the image."""
    depth = {k: float(v[2]) / 1000.0 for k, v in points.items() if len(v) == 3}
    return Pose.from_points({k: (float(v[0]), float(v[1])) for k, v in points.items()},
                            visibility=vis, depth=depth)


def supine_figure4(side: str = "left", hip_lift: float = 0.0, knee: float = 90.0,
                   ankle: float = 90.0, vis: float = 0.95) -> Pose:
    """Lying on the back, head at the left of the frame; ``side`` ankle over the other knee."""
    other = "right" if side == "left" else "left"
    pts: dict[str, np.ndarray] = {}
    sh, hip = _supine_trunk(pts, hip_lift)
    # the supporting leg: thigh drawn toward the chest, shin level
    knee_o = hip + 130 * _dir(105)
    ankle_o = knee_o + 120 * _dir(0)
    pts[f"{other}_knee"], pts[f"{other}_ankle"] = knee_o, ankle_o
    pts[f"{other}_heel"], pts[f"{other}_foot_index"] = _foot(ankle_o, knee_o, 90, _dir(90))
    # the crossed leg: ankle resting just past the other knee
    ankle_a = knee_o + np.array([18.0, 8.0])
    knee_a = _apex(hip, ankle_a, knee, _dir(0))
    pts[f"{side}_knee"], pts[f"{side}_ankle"] = knee_a, ankle_a
    pts[f"{side}_heel"], pts[f"{side}_foot_index"] = _foot(ankle_a, knee_a, ankle, _dir(90))
    for a in ("elbow", "wrist"):
        _sym(pts, a, knee_o + (-20, 30) if a == "wrist" else sh + (60, -60))
    return Pose.from_points({k: tuple(v) for k, v in pts.items()}, visibility=vis)


def seated(lean: float = 0.0, curve: float = 0.0, front: str = "left", hip_lift: float = 0.0,
           knee: float = 40.0, vis: float = 0.95) -> Pose:
    """Sitting cross-legged facing right; trunk leaning ``lean`` degrees forward from
    vertical, with the neck bent a further ``curve`` degrees forward (rounding)."""
    back = "right" if front == "left" else "left"
    pts: dict[str, np.ndarray] = {}
    hip = np.array([300.0, FLOOR_Y - 25 - hip_lift])
    sh = _trunk(pts, hip, lean, curve)
    # shins crossed: each ankle under the opposite knee; the front shin further forward
    k_front = np.array([420.0, FLOOR_Y - 30])
    k_back = np.array([400.0, FLOOR_Y - 28])
    a_front = np.array([hip[0] + 95, FLOOR_Y - 8])
    a_back = np.array([hip[0] + 45, FLOOR_Y - 6])
    pts[f"{front}_knee"], pts[f"{front}_ankle"] = k_front, a_front
    pts[f"{back}_knee"], pts[f"{back}_ankle"] = k_back, a_back
    for s, k, a in ((front, k_front, a_front), (back, k_back, a_back)):
        pts[f"{s}_heel"], pts[f"{s}_foot_index"] = _foot(a, k, 100, _dir(0))
    _sym(pts, "elbow", sh + (30, 80))
    _sym(pts, "wrist", sh + (70, 140))
    # knees: keep the 3-D knee angle plausible by pulling the knees in (x) to bend them
    pose = Pose.from_points({k: tuple(v) for k, v in pts.items()}, visibility=vis)
    return pose


def pigeon(side: str = "left", lean: float = 0.0, curve: float = 0.0, hip_lift: float = 0.0,
           knee: float = 90.0, vis: float = 0.95) -> Pose:
    """Pigeon facing right: ``side`` leg bent in front at ``knee`` degrees, the other long
    behind; trunk leaning ``lean`` forward, neck bent ``curve`` further."""
    other = "right" if side == "left" else "left"
    pts: dict[str, np.ndarray] = {}
    hip = np.array([300.0, FLOOR_Y - 45 - hip_lift])
    sh = _trunk(pts, hip, lean, curve)
    # front leg: knee forward on the floor, ankle back toward the other hip
    k = np.array([hip[0] + 120, FLOOR_Y - 12])
    thigh = k - hip
    shin_dir = _dir(math.degrees(math.atan2(-thigh[1], thigh[0])) + 180 - knee)
    a = k + 100 * shin_dir
    a[1] = min(a[1], FLOOR_Y - 5)
    pts[f"{side}_knee"], pts[f"{side}_ankle"] = k, a
    pts[f"{side}_heel"], pts[f"{side}_foot_index"] = _foot(a, k, 120, _dir(180))
    # back leg long behind on the floor
    kb = np.array([hip[0] - 140, FLOOR_Y - 10])
    ab = np.array([hip[0] - 260, FLOOR_Y - 6])
    pts[f"{other}_knee"], pts[f"{other}_ankle"] = kb, ab
    pts[f"{other}_heel"], pts[f"{other}_foot_index"] = ab + (8, -10), ab + (-35, 2)
    _sym(pts, "elbow", sh + (30, 80))
    _sym(pts, "wrist", sh + (60, 150))
    return Pose.from_points({k: tuple(v) for k, v in pts.items()}, visibility=vis)


def standing(vis: float = 0.95) -> Pose:
    """Standing upright, facing right."""
    pts: dict[str, np.ndarray] = {}
    hip = np.array([320.0, 250.0])
    sh = hip + (0, -150)
    _sym(pts, "hip", hip)
    _sym(pts, "shoulder", sh)
    pts["left_ear"] = pts["right_ear"] = sh + (0, -50)
    pts["nose"] = sh + (15, -55)
    _sym(pts, "knee", hip + (2, 85))
    _sym(pts, "ankle", hip + (0, 165))
    _sym(pts, "heel", hip + (-8, 170))
    _sym(pts, "foot_index", hip + (30, 172))
    _sym(pts, "elbow", sh + (0, 80))
    _sym(pts, "wrist", sh + (0, 150))
    return Pose.from_points({k: tuple(v) for k, v in pts.items()}, visibility=vis)


def lying_end_on(vis: float = 0.95) -> Pose:
    """Lying on the back seen from the feet: the trunk foreshortened in the picture, pointing
    along the camera's line of sight in the 3-D landmarks (shoulders 0.5 m further away)."""
    pts = {"left_shoulder": (300, 270), "right_shoulder": (340, 270), "left_hip": (305, 290),
           "right_hip": (335, 290), "left_knee": (305, 320), "right_knee": (335, 320),
           "left_ankle": (305, 350), "right_ankle": (335, 350), "nose": (320, 250)}
    return Pose.from_points(pts, visibility=vis,
                            depth={"left_shoulder": 0.5, "right_shoulder": 0.5, "nose": 0.6})


# ---- the stretches of the guides beyond the first three (facing right unless said) ----------


def _legs(points: dict[str, np.ndarray], side: str, knee: np.ndarray, ankle: np.ndarray) -> None:
    """One leg's knee and ankle (2-D or 3-D points), with a foot flexed along the floor."""
    points[f"{side}_knee"], points[f"{side}_ankle"] = knee, ankle
    heel, toe = _foot(ankle[:2], knee[:2], 100, _dir(0))
    points[f"{side}_heel"] = np.array([*heel, *ankle[2:]])
    points[f"{side}_foot_index"] = np.array([*toe, *ankle[2:]])


def _other(side: str) -> str:
    return "right" if side == "left" else "left"


def child_pose(hip_lift: float = 0.0, vis: float = 0.95) -> Pose:
    """Kneeling, hips back on the heels, chest down over the thighs, arms long on the floor;
    ``hip_lift`` pixels lifts the hips away from the heels (the shoulders stay down)."""
    pts: dict[str, np.ndarray] = {}
    hip = np.array([290.0, FLOOR_Y - 55 - hip_lift])
    v = np.array([458.0, FLOOR_Y - 31]) - hip
    lean = 90 + math.degrees(math.atan2(v[1], v[0]))
    sh = _trunk(pts, hip, lean, 10, length=float(np.linalg.norm(v)))
    for s, dx in (("left", 3), ("right", -3)):
        _legs(pts, s, np.array([400.0 + dx, FLOOR_Y - 10]), np.array([270.0 + dx, FLOOR_Y - 8]))
    _sym(pts, "elbow", sh + (75, 20))
    _sym(pts, "wrist", sh + (145, 23))
    return _pose(pts, vis)


def happy_baby(hip_lift: float = 0.0, vis: float = 0.95) -> Pose:
    """On the back, head at the left, knees drawn toward the armpits, shins vertical, soles up;
    ``hip_lift`` pixels curls the tailbone up off the floor."""
    pts: dict[str, np.ndarray] = {}
    sh, hip = _supine_trunk(pts, hip_lift)
    for s, z in (("left", 150.0), ("right", -150.0)):
        knee = hip + 120 * _dir(125)
        _legs(pts, s, np.array([*knee, z]), np.array([*(knee + 110 * _dir(90)), z]))
        pts[f"{s}_elbow"] = np.array([*(sh + (40, -70)), z / 2])
        pts[f"{s}_wrist"] = np.array([*(knee + 100 * _dir(90)), z])
    return _pose(pts, vis)


def seated_twist(side: str = "left", curve: float = 0.0, lean: float = 5.0,
                 vis: float = 0.95) -> Pose:
    """Sitting tall, ``side`` knee bent up with its foot planted outside the other knee (nearer
    the camera), the other leg long; the neck bent ``curve`` degrees forward (rounding)."""
    pts: dict[str, np.ndarray] = {}
    hip = np.array([300.0, FLOOR_Y - 25])
    sh = _trunk(pts, hip, lean, curve)
    _legs(pts, _other(side), np.array([470.0, FLOOR_Y - 14, 0]), np.array([600.0, FLOOR_Y - 10, 0]))
    _legs(pts, side, np.array([410.0, FLOOR_Y - 120, -30]), np.array([455.0, FLOOR_Y - 8, -60]))
    _sym(pts, "elbow", sh + (60, 60))
    _sym(pts, "wrist", np.array([405.0, FLOOR_Y - 125]))
    return _pose(pts, vis)


def prone_glute(side: str = "left", hip_lift: float = 0.0, lean: float = 65.0,
                vis: float = 0.95) -> Pose:
    """``side`` leg bent in front with its shin across, the other long behind, the trunk lowered
    over the front thigh; ``hip_lift`` pixels lifts the hips."""
    pts: dict[str, np.ndarray] = {}
    hip = np.array([300.0, FLOOR_Y - 40 - hip_lift])
    sh = _trunk(pts, hip, lean)
    _legs(pts, side, np.array([410.0, FLOOR_Y - 12, -40]), np.array([330.0, FLOOR_Y - 8, -120]))
    _legs(pts, _other(side), np.array([160.0, FLOOR_Y - 10, 0]), np.array([30.0, FLOOR_Y - 8, 0]))
    _sym(pts, "elbow", np.array([sh[0] + 20, FLOOR_Y - 10]))
    _sym(pts, "wrist", np.array([sh[0] + 90, FLOOR_Y - 8]))
    return _pose(pts, vis)


def figure4_twist(side: str = "left", shoulder_lift: float = 0.0, other_lift: float = 0.0,
                  vis: float = 0.95) -> Pose:
    """On the back, head at the left, ``side`` ankle across the other knee and both knees
    dropped toward the camera; ``shoulder_lift`` pixels lifts the ``side`` shoulder,
    ``other_lift`` the other one."""
    pts: dict[str, np.ndarray] = {}
    pts[f"{side}_shoulder"] = np.array([160.0, FLOOR_Y - 12 - shoulder_lift])
    pts[f"{_other(side)}_shoulder"] = np.array([160.0, FLOOR_Y - 12 - other_lift])
    _sym(pts, "hip", np.array([320.0, FLOOR_Y - 12]))
    pts["left_ear"] = pts["right_ear"] = np.array([105.0, FLOOR_Y - 20])
    pts["nose"] = np.array([100.0, FLOOR_Y - 45])
    _legs(pts, _other(side), np.array([400.0, FLOOR_Y - 30, -150]), np.array([470.0, FLOOR_Y - 10, -60]))
    _legs(pts, side, np.array([390.0, FLOOR_Y - 120, -40]), np.array([410.0, FLOOR_Y - 50, -110]))
    _sym(pts, "elbow", np.array([160.0, FLOOR_Y - 8]), dx=60)
    _sym(pts, "wrist", np.array([160.0, FLOOR_Y - 6]), dx=120)
    return _pose(pts, vis)


def runners_lunge(side: str = "left", shin: float = 0.0, hip_lift: float = 0.0,
                  vis: float = 0.95) -> Pose:
    """``side`` foot forward with the knee over the ankle, the other knee down and the leg long
    behind, hands down; ``shin`` degrees tilts the front shin forward (the knee past the toes),
    ``hip_lift`` pixels raises the hips."""
    pts: dict[str, np.ndarray] = {}
    hip = np.array([300.0, FLOOR_Y - 100 - hip_lift])
    sh = _trunk(pts, hip, 30)
    ankle = np.array([470.0, FLOOR_Y - 8])
    _legs(pts, side, ankle + 100 * _dir(90 - shin), ankle)
    _legs(pts, _other(side), np.array([170.0, FLOOR_Y - 10]), np.array([50.0, FLOOR_Y - 8]))
    _sym(pts, "elbow", sh + (15, 70))
    _sym(pts, "wrist", np.array([sh[0] + 25, FLOOR_Y - 6]))
    return _pose(pts, vis)


def frog(curve: float = 0.0, vis: float = 0.95) -> Pose:
    """The adductor opener's frog: face down on the forearms, knees wide apart (in depth), shins
    back, hips sinking back; the neck bent ``curve`` degrees down (a rounding back)."""
    pts: dict[str, np.ndarray] = {}
    hip = np.array([280.0, FLOOR_Y - 70])
    sh = _trunk(pts, hip, 90, curve)
    for s, z in (("left", 220.0), ("right", -220.0)):
        _legs(pts, s, np.array([290.0, FLOOR_Y - 10, z]), np.array([170.0, FLOOR_Y - 8, z]))
    _sym(pts, "elbow", np.array([sh[0], FLOOR_Y - 8]))
    _sym(pts, "wrist", np.array([sh[0] + 70, FLOOR_Y - 8]))
    return _pose(pts, vis)


def wide_fold(curve: float = 0.0, lean: float = 50.0, vis: float = 0.95) -> Pose:
    """Sitting with the legs long and wide (in depth), folded ``lean`` degrees forward, the neck
    bent ``curve`` degrees further (a rounding upper back)."""
    pts: dict[str, np.ndarray] = {}
    hip = np.array([300.0, FLOOR_Y - 25])
    sh = _trunk(pts, hip, lean, curve)
    for s, z in (("left", 150.0), ("right", -150.0)):
        _legs(pts, s, np.array([460.0, FLOOR_Y - 14, z]), np.array([600.0, FLOOR_Y - 10, 2 * z]))
    _sym(pts, "elbow", sh + (50, 60))
    _sym(pts, "wrist", np.array([sh[0] + 110, FLOOR_Y - 6]))
    return _pose(pts, vis)


def cow_face(side: str = "left", curve: float = 0.0, lean: float = 5.0, vis: float = 0.95) -> Pose:
    """Sitting tall, ``side`` knee stacked on top of the other, each foot beside the opposite
    hip; the neck bent ``curve`` degrees forward (rounding)."""
    pts: dict[str, np.ndarray] = {}
    hip = np.array([300.0, FLOOR_Y - 25])
    sh = _trunk(pts, hip, lean, curve)
    _legs(pts, side, np.array([420.0, FLOOR_Y - 62, 0]), np.array([310.0, FLOOR_Y - 8, 140]))
    _legs(pts, _other(side), np.array([415.0, FLOOR_Y - 28, 0]), np.array([310.0, FLOOR_Y - 8, -140]))
    _sym(pts, "elbow", sh + (30, 80))
    _sym(pts, "wrist", np.array([415.0, FLOOR_Y - 70]))
    return _pose(pts, vis)


def side_lying(side: str = "left", kick: float = 45.0, trunk: float = 0.0,
               vis: float = 0.95) -> Pose:
    """Lying on the ``side`` side facing the camera, head at the left propped on the hand, legs
    45 degrees forward (toward the camera); the top leg at ``kick`` degrees of hip flexion, the
    trunk curled ``trunk`` degrees toward the legs."""
    pts: dict[str, np.ndarray] = {}
    top = _other(side)
    for s, dy in ((side, 0.0), (top, -55.0)):
        hip = np.array([370.0, FLOOR_Y - 22 + dy, 0.0])
        t = math.radians(trunk)
        pts[f"{s}_hip"] = hip
        pts[f"{s}_shoulder"] = hip + (-170 * math.cos(t), -3, -170 * math.sin(t))
        f = math.radians(45.0 if s == side else kick)
        along = np.array([math.cos(f), 0.0, -math.sin(f)])
        _legs(pts, s, hip + 150 * along, hip + 290 * along)
    pts["left_ear"] = pts["right_ear"] = np.array([135.0, FLOOR_Y - 60])
    pts["nose"] = np.array([130.0, FLOOR_Y - 50, -60])
    pts[f"{side}_elbow"] = np.array([120.0, FLOOR_Y - 10])
    pts[f"{side}_wrist"] = np.array([135.0, FLOOR_Y - 40])
    pts[f"{top}_elbow"] = np.array([260.0, FLOOR_Y - 70, -40])
    pts[f"{top}_wrist"] = np.array([300.0, FLOOR_Y - 10, -80])
    return _pose(pts, vis)


def wall_glute(side: str = "left", hip_lift: float = 0.0, knee: float = 90.0,
               hip: float = 90.0, vis: float = 0.95) -> Pose:
    """On the back, head at the left of the frame, feet on a wall at the right: the other leg's
    thigh at ``hip`` degrees to the trunk (90 = upright) with its shin level to the wall, and the
    ``side`` ankle resting across that thigh just below the knee, the knee bent ``knee`` degrees
    (the wall figure-4 is the same figure with the thigh drawn closer: ``hip`` < 90)."""
    other = _other(side)
    pts: dict[str, np.ndarray] = {}
    sh, hp = _supine_trunk(pts, hip_lift)
    knee_o = hp + 130 * _dir(180 - hip)
    ankle_o = knee_o + 120 * _dir(0)  # the foot flat on the wall
    pts[f"{other}_knee"], pts[f"{other}_ankle"] = knee_o, ankle_o
    pts[f"{other}_heel"], pts[f"{other}_foot_index"] = _foot(ankle_o, knee_o, 90, _dir(90))
    ankle_a = knee_o + (hp - knee_o) * 0.15  # on the thigh, near the knee
    knee_a = _apex(hp, ankle_a, knee, _dir(0))
    pts[f"{side}_knee"], pts[f"{side}_ankle"] = knee_a, ankle_a
    pts[f"{side}_heel"], pts[f"{side}_foot_index"] = _foot(ankle_a, knee_a, 90, _dir(90))
    _sym(pts, "elbow", sh + (0, -5))
    _sym(pts, "wrist", sh + (-10, -5))
    return _pose(pts, vis)


def chair_figure4(side: str = "left", knee: float = 90.0, lean: float = 5.0,
                  vis: float = 0.95) -> Pose:
    """Sitting on a chair facing right, the other foot flat on the floor, the ``side`` ankle
    across the other knee with that knee bent ``knee`` degrees; trunk leaning ``lean`` forward."""
    other = _other(side)
    pts: dict[str, np.ndarray] = {}
    hip = np.array([300.0, FLOOR_Y - 125])
    sh = _trunk(pts, hip, lean)
    knee_o = hip + np.array([130.0, 0.0])
    ankle_o = np.array([knee_o[0], FLOOR_Y - 5])
    pts[f"{other}_knee"], pts[f"{other}_ankle"] = knee_o, ankle_o
    pts[f"{other}_heel"], pts[f"{other}_foot_index"] = _foot(ankle_o, knee_o, 90, _dir(0))
    ankle_a = knee_o + np.array([10.0, -12.0])
    knee_a = _apex(hip, ankle_a, knee, _dir(90))
    pts[f"{side}_knee"], pts[f"{side}_ankle"] = knee_a, ankle_a
    pts[f"{side}_heel"], pts[f"{side}_foot_index"] = _foot(ankle_a, knee_a, 90, _dir(90))
    _sym(pts, "elbow", sh + (30, 80))
    _sym(pts, "wrist", sh + (70, 120))
    return _pose(pts, vis)
