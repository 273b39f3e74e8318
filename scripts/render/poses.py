"""Named whole-body poses and fault offsets, loaded from ``poses.toml``.

A pose is a set of joint angles (degrees, anny "local-ref" axes: x = flexion, y = abduction,
z = twist) plus a whole-body ``world`` rotation, a floor position ``xy`` and a ``lift`` above
the floor. Poses are written for the LEFT side of a stretch; ``mirror`` gives the right side.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

LIBRARY = Path(__file__).with_name("poses.toml")
# further pose files beside it (poses_*.toml: negatives, more stretches) share one namespace
_SPECIAL = ("world", "xy", "lift")


@dataclass
class Pose:
    """Joint angles plus body placement; every field adds linearly (blends, faults, sway)."""

    angles: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    world: tuple[float, float, float] = (0.0, 0.0, 0.0)
    xy: tuple[float, float] = (0.0, 0.0)
    lift: float = 0.0

    @classmethod
    def from_table(cls, table: dict, where: str) -> Pose:
        angles = {}
        for key, value in table.items():
            if key in _SPECIAL or key == "base":
                continue
            if not (isinstance(value, list) and len(value) == 3):
                raise ValueError(f"{where}: {key!r} must be [rx, ry, rz] degrees, got {value!r}")
            angles[key] = tuple(float(v) for v in value)
        return cls(
            angles=angles,
            world=tuple(float(v) for v in table.get("world", (0, 0, 0))),
            xy=tuple(float(v) for v in table.get("xy", (0, 0))),
            lift=float(table.get("lift", 0.0)),
        )

    def mirror(self) -> Pose:
        """Swap left and right (reflect through the body's sagittal plane x=0)."""

        def swap(name: str) -> str:
            if name.endswith(".L"):
                return name[:-2] + ".R"
            if name.endswith(".R"):
                return name[:-2] + ".L"
            return name

        return Pose(
            angles={swap(k): (a, -b, -c) for k, (a, b, c) in self.angles.items()},
            world=(self.world[0], -self.world[1], -self.world[2]),
            xy=(-self.xy[0], self.xy[1]),
            lift=self.lift,
        )

    def for_side(self, side: str | None) -> Pose:
        return self.mirror() if side == "right" else self

    def blend(self, other: Pose, w: float) -> Pose:
        """(1-w)*self + w*other, joint by joint."""
        names = set(self.angles) | set(other.angles)
        z = (0.0, 0.0, 0.0)
        return Pose(
            angles={
                n: tuple(
                    (1 - w) * a + w * b
                    for a, b in zip(self.angles.get(n, z), other.angles.get(n, z), strict=False)
                )
                for n in names
            },
            world=tuple((1 - w) * a + w * b for a, b in zip(self.world, other.world, strict=False)),
            xy=tuple((1 - w) * a + w * b for a, b in zip(self.xy, other.xy, strict=False)),
            lift=(1 - w) * self.lift + w * other.lift,
        )

    def add(self, delta: Pose, w: float = 1.0) -> Pose:
        """self + w*delta."""
        names = set(self.angles) | set(delta.angles)
        z = (0.0, 0.0, 0.0)
        return Pose(
            angles={
                n: tuple(
                    a + w * b for a, b in zip(self.angles.get(n, z), delta.angles.get(n, z), strict=True)
                )
                for n in names
            },
            world=tuple(a + w * b for a, b in zip(self.world, delta.world, strict=False)),
            xy=tuple(a + w * b for a, b in zip(self.xy, delta.xy, strict=False)),
            lift=self.lift + w * delta.lift,
        )


@dataclass(frozen=True)
class Library:
    poses: dict[str, Pose]
    faults: dict[tuple[str, str], Pose]  # (exercise, check) -> offset for a LEFT-side stretch

    def pose(self, name: str) -> Pose:
        if name not in self.poses:
            raise ValueError(f"unknown pose {name!r}; valid: {sorted(self.poses)}")
        return self.poses[name]

    def fault(self, exercise: str, check: str) -> Pose:
        if (exercise, check) not in self.faults:
            valid = sorted(c for e, c in self.faults if e == exercise)
            raise ValueError(f"no fault {check!r} for {exercise!r}; valid: {valid}")
        return self.faults[(exercise, check)]


def _read_all(path: Path) -> dict:
    """poses.toml plus every poses_*.toml beside it, merged; a name defined twice is an error."""
    files = [path, *sorted(p for p in path.parent.glob("poses_*.toml") if p != path)]
    data: dict = {"pose": {}, "fault": {}}
    for f in files:
        d = tomllib.loads(f.read_text())
        for name, table in d.get("pose", {}).items():
            if name in data["pose"]:
                raise ValueError(f"{f}: pose {name!r} is defined twice")
            data["pose"][name] = table
        for ex, checks in d.get("fault", {}).items():
            for check, table in checks.items():
                if check in data["fault"].setdefault(ex, {}):
                    raise ValueError(f"{f}: fault.{ex}.{check} is defined twice")
                data["fault"][ex][check] = table
    return data


def load_library(path: Path = LIBRARY) -> Library:
    """Read poses.toml (and poses_*.toml beside it). A pose may start from another with
    ``base = "name"``."""
    data = _read_all(path) if path == LIBRARY else tomllib.loads(path.read_text())
    raw = data.get("pose", {})
    poses: dict[str, Pose] = {}

    def build(name: str, seen: tuple[str, ...] = ()) -> Pose:
        if name in poses:
            return poses[name]
        if name not in raw:
            raise ValueError(f"{path}: unknown base pose {name!r}; valid: {sorted(raw)}")
        if name in seen:
            raise ValueError(f"{path}: base poses loop: {' -> '.join(seen + (name,))}")
        table = raw[name]
        own = Pose.from_table(table, f"{path}: pose.{name}")
        if "base" in table:
            base = build(table["base"], seen + (name,))
            angles = dict(base.angles)
            angles.update(own.angles)
            own = Pose(
                angles=angles,
                world=tuple(float(v) for v in table.get("world", base.world)),
                xy=tuple(float(v) for v in table.get("xy", base.xy)),
                lift=float(table.get("lift", base.lift)),
            )
        poses[name] = own
        return own

    for name in raw:
        build(name)
    faults = {
        (exercise, check): Pose.from_table(table, f"{path}: fault.{exercise}.{check}")
        for exercise, checks in data.get("fault", {}).items()
        for check, table in checks.items()
    }
    return Library(poses, faults)
