"""The recogniser's inputs and outputs on synthetic poses: normalisation, mirroring, the live
path agreeing with the training path, smoothing and hysteresis (and a standing person tracked in the
corpus: nothing named)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from coach.pose import LANDMARK_NAMES, Pose
from coach.recognizer import (
    MIRROR,
    N_DEPTH,
    Model,
    Recognizer,
    Smoother,
    clip_probabilities,
    frame_features,
    mirror_arrays,
)

WH = (640, 480)
CLASSES = (
    "butterfly",
    "other",
    "pigeon:left",
    "pigeon:right",
    "seated_rolldown",
    "supine_figure4:left",
    "supine_figure4:right",
)


def random_pose(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    world = rng.normal(0, 0.3, (33, 3))
    xy = rng.uniform(100, 500, (33, 2))
    vis = rng.uniform(0.4, 1.0, 33)
    return xy[None], world[None], vis[None]


def tiny_model(n_features: int, seed: int = 0, features: int = 1) -> Model:
    rng = np.random.default_rng(seed)
    w = (rng.normal(0, 0.3, (n_features, 16)), rng.normal(0, 0.3, (16, len(CLASSES))))
    b = (rng.normal(0, 0.1, 16), rng.normal(0, 0.1, len(CLASSES)))
    return Model(
        CLASSES,
        np.zeros(n_features),
        np.ones(n_features),
        w,
        b,
        {"coached": ["supine_figure4", "pigeon", "seated_rolldown"], "features": features},
    )


def test_mirror_swaps_sides_and_is_its_own_inverse():
    assert LANDMARK_NAMES[MIRROR[LANDMARK_NAMES.index("left_knee")]] == "right_knee"
    assert LANDMARK_NAMES[MIRROR[0]] == "nose"
    xy, world, vis = random_pose(np.random.default_rng(1))
    back = mirror_arrays(*mirror_arrays(xy, world, vis, WH[0]), WH[0])
    for a, b in zip(back, (xy, world, vis), strict=True):
        np.testing.assert_allclose(a, b)


@pytest.mark.parametrize("version", [1, 2])
@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("moved in the frame", lambda xy, w: (xy + [37.0, -21.0], w)),
        ("twice as big", lambda xy, w: (320 + 2.0 * (xy - 320), 2.0 * w)),
        ("camera turned about the vertical", lambda xy, w: (xy, w @ _turn(70).T)),
    ],
)
def test_features_ignore_size_place_and_turn(name, change, version):
    xy, world, vis = random_pose(np.random.default_rng(2))
    base = frame_features(xy, world, vis, WH, version)
    xy2, world2 = change(xy, world)
    got = frame_features(xy2, world2, vis, WH, version)
    if "turned" in name:  # which point is nearer the camera is meant to change with the view
        n = frame_features(xy, world, vis, WH).shape[1]  # version 1's depth order ends its part
        keep = np.r_[0:n - N_DEPTH, n:base.shape[1]]
        got, base = got[:, keep], base[:, keep]
    # the image aspect feature adds a pixel to each extent, so scaling moves it a hair
    np.testing.assert_allclose(got, base, atol=5e-3, err_msg=name)


def _turn(deg: float) -> np.ndarray:
    a = np.radians(deg)
    return np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])


def test_symmetric_prediction_gives_mirrored_sides_equal_probability():
    rng = np.random.default_rng(3)
    xy, world, vis = (np.concatenate(a) for a in zip(*[random_pose(rng) for _ in range(6)], strict=True))
    ok, times = np.ones(6, bool), np.arange(6) / 10
    f = frame_features(xy, world, vis, WH)
    model = tiny_model(2 * f.shape[1] + 1)
    p = clip_probabilities(model, xy, world, vis, ok, times, WH)
    pm = clip_probabilities(model, *mirror_arrays(xy, world, vis, WH[0]), ok, times, WH)
    left, right = CLASSES.index("pigeon:left"), CLASSES.index("pigeon:right")
    np.testing.assert_allclose(p[:, left], pm[:, right], atol=1e-9)
    np.testing.assert_allclose(p.sum(1), 1.0)


@pytest.mark.parametrize("version", [1, 2])
def test_live_recogniser_reads_the_same_probabilities_as_training(version):
    """Frame by frame (with a frame where nobody is seen) the live path gives the batch rows."""
    rng = np.random.default_rng(4)
    xy, world, vis = (np.concatenate(a) for a in zip(*[random_pose(rng) for _ in range(25)], strict=True))
    ok = np.ones(25, bool)
    ok[7] = False
    times = np.cumsum(rng.uniform(0.05, 0.12, 25))
    n = frame_features(xy[:1], world[:1], vis[:1], WH, version).shape[1]
    model = tiny_model(2 * n + 1, features=version)
    batch = clip_probabilities(model, xy, world, vis, ok, times, WH)
    rec = Recognizer(model, rate=0)  # every frame (the default takes at most 10 a second)
    for i in range(25):
        pose = Pose(xy[i], world[i], vis[i], WH) if ok[i] else Pose.empty(WH)
        rec.update(pose, float(times[i]))
        if ok[i]:
            live = np.array([rec.probs[c] for c in CLASSES])
            np.testing.assert_allclose(live, batch[i], atol=1e-6)
        else:
            assert np.isnan(batch[i]).all() and rec.probs == {}


@pytest.mark.parametrize("fps", [30.0, 15.0, 25.0])
def test_at_a_cameras_frame_rate_the_model_sees_the_poses_it_would_at_its_training_rate(fps):
    """A 30 frames/s camera: the model is asked about every third pose, and those give exactly
    the probabilities of the same poses played at 10 frames/s (the corpus's rate); the frames
    between keep the last ones. At 15 or 25 frames/s it is asked 10 times a second on average."""
    from coach.recognizer import TRAINED_FPS

    rng = np.random.default_rng(8)
    n = int(6 * fps)
    xy, world, vis = (np.concatenate(a) for a in zip(*[random_pose(rng) for _ in range(n)], strict=True))
    times = np.arange(n) / fps
    model = tiny_model(2 * frame_features(xy[:1], world[:1], vis[:1], WH).shape[1] + 1)
    rec = Recognizer(model)
    asked, rows = [], []
    for i in range(n):
        before = rec.row
        rec.update(Pose(xy[i], world[i], vis[i], WH), float(times[i]))
        if rec.row is not before:
            asked.append(i)
        rows.append(rec.row)
    assert abs(len(asked) / (n / fps) - TRAINED_FPS) <= 0.5
    for a, b in zip(asked, [*asked[1:], n], strict=True):  # held until the next one asked
        assert all(rows[j] is rows[a] for j in range(a, b))
    if fps == 30.0:
        assert asked == list(range(0, n, 3))
        sub = np.array(asked)
        batch = clip_probabilities(model, xy[sub], world[sub], vis[sub], np.ones(len(sub), bool),
                                   times[sub], WH)
        np.testing.assert_allclose(np.array([rows[i] for i in asked]), batch, atol=1e-6)
    every = Recognizer(model, rate=0)
    for i in range(10):
        before = every.row
        every.update(Pose(xy[i], world[i], vis[i], WH), float(times[i]))
        assert every.row is not before


def test_model_round_trips_without_pickle(tmp_path):
    model = tiny_model(9)
    model.save(tmp_path / "m.npz")
    back = Model.load(tmp_path / "m.npz")
    assert back.classes == CLASSES and back.meta == model.meta
    x = np.random.default_rng(5).normal(size=(4, 9))
    np.testing.assert_allclose(back.predict(x), model.predict(x), atol=1e-5)


def test_a_half_precision_model_stores_what_it_predicts_with(tmp_path):
    rng = np.random.default_rng(7)
    tiny = tiny_model(9)
    model = Model(tiny.classes, rng.normal(0, 1, 9) / 3, rng.uniform(0.3, 3, 9) / 3, tiny.weights,
                  tiny.biases, tiny.meta)  # a standardisation float32 cannot hold exactly
    half = model.halved()
    half.save(tmp_path / "h.npz")
    model.save(tmp_path / "m.npz")
    back = Model.load(tmp_path / "h.npz")
    assert back.meta["half"] and back.weights[0].dtype == np.float32  # computed in float32
    with np.load(tmp_path / "h.npz", allow_pickle=False) as d:
        assert d["w0"].dtype == np.float16
    x = np.random.default_rng(5).normal(size=(4, 9))
    np.testing.assert_array_equal(back.predict(x), half.predict(x))  # what was validated ships
    np.testing.assert_allclose(half.predict(x), model.predict(x), atol=2e-3)


def _feed(sm: Smoother, seq: list[dict[str, float]], fps: float = 10.0, t0: float = 0.0) -> list[str]:
    return [sm.update(p, t0 + i / fps)[0] for i, p in enumerate(seq)]


def test_smoother_enters_a_stretch_after_its_dwell_and_ignores_flicker():
    sm = Smoother(("pigeon:left", "pigeon:right"))
    labels = _feed(sm, [{"pigeon:left": 0.9, "none": 0.1}] * 10)
    assert labels[0] == "none" and labels[-1] == "pigeon:left"
    # the side read flickers frame to frame (as the rule-based side did on real pigeons)
    flicker = [
        {"pigeon:left": 0.3, "pigeon:right": 0.65, "none": 0.05},
        {"pigeon:left": 0.7, "pigeon:right": 0.25, "none": 0.05},
    ] * 30
    assert set(_feed(sm, flicker, t0=1.0)) == {"pigeon:left"}


def test_smoother_changes_side_only_when_the_other_side_lasts():
    sm = Smoother(("pigeon:left", "pigeon:right"), side_dwell_s=1.5)
    _feed(sm, [{"pigeon:left": 0.9, "none": 0.1}] * 10)
    short = _feed(sm, [{"pigeon:right": 0.9, "none": 0.1}] * 12, t0=1.0)  # 1.2 s: too short
    assert set(short) == {"pigeon:left"}
    _feed(sm, [{"pigeon:left": 0.9, "none": 0.1}] * 10, t0=2.2)
    # a change of side without leaving the stretch is taken once the longer average agrees
    # (about 8 s with side_tau_s 8: the usual change goes through leaving the stretch, taken at once)
    long = _feed(sm, [{"pigeon:right": 0.9, "none": 0.1}] * 120, t0=3.2)
    assert long[-1] == "pigeon:right" and 15 <= long.index("pigeon:right") <= 100


def test_the_fast_side_path_names_a_plain_change_inside_the_stretch_within_two_and_a_half_seconds():
    """Uncrossing the legs read as the stretch throughout (the wall glute stretch's c8 model did):
    with ``fast_margin`` (off by default: measured and not kept) the new side, plain for longer
    than a leg swap lasts, is named within 2.5 s; by default it waits for the longer average."""
    hold = [{"wall_glute:right": 0.95, "none": 0.05}] * 60
    plain = [{"wall_glute:left": 0.98, "none": 0.02}] * 120
    fast = Smoother(("wall_glute:left", "wall_glute:right"), fast_margin=0.8)
    _feed(fast, hold)
    new = _feed(fast, plain, t0=6.0)
    i = new.index("wall_glute:left")
    assert 10 <= i <= 25 and set(new[i:]) == {"wall_glute:left"}
    slow = Smoother(("wall_glute:left", "wall_glute:right"))
    _feed(slow, hold)
    assert _feed(slow, plain, t0=6.0).index("wall_glute:left") > 40


def test_nobody_in_view_decays_to_none():
    sm = Smoother(("pigeon:left",))
    _feed(sm, [{"pigeon:left": 1.0}] * 10)
    gone = _feed(sm, [None] * 20, t0=1.0)
    assert gone[-1] == "none"
    assert gone.index("none") >= 10  # not before the gap_s (1 s) of no pose had passed


def test_the_pose_model_losing_the_person_for_moments_keeps_the_stretch_and_its_averages():
    """Frames without a pose for under ``gap_s`` are no evidence either way: the label and the
    averages stay as they were (before, each counted as 'none' and a gap could end a hold)."""
    hold = {"pigeon:left": 0.9, "none": 0.1}
    sm = Smoother(("pigeon:left", "pigeon:right"))
    _feed(sm, [hold] * 30)
    before = dict(sm.p)
    assert set(_feed(sm, [None] * 8, t0=3.0)) == {"pigeon:left"}  # 0.8 s: under gap_s
    assert sm.p == before
    # several short gaps in a row: each one's clock starts afresh when the person is seen again
    seq = ([None] * 6 + [hold] * 2) * 5
    assert set(_feed(sm, seq, t0=3.8)) == {"pigeon:left"}
    # with no gap allowed, the same gaps end the hold
    strict = Smoother(("pigeon:left", "pigeon:right"), gap_s=0.0)
    _feed(strict, [hold] * 30)
    assert "none" in _feed(strict, seq, t0=3.0)


def test_a_change_under_way_when_the_person_is_lost_waits_afresh_once_seen_again():
    """Time without a pose is no evidence for a change: the other side that had just begun to
    lead before a gap is not named on the first frame back, as if it had led all through it."""
    left, right = {"pigeon:left": 0.9, "none": 0.1}, {"pigeon:right": 0.97, "none": 0.03}
    sm = Smoother(("pigeon:left", "pigeon:right"), side_tau_s=0.4)
    _feed(sm, [left] * 30)
    # the other side takes the lead of the side average (its second of lead begins)...
    assert set(_feed(sm, [right] * 5, t0=3.0)) == {"pigeon:left"}
    _feed(sm, [None] * 9, t0=3.5)  # ...then nobody for 0.9 s
    assert _feed(sm, [right], t0=4.4) == ["pigeon:left"]  # its second of lead starts again
    assert _feed(sm, [right] * 15, t0=4.5)[-1] == "pigeon:right"


class _Sure(Model):
    """A model that names pigeon on the left for every pose (the recogniser asks about the pose
    and its mirror image in one call, rows 0 and 1: the mirror image is the right side)."""

    def predict(self, x: np.ndarray) -> np.ndarray:
        assert len(x) == 2
        return np.array([[0.95, 0.0, 0.05], [0.0, 0.95, 0.05]])


def test_a_pose_lost_for_a_moment_keeps_the_live_recognition():
    """Through the live path (Recognizer.update with an empty pose) a moment without a pose
    keeps the stretch named, a longer absence does not; a still image is judged on its own."""
    import synth

    classes = ("pigeon:left", "pigeon:right", "other")
    model = _Sure(classes, np.zeros(1), np.ones(1), (np.zeros((1, 3), np.float32),),
                  (np.zeros(3, np.float32),), {"coached": ["pigeon"], "features": 1})
    rec = Recognizer(model, unsided=())
    pose = synth.pigeon()
    assert [rec.update(pose, i / 10).label for i in range(20)][-1] == "pigeon:left"
    empty = Pose.empty(pose.image_wh)
    assert {rec.update(empty, 2.0 + i / 10).label for i in range(9)} == {"pigeon:left"}
    assert rec.update(pose, 2.9).label == "pigeon:left"
    assert [rec.update(empty, 3.0 + i / 10).label for i in range(25)][-1] == "none"
    assert Recognizer(model, instant=True).smoother.gap_s == 0.0


def test_side_swaps_of_two_seconds_inside_a_hold_do_not_change_the_side():
    sm = Smoother(("pigeon:left", "pigeon:right"))
    left, right = {"pigeon:left": 0.85, "none": 0.15}, {"pigeon:right": 0.85, "none": 0.15}
    _feed(sm, [left] * 30)
    # the pose model's leg labels swap for 2 s at a time, with 3 s read right between
    held = _feed(sm, ([right] * 20 + [left] * 30) * 4, t0=3.0)
    assert set(held) == {"pigeon:left"}


def test_a_new_side_after_leaving_the_stretch_is_taken_at_once():
    sm = Smoother(("pigeon:left", "pigeon:right"))
    _feed(sm, [{"pigeon:left": 0.9, "none": 0.1}] * 50)
    _feed(sm, [{"none": 1.0}] * 20, t0=5.0)  # out of the stretch, changing legs
    back = _feed(sm, [{"pigeon:right": 0.9, "none": 0.1}] * 20, t0=7.0)
    assert back[-1] == "pigeon:right"
    assert "pigeon:left" not in back  # not the old side first, weighed against old history


def test_an_ensemble_over_two_windows_reads_the_same_live_as_in_training(tmp_path):
    """Members stacked as (k, in, out) layers average their probabilities; a model with a longer
    window too (meta "windows") gets its features from the live path as from the batch path."""
    from coach.recognizer import n_window_features

    rng = np.random.default_rng(6)
    xy, world, vis = (np.concatenate(a) for a in zip(*[random_pose(rng) for _ in range(40)], strict=True))
    ok, times = np.ones(40, bool), np.cumsum(rng.uniform(0.05, 0.12, 40))
    n = n_window_features(frame_features(xy[:1], world[:1], vis[:1], WH).shape[1], (1.0, 3.0))
    members = [tiny_model(n, seed) for seed in range(3)]
    weights = tuple(np.stack(w) for w in zip(*[m.weights for m in members], strict=True))
    biases = tuple(np.stack(b) for b in zip(*[m.biases for m in members], strict=True))
    meta = members[0].meta | {"windows": [1.0, 3.0]}
    model = Model(CLASSES, np.zeros(n), np.ones(n), weights, biases, meta)
    model.save(tmp_path / "m.npz")
    model = Model.load(tmp_path / "m.npz")
    assert model.members == 3 and model.windows == (1.0, 3.0)
    x = rng.normal(size=(5, n))
    np.testing.assert_allclose(model.predict(x), np.mean([m.predict(x) for m in members], 0), atol=1e-5)
    batch = clip_probabilities(model, xy, world, vis, ok, times, WH)
    rec = Recognizer(model, rate=0)
    for i in range(40):
        rec.update(Pose(xy[i], world[i], vis[i], WH), float(times[i]))
        np.testing.assert_allclose([rec.probs[c] for c in CLASSES], batch[i], atol=1e-6)


def _standing_poses(n: int = 5) -> list:
    """The pose model's landmarks of a person standing (a validation clip of the corpus)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    from corpuslib import clips

    for clip in clips("val", kinds=("none",)):
        lab = clip.labels
        idx = [i for i in range(clip.n) if lab["posture"][i] == "stand" and lab["scored"][i]]
        if len(idx) >= n:
            poses = clip.poses()
            return [poses[i] for i in idx[:n]]
    raise AssertionError("no standing person in the corpus's validation part")


def test_without_an_exercise_nothing_is_named_before_a_stretch_is_recognised():
    """Without --exercise, until the recogniser names a stretch the frame shows no stretch:
    no title borrowed from the first exercise, none of its checks, and not its set-up cue."""
    from coach.run import make_session

    session = make_session(None)
    for i, pose in enumerate(_standing_poses()):  # a standing person: nothing the coach knows
        state = session.update(pose, i / 10)
        assert state.seeking and state.verdicts == () and state.readings == ()
        assert state.cue is None or state.cue.text != session.exercise.position_cue
    assert session.report("test", 10.0).segments == []


def test_a_still_names_a_stretch_only_when_sure_enough():
    """A still image has no time to weigh: a stretch the model gives less than
    STILL_MIN_CONFIDENCE is not named; the same probabilities in a video are weighed over time."""
    from coach.recognizer import STILL_MIN_CONFIDENCE, Recognizer

    model = tiny_model(8)  # update_row takes the model's output: its weights do not matter
    # pigeon (left) leads everything else, 'none' (butterfly + other) included, but at 0.4
    unsure = np.array([0.1 if c != "pigeon:left" else 0.4 for c in CLASSES])
    assert STILL_MIN_CONFIDENCE > 0.4
    still = Recognizer(model, instant=True).update_row(unsure, 0.0)
    assert still.stretch == "none"
    sure = np.array([0.4 / 6 if c != "pigeon:left" else 0.6 for c in CLASSES])
    named = Recognizer(model, instant=True).update_row(sure, 0.0)
    assert named.stretch == "pigeon" and named.side == "left" and named.confidence >= STILL_MIN_CONFIDENCE
    video = Recognizer(model)
    labels = [video.update_row(unsure, i / 10).stretch for i in range(20)]
    assert labels[-1] == "pigeon"


def test_hidden_none_classes_count_as_none_and_are_never_named_as_a_look():
    """A model with a class of its own for a stretch's rest positions ("other_near") sums it into
    'none' like "other", and never tells the user the pose "looks like other_near"."""
    classes = ("butterfly", "other", "other_near", "pigeon:left", "pigeon:right")
    rng = np.random.default_rng(0)
    w = (rng.normal(0, 0.3, (8, 4)), rng.normal(0, 0.3, (4, len(classes))))
    b = (np.zeros(4), np.zeros(len(classes)))
    model = Model(classes, np.zeros(8), np.ones(8), w, b, {"coached": ["pigeon"], "features": 1})
    rec = Recognizer(model, instant=True)
    row = np.array([0.05, 0.05, 0.8, 0.05, 0.05])
    assert rec.label_probs(row) == pytest.approx({"none": 0.9, "pigeon:left": 0.05, "pigeon:right": 0.05})
    seen = rec.update_row(row, 0.0)
    assert seen.stretch == "none" and seen.looks_like is None
    seen = Recognizer(model, instant=True).update_row(np.array([0.7, 0.1, 0.1, 0.05, 0.05]), 0.0)
    assert seen.stretch == "none" and seen.looks_like == "butterfly"
