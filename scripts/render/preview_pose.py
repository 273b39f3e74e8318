"""Preview named poses from the pose library as contact sheets, to check them by eye.

    .venv-render/bin/python scripts/render/preview_pose.py NAME [NAME ...] \
        [--right] [--no-arm-ground] [--draft FILE] [--out out/poses]

Each pose is put on a default body (every phenotype value 0.5, default colours), grounded the
way the renderer grounds it, and rendered at 320x240 from four cameras around it: side (from
the person's left), three-quarter front, front-high and back quarter. The four views are tiled
into ``OUT/NAME[_right].png`` under a caption with a few true joint angles (from the regressed
COCO keypoints; 180 = straight) and the lowest point of each body part above the floor (cm), so
floating or sunken parts show up as numbers too.

``--draft FILE`` reads a pose file being written (say a copy outside the repository) in place of the
same-named poses_*.toml beside poses.toml, so renders running from the library never see a
half-edited file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PHENOTYPE = {"gender": 0.5, "age": 0.5, "weight": 0.5, "muscle": 0.5, "height": 0.5}
TILE = (320, 240)
YFOV = 40.0
# view name -> direction from the body centre to the camera (x = person's left, -y = front)
VIEWS = {
    "side": (1.0, 0.0, 0.18),
    "3/4 front": (0.7, -0.7, 0.4),
    "front high": (0.0, -1.0, 1.1),
    "back 3/4": (-0.7, 0.7, 0.4),
}
# body part -> bone-name prefixes (by each vertex's dominant bone)
PARTS = {
    "head": ("neck", "head", "eye"),
    "torso": ("root", "pelvis", "spine", "clavicle", "shoulder"),
    "arm": ("upperarm", "lowerarm"),
    "hand": ("wrist", "finger", "metacarpal"),
    "thigh": ("upperleg",),
    "shin": ("lowerleg",),
    "foot": ("foot", "toe"),
}


def joint_angles(kp: np.ndarray, names: tuple[str, ...]) -> dict[str, float]:
    """A few whole-body angles (deg) from keypoints in world metres (Z up)."""
    p = {n: kp[i] for i, n in enumerate(names)}

    def angle(u: np.ndarray, v: np.ndarray) -> float:
        c = np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v) + 1e-12)
        return float(np.degrees(np.arccos(np.clip(c, -1.0, 1.0))))

    mid_hip = (p["left_hip"] + p["right_hip"]) / 2
    trunk = (p["left_shoulder"] + p["right_shoulder"]) / 2 - mid_hip
    out = {"trunk_from_vertical": angle(trunk, np.array([0.0, 0.0, 1.0]))}
    for s, side in (("L", "left"), ("R", "right")):
        hip, knee, ankle = p[f"{side}_hip"], p[f"{side}_knee"], p[f"{side}_ankle"]
        out[f"knee_{s}"] = angle(hip - knee, ankle - knee)
        out[f"hip_{s}"] = angle(trunk, knee - hip)  # trunk-thigh angle: 180 = in line
        elbow = p[f"{side}_elbow"]
        out[f"elbow_{s}"] = angle(p[f"{side}_shoulder"] - elbow, p[f"{side}_wrist"] - elbow)
    out["thighs_apart"] = angle(p["left_knee"] - p["left_hip"], p["right_knee"] - p["right_hip"])
    return out


def part_floor(vertices: np.ndarray, bones: list[str]) -> dict[str, float]:
    """Lowest point (cm above the floor) of each body part, limbs split into L and R."""
    out = {}
    for part, prefixes in PARTS.items():
        is_part = np.array([b.startswith(prefixes) for b in bones])
        sides = ("",) if part in ("head", "torso") else (".L", ".R")
        for s in sides:
            mask = is_part & np.array([b.endswith(s) for b in bones]) if s else is_part
            if mask.any():
                out[part + s.replace(".", "_")] = float(vertices[mask, 2].min() * 100)
    return out


def cameras(vertices: np.ndarray):
    """Cameras (render.scene.Camera) around a body centred at the origin, fitted to its size."""
    from render.scene import Camera

    lo, hi = vertices.min(0), vertices.max(0)
    centre = np.array([0.0, 0.0, (lo[2] + hi[2]) / 2])
    radius = 0.5 * float(np.linalg.norm(hi - lo))
    dist = 1.08 * radius / np.sin(np.radians(YFOV / 2))
    cams = {}
    for name, d in VIEWS.items():
        d = np.asarray(d) / np.linalg.norm(d)
        cams[name] = Camera(centre + dist * d, centre, YFOV, *TILE)
    return cams


def render_sheet(body, texture, name: str, pose, ground_on_arms: bool, out: Path) -> Path:
    """Pose the body, render the four views and write the captioned contact sheet."""
    from PIL import Image, ImageDraw

    from render.body import KEYPOINT_NAMES
    from render.scene import BodyScene

    posed = body.pose(pose.angles, world_rot=pose.world, lift=pose.lift, ground_on_arms=ground_on_arms)
    lo, hi = posed.vertices.min(0), posed.vertices.max(0)
    shift = np.array([-(lo[0] + hi[0]) / 2, -(lo[1] + hi[1]) / 2, 0.0])
    verts, kps = posed.vertices + shift, posed.keypoints + shift
    bones = [body.model.bone_labels[b] for b in body.dominant_bone]

    w, h = TILE
    caption_h = 68
    sheet = Image.new("RGB", (2 * w, 2 * h + caption_h), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    for i, (view, cam) in enumerate(cameras(verts).items()):
        scene = BodyScene(cam, body.faces, body.face_uv, body.uv, texture)
        tile = Image.fromarray(scene.render(verts))
        scene.close()
        x, y = (i % 2) * w, caption_h + (i // 2) * h
        sheet.paste(tile, (x, y))
        draw.text((x + 4, y + 4), view, fill=(0, 0, 0))

    ang = joint_angles(kps, KEYPOINT_NAMES)
    floor = part_floor(verts, bones)
    seat = float(verts[~body.arm_vertex, 2].min() * 100)
    lows = [f"{k} {v:.1f}" for k, v in floor.items()]
    lines = [
        f"{name}   (lowest non-arm point {seat:.1f} cm; ground_on_arms={ground_on_arms})",
        "  ".join(f"{k} {v:.0f}" for k, v in ang.items()),
        "min z cm: " + "  ".join(lows[:7]),
        "  ".join(lows[7:]),
    ]
    for j, line in enumerate(lines):
        draw.text((4, 3 + 16 * j), line, fill=(0, 0, 0))
    print("\n".join(lines), flush=True)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name.replace(' ', '_')}.png"
    sheet.save(path)
    return path


def load_poses(draft: Path | None):
    """The pose library, with ``draft`` standing in for the same-named poses_*.toml."""
    import shutil
    import tempfile

    from render import poses

    if draft is None:
        return poses.load_library()
    if not draft.name.startswith("poses_") or draft.suffix != ".toml":
        raise SystemExit(f"--draft must be named poses_*.toml, got {draft.name}")
    tmp = Path(tempfile.mkdtemp(prefix="poses_draft_"))
    for f in [poses.LIBRARY, *poses.LIBRARY.parent.glob("poses_*.toml")]:
        if f.name != draft.name:
            shutil.copy(f, tmp / f.name)
    shutil.copy(draft, tmp / draft.name)
    saved, poses.LIBRARY = poses.LIBRARY, tmp / poses.LIBRARY.name
    try:
        return poses.load_library(poses.LIBRARY)
    finally:
        poses.LIBRARY = saved
        shutil.rmtree(tmp)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="+", metavar="NAME", help="pose name(s) from poses*.toml")
    ap.add_argument("--right", action="store_true", help="mirror the pose (the right-side version)")
    ap.add_argument(
        "--no-arm-ground", action="store_true", help="never let the arms hold the body up (seated poses)"
    )
    ap.add_argument("--draft", type=Path, help="a poses_*.toml being edited, used in place of the library's")
    ap.add_argument("--out", type=Path, default=REPO / "out" / "poses", help="output folder")
    args = ap.parse_args(argv)

    sys.path.insert(0, str(HERE.parent))  # the `render` package lives in scripts/
    from render.body import Body, build_texture
    from render.scenario import COLOURS

    lib = load_poses(args.draft)
    poses = {n: lib.pose(n) for n in args.names}  # fail on a bad name before the slow load
    body = Body(PHENOTYPE)
    texture = build_texture(body, COLOURS)
    for name, pose in poses.items():
        if args.right:
            pose, name = pose.mirror(), f"{name}_right"
        path = render_sheet(body, texture, name, pose, not args.no_arm_ground, args.out)
        print(f"wrote {path}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
