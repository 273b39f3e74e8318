"""Render sample videos with exact ground truth from scenario files.

    python scripts/render_sample.py scripts/render/scenarios/figure4_clean.toml [--out samples/]
    python scripts/render_sample.py --all
    python scripts/render_sample.py scripts/render/scenarios/pigeon_clean.toml --preview 2,10,20

Needs the render extra (pip install -e '.[render]') and EGL (PYOPENGL_PLATFORM=egl is set here).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from render.scenario import load_scenario  # noqa: E402

SCENARIOS = Path(__file__).resolve().parent / "render" / "scenarios"
app = typer.Typer(add_completion=False)


@app.command()
def main(
    scenarios: Annotated[list[Path] | None, typer.Argument(help="scenario .toml files")] = None,
    out: Annotated[Path, typer.Option(help="output folder")] = Path("samples"),
    all_: Annotated[bool, typer.Option("--all", help="render every scenario")] = False,
    preview: Annotated[
        str | None, typer.Option(help="comma-separated times (s): write PNGs, no video")
    ] = None,
    preview_dir: Annotated[Path, typer.Option(help="where preview PNGs go")] = Path("out/preview"),
    crf: Annotated[int, typer.Option(help="x264 quality (lower = bigger)")] = 26,
) -> None:
    """Render scenario(s) to OUT/NAME.mp4, NAME.truth.json and NAME.keypoints.npz."""
    paths = sorted(SCENARIOS.glob("*.toml")) if all_ else list(scenarios or [])
    if not paths:
        typer.echo("error: give scenario files or --all", err=True)
        raise typer.Exit(2)
    for p in paths:
        if not p.is_file():
            typer.echo(f"error: no such scenario: {p}", err=True)
            raise typer.Exit(2)
    from render.render import render_preview, render_video

    for p in paths:
        try:
            s = load_scenario(p)
        except (ValueError, KeyError) as e:
            typer.echo(f"error: {p}: {e}", err=True)
            raise typer.Exit(2) from None
        if preview:
            times = [float(x) for x in preview.split(",")]
            for f in render_preview(s, preview_dir, times):
                typer.echo(f)
        else:
            typer.echo(f"rendering {s.sample} ({s.frames} frames)")
            typer.echo(render_video(s, out, crf=crf))


if __name__ == "__main__":
    app()
