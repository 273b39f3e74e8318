"""``--stride auto`` (the pose model only when the body moves) reports what analysing every
frame reports: the same faults within 0.2 s, time per side within 2 %, the same reps
(``coach.truth.same_report``; all samples: scripts/compare_stride.py)."""

from __future__ import annotations

import pytest

from coach.io.sinks import NullSink
from coach.io.sources import open_source
from coach.pose.estimator import open_estimator
from coach.pose.stride import MotionStride
from coach.rules.definitions import find_exercise
from coach.run import run
from coach.truth import load_truth, same_report

pytestmark = pytest.mark.e2e


def test_stride_reports_what_every_frame_reports():
    truth = load_truth("pigeon_hips_lift")
    reports, ran = [], 1.0
    for stride in (False, True):
        with open_source(truth.video) as src, open_estimator() as est:
            estimator = MotionStride(est) if stride else est
            reports.append(run(src, estimator, find_exercise(truth.exercise), [NullSink()]).report)
            if stride:
                ran = estimator.estimated / estimator.frames
    assert reports[0].frames == reports[1].frames == truth.data["frames"]
    assert same_report(*reports) == []
    assert ran < 0.8  # and the model did skip frames
