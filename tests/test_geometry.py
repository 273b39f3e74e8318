import math

import numpy as np
import pytest

from coach.pose import geometry as g


@pytest.mark.parametrize(
    ("a", "b", "c", "expected"),
    [
        ((1, 0), (0, 0), (0, 1), 90.0),
        ((1, 0), (0, 0), (-1, 0), 180.0),
        ((1, 0), (0, 0), (1, 0), 0.0),
        ((1, 0, 0), (0, 0, 0), (1, 1, 0), 45.0),
        ((0, 0, 1), (0, 0, 0), (0, 1, 0), 90.0),  # works in 3-D
    ],
)
def test_angle_at(a, b, c, expected):
    assert g.angle_at(np.array(a), np.array(b), np.array(c)) == pytest.approx(expected)


def test_angle_at_degenerate_is_nan():
    assert math.isnan(g.angle_at(np.array((0, 0)), np.array((0, 0)), np.array((1, 0))))


@pytest.mark.parametrize(
    ("v", "expected"),
    [((0, -1), 0.0), ((1, 0), 90.0), ((-1, 0), 90.0), ((0, 1), 180.0), ((1, -1), 45.0)],
)
def test_angle_from_vertical_image_coordinates(v, expected):
    assert g.angle_from_vertical(np.array(v, float)) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("u", "v", "expected"),
    [((1, 0), (0, 1), 90.0), ((1, 0), (0, -1), -90.0), ((1, 0), (1, 0), 0.0)],
)
def test_signed_angle(u, v, expected):
    assert g.signed_angle(np.array(u, float), np.array(v, float)) == pytest.approx(expected)


def test_perpendicular_and_midpoint():
    assert tuple(g.perpendicular(np.array([1.0, 0.0]))) == (-0.0, 1.0)
    assert tuple(g.midpoint(np.array([0, 0]), np.array([2, 4]))) == (1.0, 2.0)
