"""Sample renderer: scenario files validate (always), and one frame renders (render extra only)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scripts" / "render" / "scenarios").glob("*.toml"))
sys.path.insert(0, str(ROOT / "scripts"))

from render.scenario import load_scenario  # noqa: E402
from render.truth import summarise  # noqa: E402

HAVE_RENDER = all(importlib.util.find_spec(m) for m in ("anny", "pyrender", "torch"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_is_valid(path: Path) -> None:
    s = load_scenario(path)
    assert 10 <= s.duration_s <= 40
    segs = sorted(s.segments, key=lambda g: g.start_s)
    for a, b in zip(segs, segs[1:], strict=False):
        assert a.end_s <= b.start_s + 1e-9, f"overlapping segments {a} {b}"
    for f in s.faults:
        assert f.end_s - f.start_s >= 3.0
    summary = summarise(s)
    assert set(summary["hold_s"]) == {"left", "right"}


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_committed_truth_matches_scenario(path: Path) -> None:
    s = load_scenario(path)
    truth_path = ROOT / "samples" / f"{s.sample}.truth.json"
    if not truth_path.exists():
        pytest.skip("sample not rendered")
    truth = json.loads(truth_path.read_text())
    assert truth["schema"] == 1 and truth["exercise"] == s.exercise
    assert truth["frames"] == s.frames and truth["fps"] == s.fps
    assert truth | summarise(s) == truth
    kp = np.load(ROOT / "samples" / f"{s.sample}.keypoints.npz")
    assert kp["xy"].shape == (s.frames, 21, 2) and kp["xyz"].shape == (s.frames, 21, 3)


@pytest.mark.skipif(not HAVE_RENDER, reason="render extra (anny, pyrender, torch) not installed")
def test_one_frame_renders(tmp_path: Path) -> None:
    import os

    os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
    from render.render import render_preview

    s = load_scenario(ROOT / "scripts" / "render" / "scenarios" / "figure4_clean.toml")
    (png,) = render_preview(s, tmp_path, [5.0])
    from PIL import Image

    img = np.asarray(Image.open(png))
    assert img.shape == (s.height, s.width, 3)
    assert img.std() > 10  # not a blank frame
