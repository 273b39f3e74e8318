"""Render one scenario to NAME.mp4 (+ truth), or a few preview PNGs."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from .body import Body, build_texture
from .poses import load_library
from .scenario import Scenario
from .scene import BodyScene, Camera
from .timeline import Timeline
from .truth import write_truth

REPO = Path(__file__).resolve().parents[2]


def make_camera(s: Scenario) -> Camera:
    c = s.camera
    return Camera(
        np.asarray(c["position"], float),
        np.asarray(c["target"], float),
        float(c["yfov_deg"]),
        s.width,
        s.height,
    )


def _setup(s: Scenario):
    body = Body(s.phenotype)
    tex = build_texture(body, s.colours)
    cam = make_camera(s)
    sc = s.scene
    scene = BodyScene(
        cam,
        body.faces,
        body.face_uv,
        body.uv,
        tex,
        floor=sc.get("floor", "#b9ad9a"),
        wall=sc.get("wall", "#dcd6cc"),
        mat=sc.get("mat", "#4b6e8a") or None,
        mat_center=tuple(sc.get("mat_center", (0.0, 0.0))),
        mat_angle=float(sc.get("mat_angle", 0.0)),
    )
    return body, cam, scene, Timeline(s, load_library())


def frame_at(body: Body, timeline: Timeline, t: float):
    p = timeline.at(t)
    arms = bool(timeline.s.motion.get("ground_on_arms", True))
    return body.pose(p.angles, world_rot=p.world, world_xy=p.xy, lift=p.lift, ground_on_arms=arms)


def render_video(s: Scenario, out_dir: Path, crf: int = 26) -> Path:
    import av

    body, cam, scene, timeline = _setup(s)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{s.sample}.mp4"
    container = av.open(str(path), "w")
    stream = container.add_stream("libx264", rate=s.fps)
    stream.width, stream.height, stream.pix_fmt = s.width, s.height, "yuv420p"
    stream.options = {"crf": str(crf), "preset": "medium"}
    xy = np.zeros((s.frames, len(body.rest.keypoints), 2))
    xyz = np.zeros((s.frames, len(body.rest.keypoints), 3))
    t0 = time.time()
    for i in range(s.frames):
        posed = frame_at(body, timeline, i / s.fps)
        img = scene.render(posed.vertices)
        xy[i], xyz[i] = cam.project(posed.keypoints)
        for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
            container.mux(packet)
        if i % 75 == 0:
            print(f"  {s.sample}: frame {i}/{s.frames} ({time.time() - t0:.0f} s)", flush=True)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    scene.close()
    write_truth(s, out_dir, REPO, xy, xyz)
    return path


def render_preview(s: Scenario, out_dir: Path, times: list[float]) -> list[Path]:
    from PIL import Image, ImageDraw

    body, cam, scene, timeline = _setup(s)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for t in times:
        posed = frame_at(body, timeline, t)
        im = Image.fromarray(scene.render(posed.vertices))
        d = ImageDraw.Draw(im)
        xy, _ = cam.project(posed.keypoints)
        for j, (x, y) in enumerate(xy):
            col = (255, 40, 40) if j in (1, 3, 5, 7, 9, 11, 13, 15, 17, 19) else (40, 220, 40)
            d.ellipse([x - 3, y - 3, x + 3, y + 3], fill=col)
        d.text((8, 8), f"{s.sample} t={t:.1f}s", fill=(0, 0, 0))
        p = out_dir / f"{s.sample}_t{t:05.1f}.png"
        im.save(p)
        paths.append(p)
    scene.close()
    return paths
