"""A pyrender scene kept alive across frames: floor, wall, props, lights, camera and one body mesh
whose vertex buffer is overwritten every frame (rebuilding the scene costs ~10x more)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from .body import hex_rgb


@dataclass(frozen=True)
class Camera:
    """Pinhole camera in world coordinates (Z up)."""

    position: np.ndarray
    target: np.ndarray
    yfov_deg: float
    width: int
    height: int

    def world_to_camera(self) -> np.ndarray:
        """3x4 [R|t] taking world points to OpenCV camera axes (x right, y down, z forward)."""
        f = self.target - self.position
        f = f / np.linalg.norm(f)
        up = np.array([0.0, 0.0, 1.0])
        r = np.cross(f, up)
        r /= np.linalg.norm(r)
        d = np.cross(f, r)  # image down
        rot = np.stack([r, d, f])
        return np.hstack([rot, (-rot @ self.position)[:, None]])

    def gl_pose(self) -> np.ndarray:
        """4x4 camera-to-world pose in OpenGL convention (looks down -Z, +Y up) for pyrender."""
        rt = self.world_to_camera()
        rot = rt[:, :3]
        pose = np.eye(4)
        pose[:3, 0] = rot[0]
        pose[:3, 1] = -rot[1]
        pose[:3, 2] = -rot[2]
        pose[:3, 3] = self.position
        return pose

    @property
    def focal(self) -> float:
        return (self.height / 2) / np.tan(np.radians(self.yfov_deg) / 2)

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """World points (N, 3) -> (pixel xy (N, 2), camera xyz (N, 3))."""
        rt = self.world_to_camera()
        cam = points @ rt[:, :3].T + rt[:, 3]
        f = self.focal
        xy = np.stack(
            [self.width / 2 + f * cam[:, 0] / cam[:, 2], self.height / 2 + f * cam[:, 1] / cam[:, 2]],
            axis=1,
        )
        return xy, cam


def _vertex_normals(v: np.ndarray, faces: np.ndarray) -> np.ndarray:
    fn = np.cross(v[faces[:, 1]] - v[faces[:, 0]], v[faces[:, 2]] - v[faces[:, 0]])
    n = np.zeros_like(v)
    for i in range(3):
        np.add.at(n, faces[:, i], fn)
    return n / (np.linalg.norm(n, axis=1, keepdims=True) + 1e-12)


class BodyScene:
    """Owns the offscreen renderer. ``render(vertices)`` returns an RGB uint8 frame."""

    def __init__(
        self,
        camera: Camera,
        faces: np.ndarray,
        face_uv: np.ndarray,
        uv: np.ndarray,
        texture: np.ndarray,
        floor: str = "#b9ad9a",
        wall: str = "#dcd6cc",
        mat: str | None = "#4b6e8a",
        mat_center: tuple[float, float] = (0.0, 0.0),
        mat_angle: float = 0.0,
        ambient: float = 0.35,
        key_intensity: float = 3.0,
        key_dir: tuple[float, float, float] = (0.4, -0.5, -1.0),
        fill_intensity: float = 6.0,
        shadows: bool = True,
        props: tuple[dict, ...] = (),
    ) -> None:
        os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
        import pyrender
        import trimesh

        self._pyrender = pyrender
        self.camera = camera
        self.faces = faces
        # one render vertex per (mesh vertex, uv) corner pair, so UV seams stay sharp
        pairs = np.stack([faces.ravel(), face_uv.ravel()], axis=1)
        uniq, inverse = np.unique(pairs, axis=0, return_inverse=True)
        self.vmap = uniq[:, 0]
        self.rfaces = inverse.reshape(-1, 3).astype(np.uint32)
        self.ruv = uv[uniq[:, 1]].astype(np.float32)

        scene = pyrender.Scene(bg_color=[*hex_rgb(wall), 1.0], ambient_light=[ambient] * 3)

        # floor, wall and mat: flat-coloured boxes, turned about the vertical by `angle` (rad)
        def box(extents, centre, colour, angle=0.0, roughness=0.9):
            m = trimesh.creation.box(extents=extents)
            if angle:
                m.apply_transform(trimesh.transformations.rotation_matrix(angle, [0, 0, 1]))
            m.apply_translation(centre)
            mat_ = pyrender.MetallicRoughnessMaterial(
                baseColorFactor=[*hex_rgb(colour), 1.0], metallicFactor=0.0,
                roughnessFactor=roughness,
            )
            scene.add(pyrender.Mesh.from_trimesh(m, material=mat_, smooth=False))

        box([30.0, 30.0, 0.02], [0, 0, -0.01], floor)
        back = -np.asarray(camera.position[:2]) / (np.linalg.norm(camera.position[:2]) + 1e-9)
        # a wall behind the person, as seen from the camera
        wall_c = np.array([*(back * 3.0), 1.5])
        ang = np.arctan2(back[1], back[0])
        box([0.02, 30.0, 3.0], wall_c, wall, angle=ang, roughness=1.0)
        if mat:
            box([0.62, 1.85, 0.008], [mat_center[0], mat_center[1], 0.004], mat,
                angle=np.radians(mat_angle))
        for p in props:  # a wall at the feet, a chair: boxes placed by the caller (world metres)
            box(p["extents"], p["centre"], p["colour"], angle=float(p.get("angle", 0.0)),
                roughness=float(p.get("roughness", 0.8)))

        tex = pyrender.Texture(source=texture, source_channels="RGB")
        material = pyrender.MetallicRoughnessMaterial(
            baseColorTexture=tex,
            baseColorFactor=[1.0, 1.0, 1.0, 1.0],
            metallicFactor=0.0,
            roughnessFactor=0.75,
        )
        n = len(self.vmap)
        self.primitive = pyrender.Primitive(
            positions=np.zeros((n, 3), np.float32),
            normals=np.tile([0, 0, 1.0], (n, 1)),
            texcoord_0=self.ruv,
            indices=self.rfaces,
            material=material,
        )
        scene.add(pyrender.Mesh([self.primitive]))

        cam = pyrender.PerspectiveCamera(
            yfov=np.radians(camera.yfov_deg), aspectRatio=camera.width / camera.height, znear=0.05
        )
        scene.add(cam, pose=camera.gl_pose())
        key = pyrender.DirectionalLight(color=np.ones(3), intensity=key_intensity)
        kp = np.eye(4)
        kp[:3, :3] = _look_rot(np.asarray(key_dir, float))
        scene.add(key, pose=kp)
        fill = pyrender.PointLight(color=np.ones(3), intensity=fill_intensity)
        fp = np.eye(4)
        fp[:3, 3] = camera.position + np.array([0, 0, 1.0])
        scene.add(fill, pose=fp)
        self.scene = scene
        self.renderer = pyrender.OffscreenRenderer(camera.width, camera.height)
        self._first = True
        # directional shadows cost about half the render time on llvmpipe (the corpus goes without)
        self._flags = pyrender.RenderFlags.SHADOWS_DIRECTIONAL if shadows else pyrender.RenderFlags.NONE

    def render(self, vertices: np.ndarray) -> np.ndarray:
        from OpenGL.GL import GL_ARRAY_BUFFER, glBindBuffer, glBufferSubData

        v = vertices[self.vmap].astype(np.float32)
        nrm = _vertex_normals(vertices, self.faces)[self.vmap].astype(np.float32)
        flags = self._flags
        if self._first:
            self.primitive.positions = v
            self.primitive.normals = nrm
            self._first = False
        else:
            data = np.ascontiguousarray(np.hstack([v, nrm, self.ruv]).astype(np.float32))
            self.renderer._platform.make_current()
            glBindBuffer(GL_ARRAY_BUFFER, self.primitive._buffers[0])
            glBufferSubData(GL_ARRAY_BUFFER, 0, data.nbytes, data)
        color, _ = self.renderer.render(self.scene, flags=flags)
        return color

    def close(self) -> None:
        self.renderer.delete()


def _look_rot(direction: np.ndarray) -> np.ndarray:
    """Rotation whose -Z axis points along ``direction`` (for lights)."""
    z = -direction / np.linalg.norm(direction)
    x = np.cross([0, 0, 1.0], z)
    if np.linalg.norm(x) < 1e-6:
        x = np.array([1.0, 0, 0])
    x /= np.linalg.norm(x)
    y = np.cross(z, x)
    return np.stack([x, y, z], axis=1)
