"""The overlay draws what the session decided, scaled to the frame; it decides nothing."""

from __future__ import annotations

import numpy as np
import pytest
import synth

from coach.output.annotate import CUE_COLOUR, RED, Overlay
from coach.pose.core import Pose
from coach.rules.definitions import find_exercise
from coach.session.session import Session


def _state(pose_fn, seconds=4.0, fps=15):
    s = Session(find_exercise("supine_figure4"))
    state = None
    for i in range(int(seconds * fps)):
        state = s.update(pose_fn(), i / fps)
    return state


def _banner_height(img: np.ndarray) -> int:
    """Rows at the bottom whose first columns carry the cue's colour tab."""
    col = img[:, 2].astype(int)
    rows = 0
    for y in range(img.shape[0] - 1, 0, -1):
        if np.abs(col[y] - col[-1]).sum() > 30:
            break
        rows += 1
    return rows


@pytest.mark.parametrize(("w", "h"), [(640, 480), (1280, 960)])
def test_overlay_scales_with_the_frame(w, h):
    state = _state(lambda: synth.supine_figure4("left", knee=150))
    scale = w / 640
    pose = Pose(state.pose.xy * scale, state.pose.world, state.pose.visibility, (w, h))
    from dataclasses import replace
    state = replace(state, pose=pose)
    img = np.full((h, w, 3), 200, np.uint8)
    out = Overlay(find_exercise("supine_figure4")).annotate(img.copy(), state)
    assert out.shape == img.shape and (out != img).any()
    assert state.cue is not None and state.cue.kind == "fault"
    assert tuple(int(v) for v in out[h - 3, 2]) == CUE_COLOUR["fault"]
    assert _banner_height(out) == pytest.approx(27 * scale, rel=0.25)


def test_faulting_limb_is_drawn_red():
    state = _state(lambda: synth.supine_figure4("left", knee=150))
    img = np.full((480, 640, 3), 200, np.uint8)
    out = Overlay(find_exercise("supine_figure4")).annotate(img, state)
    knee, ankle = state.pose.point("left_knee"), state.pose.point("left_ankle")
    x, y = ((knee + ankle) / 2).astype(int)
    patch = out[y - 2:y + 3, x - 2:x + 3].reshape(-1, 3)
    assert any(tuple(int(v) for v in px) == RED for px in patch)


def test_no_person_says_so():
    state = _state(lambda: Pose.empty((640, 480)), seconds=1)
    img = np.full((480, 640, 3), 200, np.uint8)
    out = Overlay(find_exercise("supine_figure4")).annotate(img, state)
    assert (out[-20:] != 200).any()
    assert state.cue is not None and "view" in state.cue.text
