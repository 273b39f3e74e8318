"""End-to-end: routines on a recording of several rendered samples one after the other (built
here), with the real pose model: analyze scores it against a routine's steps, and live guides
through them with the recording standing in for the camera."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from media import concat_videos
from test_report_schema import validate_report
from typer.testing import CliRunner

from coach.cli import app
from coach.truth import SAMPLES_DIR

pytestmark = pytest.mark.e2e
PARTS = [SAMPLES_DIR / "figure4_clean.mp4", SAMPLES_DIR / "pigeon_clean.mp4"]  # 30 s + 36 s
# figure-4 holds 10.5 s left and 11.5 s right (truth); pigeon 17 s left and 13 s right, from 30 s
PAIR = """name = "pair"
title = "Figure-4 then pigeon"

[[steps]]
exercise = "supine_figure4"
hold_s = 5

[[steps]]
exercise = "pigeon"
hold_s = 5

[[steps]]
exercise = "seated_rolldown"  # not in the recording
hold_s = 5

[[steps]]
exercise = "wall_glute"  # no definition yet
breaths = 5
"""


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> Path:
    if not all(p.exists() for p in PARTS):
        pytest.skip("samples missing")
    return concat_videos(PARTS, tmp_path_factory.mktemp("rec") / "figure4_then_pigeon.mp4")


@pytest.fixture
def pair_routine(tmp_path: Path, monkeypatch) -> str:
    folder = tmp_path / "routines"
    folder.mkdir()
    (folder / "pair.toml").write_text(PAIR)
    monkeypatch.setenv("COACH_ROUTINES", str(folder))
    return "pair"


def test_analyze_scores_a_recording_against_a_routine(tmp_path: Path, recording: Path,
                                                      pair_routine: str):
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["analyze", str(recording), "--routine", pair_routine,
                                 "--out", str(out), "-q"])
    assert r.exit_code == 0, r.output
    report = json.loads((out / "report.json").read_text())
    validate_report(report)
    assert report["complete"] is True and report["frames"] == 450 + 540
    routine = report["routine"]
    steps = {s["exercise"]: s for s in routine["steps"]}
    assert [(s["exercise"], s["status"]) for s in routine["steps"]] == [
        ("supine_figure4", "done"), ("pigeon", "done"), ("seated_rolldown", "missing"),
        ("wall_glute", "skipped")]
    fig4, pigeon = steps["supine_figure4"], steps["pigeon"]
    assert fig4["start_s"] < 6 and fig4["end_s"] <= 31  # found in the first recording ...
    assert pigeon["start_s"] >= 30  # ... and pigeon after it
    for step in (fig4, pigeon):
        assert set(step["held"]) == {"left", "right"}
        assert all(side["hold_s"] >= 5 and side["met"] for side in step["held"].values())
        assert step["faults"] == []  # clean samples
    assert routine["verdict"] == "incomplete" and routine["steps_done"] == 2
    assert [w.split(":")[0] for w in routine["why_incomplete"]] == ["3. Cross-legged roll-down",
                                                                   "4. Wall glute stretch"]
    page = (out / "report.html").read_text()
    assert "Routine: Figure-4 then pigeon" in page and "missing" in page and "skipped" in page
