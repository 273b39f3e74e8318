"""Screenshots of `coach live` under Xvfb, a video standing in for the camera: a screenshot every
``--every`` seconds from start to summary, to look at each step's layout at a window size.

    python scripts/live_screenshots.py --camera samples/figure4_clean.mp4 -e figure-4 \\
        --size 1280x720 --out out/shots/1280x720
    python scripts/live_screenshots.py --camera samples/side_kick_series_clean.mp4 \\
        --out out/shots/routine -- --routine side_kicks

Needs Xvfb, and ImageMagick's ``import`` (Debian: ``apt-get install xvfb imagemagick``) or else
Pillow built with XCB (``PIL.ImageGrab``). Extra arguments after ``--`` go to `coach live` (e.g.
``-- --setup-s 3``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--camera", required=True)
    ap.add_argument("-e", "--exercise", help="the exercise (none: recognised, or a --routine after --)")
    ap.add_argument("--size", default="1280x720", help="window (and screen) size, WxH")
    ap.add_argument("--every", type=float, default=0.5)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("rest", nargs="*", help="more `coach live` arguments (after --)")
    args = ap.parse_args()
    if not shutil.which("Xvfb"):
        sys.exit("live_screenshots: Xvfb is not installed")
    if not shutil.which("import") and not _pil_grabs():
        sys.exit("live_screenshots: neither ImageMagick's import nor Pillow with XCB is installed")
    args.out.mkdir(parents=True, exist_ok=True)
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0",
                             f"{args.size}x24", "-nolisten", "tcp"], pass_fds=(write_fd,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as f:
        env = {**os.environ, "DISPLAY": f":{f.readline().strip()}"}
    exercise = ["-e", args.exercise] if args.exercise else []
    coach = subprocess.Popen([sys.executable, "-m", "coach", "live", "--camera", args.camera,
                              *exercise, "--window-size", args.size,
                              "--out", str(args.out / "live"), *args.rest], env=env)
    t0, n = time.monotonic(), 0
    try:
        while coach.poll() is None:
            time.sleep(args.every)
            name = args.out / f"{n:03d}_{time.monotonic() - t0:05.1f}s.png"
            _grab(name, env)
            n += 1
    finally:
        if coach.poll() is None:
            coach.terminate()
        xvfb.terminate()
        xvfb.wait(timeout=5)
    print(f"{n} screenshots in {args.out}; coach exited {coach.returncode}")


def _pil_grabs() -> bool:
    try:
        from PIL import features
    except ImportError:
        return False
    return bool(features.check("xcb"))


def _grab(name: Path, env: dict[str, str]) -> None:
    """The whole screen into ``name``: ImageMagick's ``import`` if there is one, else Pillow."""
    if shutil.which("import"):
        subprocess.run(["import", "-window", "root", str(name)], env=env,
                       stderr=subprocess.DEVNULL, check=False)
        return
    from PIL import ImageGrab

    with contextlib.suppress(OSError):  # the screen went away as the coach ended
        ImageGrab.grab(xdisplay=env["DISPLAY"]).save(name)


if __name__ == "__main__":
    main()
