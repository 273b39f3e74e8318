"""A scenario: one sample video described as data (scripts/render/scenarios/<name>.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

EXERCISES = ("supine_figure4", "pigeon", "seated_rolldown", "none")
PHASES = ("setup", "hold", "lean", "roll", "transition", "other")
CHECKS = ("hips_down", "foot_flexed", "knee_angle", "spine_rounding")
SIDES = ("left", "right", None)
COLOURS = {"skin": "#c68642", "hair": "#2a1b12", "shirt": "#2f6db3", "shorts": "#333333"}


@dataclass(frozen=True)
class Key:
    t: float
    pose: str
    side: str | None
    xy: tuple[float, float] = (0.0, 0.0)  # floor position (m), added to the pose's own
    turn: float = 0.0  # whole-body turn about the vertical (deg), added after mirroring


@dataclass(frozen=True)
class Interval:
    kind: str  # phase or check
    side: str | None
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Scenario:
    path: Path
    sample: str
    exercise: str
    duration_s: float
    fps: int
    width: int
    height: int
    seed: int
    imbalance: bool
    phenotype: dict[str, float]
    colours: dict[str, str]
    camera: dict
    scene: dict
    motion: dict
    keys: tuple[Key, ...]
    segments: tuple[Interval, ...]
    faults: tuple[Interval, ...]

    @property
    def frames(self) -> int:
        return int(round(self.duration_s * self.fps))


def _choice(value, valid, where):
    if value not in valid:
        raise ValueError(f"{where}: {value!r} is not one of {list(valid)}")
    return value


def load_scenario(path: Path) -> Scenario:
    """Parse and validate a scenario TOML; errors name the file and the key."""
    path = Path(path)
    d = tomllib.loads(path.read_text())
    w = str(path)
    exercise = _choice(d.get("exercise"), EXERCISES, f"{w}: exercise")
    duration = float(d["duration_s"])
    body = dict(d.get("body", {}))
    colours = {k: str(body.pop(k, v)) for k, v in COLOURS.items()}
    phenotype = {k: float(v) for k, v in body.items()}
    cam = d["camera"]
    for k in ("placement", "position", "target", "yfov_deg"):
        if k not in cam:
            raise ValueError(f"{w}: camera.{k} is missing")
    keys = []
    for i, k in enumerate(d.get("key", [])):
        side = _choice(k.get("side"), SIDES, f"{w}: key[{i}].side")
        xy = tuple(float(v) for v in k.get("xy", (0.0, 0.0)))
        keys.append(Key(float(k["t"]), str(k["pose"]), side, xy, float(k.get("turn", 0.0))))
    if not keys or keys[0].t > 0 or any(b.t <= a.t for a, b in zip(keys, keys[1:], strict=False)):
        raise ValueError(f"{w}: keys must start at t=0 and increase strictly")
    segs = []
    for i, s in enumerate(d.get("segment", [])):
        segs.append(
            Interval(
                _choice(s["phase"], PHASES, f"{w}: segment[{i}].phase"),
                _choice(s.get("side"), SIDES, f"{w}: segment[{i}].side"),
                float(s["start_s"]),
                float(s["end_s"]),
            )
        )
    faults = []
    for i, f in enumerate(d.get("fault", [])):
        faults.append(
            Interval(
                _choice(f["check"], CHECKS, f"{w}: fault[{i}].check"),
                _choice(f["side"], ("left", "right"), f"{w}: fault[{i}].side"),
                float(f["start_s"]),
                float(f["end_s"]),
            )
        )
    for iv in segs + faults:
        if not 0 <= iv.start_s < iv.end_s <= duration + 1e-9:
            raise ValueError(f"{w}: interval {iv} is outside 0..{duration} s or empty")
    return Scenario(
        path=path,
        sample=str(d.get("sample", path.stem)),
        exercise=exercise,
        duration_s=duration,
        fps=int(d.get("fps", 15)),
        width=int(d.get("width", 640)),
        height=int(d.get("height", 480)),
        seed=int(d.get("seed", 0)),
        imbalance=bool(d.get("imbalance", False)),
        phenotype=phenotype,
        colours=colours,
        camera=dict(cam),
        scene=dict(d.get("scene", {})),
        motion=dict(d.get("motion", {})),
        keys=tuple(keys),
        segments=tuple(segs),
        faults=tuple(faults),
    )
