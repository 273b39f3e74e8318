"""How corpus tracks are stored (scripts/corpuslib.py): quantised steps that each file names, so
files written with the finer steps before c9 read back as they were written."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from corpuslib import LEGACY_QUANT, QUANT, decode_track, encode_track, stored_steps  # noqa: E402


def _track(n: int = 40, seed: int = 0, stand_ins: bool = True) -> dict[str, np.ndarray]:
    """A random track; with ``stand_ins``, the landmarks the corpus does not keep already hold
    their stand-ins' values (as every track reads back), so it reads back whole."""
    from corpuslib import STAND_IN

    rng = np.random.default_rng(seed)
    walk = np.cumsum(rng.normal(0, 0.004, (n, 33, 2)), axis=0)
    out = {
        "xy": (0.5 + walk).astype(np.float32),
        "world": rng.normal(0, 0.4, (n, 33, 3)).astype(np.float32),
        "vis": rng.uniform(0, 1, (n, 33)).astype(np.float32),
        "truth_world": rng.normal(0, 0.5, (n, 21, 3)).astype(np.float32),
        "ok": np.ones(n, bool),
    }
    if stand_ins:
        for k in ("xy", "world", "vis"):
            for i, j in STAND_IN.items():
                out[k][:, i] = out[k][:, j]
    return out


def test_a_track_reads_back_within_half_a_step_of_its_own_steps() -> None:
    arrays = _track()
    stored = encode_track(arrays)
    assert stored_steps(stored) == QUANT
    back = decode_track(stored)
    assert set(back) == set(arrays)
    for name, steps in QUANT.items():
        err = np.abs(back[name].astype(np.float64) - arrays[name]).max()
        assert err <= 0.5 / steps + 1e-6, name
        assert err > 0  # quantised, not stored as it was
    assert np.abs(back["vis"] - arrays["vis"]).max() <= 0.5 / 255 + 1e-6
    assert np.array_equal(back["ok"], arrays["ok"])


def test_a_file_without_its_steps_is_read_with_the_steps_it_was_written_with() -> None:
    arrays = _track(seed=1)
    stored = encode_track(arrays, LEGACY_QUANT)
    legacy = {k: v for k, v in stored.items() if not k.endswith("_steps")}  # as files before c9
    assert stored_steps(legacy) == LEGACY_QUANT
    back, again = decode_track(legacy), decode_track(stored)
    for name in LEGACY_QUANT:
        assert np.array_equal(back[name], again[name])
        assert np.abs(back[name].astype(np.float64) - arrays[name]).max() <= 0.5 / LEGACY_QUANT[name] + 1e-6


def test_coarser_steps_differ_by_no_more_than_half_a_step() -> None:
    arrays = _track(seed=2)
    fine = decode_track(encode_track(arrays, LEGACY_QUANT))
    coarse = decode_track(encode_track(fine))
    for name, steps in QUANT.items():
        assert np.abs(coarse[name].astype(np.float64) - fine[name]).max() <= 0.5 / steps + 1e-6


def test_skeleton_error_is_in_torso_lengths_and_forgives_a_swap_of_sides() -> None:
    """Clip.skeleton_error: the mean image distance of 12 joints from the true ones, over the true
    torso's image length; the model's left and right exchanged are not counted as an error of
    the skeleton's shape (they are counted on their own); NaN where nobody was found."""
    from corpuslib import MP_OF_COCO, SKELETON_JOINTS, Clip

    rng = np.random.default_rng(3)
    n = 4
    truth = rng.uniform(0.2, 0.8, (n, 21, 2))
    truth[:, 5], truth[:, 6] = (0.45, 0.3), (0.55, 0.3)  # shoulders
    truth[:, 11], truth[:, 12] = (0.45, 0.5), (0.55, 0.5)  # hips: a torso of 0.2 x 100 px = 20 px
    mp = np.zeros((n, 33, 2))
    for j in SKELETON_JOINTS:
        mp[:, MP_OF_COCO[j]] = truth[:, j]
    mp[1, MP_OF_COCO[13]] += (0.1, 0.0)  # frame 1: one knee 10 px off -> 10/20/12 torso lengths
    for a, b in ((5, 6), (7, 8), (9, 10), (11, 12), (13, 14), (15, 16)):  # frame 2: sides exchanged
        mp[2, MP_OF_COCO[a]], mp[2, MP_OF_COCO[b]] = truth[2, b], truth[2, a]
    clip = Clip({"id": "test"})
    clip.__dict__["track"] = {"wh": np.array([100, 100]), "xy": mp, "truth_xy": truth,
                              "ok": np.array([True, True, True, False])}
    err = clip.skeleton_error
    assert err[0] == 0.0 and err[2] == 0.0
    assert abs(err[1] - 10 / 20 / 12) < 1e-9
    assert np.isnan(err[3])


def test_the_landmarks_not_kept_read_back_as_their_stand_ins() -> None:
    """The eyes, mouth and fingers are not stored (corpuslib.STAND_IN); read back, each holds its
    stand-in's values (the nose, its own side's wrist), and the others are as stored."""
    from corpuslib import KEPT_LANDMARKS, STAND_IN

    from coach.pose import LANDMARK_NAMES

    arrays = _track(seed=4, stand_ins=False)
    stored = encode_track(arrays)
    assert stored["xy_q"].shape[1] == stored["world_q"].shape[1] == stored["vis_q"].shape[1] == 19
    back = decode_track(stored)
    assert "landmarks" not in back
    for name in ("xy", "world", "vis"):
        assert back[name].shape == arrays[name].shape
        kept = list(KEPT_LANDMARKS)
        step = 0.5 / QUANT.get(name, 255.0) + 1e-6
        assert np.abs(back[name][:, kept].astype(np.float64) - arrays[name][:, kept]).max() <= step
        for i, j in STAND_IN.items():
            assert np.array_equal(back[name][:, i], back[name][:, j])
    for i, j in STAND_IN.items():
        n, stand_in = LANDMARK_NAMES[i], LANDMARK_NAMES[j]
        if "eye" in n or "mouth" in n:
            assert stand_in == "nose"
        else:
            assert n.split("_")[1] in ("pinky", "index", "thumb")
            assert stand_in == n.split("_")[0] + "_wrist"


def test_stand_ins_mirror_as_the_landmarks_they_stand_for() -> None:
    """A mirrored track (the recogniser's other side) reads the same whether mirrored before or
    after the stand-ins are put in: left hand points follow the left wrist."""
    from corpuslib import STAND_IN

    from coach.recognizer import MIRROR

    for i, j in STAND_IN.items():
        assert STAND_IN[int(MIRROR[i])] == int(MIRROR[j])


def test_pigeon_leans_back_are_not_counted_as_its_forward_leans() -> None:
    """The coach counts pigeon's forward leans as reps and its leans back on their own
    (``counts.leans_back``): the truth splits them the same way, so a clip of both is scored
    against each count (the accuracy report had counted both as reps)."""
    from corpuslib import Clip

    segs = [("hold", "left"), ("lean_back", "left"), ("lean", "left"), ("lean_back", "right"),
            ("lean", "right"), ("lean_back", "right"), ("transition", None)]
    clip = Clip({"id": "test", "keys": [],
                 "segments": [{"phase": p, "side": s, "start_s": i, "end_s": i + 1}
                              for i, (p, s) in enumerate(segs)]})
    assert clip.reps() == {"left": 1, "right": 1}
    assert clip.leans_back() == {"left": 1, "right": 2}
