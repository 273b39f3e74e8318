"""The HTML report: what a coach or physio reads after a session."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import synth

from coach.io.sources import Frame, FrameSource
from coach.rules.definitions import find_exercise
from coach.run import run


class _Clip(FrameSource):
    """Frames of a plain image, 15 per second; the poses come from the fake estimator."""

    fps = 15.0
    size = (640, 480)

    def __init__(self, seconds: float) -> None:
        self.frame_count = int(seconds * self.fps)
        self.name = "synthetic clip"

    def __iter__(self):
        for i in range(self.frame_count):
            yield Frame(np.full((480, 640, 3), 180, np.uint8), i / self.fps, i)


class _Script:
    """An estimator that plays a figure-4 hold with the hips lifted from 6 s to 10 s."""

    people = 1

    def estimate(self, image, t):
        return synth.supine_figure4("left", hip_lift=40 if 6 <= t < 10 else 0)


def test_report_page_shows_sides_timeline_and_a_snapshot_of_each_fault(tmp_path: Path):
    report_path = tmp_path / "report.json"
    result = run(_Clip(14), _Script(), find_exercise("supine_figure4"), [], report_path)
    assert [e["check"] for e in result.report["events"]] == ["hips_down"]
    page = result.html_path.read_text()
    assert result.html_path == tmp_path / "report.html"
    assert "<h1>Supine figure-4</h1>" in page
    assert "Time per side" in page and "<svg" in page
    assert page.count('src="data:image/jpeg;base64,') == 1  # the moment the hips lifted
    assert "Let your hips sink back onto the floor" in page
    assert "0:06" in page  # the fault's start on the timeline list
