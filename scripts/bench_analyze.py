"""How close `coach analyze` comes to the pose model alone, measured side by side in one run
(machines here are shared and noisy: the ratios are what count).

Prints, each with its baseline from the same run:
- the model alone on frames decoded beforehand vs the whole `coach analyze` process (frames/s
  and their ratio), every frame and ``--stride auto``, at 640x480 (``samples/pigeon_clean.mp4``
  looped) and at 1080p (that sample scaled up and pillarboxed with PyAV);
- the checks (the session's update, recogniser included) and the overlay per frame at 720p,
  as a share of the whole run's time per frame at 1080p (analysed at 720p);
- peak memory of `coach analyze` on a short 4K clip, and on the 640x480 clip;
- `coach --help` time.

    python scripts/bench_analyze.py [--loops 2] [--seconds-4k 3] [--compare /path/to/old/tree]

``--compare``: also run the whole-process figures and the checks and overlay with the coach of
another source tree (for example the main branch's), as the "was" baseline. Beside each
whole-process figure a steady-state one leaves out the start-up, model load and finish (the
seconds of a 1-frame run).
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.output.annotate import Overlay  # noqa: E402
from coach.pose import Pose  # noqa: E402
from coach.pose.estimator import open_estimator  # noqa: E402
from coach.recognizer import Recognizer  # noqa: E402
from coach.rules.definitions import find_exercise  # noqa: E402
from coach.session import Session  # noqa: E402

SAMPLE = ROOT / "samples" / "pigeon_clean.mp4"
EXERCISE = "pigeon"


def _frames(path: Path, limit: int | None = None) -> Iterator[np.ndarray]:
    with av.open(str(path)) as c:
        for i, f in enumerate(c.decode(video=0)):
            if limit is not None and i >= limit:
                return
            yield f.to_ndarray(format="bgr24")


def make_clip(path: Path, size: tuple[int, int], loops: int = 1, seconds: float | None = None,
              source: Path = SAMPLE) -> Path:
    """``source`` played ``loops`` times (or for its first ``seconds``), scaled to fit ``size``
    and pillarboxed, as H.264 at the source's rate (cached by name)."""
    if path.exists():
        return path
    with av.open(str(source)) as c:
        fps = c.streams.video[0].average_rate or Fraction(15)
    limit = None if seconds is None else round(seconds * float(fps))
    w, h = size
    tmp = path.with_suffix(".part.mp4")
    with av.open(str(tmp), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.options = {"crf": "18", "preset": "ultrafast"}
        for _ in range(loops):
            for img in _frames(source, limit):
                ih, iw = img.shape[:2]
                k = min(w / iw, h / ih)
                sw, sh = round(iw * k / 2) * 2, round(ih * k / 2) * 2
                frame = av.VideoFrame.from_ndarray(img, format="bgr24")
                scaled = frame.reformat(width=sw, height=sh).to_ndarray(format="bgr24")
                canvas = np.zeros((h, w, 3), np.uint8)
                y0, x0 = (h - sh) // 2, (w - sw) // 2
                canvas[y0:y0 + sh, x0:x0 + sw] = scaled
                for packet in stream.encode(av.VideoFrame.from_ndarray(canvas, format="bgr24")):
                    out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    tmp.rename(path)
    return path


def model_alone(path: Path, total: int, keep: int) -> tuple[float, list[Pose]]:
    """Frames/s of the pose model on frames decoded beforehand (full size, as stored): the
    first ``keep`` frames, played over until ``total`` have been estimated; and the poses."""
    frames = list(_frames(path, keep))
    poses = []
    with open_estimator() as est:
        est.estimate(frames[0], 0.0)  # warm up outside the timing
        t0 = time.perf_counter()
        for i in range(total):
            poses.append(est.estimate(frames[i % len(frames)], (i + 1) / 15))
        elapsed = time.perf_counter() - t0
    return total / elapsed, poses


def run_child(argv: list[str], tree: Path = ROOT) -> tuple[float, float]:
    """Wall-clock seconds and peak memory (MB) of one child process. The peak is the child's
    own high-water mark (``VmHWM``, read until it exits): its ``ru_maxrss`` would include this
    process's memory at the fork, model and decoded frames included. ``tree``: the source tree
    whose coach runs."""
    with tempfile.TemporaryFile() as err_file:
        t0 = time.perf_counter()
        # run from the tree itself: ``python -m`` puts the working folder first on the path
        proc = subprocess.Popen(argv, env={**os.environ, "PYTHONPATH": str(tree)}, cwd=tree,
                                stdout=subprocess.DEVNULL, stderr=err_file)
        status = Path(f"/proc/{proc.pid}/status")
        peak_kb = 0
        while proc.poll() is None:
            try:
                for ln in status.read_text().splitlines():
                    if ln.startswith("VmHWM:"):
                        peak_kb = max(peak_kb, int(ln.split()[1]))
            except (OSError, ValueError):
                pass
            time.sleep(0.02)
        elapsed = time.perf_counter() - t0
        err_file.seek(0)
        err = err_file.read().decode(errors="replace")
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {err.strip()}")
    return elapsed, peak_kb / 1024


def analyze(path: Path, out: Path, stride: str = "1", tree: Path = ROOT) -> tuple[float, float]:
    """Wall-clock seconds and peak MB of the whole `coach analyze` process."""
    argv = [sys.executable, "-m", "coach", "analyze", str(path), "-e", EXERCISE, "-q",
            "--out", str(out)]
    if stride != "1":
        argv += ["--stride", stride]
    return run_child(argv, tree)


def whole(name: str, clip: Path, out: Path, n: int, model_fps: float, stride: str = "1",
          tree: Path = ROOT, fixed: float = 0.0) -> float:
    """`coach analyze` of ``clip`` (``n`` frames) into ``out``, printed against the model
    alone; its wall-clock seconds per frame. ``fixed``: the seconds of a 1-frame run (start-up,
    model load, finish), taken off for the steady-state figure printed beside it."""
    wall, peak = analyze(clip, out, stride, tree)
    rate, size = kbits_per_s(out)
    steady = ""
    if 0 < fixed < wall:
        fps = (n - 1) / (wall - fixed)
        steady = f"; steady state {fps:.1f} frames/s = {fps / model_fps:.2f}x"
    print(f"  {name}: {n / wall:6.1f} frames/s = {n / wall / model_fps:.2f}x the model alone "
          f"(whole process{steady}; peak {peak:.0f} MB; video {size}, {rate:.0f} kbit/s)",
          flush=True)
    return wall / n


def kbits_per_s(out: Path, fps: float = 15.0) -> tuple[float, str]:
    """The annotated video's bit rate (kbit/s) in ``out``."""
    video = next(out.glob("*_annotated.mp4"))
    with av.open(str(video)) as c:
        s = c.streams.video[0]
        frames, size = s.frames, f"{s.width}x{s.height}"
    return video.stat().st_size * 8 / 1000 / (frames / fps), size


def frame_count(path: Path) -> int:
    with av.open(str(path)) as c:
        return c.streams.video[0].frames or sum(1 for _ in c.decode(video=0))


def checks_and_overlay(poses: list[Pose], from_wh: tuple[int, int],
                       to_wh: tuple[int, int]) -> tuple[float, float, float]:
    """Seconds per frame of the session's update (as `coach analyze -e pigeon` makes it), of
    the recogniser inside it, and of the overlay at ``to_wh``, on the model's poses scaled from
    ``from_wh`` (pillarboxed)."""
    k = to_wh[1] / from_wh[1]
    dx = (to_wh[0] - from_wh[0] * k) / 2
    ex = find_exercise(EXERCISE)
    recognizer = Recognizer()
    t_rec = 0.0

    def recognize(pose: Pose, t: float):  # noqa: ANN202 - a Recognition
        nonlocal t_rec
        t0 = time.perf_counter()
        out = recognizer.update(pose, t)
        t_rec += time.perf_counter() - t0
        return out

    session, overlay = Session(ex, recognize=recognize), Overlay(ex)
    canvas = np.full((to_wh[1], to_wh[0], 3), 110, np.uint8)
    t_check = t_draw = 0.0
    for i, p in enumerate(poses):
        if not p.is_empty:
            bbox = None if p.bbox is None else (p.bbox[0] * k + dx, p.bbox[1] * k,
                                                 p.bbox[2] * k + dx, p.bbox[3] * k)
            p = Pose(p.xy * k + (dx, 0), p.world, p.visibility, to_wh, bbox)
        else:
            p = Pose.empty(to_wh)
        image = canvas.copy()
        t0 = time.perf_counter()
        state = session.update(p, i / 15, int(not p.is_empty))
        t1 = time.perf_counter()
        overlay.annotate(image, state)
        t2 = time.perf_counter()
        t_check, t_draw = t_check + t1 - t0, t_draw + t2 - t1
    n = len(poses)
    return t_check / n, t_rec / n, t_draw / n


def checks_elsewhere(poses: list[Pose], tree: Path, work: Path) -> tuple[float, float, float]:
    """:func:`checks_and_overlay` at 720p with the coach of another source tree, in a child
    process (its package imported before this script's folder is on the path)."""
    data = work / "poses.pkl"
    data.write_bytes(pickle.dumps(poses))
    code = (f"import pickle, sys; sys.path.insert(0, {str(tree)!r}); import coach; "
            f"sys.path.insert(1, {str(Path(__file__).resolve().parent)!r}); "
            "import bench_analyze as b; "
            f"poses = pickle.loads(open({str(data)!r}, 'rb').read()); "
            "print(*b.checks_and_overlay(poses, (640, 480), (1280, 720)))")
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(tree)},
                         cwd=tree, capture_output=True, text=True, check=True)
    check_s, rec_s, draw_s = (float(v) for v in out.stdout.split()[-3:])
    return check_s, rec_s, draw_s


def help_time(tree: Path = ROOT, n: int = 5) -> float:
    return statistics.median(run_child([sys.executable, "-m", "coach", "--help"], tree)[0]
                             for _ in range(n))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loops", type=int, default=2, help="times the 640x480 sample is played")
    ap.add_argument("--seconds", type=float, help="only the sample's first seconds (a smoke run)")
    ap.add_argument("--keep-1080", type=int, default=120,
                    help="1080p frames held decoded for the model-alone figure")
    ap.add_argument("--seconds-4k", type=float, default=3.0)
    ap.add_argument("--compare", type=Path, help="another source tree to measure as 'was'")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "coach-bench")
    args = ap.parse_args()
    # absolute: the other tree's coach runs from that tree, where a relative path means nothing
    args.work = args.work.resolve()
    if args.compare is not None:
        args.compare = args.compare.resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores, {_cpu_name()}; python {sys.version.split()[0]}",
          flush=True)

    part = "" if args.seconds is None else f"_{args.seconds:g}s"
    clips = {"640x480": make_clip(args.work / f"pigeon_640x480_x{args.loops}{part}.mp4",
                                  (640, 480), args.loops, args.seconds),
             "1080p": make_clip(args.work / f"pigeon_1080p{part}.mp4", (1920, 1080),
                                seconds=args.seconds)}
    clip_4k = make_clip(args.work / f"pigeon_4k_{args.seconds_4k:g}s.mp4", (3840, 2160),
                        seconds=args.seconds_4k)
    one_frame = make_clip(args.work / "pigeon_1frame.mp4", (640, 480), seconds=1 / 15)
    poses_480: list[Pose] = []
    wall_1080 = model_1080 = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        fixed, _ = analyze(one_frame, out / "one")
        line = (f"coach analyze of a 1-frame video (start-up, model load, finish): {fixed:.2f} s, "
                "included in each whole-process figure below (the steady-state figure leaves it "
                "out)")
        fixed_was = 0.0
        if args.compare:
            fixed_was, _ = analyze(one_frame, out / "one-was", "1", args.compare)
            line += f" (was {fixed_was:.2f} s)"
        print(line, flush=True)
        for label, clip in clips.items():
            n = frame_count(clip)
            keep = n if label == "640x480" else min(n, args.keep_1080)
            model_fps, poses = model_alone(clip, n, keep)
            if label == "640x480":
                poses_480 = poses
            else:
                model_1080 = 1 / model_fps
            print(f"{label}: {n} frames; pose model alone (decoded beforehand) "
                  f"{model_fps:.1f} frames/s", flush=True)
            for stride in ("1", "auto"):
                per_frame = whole(f"coach analyze --stride {stride:4s}", clip,
                                  out / f"{label}-{stride}", n, model_fps, stride, fixed=fixed)
                if (label, stride) == ("1080p", "1"):
                    wall_1080 = per_frame
            if args.compare:
                for stride in ("1", "auto"):
                    whole(f"was ({args.compare.name}) --stride {stride:4s}", clip,
                          out / f"{label}-was-{stride}", n, model_fps, stride, args.compare,
                          fixed_was)

        check_s, rec_s, draw_s = checks_and_overlay(poses_480, (640, 480), (1280, 720))
        share = (check_s + draw_s) / wall_1080
        print(f"720p: checks {1000 * check_s:.2f} ms (of which the recogniser "
              f"{1000 * rec_s:.2f} ms) + overlay {1000 * draw_s:.2f} ms per frame = "
              f"{100 * share:.1f} % of the whole run's {1000 * wall_1080:.1f} ms per frame "
              f"(1080p analysed at 720p; without the recogniser "
              f"{100 * (check_s - rec_s + draw_s) / wall_1080:.1f} %), all off the model's thread; "
              f"= {100 * (check_s + draw_s) / model_1080:.1f} % of the model alone's "
              f"{1000 * model_1080:.1f} ms per frame (goal 3 %)", flush=True)
        if args.compare:
            was_check, was_rec, was_draw = checks_elsewhere(poses_480, args.compare, out)
            print(f"  was ({args.compare.name}): checks {1000 * was_check:.2f} ms (the recogniser "
                  f"{1000 * was_rec:.2f} ms) + overlay {1000 * was_draw:.2f} ms = "
                  f"{100 * (was_check + was_draw) / wall_1080:.1f} %", flush=True)

        n4k = frame_count(clip_4k)
        _, peak_4k = analyze(clip_4k, out / "4k")
        line = f"4K ({n4k} frames, {args.seconds_4k:g} s): peak memory {peak_4k:.0f} MB"
        if args.compare:
            _, was_4k = analyze(clip_4k, out / "4k-was", "1", args.compare)
            line += f" (was {was_4k:.0f} MB)"
        print(line, flush=True)

    line = f"coach --help: {help_time():.2f} s (median of 5; goal under 0.3 s)"
    if args.compare:
        line += f" (was {help_time(args.compare):.2f} s)"
    print(line, flush=True)


def _cpu_name() -> str:
    try:
        for ln in Path("/proc/cpuinfo").read_text().splitlines():
            if ln.startswith("model name"):
                return ln.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


if __name__ == "__main__":
    main()
