"""Plane geometry on pixel coordinates (x right, y down). Pure numpy, no I/O."""

from __future__ import annotations

import math

import numpy as np

UP = np.array([0.0, -1.0])  # image "up" (y grows downward)
_EPS = 1e-9


def _vec(p: np.ndarray | tuple[float, ...]) -> np.ndarray:
    return np.asarray(p, dtype=np.float64)


def norm(v: np.ndarray) -> float:
    """Euclidean length: for float64, what ``np.linalg.norm`` computes (the square root of
    ``v.dot(v)``, the same number) without its dispatch, which took most of its time here."""
    x = np.asarray(v)
    if x.dtype != np.float64:
        return float(np.linalg.norm(x))
    x = x.ravel()
    return math.sqrt(float(x.dot(x)))


def midpoint(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (_vec(a) + _vec(b)) / 2.0


def angle_between(u: np.ndarray, v: np.ndarray) -> float:
    """Unsigned angle between two vectors in degrees, in [0, 180]; nan for a zero vector."""
    u, v = _vec(u), _vec(v)
    nu, nv = norm(u), norm(v)
    if nu < _EPS or nv < _EPS:
        return math.nan
    c = float(np.dot(u, v)) / (nu * nv)
    return math.degrees(math.acos(max(-1.0, min(1.0, c))))


def angle_at(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """Angle ABC at vertex b in degrees (180 = a, b, c in a straight line)."""
    return angle_between(_vec(a) - _vec(b), _vec(c) - _vec(b))


def signed_angle(u: np.ndarray, v: np.ndarray) -> float:
    """Angle from u to v in degrees, (-180, 180], positive when turning like x toward y."""
    u, v = _vec(u)[:2], _vec(v)[:2]
    if norm(u) < _EPS or norm(v) < _EPS:
        return math.nan
    cross = u[0] * v[1] - u[1] * v[0]
    return math.degrees(math.atan2(cross, float(np.dot(u, v))))


def angle_from_vertical(v: np.ndarray) -> float:
    """Angle of an image vector from straight up, in degrees: 0 up, 90 horizontal, 180 down."""
    return angle_between(v, UP)


def perpendicular(v: np.ndarray) -> np.ndarray:
    """v turned by 90 degrees (x toward y)."""
    v = _vec(v)
    return np.array([-v[1], v[0]])
