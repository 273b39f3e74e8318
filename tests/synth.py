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


def supine_figure4(side: str = "left", hip_lift: float = 0.0, knee: float = 90.0,
                   ankle: float = 90.0, vis: float = 0.95) -> Pose:
    """Lying on the back, head at the left of the frame; ``side`` ankle over the other knee."""
    other = "right" if side == "left" else "left"
    pts: dict[str, np.ndarray] = {}
    sh = np.array([160.0, FLOOR_Y - 12])
    hip = np.array([320.0, FLOOR_Y - 12 - hip_lift])
    _sym(pts, "shoulder", sh)
    _sym(pts, "hip", hip)
    pts["left_ear"] = pts["right_ear"] = np.array([105.0, FLOOR_Y - 20])
    pts["nose"] = np.array([100.0, FLOOR_Y - 45])
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
    trunk_dir = _dir(90 - lean)
    sh = hip + 170 * trunk_dir
    ear = sh + 55 * _dir(90 - lean - curve)
    _sym(pts, "hip", hip)
    _sym(pts, "shoulder", sh)
    pts["left_ear"] = pts["right_ear"] = ear
    pts["nose"] = ear + 22 * _dir(-lean - curve)
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
    sh = hip + 170 * _dir(90 - lean)
    ear = sh + 55 * _dir(90 - lean - curve)
    _sym(pts, "hip", hip)
    _sym(pts, "shoulder", sh)
    pts["left_ear"] = pts["right_ear"] = ear
    pts["nose"] = ear + 22 * _dir(-lean - curve)
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
