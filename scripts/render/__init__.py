"""Render synthetic stretch videos with exact ground truth (anny body + pyrender over EGL).

Modules: ``scenario`` (TOML -> dataclasses), ``poses`` (named joint-angle poses and faults),
``timeline`` (keyframe easing, sway, fault envelopes), ``body`` (anny posing, skin and clothes),
``scene`` (pyrender scene and camera), ``truth`` (truth.json / keypoints.npz), ``cli``.
Heavy imports (torch, anny, pyrender) happen inside functions, never at import time.
"""
