"""The anny body: posing from joint angles, grounding, keypoints and a painted texture."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Keypoints written to the truth file: the 17 COCO names, then heels and toe tips.
COCO17 = (
    "nose",
    "left_eye",
    "right_eye",
    "left_ear",
    "right_ear",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
)
EXTRA = {  # truth name -> anny coco.pth label
    "left_heel": "left_heel",
    "right_heel": "right_heel",
    "left_foot_index": "left_big_toe",
    "right_foot_index": "right_big_toe",
}
KEYPOINT_NAMES = COCO17 + tuple(EXTRA)

Angles = dict[str, tuple[float, float, float]]


def euler_xyz(rx: float, ry: float, rz: float) -> np.ndarray:
    """Rotation matrix Rx @ Ry @ Rz from degrees (flexion, then abduction, then twist)."""
    a, b, c = np.radians([rx, ry, rz])
    cx, sx, cy, sy, cz, sz = np.cos(a), np.sin(a), np.cos(b), np.sin(b), np.cos(c), np.sin(c)
    mx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    my = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    mz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return mx @ my @ mz


def hex_rgb(colour: str) -> np.ndarray:
    """'#8d5524' -> float RGB in [0, 1]."""
    c = colour.lstrip("#")
    if len(c) != 6:
        raise ValueError(f"expected a colour like '#8d5524', got {colour!r}")
    return np.array([int(c[i : i + 2], 16) for i in (0, 2, 4)], dtype=np.float64) / 255.0


@dataclass
class PosedBody:
    vertices: np.ndarray  # (V, 3) world metres, Z up
    keypoints: np.ndarray  # (K, 3) world metres, in KEYPOINT_NAMES order


class Body:
    """One anny body of a fixed shape; ``pose`` turns joint angles into a grounded mesh."""

    def __init__(self, phenotype: dict[str, float]) -> None:
        import anny
        import torch

        self._torch = torch
        self.model = anny.Anny(local_changes="default")
        self.model.eval()
        unknown = set(phenotype) - set(self.model.phenotype_labels)
        if unknown:
            raise ValueError(f"unknown phenotype {sorted(unknown)}; valid: {self.model.phenotype_labels}")
        self.phenotype = {k: torch.tensor([float(v)]) for k, v in phenotype.items()}
        labels = list(COCO17) + list(EXTRA.values())
        self.regressor = anny.keypoints.KeypointsRegressor.coco(self.model, labels=labels)
        self.bone_index = {b: i for i, b in enumerate(self.model.bone_labels)}
        self.faces = self.model.get_triangular_faces().numpy().astype(np.int64)
        self.uv = self.model.texture_coordinates.numpy().astype(np.float32)
        self.face_uv = self.model.face_texture_coordinate_indices.numpy().astype(np.int64)
        w = self.model.vertex_bone_weights.numpy()
        idx = self.model.vertex_bone_indices.numpy()
        self.dominant_bone = idx[np.arange(len(idx)), w.argmax(1)]
        labels = self.model.bone_labels
        self.arm_vertex = np.array(
            [
                labels[b].startswith(("upperarm", "lowerarm", "wrist", "finger", "metacarpal"))
                for b in self.dominant_bone
            ]
        )
        self.rest = self._forward({})

    def _forward(self, angles: Angles) -> PosedBody:
        torch = self._torch
        n = self.model.bone_count
        params = np.tile(np.eye(4), (1, n, 1, 1))
        for bone, (rx, ry, rz) in angles.items():
            if bone not in self.bone_index:
                raise ValueError(f"unknown bone {bone!r}; e.g. {self.model.bone_labels[:8]}")
            params[0, self.bone_index[bone], :3, :3] = euler_xyz(rx, ry, rz)
        with torch.no_grad():
            out = self.model(
                pose_parameters=torch.as_tensor(params, dtype=self.model.dtype),
                phenotype_kwargs=self.phenotype,
            )
            kps = self.regressor(out)[0].numpy()
        return PosedBody(out["vertices"][0].numpy().astype(np.float64), kps.astype(np.float64))

    def pose(
        self,
        angles: Angles,
        world_rot: tuple[float, float, float] = (0.0, 0.0, 0.0),
        world_xy: tuple[float, float] = (0.0, 0.0),
        lift: float = 0.0,
        ground_on_arms: bool = True,
    ) -> PosedBody:
        """Pose, turn the whole body by ``world_rot`` (deg, Rz@Ry@Rx about the pelvis), then
        put its lowest vertex on the floor (z=0) plus ``lift`` metres and move it to world_xy.
        With ``ground_on_arms=False`` the arms and hands never hold the body up (seated poses
        whose hands pass below the seat while they move would otherwise float)."""
        posed = self._forward(angles)
        rx, ry, rz = world_rot
        r = euler_xyz(0, 0, rz) @ euler_xyz(0, ry, 0) @ euler_xyz(rx, 0, 0)
        v = posed.vertices @ r.T
        k = posed.keypoints @ r.T
        support = v if ground_on_arms else v[~self.arm_vertex]
        shift = np.array([world_xy[0], world_xy[1], -support[:, 2].min() + lift])
        return PosedBody(v + shift, k + shift)


def build_texture(body: Body, colours: dict[str, str], size: int = 1024) -> np.ndarray:
    """Skin from anny's grey detail map tinted with the skin tone, then hair, shirt and shorts
    painted by face region (decided on the rest pose). Returns an (size, size, 3) uint8 image."""
    from importlib.resources import files

    from PIL import Image, ImageDraw

    root = files("anny") / "data" / "mpfb2" / "textures"
    grey = Image.open(str(root / "sss.png")).convert("L").resize((size, size))
    g = np.asarray(grey, dtype=np.float64) / 255.0
    g = (g - g.mean()) / (g.std() + 1e-6)
    skin = hex_rgb(colours["skin"])
    tex = np.clip(skin[None, None, :] * (1.0 + 0.08 * g[..., None]), 0, 1)
    img = Image.fromarray((tex * 255).astype(np.uint8))

    labels = body.model.bone_labels
    rv, rk = body.rest.vertices, body.rest.keypoints
    name = {n: i for i, n in enumerate(KEYPOINT_NAMES)}
    bone = np.array([labels[b] for b in body.dominant_bone])
    z, y = rv[:, 2], rv[:, 1]
    hip_z = rk[name["left_hip"], 2]
    shoulder_z = rk[name["left_shoulder"], 2]
    eye_z, _eye_y = rk[name["left_eye"], 2], rk[name["left_eye"], 1]
    ear_y = rk[name["left_ear"], 1]
    waist_z = hip_z + 0.30 * (shoulder_z - hip_z)
    is_head = np.isin(bone, ["head", "neck03", "eye.L", "eye.R"])
    hair = is_head & ((z > eye_z + 0.03) | ((y > ear_y - 0.005) & (z > eye_z - 0.07)))
    torso_bones = [
        "spine01",
        "spine02",
        "spine03",
        "spine04",
        "spine05",
        "clavicle.L",
        "clavicle.R",
        "shoulder01.L",
        "shoulder01.R",
        "upperarm01.L",
        "upperarm01.R",
        "neck01",
        "root",
        "pelvis.L",
        "pelvis.R",
    ]
    is_torso = np.isin(bone, torso_bones)
    is_arm = np.array([b.startswith(("upperarm", "lowerarm", "wrist", "finger", "metacarpal")) for b in bone])
    neck_z = shoulder_z + 0.02
    shirt = is_torso & (z > waist_z) & (z < neck_z)
    shirt |= np.isin(bone, ["upperarm01.L", "upperarm01.R"])
    leg_top = np.array([b.startswith(("upperleg01", "upperleg02", "pelvis", "root")) for b in bone])
    shorts = ((is_torso | leg_top) & (z <= waist_z) & (z > hip_z - 0.20)) & ~is_arm
    draw = ImageDraw.Draw(img)
    uvpix = body.uv * (size - 1)
    uvpix[:, 1] = (size - 1) - uvpix[:, 1]  # image rows go down; UV v goes up
    for region, mask in (("shorts", shorts), ("shirt", shirt), ("hair", hair)):
        rgb = tuple(int(c * 255) for c in hex_rgb(colours[region]))
        face_in = mask[body.faces].sum(1) >= 2
        for f in np.nonzero(face_in)[0]:
            pts = [tuple(uvpix[i]) for i in body.face_uv[f]]
            draw.polygon(pts, fill=rgb, outline=rgb)
    # lips a little darker
    return np.asarray(img)
