"""Poses: the one frame type, plane geometry, and the estimators that produce poses."""

from coach.pose.core import LANDMARK_NAMES, N_LANDMARKS, SKELETON, Pose, landmark_index

__all__ = ["LANDMARK_NAMES", "N_LANDMARKS", "SKELETON", "Pose", "landmark_index"]
