import numpy as np
import pytest

from coach.pose.core import N_LANDMARKS, Pose, landmark_index


def _arrays(n=N_LANDMARKS):
    return np.zeros((n, 2)), np.zeros((n, 3)), np.ones(n)


@pytest.mark.parametrize(
    ("xy", "world", "vis", "error"),
    [
        (*_arrays(), None),
        (np.zeros((0, 2)), np.zeros((0, 3)), np.zeros(0), None),
        (np.zeros((17, 2)), np.zeros((17, 3)), np.ones(17), "xy: expected shape"),
        (np.zeros((33, 2)), np.zeros((33, 2)), np.ones(33), "world: expected shape"),
        (np.zeros((33, 2)), np.zeros((33, 3)), np.ones(32), "visibility: expected shape"),
        (np.full((33, 2), np.nan), np.zeros((33, 3)), np.ones(33), "finite"),
    ],
)
def test_pose_validation(xy, world, vis, error):
    if error is None:
        Pose(xy, world, vis, (640, 480))
    else:
        with pytest.raises(ValueError, match=error):
            Pose(xy, world, vis, (640, 480))


def test_empty_pose():
    p = Pose.empty((640, 480))
    assert p.is_empty
    assert p.vis("nose") == 0.0
    assert p.min_visibility(["nose"]) == 0.0


def test_pose_is_immutable():
    p = Pose(*_arrays(), (640, 480))
    with pytest.raises(ValueError):
        p.xy[0, 0] = 5.0


def test_unknown_landmark_lists_valid_names():
    with pytest.raises(ValueError, match="unknown landmark 'left_elbw'.*left_elbow"):
        landmark_index("left_elbw")


def test_from_points_marks_unnamed_landmarks_invisible():
    p = Pose.from_points({"nose": (10, 20), "left_hip": (30, 40)})
    assert p.vis("nose") == 1.0
    assert p.vis("right_knee") == 0.0
    assert tuple(p.point("nose")) == (10.0, 20.0)
