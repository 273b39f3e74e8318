"""The e2e tests' recordings of the pose model, as kept on disk for later runs (tests/replay.py)."""

import numpy as np
import synth
from replay import Replay, _load, _save

from coach.pose import Pose


def test_a_recording_kept_on_disk_replays_the_same_poses(tmp_path):
    held = synth.pigeon("left")
    boxed = Pose(held.xy, held.world, held.visibility, held.image_wh, (10.0, 20.0, 300.0, 400.0))
    seen = [(0.0, held, 1), (1 / 15, Pose.empty(held.image_wh), 0), (2 / 15, boxed, 2)]
    path = tmp_path / "clip.npz"
    _save(path, seen)
    back = _load(path)
    assert [(t, people) for t, _, people in back] == [(t, people) for t, _, people in seen]
    for (_, a, _), (_, b, _) in zip(seen, back, strict=True):
        assert a.is_empty == b.is_empty and a.image_wh == b.image_wh and a.bbox == b.bbox
        if not a.is_empty:
            assert np.array_equal(a.xy, b.xy) and np.array_equal(a.world, b.world)
            assert np.array_equal(a.visibility, b.visibility)
    replay = Replay(back)
    frame = np.zeros((held.image_wh[1], held.image_wh[0], 3), np.uint8)
    assert np.array_equal(replay.estimate(frame, 0.0).xy, held.xy) and replay.people == 1
