"""The MediaPipe adapter's conversion to Pose (no model needed) and, in the e2e tier, the real
model on a blank frame (nobody there)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from coach.pose.core import N_LANDMARKS
from coach.pose.estimator import open_estimator
from coach.pose.mediapipe import _to_pose


def _landmarks(n: int = N_LANDMARKS, vis: float = 0.9):
    return [SimpleNamespace(x=i / 100, y=0.5, z=0.0, visibility=vis) for i in range(n)]


def test_normalised_landmarks_become_pixels_of_a_non_square_frame():
    world = [SimpleNamespace(x=0.1 * i, y=-0.2, z=0.3) for i in range(N_LANDMARKS)]
    pose = _to_pose(_landmarks(), world, (640, 480))
    assert pose.image_wh == (640, 480)
    assert tuple(pose.point("left_shoulder")) == pytest.approx((0.11 * 640, 0.5 * 480))
    assert tuple(pose.world_point("left_shoulder")) == pytest.approx((1.1, -0.2, 0.3))
    assert pose.vis("nose") == pytest.approx(0.9)
    assert pose.bbox == pytest.approx((0.0, 240.0, 0.32 * 640, 240.0))


def test_a_wrong_landmark_count_is_nobody_rather_than_a_crash():
    assert _to_pose(_landmarks(17), None, (640, 480)).is_empty


@pytest.mark.e2e
def test_blank_frame_has_nobody_and_bad_frames_are_refused():
    with open_estimator(video=False) as est:
        assert est.estimate(np.full((240, 320, 3), 127, np.uint8)).is_empty
        assert est.people == 0
        with pytest.raises(ValueError, match="expected a BGR image"):
            est.estimate(np.zeros((240, 320), np.uint8))
