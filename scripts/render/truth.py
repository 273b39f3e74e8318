"""Ground truth written next to each video: NAME.truth.json and NAME.keypoints.npz."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .body import KEYPOINT_NAMES
from .scenario import Scenario

COUNTED = ("hold", "lean", "roll")
REPS = ("lean", "roll")


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def summarise(s: Scenario) -> dict:
    """reps and hold_s per side. hold_s = time in hold/lean/roll segments of that side minus
    the time any fault interval overlaps them."""
    reps = {"left": 0, "right": 0}
    hold = {"left": 0.0, "right": 0.0}
    for seg in s.segments:
        if seg.side not in reps or seg.kind not in COUNTED:
            continue
        if seg.kind in REPS:
            reps[seg.side] += 1
        dur = seg.end_s - seg.start_s
        dur -= sum(_overlap(seg.start_s, seg.end_s, f.start_s, f.end_s) for f in s.faults)
        hold[seg.side] += dur
    return {"reps": reps, "hold_s": {k: round(v, 3) for k, v in hold.items()}}


def truth_dict(s: Scenario, repo_root: Path) -> dict:
    try:
        scen = s.path.resolve().relative_to(repo_root.resolve()).as_posix()
    except ValueError:
        scen = s.path.as_posix()
    body = dict(s.phenotype)
    body.update(s.colours)
    cam = s.camera
    return {
        "schema": 1,
        "sample": s.sample,
        "exercise": s.exercise,
        "scenario": scen,
        "video": f"{s.sample}.mp4",
        "fps": s.fps,
        "frames": s.frames,
        "width": s.width,
        "height": s.height,
        "duration_s": round(s.frames / s.fps, 3),
        "body": body,
        "camera": {
            "placement": cam["placement"],
            "position": [float(v) for v in cam["position"]],
            "target": [float(v) for v in cam["target"]],
            "yfov_deg": float(cam["yfov_deg"]),
        },
        "segments": [
            {"phase": g.kind, "side": g.side, "start_s": g.start_s, "end_s": g.end_s} for g in s.segments
        ],
        "faults": [
            {"check": f.kind, "side": f.side, "start_s": f.start_s, "end_s": f.end_s} for f in s.faults
        ],
        **summarise(s),
        "imbalance": s.imbalance,
    }


def write_truth(s: Scenario, out_dir: Path, repo_root: Path, xy: np.ndarray, xyz: np.ndarray) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{s.sample}.truth.json").write_text(json.dumps(truth_dict(s, repo_root), indent=2) + "\n")
    np.savez_compressed(
        out_dir / f"{s.sample}.keypoints.npz",
        xy=xy.astype(np.float32),
        xyz=xyz.astype(np.float32),
        names=np.array(KEYPOINT_NAMES),
    )
