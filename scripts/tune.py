"""Compare the coach's measurements on MediaPipe landmarks with the same measurements on the
rendered ground truth, phase by phase, to tune the thresholds in poses/*.toml.

    python scripts/tune.py figure4_clean [pigeon_clean ...]

Landmarks are cached in out/cache/NAME.npz, so a second run is instant.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from coach.io.sources import open_source
from coach.pose.core import Pose
from coach.pose.estimator import open_estimator
from coach.rules import measures as M
from coach.rules.definitions import find_exercise
from coach.truth import load_truth

CACHE = Path("out/cache")


def estimated_poses(truth) -> list[Pose]:
    CACHE.mkdir(parents=True, exist_ok=True)
    f = CACHE / f"{truth.name}.npz"
    if f.exists() and f.stat().st_mtime > truth.video.stat().st_mtime:
        d = np.load(f)
        return [
            Pose.empty(tuple(d["wh"]))
            if not d["ok"][i]
            else Pose(d["xy"][i], d["world"][i], d["vis"][i], tuple(d["wh"]))
            for i in range(len(d["ok"]))
        ]
    poses = []
    with open_source(truth.video) as src, open_estimator() as est:
        for fr in src:
            poses.append(est.estimate(fr.image, fr.t))
    wh = np.array(poses[0].image_wh)
    z = lambda shape: np.zeros(shape)  # noqa: E731
    np.savez_compressed(
        f,
        wh=wh,
        ok=np.array([not p.is_empty for p in poses]),
        xy=np.stack([p.xy if not p.is_empty else z((33, 2)) for p in poses]),
        world=np.stack([p.world if not p.is_empty else z((33, 3)) for p in poses]),
        vis=np.stack([p.visibility if not p.is_empty else z(33) for p in poses]),
    )
    return poses


def measures_for(ex) -> list[tuple[str, str, dict]]:
    out = [(c.name, c.measure, c.params) for c in ex.checks]
    out += [
        (
            f"pos:{c.measure}" + (f"({c.params['leg']})" if c.params.get("leg") == "other" else ""),
            c.measure,
            c.params,
        )
        for c in ex.position
    ]
    if ex.reps:
        out.append(("reps", ex.reps.measure, ex.reps.params))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("samples", nargs="+")
    ap.add_argument("--frames", action="store_true", help="print every 5th frame")
    args = ap.parse_args()
    for name in args.samples:
        truth = load_truth(name)
        if truth.exercise == "none":
            print(f"{name}: exercise none, nothing to tune")
            continue
        ex = find_exercise(truth.exercise)
        poses = estimated_poses(truth)
        rows = []
        for i, est in enumerate(poses):
            t = i / truth.fps
            side = truth.side_at(t)
            faults = [f["check"] for f in truth.data["faults"] if f["start_s"] <= t < f["end_s"]]
            vals = {}
            for label, m, params in measures_for(ex):
                a = M.read(truth.pose(i), m, side, params, 0.5).value
                b = M.read(est, m, side, params, ex.min_visibility)
                vals[label] = (a, b.value, b.reason)
            rows.append((t, truth.phase_at(t), side, tuple(faults), vals))
        print(f"== {name} ({ex.name})   truth / estimated (median per segment), unseen % of frames")
        keys = [k for k, _, _ in measures_for(ex)]
        print(f"{'segment':34s}" + "".join(f"{k[-20:]:>22s}" for k in keys))
        groups: dict[tuple, list] = {}
        for r in rows:
            groups.setdefault((r[1], r[2], r[3]), []).append(r)
        for (phase, side, faults), rs in groups.items():
            label = f"{phase}/{side}" + (f" FAULT {','.join(faults)}" if faults else "")
            label += f" [{rs[0][0]:.1f}-{rs[-1][0]:.1f}]"
            line = f"{label[:34]:34s}"
            for k in keys:
                a = [r[4][k][0] for r in rs if r[4][k][0] is not None]
                b = [r[4][k][1] for r in rs if r[4][k][1] is not None]
                unseen = 100 * (1 - len(b) / len(rs))
                fa = f"{np.median(a):.2f}" if a else "-"
                fb = f"{np.median(b):.2f}" if b else "-"
                line += f"{fa + ' / ' + fb + f' {unseen:.0f}%':>22s}"
            print(line)
        if args.frames:
            for r in rows[::5]:
                print(
                    f"{r[0]:6.2f} {r[1]}/{r[2]} {r[3]} "
                    + "  ".join(
                        f"{k}={'-' if v[0] is None else f'{v[0]:.2f}'}/"
                        f"{'-' if v[1] is None else f'{v[1]:.2f}'}"
                        for k, v in r[4].items()
                    )
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
