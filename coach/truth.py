"""Ground truth of the rendered samples (``samples/NAME.truth.json`` + ``.keypoints.npz``).

Used by the end-to-end tests and the tuning scripts; see samples/README.md for the format.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coach.pose.core import N_LANDMARKS, Pose, landmark_index
from coach.session.frame import balance_of
from coach.session.report import AnyReport, AutoReport, Report

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "samples"


@dataclass(frozen=True)
class Truth:
    name: str
    data: dict
    video: Path
    xy: np.ndarray | None
    xyz: np.ndarray | None
    names: tuple[str, ...]

    @property
    def exercise(self) -> str:
        return self.data["exercise"]

    @property
    def fps(self) -> float:
        return float(self.data["fps"])

    @property
    def first_side(self) -> str | None:
        """The side of the first segment that has one (what a user would tell --first-side)."""
        return next((seg["side"] for seg in self.data["segments"] if seg["side"]), None)

    def side_at(self, t: float) -> str | None:
        for seg in self.data["segments"]:
            if seg["start_s"] <= t < seg["end_s"]:
                return seg["side"]
        return None

    def phase_at(self, t: float) -> str | None:
        for seg in self.data["segments"]:
            if seg["start_s"] <= t < seg["end_s"]:
                return seg["phase"]
        return None

    def pose(self, i: int) -> Pose:
        """The true pose of frame ``i`` as a Pose (landmarks the truth lacks are invisible)."""
        xy = np.zeros((N_LANDMARKS, 2))
        world = np.zeros((N_LANDMARKS, 3))
        vis = np.zeros(N_LANDMARKS)
        for k, name in enumerate(self.names):
            j = landmark_index(name)
            xy[j], world[j], vis[j] = self.xy[i, k], self.xyz[i, k], 1.0
        return Pose(xy, world, vis, (int(self.data["width"]), int(self.data["height"])))


def load_truth(name_or_path: str | Path) -> Truth:
    p = Path(name_or_path)
    if p.suffix == ".mp4":
        p = p.with_suffix("").with_suffix(".truth.json")
    elif not p.name.endswith(".truth.json"):
        p = SAMPLES_DIR / f"{p.name}.truth.json"
    data = json.loads(p.read_text())
    kp = p.with_name(p.name.replace(".truth.json", ".keypoints.npz"))
    xy = xyz = None
    names: tuple[str, ...] = ()
    if kp.exists():
        d = np.load(kp)
        xy, xyz, names = d["xy"], d["xyz"], tuple(str(n) for n in d["names"])
    return Truth(data["sample"], data, p.parent / data["video"], xy, xyz, names)


def all_truths(samples_dir: Path = SAMPLES_DIR) -> list[Truth]:
    return [load_truth(p) for p in sorted(samples_dir.glob("*.truth.json"))]


# -- comparing a report with the truth (used by the end-to-end tests and scripts/evaluate.py) --
HOLD_REL_TOL = 0.10  # time per side within 10 % ...
HOLD_ABS_TOL = 1.0  # ... or 1 s, whichever is larger
ONSET_TOL_S = 1.0  # each fault flagged with its onset within 1 s


def compare(report: Report, truth: Truth, balance_tolerance: float = 0.2) -> dict[str, list[str]]:
    """Differences between a coach report and the ground truth, by aspect (empty = agrees)."""

    out: dict[str, list[str]] = {"frames": [], "hold": [], "faults": [], "false_faults": [],
                                 "reps": [], "balance": []}
    data = truth.data
    if report.frames != data["frames"]:
        out["frames"].append(f"{report.frames} frames, truth {data['frames']}")
    for side in data["hold_s"]:  # left and right, or both (a stretch without sides)
        want, got = data["hold_s"][side], report.sides[side].hold_s if side in report.sides else 0.0
        if abs(got - want) > max(HOLD_REL_TOL * want, HOLD_ABS_TOL):
            out["hold"].append(f"{side}: held {got:.1f} s, truth {want:.1f} s")
    events = report.events
    for f in data["faults"]:
        if not any(e.check == f["check"] and e.side == f["side"]
                   and abs(e.start_s - f["start_s"]) <= ONSET_TOL_S for e in events):
            out["faults"].append(f"missed {f['check']} ({f['side']}) at {f['start_s']:.1f} s")
    for e in events:
        if not any(f["check"] == e.check
                   and f["start_s"] - ONSET_TOL_S <= e.start_s <= f["end_s"] + ONSET_TOL_S
                   for f in data["faults"]):
            out["false_faults"].append(f"{e.check} ({e.side}) {e.start_s:.1f}-{e.end_s:.1f} s")
    if report.targets.reps is not None:
        for side in data["reps"]:
            got, want = report.sides[side].reps if side in report.sides else 0, data["reps"][side]
            if got != want:
                out["reps"].append(f"{side}: {got} reps, truth {want}")
    hold = data["hold_s"]
    if "left" not in hold:  # no sides, no balance between them
        return out
    expected = bool(data.get("imbalance", False)) or balance_of(
        hold["left"], hold["right"], balance_tolerance).imbalanced
    if report.balance.imbalanced is not expected:
        out["balance"].append(f"imbalanced={report.balance.imbalanced}, truth {expected}")
    return out


# -- comparing two reports of one video (stride analysis against every frame) ----------------
SAME_EVENT_S = 0.2  # a fault, a segment or an interval starts and ends within 0.2 s
SAME_SIDE_REL = 0.02  # time per side within 2 % (or one frame, whichever is larger)


def same_report(a: AnyReport, b: AnyReport, event_s: float = SAME_EVENT_S,
                side_rel: float = SAME_SIDE_REL) -> list[str]:
    """How report ``b`` differs from ``a`` (empty: the same): the same faults (check, side,
    start and end within ``event_s``), time per side within ``side_rel``, the same reps; for a
    recognising session also the same recognised segments and the same exercises."""
    if isinstance(a, AutoReport) or isinstance(b, AutoReport):
        if not (isinstance(a, AutoReport) and isinstance(b, AutoReport)):
            return ["one report recognises stretches, the other does not"]
        out = _same_times("segment", [(s.stretch, s.side, s.start_s, s.end_s) for s in a.segments],
                          [(s.stretch, s.side, s.start_s, s.end_s) for s in b.segments], event_s)
        if set(a.exercises) != set(b.exercises):
            out.append(f"exercises {sorted(a.exercises)} vs {sorted(b.exercises)}")
        for name in set(a.exercises) & set(b.exercises):
            out += [f"{name}: {d}" for d in same_report(a.exercises[name], b.exercises[name],
                                                        event_s, side_rel)]
        return out
    out = _same_times("fault", [(e.check, e.side, e.start_s, e.end_s) for e in a.events],
                      [(e.check, e.side, e.start_s, e.end_s) for e in b.events], event_s)
    frame = 1.0 / a.fps if a.fps else 0.0
    for side in a.sides:
        if side not in b.sides:
            out.append(f"{side}: in one report only")
            continue
        sa, sb = a.sides[side], b.sides[side]
        for what in ("hold_s", "in_position_s"):
            va, vb = getattr(sa, what), getattr(sb, what)
            if abs(va - vb) > max(side_rel * max(va, vb), frame) + 1e-6:
                out.append(f"{side} {what}: {va:.2f} vs {vb:.2f} s")
        if sa.reps != sb.reps:
            out.append(f"{side} reps: {sa.reps} vs {sb.reps}")
    return out


def _same_times(what: str, a: list[tuple], b: list[tuple], tol: float) -> list[str]:
    """Intervals ``(name, side, start, end)`` paired in order: the same names and sides, ends
    within ``tol``."""
    if [x[:2] for x in a] != [x[:2] for x in b]:
        return [f"{what}s differ: {[x[:2] for x in a]} vs {[x[:2] for x in b]}"]
    return [f"{what} {x[0]} ({x[1]}): {x[2]:.2f}-{x[3]:.2f} vs {y[2]:.2f}-{y[3]:.2f} s"
            for x, y in zip(a, b, strict=True)
            if abs(x[2] - y[2]) > tol + 1e-6 or abs(x[3] - y[3]) > tol + 1e-6]
