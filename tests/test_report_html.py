"""The HTML report: what a coach or physio reads after a session."""

from __future__ import annotations

from pathlib import Path

import synth
from fakes import Clip, FakeEstimator

from coach.output.writers import report_writers
from coach.rules.definitions import find_exercise, load_exercise
from coach.run import run


def _hips_lifted_6_to_10(t: float):
    return synth.supine_figure4("left", hip_lift=40 if 6 <= t < 10 else 0)


def test_report_page_shows_sides_timeline_and_a_snapshot_of_each_fault(tmp_path: Path):
    report_path = tmp_path / "report.json"
    result = run(Clip(14), FakeEstimator(_hips_lifted_6_to_10), find_exercise("supine_figure4"),
                 [], report_writers(report_path), recognize=False)  # a stick figure: rules
    assert [e.check for e in result.report.events] == ["hips_down"]
    assert result.written == [report_path, tmp_path / "report.html"]
    page = result.written[1].read_text()
    assert "<h1>Supine figure-4</h1>" in page
    assert "Time per side" in page and "<svg" in page
    assert page.count('src="data:image/jpeg;base64,') == 1  # the moment the hips lifted
    assert "Let your hips sink back onto the floor" in page
    assert "0:06" in page  # the fault's start on the timeline list
    # checks by the titles the live screen shows (and their names for whoever tunes them)
    hips = next(c.title for c in find_exercise("supine_figure4").checks if c.name == "hips_down")
    assert f'class="lbl">{hips}</text>' in page and "<code>hips_down</code>" in page
    assert ">left<" in page and ">right<" in page  # the timeline's legend


def test_a_stretch_without_sides_has_one_row_and_no_balance(tmp_path: Path):
    from test_session import KNEEL_FOLD

    (tmp_path / "kneel_fold.toml").write_text(KNEEL_FOLD)
    ex = load_exercise(tmp_path / "kneel_fold.toml")
    result = run(Clip(8), FakeEstimator(lambda t: synth.child_pose()), ex, [],
                 report_writers(tmp_path / "out" / "report.json"), recognize=False)
    assert set(result.report.sides) == {"both"}
    page = result.written[1].read_text()
    assert "Time held" in page and "per side" not in page
    assert "<tr><th>Both</th>" in page and "<th>Left</th>" not in page
    # its time in position is one colour, named as what it is, not as a right side
    assert "Both sides</div>" in page and ">right<" not in page and "right:" not in page
