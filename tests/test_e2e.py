"""End-to-end: the real pose model on the rendered samples, compared with their ground truth.

Tolerances (``coach.truth.compare``, shared with scripts/evaluate.py):
- time held in good form per side: within 10 % of the truth or 1.0 s, whichever is larger;
- every true fault is flagged on the right side, its onset within 1.0 s;
- no fault is flagged that the truth does not have (clean samples: no fault at all);
- reps per side: exactly the truth's count;
- the side-balance verdict matches the truth's;
- the same frame count as the video;
- the non-stretching sample: no hold, no reps, no fault, whichever exercise is asked for.
Where sides take turns (roll-down), the test says which side came first, as a user would with
``--first-side``. Every stretch sample is also run mirrored left to right (the person facing the
other way, left and right swapped in the truth), so that no rule depends on which way the person
faces or which side is nearer the camera.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
from replay import estimator_for, xdist_group
from test_report_schema import validate_report

from coach.io.sinks import NullSink
from coach.io.sources import Frame, FrameSource, open_source
from coach.pose.estimator import open_estimator
from coach.rules.definitions import exercise_names, find_exercise
from coach.run import run
from coach.session.report import Report
from coach.truth import Truth, all_truths, compare

pytestmark = pytest.mark.e2e

TRUTHS = {t.name: t for t in all_truths()}
ASPECTS = ("frames", "hold", "faults", "false_faults", "reps", "balance")
EXERCISES = exercise_names()

# What the pose model is known not to see, measured (README: "What the model cannot see").
KNOWN_LIMITS = {
    ("figure4_pointed_foot", "faults"): "MediaPipe's heel/toe points do not follow the ankle: "
    "the foot angle reads ~129 deg flexed and ~128 deg pointed (truth 71 -> 127 deg)",
    ("figure4_pointed_foot", "hold"): "the pointed foot is not seen, so its interval is "
    "counted as held",
}
# The thirteen stretches added with corpus c2 and c3 (issue 12), measured on their samples
# (clips of the corpus, see samples/README.md) with the shipped recogniser (trained on c3) and
# fitted thresholds: what the coach gets wrong there today. Most follow from the recogniser's
# in-position recall and side on these stretches (docs/accuracy.md: child's pose 52 %, the
# adductor opener 50 %, the wall glute stretch 63 %; cow face's side 67 %, prone glute's 76 %),
# and from checks whose limits are still hand-set. (sample, aspect, mirrored) -> the differences
# found, generated from a run over every sample by scripts/e2e_limits.py (rerun it whenever the
# recogniser, the thresholds or the rules change; ``--check`` says whether the file is current).
LIMITS_FILE = Path(__file__).parent / "data" / "e2e_limits.json"
NEW_STRETCH_LIMITS = {(e["sample"], e["aspect"], e["mirrored"]): e["reason"]
                      for e in json.loads(LIMITS_FILE.read_text())["limits"]}
_reports: dict[tuple[str, str, bool], Report] = {}


class _Mirrored(FrameSource):
    """A source's frames flipped left to right: the same stretch done facing the other way,
    with the person's left and right swapped."""

    def __init__(self, inner: FrameSource) -> None:
        self.inner = inner
        self.fps, self.size, self.frame_count = inner.fps, inner.size, inner.frame_count
        self.name = f"{inner.name} (mirrored)"

    def __iter__(self):
        for f in self.inner:
            yield Frame(np.ascontiguousarray(f.image[:, ::-1]), f.t, f.index)


def _mirror_truth(truth: Truth) -> Truth:
    swap = {"left": "right", "right": "left"}  # None and "both" stay as they are
    data = copy.deepcopy(truth.data)
    for item in data["segments"] + data["faults"]:
        item["side"] = swap.get(item["side"], item["side"])
    for key in ("reps", "hold_s"):
        data[key] = {swap.get(k, k): v for k, v in data[key].items()}
    return Truth(truth.name, data, truth.video, None, None, ())


def truth_for(name: str, mirrored: bool) -> Truth:
    return _mirror_truth(TRUTHS[name]) if mirrored else TRUTHS[name]


def report_for(name: str, exercise: str, mirrored: bool = False) -> Report:
    """Run the coach once per sample, exercise and orientation (cached for the module); the pose
    model runs once per video and orientation in a session (tests/replay.py)."""
    key = (name, exercise, mirrored)
    if key not in _reports:
        truth = truth_for(name, mirrored)
        ex = find_exercise(exercise)
        first = truth.first_side if ex.side.takes_turns else None
        n = truth.data["frames"]
        with open_source(truth.video) as src, estimator_for(truth.video, mirrored, n) as est:
            frames = _Mirrored(src) if mirrored else src
            _reports[key] = run(frames, est, ex, [NullSink()], first_side=first).report
        validate_report(_reports[key].model_dump(mode="json"))
    return _reports[key]


def _cases():
    for mirrored in (False, True):
        for name, truth in TRUTHS.items():
            if truth.exercise == "none":
                continue
            for aspect in ASPECTS:
                marks = ()
                why = (KNOWN_LIMITS.get((name, aspect)) or KNOWN_LIMITS.get((name, aspect, mirrored))
                       or NEW_STRETCH_LIMITS.get((name, aspect, mirrored)))
                if why:
                    marks = (pytest.mark.xfail(reason=why, strict=True),)
                label = f"{name}{'-mirrored' if mirrored else ''}-{aspect}"
                yield pytest.param(name, aspect, mirrored, id=label, marks=marks)


def test_limits_file_lists_cases_of_the_samples_in_its_own_format():
    """Every entry of tests/data/e2e_limits.json is a case of this test that KNOWN_LIMITS does not
    explain, and the file is as scripts/e2e_limits.py writes it (sorted, one entry a line)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    from e2e_limits import format_limits

    for name, aspect, mirrored in NEW_STRETCH_LIMITS:
        assert TRUTHS[name].exercise != "none" and aspect in ASPECTS and isinstance(mirrored, bool)
        assert (name, aspect) not in KNOWN_LIMITS and (name, aspect, mirrored) not in KNOWN_LIMITS
    assert LIMITS_FILE.read_text() == format_limits(NEW_STRETCH_LIMITS, ASPECTS)


def test_every_exercise_has_samples():
    exercises = {t.exercise for t in TRUTHS.values()}
    assert set(EXERCISES) <= exercises
    assert "none" in exercises


@pytest.mark.parametrize(("name", "aspect", "mirrored"), list(_cases()))
def test_report_agrees_with_truth(name, aspect, mirrored):
    """Each sample as rendered, and mirrored (facing the other way, sides swapped)."""
    truth = truth_for(name, mirrored)
    report = report_for(name, truth.exercise, mirrored)
    diffs = compare(report, truth, find_exercise(truth.exercise).balance_tolerance)
    assert not diffs[aspect], "; ".join(diffs[aspect])


@pytest.mark.parametrize("name", [n for n, t in TRUTHS.items() if t.exercise == "none"])
@pytest.mark.parametrize("exercise", EXERCISES)
def test_not_stretching_counts_nothing(name, exercise):
    rep = report_for(name, exercise)
    assert all(s.hold_s == 0 and s.reps == 0 for s in rep.sides.values())  # left, right or both
    assert rep.events == []
    assert any("Never in the" in n for n in rep.notes)


@xdist_group("not_stretching")  # shares the model's run (conftest)
def test_replayed_poses_are_what_the_model_sees_again():
    """The pose model is deterministic: run again over the same frames, a new estimator gives the
    landmarks its first run gave, which tests/replay.py plays into the later runs over a video
    (here the non-stretching sample, replayed once per exercise)."""
    truth = TRUTHS["not_stretching"]
    n = truth.data["frames"]
    with open_source(truth.video) as src, estimator_for(truth.video, False, n) as est:
        first = [(est.estimate(f.image, f.t), est.people) for f in src]
    with open_source(truth.video) as src, open_estimator() as est:
        again = [(est.estimate(f.image, f.t), est.people) for f in src]
    assert len(first) == len(again) == n
    assert sum(people for _, people in first) > n // 2  # somebody is there to be seen
    for (a, people_a), (b, people_b) in zip(first, again, strict=True):
        assert people_a == people_b and a.image_wh == b.image_wh
        for field in ("xy", "world", "visibility"):
            assert np.array_equal(getattr(a, field), getattr(b, field))


def test_analyze_writes_a_video_like_its_input_and_both_reports(tmp_path):
    import av
    from typer.testing import CliRunner

    from coach.cli import app

    truth = TRUTHS["pigeon_rounded_spine"]
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["analyze", str(truth.video), "-e", "pigeon", "--out", str(out)])
    assert r.exit_code == 0, r.output
    with av.open(str(out / "pigeon_rounded_spine_annotated.mp4")) as c:
        stream = c.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert float(stream.average_rate) == truth.fps
        assert sum(1 for _ in c.decode(video=0)) == truth.data["frames"]
    report = json.loads((out / "report.json").read_text())
    validate_report(report)
    assert report["frames"] == truth.data["frames"]
    assert [e["check"] for e in report["events"]] == ["spine_rounding"]
    assert "spine_rounding" in (out / "report.html").read_text()
    # pigeon's front knee is a reminder (the model cannot judge it): reported, not judged
    assert report["checks"]["knee_angle"]["judged"] is False


@xdist_group("rolldown_clean")
@pytest.mark.parametrize("exercise", ["pigeon", "supine_figure4"])
def test_another_stretch_is_not_held_as_this_one(exercise):
    """The roll-down sample asked as pigeon or figure-4: never in position (the recogniser
    tells them apart, where the old position rules accepted almost anyone on the floor)."""
    rep = report_for("rolldown_clean", exercise)
    assert rep.sides["left"].in_position_s == rep.sides["right"].in_position_s == 0
    assert rep.events == []


_auto: dict[tuple[str, bool], object] = {}


def auto_report_for(name: str, mirrored: bool = False):
    """The coach without --exercise: it recognises the stretch (cached per sample; the poses
    are replayed where the sample ran before, tests/replay.py)."""
    if (name, mirrored) not in _auto:
        truth = truth_for(name, mirrored)
        n = truth.data["frames"]
        with open_source(truth.video) as src, estimator_for(truth.video, mirrored, n) as est:
            frames = _Mirrored(src) if mirrored else src
            _auto[(name, mirrored)] = run(frames, est, None, [NullSink()],
                                          first_side=truth.first_side).report
        validate_report(_auto[(name, mirrored)].model_dump(mode="json"))
    return _auto[(name, mirrored)]


def _true_runs(truth: Truth) -> list[tuple[str, str | None]]:
    """(stretch, side) of each stretch run in the truth, in order (sides merged where the
    model cannot see them)."""
    ex = find_exercise(truth.exercise)
    out: list[tuple[str, str | None]] = []
    for seg in truth.data["segments"]:
        if seg["phase"] not in ("hold", "lean", "roll"):
            continue
        key = (truth.exercise, None if ex.side.takes_turns else seg["side"])
        if not out or out[-1] != key:
            out.append(key)
    return out


_SEEN_WRONG = {
    ("figure4_clean", True): "the mirrored right-side hold is named left",
    # (the c6 recogniser named 3.3 s of pigeon_clean's right side left, at confidence 0.14; the c5,
    # c8 and c9 ones do not; the nine-MLP c9 one does again, for 5 s, and since the segments take
    # a change of side dated back by the session (AutoSession._date_switch) the report does not)
}


@pytest.mark.parametrize(("name", "mirrored"), [
    pytest.param(n, m, marks=[pytest.mark.xfail(strict=True, reason=_SEEN_WRONG[(n, m)])]
                 if (n, m) in _SEEN_WRONG else [])
    for n in ("figure4_clean", "pigeon_clean", "rolldown_clean", "not_stretching") for m in (False, True)])
def test_without_exercise_the_stretch_and_side_are_recognised(name, mirrored):
    truth = truth_for(name, mirrored)
    rep = auto_report_for(name, mirrored)
    seen = [(s.stretch, s.side) for s in rep.segments if s.end_s - s.start_s >= 1.0]
    if truth.exercise == "none":
        assert seen == [] and rep.exercises == {}
        return
    merged = [k for i, k in enumerate(seen) if i == 0 or seen[i - 1] != k]
    assert merged == _true_runs(truth)
    assert all(s.confidence > 0.6 for s in rep.segments)
    # the stretch's own report comes with it, counting holds on the recognised sides
    own = rep.exercises[truth.exercise]
    held = {s: own.sides[s].in_position_s for s in ("left", "right")}
    for side in ("left", "right"):
        want = truth.data["hold_s"][side]
        if want and not find_exercise(truth.exercise).side.takes_turns:
            assert held[side] > 0.6 * want


def test_a_still_image_says_which_stretch_and_side(tmp_path):
    import cv2
    from typer.testing import CliRunner

    from coach.cli import app

    truth = TRUTHS["pigeon_clean"]
    with open_source(truth.video) as src:
        frame = next(f for f in src if f.t >= 5.0)  # upright, left leg in front
    still = tmp_path / "pigeon.png"
    cv2.imwrite(str(still), frame.image)
    r = CliRunner().invoke(app, ["analyze", str(still), "--out", str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert [(s["stretch"], s["side"]) for s in report["segments"]] == [("pigeon", "left")]
    assert "pigeon (left)" in r.output and "sure" in r.output
