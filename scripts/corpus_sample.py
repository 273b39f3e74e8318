"""Make end-to-end samples from rendered corpus clips (validation part by default).

    python scripts/corpus_sample.py CLIP_ID NAME [CLIP_ID NAME ...]
    python scripts/corpus_sample.py --pick [--split val]   # list candidate clips per stretch
    python scripts/corpus_sample.py --routine demo_lower_back_start lower_back_start

A routine sample (a demo clip: several stretches in one take) is ``samples/routines/NAME.mp4``
with ``NAME.json``: per stretch in order, when it began and ended and the seconds held per side.

A sample is ``samples/NAME.mp4`` (the clip's video, copied), ``NAME.truth.json`` (the format of
samples/README.md, from the clip's timeline) and ``NAME.keypoints.npz`` (the true keypoints).
Only clips whose every fault is clearly a fault or clearly absent can be samples: a fault whose
measured size lies between the corpus's clean and fault thresholds is not scored anywhere, so a
test could not say what the coach should have done; such clips are refused. The video must have
been rendered here (``scripts/corpus.py render``): the corpus commits tracks, not videos.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpuslib import COUNTED, Clip, camera_coordinates, clips, manifest  # noqa: E402
from render.body import KEYPOINT_NAMES  # noqa: E402

from coach.rules.definitions import find_exercise  # noqa: E402

REPO = HERE.parent
SAMPLES = REPO / "samples"
VIDEOS = REPO / "out" / "corpus" / "videos"


def usable(clip: Clip, thresholds: dict) -> str | None:
    """Why the clip cannot be a sample (None: it can)."""
    if "rendered" not in clip.spec:
        return "not rendered"
    if not (VIDEOS / f"{clip.id}.mp4").exists():
        return "video not here"
    for f in clip.faults():
        th = thresholds[f["check"]]
        if th["clean"] <= f["size"] < th["fault"]:
            return f"{f['check']} of {f['size']} {f['unit']} is neither clean nor a fault"
    return None


def truth_of(clip: Clip, name: str, thresholds: dict) -> dict:
    spec = clip.spec
    sided = find_exercise(spec["kind"]).sided
    faults = [dict(f, side=f["side"] if sided else "both") for f in clip.faults()
              if f["size"] >= thresholds[f["check"]]["fault"]]
    hold = clip.time_in_stretch(sided)
    for side in hold:  # time in a fault is not held
        for f in faults:
            if f["side"] == side:
                inside = [(s["start_s"], s["end_s"]) for s in spec["segments"] if s["phase"] in COUNTED]
                hold[side] -= sum(max(0.0, min(e, f["end_s"]) - max(b, f["start_s"])) for b, e in inside)
    reps = clip.reps() if sided else {"both": 0}
    body = next(b for b in manifest()["bodies"] if b["id"] == spec["body"])
    cp = spec["camera_pose"]
    return {
        "schema": 1,
        "sample": name,
        "exercise": spec["kind"],
        "scenario": f"corpus/clips/{clip.id}.json",
        "video": f"{name}.mp4",
        "fps": spec["fps"],
        "frames": spec["rendered"]["frames"],
        "width": spec["width"],
        "height": spec["height"],
        "duration_s": spec["duration_s"],
        "body": {**body["phenotype"], **spec["colours"]},
        "camera": {"placement": spec["view"], "position": cp["position"], "target": cp["target"],
                   "yfov_deg": cp["yfov_deg"]},
        "segments": [{k: s[k] for k in ("phase", "side", "start_s", "end_s")} for s in spec["segments"]],
        "faults": [{k: f[k] for k in ("check", "side", "start_s", "end_s")} for f in faults],
        "reps": reps,
        "hold_s": {s: round(v, 2) for s, v in hold.items()},
        "imbalance": False,
    }


def write(clip: Clip, name: str, thresholds: dict) -> None:
    why = usable(clip, thresholds)
    if why:
        raise SystemExit(f"error: {clip.id} cannot be a sample: {why}")
    truth = truth_of(clip, name, thresholds)
    shutil.copy(VIDEOS / f"{clip.id}.mp4", SAMPLES / f"{name}.mp4")
    (SAMPLES / f"{name}.truth.json").write_text(json.dumps(truth, indent=2) + "\n")
    with np.load(VIDEOS / f"{clip.id}.truth.npz") as d:
        np.savez_compressed(SAMPLES / f"{name}.keypoints.npz", xy=d["xy"].astype(np.float32),
                            xyz=camera_coordinates(d["world"], clip.spec["camera_pose"]).astype(np.float32),
                            names=np.array(KEYPOINT_NAMES))
    print(f"{clip.id} -> samples/{name} ({clip.kind}, {clip.view}, faults {truth['faults'] or 'none'})")


def routine_truth(clip: Clip, name: str) -> dict:
    """The stretches of a demo clip in order: start, end and seconds in the stretch per side
    ('both' for a stretch without sides)."""
    spec = clip.spec
    steps: list[dict] = []
    for sg in spec["segments"]:
        if not sg.get("stretch") or sg["phase"] not in COUNTED:
            continue
        if not steps or steps[-1]["exercise"] != sg["stretch"]:
            steps.append({"exercise": sg["stretch"], "start_s": sg["start_s"], "end_s": sg["end_s"],
                          "held_s": {}})
        st = steps[-1]
        st["end_s"] = sg["end_s"]
        side = sg["side"] if find_exercise(sg["stretch"]).sided else "both"
        st["held_s"][side] = round(st["held_s"].get(side, 0.0) + sg["end_s"] - sg["start_s"], 2)
    return {"schema": 1, "sample": name, "scenario": f"corpus/clips/{clip.id}.json", "video": f"{name}.mp4",
            "fps": spec["fps"], "frames": spec["rendered"]["frames"], "duration_s": spec["duration_s"],
            "camera": {"placement": spec["view"]}, "steps": steps}


def write_routine(clip: Clip, name: str) -> None:
    if clip.spec["split"] != "demo":
        raise SystemExit(f"error: {clip.id} is not a demo clip (a routine in one take)")
    if "rendered" not in clip.spec or not (VIDEOS / f"{clip.id}.mp4").exists():
        raise SystemExit(f"error: {clip.id} is not rendered here")
    out = SAMPLES / "routines"
    out.mkdir(exist_ok=True)
    truth = routine_truth(clip, name)
    shutil.copy(VIDEOS / f"{clip.id}.mp4", out / f"{name}.mp4")
    (out / f"{name}.json").write_text(json.dumps(truth, indent=2) + "\n")
    print(f"{clip.id} -> samples/routines/{name}: " + ", ".join(
        f"{s['exercise']} {s['start_s']}-{s['end_s']} s {s['held_s']}" for s in truth["steps"]))


def pick(split: str, thresholds: dict) -> None:
    by_kind = defaultdict(list)
    for c in clips(split):
        if c.kind != "none" and usable(c, thresholds) is None:
            big = [f"{f['check']} {f['side']} {f['size']}" for f in c.faults()
                   if f["size"] >= thresholds[f["check"]]["fault"]]
            by_kind[c.kind].append(f"{c.id} {c.view:<18} {c.n:4d} frames  {', '.join(big) or 'clean'}")
    for kind, rows in sorted(by_kind.items()):
        print(kind)
        for r in rows:
            print("   ", r)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pairs", nargs="*", metavar="CLIP_ID NAME")
    ap.add_argument("--pick", action="store_true", help="list the clips that can be samples")
    ap.add_argument("--split", default="val", choices=("val", "train"))
    ap.add_argument("--routine", nargs=2, metavar=("CLIP_ID", "NAME"), help="a demo clip as a routine sample")
    args = ap.parse_args()
    thresholds = manifest()["thresholds"]
    if args.routine:
        demo = {c.id: c for c in clips("demo", tracked=False)}
        if args.routine[0] not in demo:
            there = ", ".join(demo) or "none"
            raise SystemExit(f"error: no demo clip {args.routine[0]!r}; there are: {there}")
        write_routine(demo[args.routine[0]], args.routine[1])
        return 0
    if args.pick:
        pick(args.split, thresholds)
        return 0
    if not args.pairs or len(args.pairs) % 2:
        ap.error("give CLIP_ID NAME pairs")
    every = {c.id: c for c in clips(None, tracked=False)}
    for cid, name in zip(args.pairs[::2], args.pairs[1::2], strict=True):
        if cid not in every:
            raise SystemExit(f"error: no clip {cid!r} in the corpus")
        write(every[cid], name, thresholds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
