"""Pose at time t: eased keyframes + fault offsets + seeded sway and breathing."""

from __future__ import annotations

import numpy as np

from .poses import Library, Pose
from .scenario import Scenario

FAULT_RISE_S = 0.4  # a fault reaches full magnitude this long after its start_s
FAULT_FALL_S = 0.6  # and eases back over this window centred on its end_s

SWAY_BONES = (
    "spine05",
    "spine03",
    "spine01",
    "neck01",
    "head",
    "upperarm01.L",
    "upperarm01.R",
    "lowerarm01.L",
    "lowerarm01.R",
)


def ease(u: float) -> float:
    """Cosine ease-in-out on [0, 1]."""
    u = min(max(u, 0.0), 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * u)


def fault_weight(t: float, start: float, end: float) -> float:
    up = ease((t - start) / FAULT_RISE_S)
    down = 1.0 - ease((t - (end - FAULT_FALL_S / 2)) / FAULT_FALL_S)
    return float(min(up, down))


class Timeline:
    def __init__(self, scenario: Scenario, library: Library) -> None:
        self.s = scenario
        self.lib = library
        self.key_poses = [
            library.pose(k.pose).for_side(k.side).add(Pose(world=(0.0, 0.0, k.turn), xy=k.xy))
            for k in scenario.keys
        ]
        self.fault_poses = [
            library.fault(scenario.exercise, f.kind).for_side(f.side) for f in scenario.faults
        ]
        rng = np.random.default_rng(scenario.seed)
        # three sines per bone axis with random frequency and phase: smooth, never repeating
        self.freq = rng.uniform(0.08, 0.35, size=(len(SWAY_BONES) + 1, 3, 3))
        self.phase = rng.uniform(0, 2 * np.pi, size=(len(SWAY_BONES) + 1, 3, 3))
        self.sway = float(scenario.motion.get("sway_deg", 1.2))
        self.breath = float(scenario.motion.get("breath_deg", 1.5))
        self.breath_hz = float(scenario.motion.get("breath_hz", 0.22))

    def base(self, t: float) -> Pose:
        keys = self.s.keys
        if t <= keys[0].t:
            return self.key_poses[0]
        for i in range(len(keys) - 1):
            if keys[i].t <= t < keys[i + 1].t:
                u = (t - keys[i].t) / (keys[i + 1].t - keys[i].t)
                return self.key_poses[i].blend(self.key_poses[i + 1], ease(u))
        return self.key_poses[-1]

    def at(self, t: float) -> Pose:
        pose = self.base(t)
        for f, delta in zip(self.s.faults, self.fault_poses, strict=False):
            w = fault_weight(t, f.start_s, f.end_s)
            if w > 0:
                pose = pose.add(delta, w)
        wob = (np.sin(2 * np.pi * self.freq * t + self.phase).sum(-1) / 3.0) * self.sway
        breath = self.breath * np.sin(2 * np.pi * self.breath_hz * t)
        angles = {n: [0.0, 0.0, 0.0] for n in SWAY_BONES}
        for i, n in enumerate(SWAY_BONES):
            angles[n] = list(wob[i])
        angles["spine03"][0] += breath
        angles["spine01"][0] -= 0.5 * breath
        world = tuple(0.3 * wob[-1])
        return pose.add(Pose(angles={k: tuple(v) for k, v in angles.items()}, world=world))
