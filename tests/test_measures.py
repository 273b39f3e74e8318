import math

import pytest
import synth

from coach.pose.core import LANDMARK_NAMES, Pose
from coach.rules import measures as M
from coach.rules.sides import SIDE_RULES

FLOOR = {"floor": ["left_knee", "right_knee", "left_ankle", "right_ankle"]}


@pytest.mark.parametrize(
    ("pose", "measure", "side", "params", "expected", "tol"),
    [
        (synth.supine_figure4("left", knee=90), "knee_angle", "left", None, 90, 3),
        (synth.supine_figure4("left", knee=150), "knee_angle", "left", None, 150, 4),
        (synth.supine_figure4("right", ankle=90), "ankle_flexion", "right", None, 90, 0.5),
        (synth.supine_figure4("right", ankle=150), "ankle_flexion", "right", None, 150, 0.5),
        (synth.supine_figure4("left"), "trunk_lean", None, None, 90, 1),
        (synth.supine_figure4("left"), "crossed_ankle_distance", "left", None, 0.12, 0.05),
        (synth.seated(lean=0), "trunk_lean", None, None, 0, 0.5),
        (synth.seated(lean=40), "trunk_lean", None, None, 40, 0.5),
        (synth.seated(lean=20, curve=35), "spine_curvature", None, None, 35, 0.5),
        (synth.seated(lean=20, curve=0), "spine_curvature", None, None, 0, 0.5),
        (synth.pigeon("left", knee=90), "knee_angle", "left", None, 90, 2),
        (synth.pigeon("left"), "knee_angle", "left", {"leg": "other"}, 167, 5),
        (synth.standing(), "hip_height", None, FLOOR, 1.1, 0.05),
        (synth.pigeon("left", lean=40), "trunk_pitch", None, None, 40, 0.5),
        (synth.pigeon("left", lean=-30), "trunk_pitch", None, None, -30, 0.5),
        (synth.pigeon("left", lean=-30), "trunk_lean", None, None, 30, 0.5),
        (synth.seated(lean=0), "neck_length", None, None, 55 / 170, 0.01),
        (synth.wall_glute("left"), "hip_angle", "left", {"leg": "other"}, 90, 2),
        (synth.wall_glute("left", hip=60), "hip_angle", "left", {"leg": "other"}, 60, 2),
    ],
)
def test_measurements_on_synthetic_poses(pose, measure, side, params, expected, tol):
    r = M.read(pose, measure, side, params)
    assert r.ok, r.reason
    assert r.value == pytest.approx(expected, abs=tol)


def test_spine_curvature_sign_follows_the_face_not_the_screen():
    """A person facing left who rounds forward also reads positive."""
    p = synth.seated(lean=10, curve=30)
    mirrored = Pose(p.xy * [-1, 1] + [640, 0], p.world * [-1, 1, 1], p.visibility, p.image_wh)
    assert M.read(mirrored, "spine_curvature").value == pytest.approx(30, abs=0.5)


def test_hip_height_rises_when_hips_lift():
    low = M.read(synth.seated(), "hip_height", None, FLOOR).value
    high = M.read(synth.seated(hip_lift=40), "hip_height", None, FLOOR).value
    assert high - low == pytest.approx(40 / 170, abs=0.02)


@pytest.mark.parametrize(
    ("pose", "side", "reason"),
    [
        (Pose.empty((640, 480)), "left", "no person"),
        (synth.supine_figure4("left", vis=0.2), "left", "can't see"),
        (synth.supine_figure4("left"), None, "side not known"),
    ],
)
def test_unmeasurable_says_why(pose, side, reason):
    r = M.read(pose, "knee_angle", side)
    assert not r.ok and r.value is None
    assert reason in r.reason


def test_ankle_forward_tells_the_front_shin():
    p = synth.seated(front="right")
    right = M.read(p, "ankle_forward", "right").value
    left = M.read(p, "ankle_forward", "left").value
    assert right > left


@pytest.mark.parametrize(
    ("name", "params", "error"),
    [
        ("knee_angel", {}, "unknown measure 'knee_angel'; expected one of: .*knee_angle"),
        ("knee_angle", {"leg": "front"}, "leg: expected one of"),
        ("knee_angle", {"floor": ["left_hip"]}, "unknown parameter"),
        ("hip_height", {}, "floor: expected a non-empty list"),
        ("hip_height", {"floor": ["left_toe"]}, "unknown landmark 'left_toe'"),
    ],
)
def test_bad_measure_definitions(name, params, error):
    with pytest.raises(ValueError, match=error):
        M.validate_params(M.get_measure(name), params)


@pytest.mark.parametrize(
    ("pose", "measure", "side", "expected"),
    [
        (synth.cow_face("left"), "knee_height", "left", 37 / 170),  # the top knee
        (synth.cow_face("left"), "knee_height", "right", 3 / 170),
        (synth.figure4_twist("right"), "shoulder_lift", "right", 0.0),
        (synth.figure4_twist("right", shoulder_lift=40), "shoulder_lift", "right", 40 / 161),
        (synth.side_lying("left"), "shoulder_lift", "left", -55 / 170),  # the shoulder lain on
    ],
)
def test_knee_height_and_shoulder_lift(pose, measure, side, expected):
    r = M.read(pose, measure, side)
    assert r.ok, r.reason
    assert r.value == pytest.approx(expected, abs=0.01)


def test_a_sided_measure_without_a_side_says_so():
    """A stretch done on both sides at once passes the side "both": no leg to measure."""
    for side in (None, M.BOTH):
        r = M.read(synth.cow_face(), "knee_height", side)
        assert not r.ok and r.reason == "side not known yet"


@pytest.mark.parametrize(
    ("rule", "make"),
    [
        ("top_knee", synth.cow_face),
        ("lower_shoulder", synth.side_lying),
        ("crossed_ankle", synth.seated_twist),
        ("crossed_ankle", synth.figure4_twist),
        ("front_knee", synth.prone_glute),
        ("front_knee", synth.runners_lunge),
    ],
)
@pytest.mark.parametrize("side", ["left", "right"])
def test_side_rules_find_the_stretched_side(rule, make, side):
    r = SIDE_RULES.get(rule)(rule=rule)
    scores = r.scores(make(side), 0.5)
    assert scores is not None
    assert r.leader(scores) == side


def test_trunk_pitch_sign_follows_the_face_not_the_screen():
    """Facing left, a lean forward still reads positive and a lean back negative."""
    for lean in (35, -35):
        p = synth.pigeon("left", lean=lean)
        mirrored = Pose(p.xy * [-1, 1] + [640, 0], p.world * [-1, 1, 1], p.visibility, p.image_wh)
        assert M.read(mirrored, "trunk_pitch").value == pytest.approx(lean, abs=0.5)


def test_hips_flexed_tells_standing_from_sitting_and_reads_the_leg_it_can_see():
    import numpy as np

    from coach.pose import Pose, landmark_index

    standing, seated = synth.standing(), synth.seated()
    assert M.read(standing, "hips_flexed").value > 160  # thighs in line with the trunk
    assert M.read(seated, "hips_flexed").value < 120
    vis = standing.visibility.copy()
    vis[landmark_index("right_knee")] = 0.1  # side-on: the far knee hidden behind the near leg
    one_leg = Pose(standing.xy, standing.world, vis, standing.image_wh)
    assert M.read(one_leg, "hips_flexed").value > 160
    vis[landmark_index("left_knee")] = 0.1
    assert M.read(Pose(standing.xy, standing.world, vis, standing.image_wh), "hips_flexed").value is None
    assert np.isfinite(M.read(seated, "hips_flexed").value)


def _seen_from_the_feet(pose: Pose, c: float) -> Pose:
    """The pose with its long axis (image x, about x = 320) foreshortened to ``c`` of its length,
    as a camera nearer the feet end sees it; the 3-D landmarks keep every length (the lost part
    goes into depth)."""
    pts, depth = {}, {}
    for i, name in enumerate(LANDMARK_NAMES):
        x, y = pose.xy[i]
        pts[name] = (320 + (x - 320) * c, y)
        depth[name] = (x - 320) * math.sqrt(1 - c * c) / 1000.0
    return Pose.from_points(pts, visibility=0.95, depth=depth)


def test_hip_height_m_reads_a_lift_in_metres_and_does_not_grow_with_a_foreshortened_trunk():
    floor = {"floor": ["left_shoulder", "right_shoulder"]}

    def lift(measure, view=lambda p: p):
        down = M.read(view(synth.supine_figure4("left")), measure, None, floor).value
        up = M.read(view(synth.supine_figure4("left", hip_lift=40)), measure, None, floor).value
        return up - down

    assert lift("hip_height_m") == pytest.approx(0.040, abs=1e-6)  # 40 px = 40 mm side-on
    # over the image torso (160 px long, 40 px up at the lifted end)
    assert lift("hip_height") == pytest.approx(40 / math.hypot(160, 40), abs=1e-6)
    # from near the feet (the trunk a third as long in the image) the torso-relative lift
    # grows 2.5 times; the metric one far less (the thighs and shins still give the scale)
    feet = lambda p: _seen_from_the_feet(p, 1 / 3)  # noqa: E731
    assert lift("hip_height", feet) == pytest.approx(40 / math.hypot(160 / 3, 40), abs=1e-6)
    assert 0.040 < lift("hip_height_m", feet) < 0.040 * 1.8


def test_body_scale_is_pixels_per_metre():
    p = synth.seated()  # synthetic world landmarks: 1 px = 1 mm
    assert M._body_scale(p) == pytest.approx(1000.0, rel=1e-6)
