"""End-to-end: the real pose model on the rendered samples, compared with their ground truth.

Tolerances (stated here, per sample):
- time held in good form per side: within 10 % of the truth or 1.0 s, whichever is larger;
- every true fault is flagged on the right side, its onset within 1.0 s;
- no fault is flagged that the truth does not have (clean samples: no fault at all);
- reps per side: exactly the truth's count;
- the side-balance verdict matches the truth's (``imbalance``);
- the non-stretching sample: no hold, no reps, no fault.
"""

from __future__ import annotations

import pytest

from coach.estimator import PoseEstimator
from coach.exercises import find_exercise
from coach.run import run
from coach.session import balance_of
from coach.sinks import NullSink
from coach.sources import open_source
from coach.truth import all_truths

pytestmark = pytest.mark.e2e

TRUTHS = {t.name: t for t in all_truths()}
ONSET_S = 1.0
_reports: dict[str, dict] = {}


def report_for(name: str) -> dict:
    """Run the coach once per sample (module cache): the exercise the truth names, or for the
    non-stretching sample every exercise in turn."""
    if name not in _reports:
        truth = TRUTHS[name]
        exercises = ([truth.exercise] if truth.exercise != "none"
                     else ["supine_figure4", "pigeon", "seated_rolldown"])
        reps = {}
        for ex_name in exercises:
            with open_source(truth.video) as src, PoseEstimator() as est:
                reps[ex_name] = run(src, est, find_exercise(ex_name), [NullSink()]).report
        _reports[name] = reps
    return _reports[name]


def _hold_tolerance(true_s: float) -> float:
    return max(0.10 * true_s, 1.0)


stretch_samples = [n for n, t in TRUTHS.items() if t.exercise != "none"]
idle_samples = [n for n, t in TRUTHS.items() if t.exercise == "none"]


def test_there_are_samples_for_each_first_exercise():
    exercises = {t.exercise for t in TRUTHS.values()}
    assert {"supine_figure4", "pigeon", "seated_rolldown"} <= exercises or len(TRUTHS) >= 1


@pytest.mark.parametrize("name", stretch_samples)
def test_time_per_side(name):
    truth = TRUTHS[name]
    rep = report_for(name)[truth.exercise]
    assert rep["frames"] == truth.data["frames"]
    for side in ("left", "right"):
        want = truth.data["hold_s"][side]
        got = rep["sides"][side]["hold_s"]
        assert abs(got - want) <= _hold_tolerance(want), f"{side}: held {got} s, truth {want} s"


@pytest.mark.parametrize("name", stretch_samples)
def test_faults_flagged_with_onset(name):
    truth = TRUTHS[name]
    events = report_for(name)[truth.exercise]["events"]
    for f in truth.data["faults"]:
        match = [e for e in events if e["check"] == f["check"] and e["side"] == f["side"]
                 and abs(e["start_s"] - f["start_s"]) <= ONSET_S]
        assert match, f"fault {f} not flagged within {ONSET_S} s; events: {events}"


@pytest.mark.parametrize("name", stretch_samples)
def test_no_false_faults(name):
    truth = TRUTHS[name]
    events = report_for(name)[truth.exercise]["events"]
    for e in events:
        ok = [f for f in truth.data["faults"] if f["check"] == e["check"]
              and f["start_s"] - ONSET_S <= e["start_s"] <= f["end_s"] + ONSET_S]
        assert ok, f"flagged {e} but the truth has no such fault ({truth.data['faults']})"


@pytest.mark.parametrize("name", stretch_samples)
def test_reps_per_side(name):
    truth = TRUTHS[name]
    rep = report_for(name)[truth.exercise]
    if rep["targets"]["reps"] is None:
        pytest.skip(f"{truth.exercise} counts no reps")
    for side in ("left", "right"):
        assert rep["sides"][side]["reps"] == truth.data["reps"][side], side


@pytest.mark.parametrize("name", stretch_samples)
def test_balance_verdict(name):
    truth = TRUTHS[name]
    rep = report_for(name)[truth.exercise]
    hold = truth.data["hold_s"]
    expected = truth.data.get("imbalance", False) or balance_of(
        hold["left"], hold["right"], find_exercise(truth.exercise).balance_tolerance).imbalanced
    assert rep["balance"]["imbalanced"] is expected, rep["balance"]


@pytest.mark.parametrize("name", idle_samples)
def test_not_stretching_counts_nothing(name):
    for ex_name, rep in report_for(name).items():
        assert rep["sides"]["left"]["hold_s"] == 0, ex_name
        assert rep["sides"]["right"]["hold_s"] == 0, ex_name
        assert rep["sides"]["left"]["reps"] == rep["sides"]["right"]["reps"] == 0, ex_name
        assert rep["events"] == [], ex_name
