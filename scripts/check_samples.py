"""Check rendered samples against the pose estimator (the bundled MediaPipe model, offline).

For every samples/NAME.mp4 with its NAME.truth.json and NAME.keypoints.npz, prints the
detection rate and the mean landmark error against the truth (COCO-17-equivalent landmarks,
in units of the 2-D torso length), and writes a contact sheet to out/contact/NAME.png: a 4x3
grid of frames with truth keypoints (green = person's left, magenta = right) and MediaPipe
landmarks (yellow = left, cyan = right).

    python scripts/check_samples.py [samples/] [--names figure4_clean,pigeon_clean]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

# MediaPipe Pose landmark index for each truth keypoint name (same anatomical point).
MP_INDEX = {
    "nose": 0,
    "left_eye": 2,
    "right_eye": 5,
    "left_ear": 7,
    "right_ear": 8,
    "left_shoulder": 11,
    "right_shoulder": 12,
    "left_elbow": 13,
    "right_elbow": 14,
    "left_wrist": 15,
    "right_wrist": 16,
    "left_hip": 23,
    "right_hip": 24,
    "left_knee": 25,
    "right_knee": 26,
    "left_ankle": 27,
    "right_ankle": 28,
    "left_heel": 29,
    "right_heel": 30,
    "left_foot_index": 31,
    "right_foot_index": 32,
}
COCO17 = list(MP_INDEX)[:17]
BONES = [
    ("left_shoulder", "left_elbow"),
    ("left_elbow", "left_wrist"),
    ("right_shoulder", "right_elbow"),
    ("right_elbow", "right_wrist"),
    ("left_shoulder", "right_shoulder"),
    ("left_hip", "right_hip"),
    ("left_shoulder", "left_hip"),
    ("right_shoulder", "right_hip"),
    ("left_hip", "left_knee"),
    ("left_knee", "left_ankle"),
    ("right_hip", "right_knee"),
    ("right_knee", "right_ankle"),
]

app = typer.Typer(add_completion=False)


def read_frames(path: Path) -> list[np.ndarray]:
    import av

    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


def run_estimator(frames: list[np.ndarray], fps: float) -> np.ndarray:
    """(F, 33, 3) pixel x, y and visibility; NaN where no person was found."""
    from coach.pose.estimator import open_estimator

    out = np.full((len(frames), 33, 3), np.nan)
    with open_estimator(video=True) as est:
        for i, f in enumerate(frames):
            pose = est.estimate(np.ascontiguousarray(f[:, :, ::-1]), i / fps)  # RGB -> BGR
            if not pose.is_empty:
                out[i, :, :2], out[i, :, 2] = pose.xy, pose.visibility
    return out


def torso_length(xy: np.ndarray, names: list[str]) -> np.ndarray:
    """2-D distance between shoulder centre and hip centre, per frame."""
    ix = {n: i for i, n in enumerate(names)}
    sh = (xy[:, ix["left_shoulder"]] + xy[:, ix["right_shoulder"]]) / 2
    hp = (xy[:, ix["left_hip"]] + xy[:, ix["right_hip"]]) / 2
    return np.linalg.norm(sh - hp, axis=1)


def errors(truth_xy: np.ndarray, names: list[str], mp_xy: np.ndarray) -> dict[str, float]:
    ix = {n: i for i, n in enumerate(names)}
    torso = torso_length(truth_xy, names)
    per = {}
    for n in COCO17 + [n for n in MP_INDEX if n not in COCO17 and n in ix]:
        d = np.linalg.norm(truth_xy[:, ix[n]] - mp_xy[:, MP_INDEX[n], :2], axis=1) / torso
        per[n] = float(np.nanmean(d))
    return per


def contact_sheet(frames, truth_xy, names, mp, path: Path, title: str) -> None:
    from PIL import Image, ImageDraw

    ix = {n: i for i, n in enumerate(names)}
    idx = np.linspace(0, len(frames) - 1, 12).round().astype(int)
    h, w = frames[0].shape[:2]
    sheet = Image.new("RGB", (w * 4, h * 3), "white")
    r = max(2, w // 160)
    for k, fi in enumerate(idx):
        im = Image.fromarray(frames[fi])
        d = ImageDraw.Draw(im)
        t = truth_xy[fi]
        for a, b in BONES:
            d.line([tuple(t[ix[a]]), tuple(t[ix[b]])], fill=(0, 160, 0), width=max(1, r // 2))
        for n, i in ix.items():
            c = (0, 200, 0) if n.startswith("left") else (220, 0, 220)
            x, y = t[i]
            d.ellipse([x - r, y - r, x + r, y + r], fill=c)
        if not np.isnan(mp[fi, 0, 0]):
            m = mp[fi]
            for a, b in BONES:
                d.line(
                    [tuple(m[MP_INDEX[a], :2]), tuple(m[MP_INDEX[b], :2])],
                    fill=(230, 200, 0),
                    width=max(1, r // 2),
                )
            for n, j in MP_INDEX.items():
                c = (255, 220, 0) if n.startswith("left") else (0, 220, 255)
                x, y = m[j, :2]
                d.rectangle([x - r, y - r, x + r, y + r], outline=c, width=2)
        else:
            d.text((w // 2 - 40, 20), "NO DETECTION", fill=(255, 0, 0))
        d.text((6, 6), f"{title}  frame {fi}  t={fi / 15:.1f}s", fill=(0, 0, 0))
        sheet.paste(im, ((k % 4) * w, (k // 4) * h))
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path)


@app.command()
def main(
    samples: Annotated[Path, typer.Argument(help="folder with NAME.mp4 + truth")] = Path("samples"),
    names: Annotated[str | None, typer.Option(help="comma-separated sample names")] = None,
    contact: Annotated[Path, typer.Option(help="contact sheet folder")] = Path("out/contact"),
    json_out: Annotated[Path | None, typer.Option("--json", help="write figures here")] = None,
) -> None:
    """Detection rate and landmark error of MediaPipe on every sample."""
    truths = sorted(samples.glob("*.truth.json"))
    if names:
        wanted = set(names.split(","))
        truths = [t for t in truths if t.name.removesuffix(".truth.json") in wanted]
    if not truths:
        typer.echo(f"error: no samples found in {samples}", err=True)
        raise typer.Exit(2)
    report = {}
    typer.echo(f"{'sample':24s} {'frames':>6s} {'detect':>7s} {'err/torso':>9s}  worst landmarks")
    for tp in truths:
        truth = json.loads(tp.read_text())
        name = truth["sample"]
        kp = np.load(samples / f"{name}.keypoints.npz")
        kn = [str(n) for n in kp["names"]]
        frames = read_frames(samples / truth["video"])
        if len(frames) != truth["frames"]:
            typer.echo(
                f"warning: {name}: {len(frames)} frames decoded, truth says {truth['frames']}", err=True
            )
        n = min(len(frames), len(kp["xy"]))
        frames, txy = frames[:n], kp["xy"][:n].astype(np.float64)
        mp = run_estimator(frames, float(truth["fps"]))
        det = float(np.mean(~np.isnan(mp[:, 0, 0])))
        per = errors(txy, kn, mp)
        mean17 = float(np.mean([per[k] for k in COCO17]))
        worst = sorted(per.items(), key=lambda kv: -kv[1])[:3]
        typer.echo(
            f"{name:24s} {n:6d} {det:7.1%} {mean17:9.3f}  " + ", ".join(f"{k} {v:.2f}" for k, v in worst)
        )
        report[name] = {
            "frames": n,
            "detection_rate": round(det, 4),
            "error_torso": round(mean17, 4),
            "per_landmark": {k: round(v, 4) for k, v in per.items()},
        }
        contact_sheet(frames, txy, kn, mp, contact / f"{name}.png", name)
    if json_out:
        json_out.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(app())
