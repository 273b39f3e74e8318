"""Does the recogniser hold at a camera's frame rate? The corpus is rendered at 10 frames/s;
cameras and recorded videos run at 25-30. Validation clips (one per stretch and four plain
negatives) are rendered again at ``--fps`` (the same timeline, body, camera and scene), tracked
by the pose model, and scored frame by frame against their 10 frames/s originals, with the
recogniser asked about every frame (``--every-frame``) or at its training rate (the default).

    .venv-render/bin/python scripts/rate_check.py render --shard 0/2 &   # two processes
    .venv-render/bin/python scripts/rate_check.py render --shard 1/2
    .venv/bin/python scripts/rate_check.py track
    .venv/bin/python scripts/rate_check.py eval [--every-frame] [--model FILE]

Videos, tracks and specs go under out/rate/ (about 12,000 frames at 30 frames/s: 20 minutes of
rendering on 2 cores and 8 of tracking); nothing is committed. The validation part is never
fitted, so this is a fair check of a change made for the frame rate.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy import RecognitionTally  # noqa: E402
from corpuslib import Clip, clips, decode_track, project  # noqa: E402

import corpus  # noqa: E402

OUT = corpus.REPO / "out" / "rate"


def picked() -> list[Clip]:
    """The first validation clip of each kind (by id), and four plain negatives spread over the rest."""
    val = sorted((c for c in clips() if c.split == "val"), key=lambda c: c.id)
    seen, out = set(), []
    for c in val:
        if c.kind != "none" and c.kind not in seen:
            seen.add(c.kind)
            out.append(c)
    negs = [c for c in val if c.kind == "none" and "props" not in c.spec]
    return out + negs[:: max(1, len(negs) // 4)][:4]


class RateClip(Clip):
    """A clip rendered again at another rate: its track is under out/rate/tracks."""

    @property
    def track(self) -> dict[str, np.ndarray]:  # type: ignore[override]
        if not hasattr(self, "_track"):
            with np.load(OUT / "tracks" / f"{self.id}.npz", allow_pickle=False) as d:
                out = decode_track({k: d[k] for k in d.files})
            out["truth_xy"] = project(self.spec, out["truth_world"].astype(np.float64)) / out["wh"]
            self._track = out
        return self._track


def rate_id(clip: Clip, fps: int) -> str:
    return f"r{fps}_{clip.id}"


def cmd_render(args) -> None:
    import torch
    from render.poses import load_library

    torch.set_num_threads(1)
    k, n = (int(v) for v in args.shard.split("/"))
    man = json.loads((corpus.CORPUS / "manifest.json").read_text())
    bodies = {b["id"]: b for b in man["bodies"]}
    lib = load_library()
    (OUT / "specs").mkdir(parents=True, exist_ok=True)
    for c in picked()[k::n]:
        spec = copy.deepcopy(c.spec)
        spec["id"], spec["fps"] = rate_id(c, args.fps), args.fps
        spec.pop("rendered", None)
        f = OUT / "specs" / f"{spec['id']}.json"
        if f.exists():
            continue
        t0 = time.time()
        spec["rendered"] = corpus.render_clip(spec, bodies, lib)
        f.write_text(json.dumps(spec))
        print(f"{spec['id']}: {spec['rendered']['frames']} frames in {time.time() - t0:.0f} s", flush=True)


def cmd_track(_args) -> None:
    from coach.pose.mediapipe import bundled_model_sha

    corpus.TRACKS = OUT / "tracks"  # track_clip writes there, not into corpus/
    model_hash = bundled_model_sha()
    for f in sorted((OUT / "specs").glob("*.json")):
        if not (OUT / "tracks" / f"{f.stem}.npz").exists():
            corpus.track_clip(f.stem, model_hash)
            print(f"{f.stem} tracked", flush=True)


def score(clip: Clip, rec, tally: RecognitionTally) -> float:
    """Adds one clip's frames to ``tally``; returns the share of them recognised right."""
    got = [rec.update(p, float(t)).label for p, t in zip(clip.poses(), clip.times, strict=True)]
    return tally.add(clip, got)


def cmd_eval(args) -> None:
    from coach.recognizer import Model, Recognizer

    model = Model.load(args.model) if args.model else None
    rate = 0.0 if args.every_frame else None
    specs = {f.stem: json.loads(f.read_text()) for f in (OUT / "specs").glob("*.json")}
    tot10, totr = RecognitionTally(), RecognitionTally()
    for c in picked():
        rid = rate_id(c, args.fps)
        if rid not in specs or not (OUT / "tracks" / f"{rid}.npz").exists():
            print(f"{c.id}: not rendered and tracked at {args.fps} frames/s yet")
            continue
        a = score(c, Recognizer(model, rate=rate), tot10)
        b = score(RateClip(specs[rid]), Recognizer(model, rate=rate), totr)
        print(f"{c.id:9} {c.kind:18} {c.view:20} right at 10 frames/s {100 * a:5.1f} %, "
              f"at {args.fps} {100 * b:5.1f} %")
    how = "every frame" if args.every_frame else "at the training rate"
    for name, t in (("10 frames/s", tot10), (f"{args.fps} frames/s", totr)):
        right = 100 * t.stretch_ok / max(1, t.stretch_n)
        print(f"{name} (recogniser {how}): stretch and side right {right:.1f} % "
              f"of {t.stretch_n} frames, in position {100 * (t.in_position() or 0):.1f} %, 'none' on "
              f"negatives {100 * t.none_ok / max(1, t.none_n):.1f} % of {t.none_n}, side switches "
              f"{t.switches} in {t.hold_s / 60:.1f} min of one-sided holds")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("render")
    r.add_argument("--shard", default="0/1")
    t = sub.add_parser("track")
    e = sub.add_parser("eval")
    e.add_argument("--every-frame", action="store_true", help="ask the recogniser on every frame")
    e.add_argument("--model", type=Path, help="a recogniser model other than the shipped one")
    for p in (r, t, e):
        p.add_argument("--fps", type=int, default=30)
    args = ap.parse_args()
    {"render": cmd_render, "track": cmd_track, "eval": cmd_eval}[args.cmd](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
