"""Left/right labels in side views.

Seen from the side, a body and its mirror image have the same silhouette, and pose models
often label the near leg as the far one. Physics settles it: for a trunk pointing one way in the
image and a face pointing the other way round it, only one side of the body can face the
camera (facing image-right with the head up, you always show your right side). Where the
estimator's own depth says the other side is nearer, its left/right labels are swapped back.
"""

from __future__ import annotations

import numpy as np

from coach.pose import LANDMARK_NAMES, Pose, landmark_index

_SWAP = np.array([landmark_index(n.replace("left_", "right_")) if n.startswith("left_")
                  else landmark_index(n.replace("right_", "left_")) if n.startswith("right_")
                  else i for i, n in enumerate(LANDMARK_NAMES)])
LEG = ("hip", "knee", "ankle")


def _mid(pose: Pose, a: str, b: str) -> np.ndarray:
    return (pose.point(a) + pose.point(b)) / 2


def is_side_view(pose: Pose, max_width: float = 0.35) -> bool:
    """Hips and shoulders nearly on top of each other in the image: the camera looks along the
    body's left-right axis."""
    torso = pose.torso_length()
    if torso < 1.0:
        return False
    hip_w = np.linalg.norm(pose.point("left_hip") - pose.point("right_hip"))
    sh_w = np.linalg.norm(pose.point("left_shoulder") - pose.point("right_shoulder"))
    return max(hip_w, sh_w) < max_width * torso


def near_side_from_geometry(pose: Pose, min_sin: float = 0.5) -> str | None:
    """The side facing the camera, from the trunk direction and the face direction alone."""
    up = _mid(pose, "left_shoulder", "right_shoulder") - _mid(pose, "left_hip", "right_hip")
    face = pose.point("nose") - _mid(pose, "left_ear", "right_ear")
    nu, nf = np.linalg.norm(up), np.linalg.norm(face)
    if nu < 1.0 or nf < 0.05 * nu:
        return None
    cross = (up[0] * face[1] - up[1] * face[0]) / (nu * nf)
    if abs(cross) < min_sin:
        return None
    return "right" if cross > 0 else "left"


def near_side_from_estimator(pose: Pose) -> str:
    """The side the estimator places nearer the camera (smaller world z)."""
    zl = np.mean([pose.world_point(f"left_{j}")[2] for j in LEG])
    zr = np.mean([pose.world_point(f"right_{j}")[2] for j in LEG])
    return "left" if zl < zr else "right"


def mirrored_labels(pose: Pose) -> Pose:
    """The same pose with every left/right label swapped."""
    return Pose(pose.xy[_SWAP], pose.world[_SWAP], pose.visibility[_SWAP], pose.image_wh,
                pose.bbox)


def fix_side_view_labels(pose: Pose, min_visibility: float = 0.5) -> tuple[Pose, bool]:
    """Swap left/right labels when a side view's geometry contradicts them.

    Returns the pose to use and whether it was swapped. Views that are not side views, and
    faces that cannot be seen well, are left as they are.
    """
    if pose.is_empty or not is_side_view(pose):
        return pose, False
    if pose.vis("nose") < min_visibility or max(pose.vis("left_ear"),
                                                pose.vis("right_ear")) < min_visibility:
        return pose, False
    geo = near_side_from_geometry(pose)
    if geo is None or geo == near_side_from_estimator(pose):
        return pose, False
    return mirrored_labels(pose), True
