"""``--stride auto`` (the pose model only when the body moves) reports what analysing every
frame reports: the same faults within 0.2 s, time per side within 2 %, the same reps
(``coach.truth.same_report``; all samples: scripts/compare_stride.py)."""

from __future__ import annotations

import pytest
from replay import estimator_for, xdist_group

from coach.io.sinks import NullSink
from coach.io.sources import open_source
from coach.pose.estimator import open_estimator
from coach.pose.stride import MotionStride
from coach.rules.definitions import find_exercise
from coach.run import run
from coach.truth import load_truth, same_report

pytestmark = pytest.mark.e2e


@xdist_group("pigeon_hips_lift")  # with test_e2e's run of it (conftest)
def test_stride_reports_what_every_frame_reports():
    truth = load_truth("pigeon_hips_lift")
    reports, ran = [], 1.0
    for stride in (False, True):
        # every frame: the model's poses, replayed if tests/test_e2e.py ran it on this sample
        # already (tests/replay.py); with the stride, the real model (it skips frames, and
        # tracking across a skipped frame is not what it was across all of them)
        est_cm = open_estimator() if stride else estimator_for(truth.video, False, truth.data["frames"])
        with open_source(truth.video) as src, est_cm as est:
            estimator = MotionStride(est) if stride else est
            reports.append(run(src, estimator, find_exercise(truth.exercise), [NullSink()]).report)
            if stride:
                ran = estimator.estimated / estimator.frames
    assert reports[0].frames == reports[1].frames == truth.data["frames"]
    assert same_report(*reports) == []
    assert ran < 0.8  # and the model did skip frames
