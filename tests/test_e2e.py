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

import numpy as np
import pytest
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
    # Thresholds are fitted on the corpus's training part now, not on these samples: there
    # the crossed-knee limit of 140 deg flagged clean holds (precision 0.38), and the fitted
    # 158 deg misses this sample's opening, which the model reads as 121-140 deg.
    ("figure4_knee_open", "faults", False): "fitted crossed-knee limit 158 deg (corpus): this "
    "sample's opened knee reads 121-140 deg",
    ("figure4_knee_open", "hold", False): "the opened knee is not flagged, so its interval is "
    "counted",
    # The recogniser's side is right on 86-98 % of frames on the corpus's validation part; on
    # this sample mirrored it names the right side's hold left (docs/accuracy.md).
    ("figure4_clean", "hold", True): "the recogniser names the mirrored right-side hold left "
    "(left held 17.4 s, truth 11.5 s; right 3.3 s, truth 10.5 s)",
    ("figure4_clean", "balance", True): "follows from the side named wrong on the right hold",
    ("figure4_unequal", "hold", True): "the recogniser names the mirrored sides the other way "
    "round for much of the holds (right held 1.6 s, truth 18.0 s)",
}
# The thirteen stretches added with corpus c2 and c3 (issue 12), measured on their samples
# (clips of the corpus, see samples/README.md) with the shipped recogniser (trained on c3) and
# fitted thresholds: what the coach gets wrong there today. Most follow from the recogniser's
# in-position recall and side on these stretches (docs/accuracy.md: child's pose 52 %, the
# adductor opener 50 %, the wall glute stretch 63 %; cow face's side 67 %, prone glute's 76 %),
# and from checks whose limits are still hand-set. Regenerated from a run over every sample.
NEW_STRETCH_LIMITS = {
    ("adductor_opener_clean", "hold", False): "both: held 0.0 s, truth 10.9 s",
    ("adductor_opener_rounded_back", "hold", False): "both: held 11.4 s, truth 8.1 s",
    ("adductor_opener_rounded_back", "faults", False): "missed spine_rounding (both) at 8.7 s",
    ("chair_figure4_knee_open", "hold", False): "right: held 11.2 s, truth 6.5 s",
    ("chair_figure4_knee_open", "faults", False): "missed knee_angle (right) at 8.8 s",
    ("chair_figure4_knee_open", "balance", False): "imbalanced=False, truth True",
    ("child_pose_clean", "hold", False): "both: held 1.5 s, truth 11.9 s",
    ("cow_face_clean", "false_faults", False): "spine_rounding (left) 10.5-11.4 s",
    ("figure4_twist_clean", "hold", False): "left: held 11.9 s, truth 7.1 s; right: held 0.0 s, truth 6.0 s",
    ("figure4_twist_clean", "false_faults", False): "shoulders_down (left) 9.0-11.6 s",
    ("figure4_twist_clean", "balance", False): "imbalanced=True, truth False",
    ("figure4_twist_shoulder_lift", "hold", False):
        "left: held 1.3 s, truth 7.7 s; right: held 1.1 s, truth 3.8 s",
    ("figure4_twist_shoulder_lift", "balance", False): "imbalanced=False, truth True",
    ("happy_baby_clean", "hold", False): "both: held 14.7 s, truth 11.6 s",
    ("happy_baby_hips_lift", "hold", False): "both: held 9.4 s, truth 7.9 s",
    ("happy_baby_hips_lift", "faults", False): "missed hips_down (both) at 6.3 s",
    ("prone_glute_clean", "hold", False): "right: held 0.0 s, truth 7.9 s",
    ("prone_glute_clean", "false_faults", False): "hips_down (left) 24.0-25.9 s",
    ("prone_glute_clean", "balance", False): "imbalanced=True, truth False",
    ("prone_glute_hips_lift", "hold", False): "right: held 0.0 s, truth 7.1 s",
    ("prone_glute_hips_lift", "false_faults", False): "hips_down (left) 13.6-17.5 s",
    ("runners_lunge_knee_forward", "hold", False): "left: held 0.0 s, truth 7.3 s",
    ("runners_lunge_knee_forward", "faults", False): "missed knee_angle (left) at 8.4 s",
    ("runners_lunge_knee_forward", "balance", False): "imbalanced=False, truth True",
    ("seated_twist_clean", "hold", False): "left: held 8.6 s, truth 7.3 s; right: held 0.0 s, truth 7.7 s",
    ("seated_twist_clean", "balance", False): "imbalanced=True, truth False",
    ("seated_twist_rounded_back", "hold", False): "left: held 6.7 s, truth 4.0 s",
    ("seated_twist_rounded_back", "faults", False): "missed spine_rounding (left) at 16.0 s",
    ("side_kick_series_clean", "hold", False):
        "left: held 9.8 s, truth 11.2 s; right: held 4.8 s, truth 9.4 s",
    ("side_kick_series_clean", "false_faults", False):
        "spine_rounding (right) 19.8-20.6 s; spine_rounding (right) 22.5-25.4 s",
    ("side_kick_series_clean", "reps", False): "left: 2 reps, truth 3; right: 2 reps, truth 3",
    ("side_kick_series_clean", "balance", False): "imbalanced=True, truth False",
    ("side_kick_series_trunk_moves", "hold", False): "left: held 0.0 s, truth 17.1 s",
    ("side_kick_series_trunk_moves", "false_faults", False):
        "spine_rounding (left) 7.8-9.9 s; spine_rounding (left) 7.8-10.1 s; spine_rounding (left) 7.8-10.3 s",
    ("side_kick_series_trunk_moves", "reps", False): "left: 5 reps, truth 7",
    ("side_kick_series_trunk_moves", "balance", False): "imbalanced=False, truth True",
    ("wall_figure4_clean", "hold", False): "left: held 12.9 s, truth 11.7 s",
    ("wall_figure4_hips_lift", "hold", False):
        "left: held 3.0 s, truth 4.5 s; right: held 9.1 s, truth 7.3 s",
    ("wall_glute_clean", "hold", False): "right: held 0.0 s, truth 7.5 s",
    ("wall_glute_clean", "balance", False): "imbalanced=True, truth False",
    ("wall_glute_knee_open", "hold", False): "left: held 0.0 s, truth 5.2 s",
    ("wall_glute_knee_open", "faults", False): "missed knee_angle (left) at 6.9 s",
    ("wall_glute_knee_open", "balance", False): "imbalanced=True, truth False",
    ("wide_forward_fold_rounded_back", "hold", False): "both: held 11.3 s, truth 7.3 s",
    ("wide_forward_fold_rounded_back", "faults", False): "missed spine_rounding (both) at 5.7 s",
    ("adductor_opener_clean", "hold", True): "both: held 0.0 s, truth 10.9 s",
    ("adductor_opener_rounded_back", "hold", True): "both: held 5.4 s, truth 8.1 s",
    ("adductor_opener_rounded_back", "faults", True): "missed spine_rounding (both) at 8.7 s",
    ("chair_figure4_clean", "hold", True): "right: held 16.0 s, truth 13.1 s",
    ("chair_figure4_knee_open", "hold", True): "left: held 11.1 s, truth 6.5 s",
    ("chair_figure4_knee_open", "faults", True): "missed knee_angle (left) at 8.8 s",
    ("chair_figure4_knee_open", "balance", True): "imbalanced=False, truth True",
    ("child_pose_clean", "hold", True): "both: held 7.4 s, truth 11.9 s",
    ("child_pose_hips_lift", "hold", True): "both: held 1.9 s, truth 8.4 s",
    ("child_pose_hips_lift", "faults", True): "missed hips_down (both) at 8.6 s",
    ("cow_face_rounded_back", "hold", True): "right: held 7.6 s, truth 6.5 s",
    ("figure4_twist_clean", "hold", True): "right: held 2.5 s, truth 7.1 s; left: held 0.0 s, truth 6.0 s",
    ("figure4_twist_clean", "false_faults", True): "shoulders_down (right) 17.4-23.9 s",
    ("figure4_twist_shoulder_lift", "hold", True): "left: held 4.9 s, truth 3.8 s",
    ("happy_baby_clean", "hold", True): "both: held 1.1 s, truth 11.6 s",
    ("happy_baby_clean", "false_faults", True): "hips_down (both) 3.6-17.3 s",
    ("happy_baby_hips_lift", "hold", True): "both: held 9.5 s, truth 7.9 s",
    ("happy_baby_hips_lift", "faults", True): "missed hips_down (both) at 6.3 s",
    ("prone_glute_clean", "hold", True): "left: held 0.3 s, truth 7.9 s",
    ("prone_glute_clean", "balance", True): "imbalanced=True, truth False",
    ("runners_lunge_clean", "hold", True): "left: held 6.7 s, truth 10.2 s",
    ("runners_lunge_knee_forward", "hold", True): "right: held 0.0 s, truth 7.3 s",
    ("runners_lunge_knee_forward", "faults", True): "missed knee_angle (right) at 8.4 s",
    ("runners_lunge_knee_forward", "balance", True): "imbalanced=False, truth True",
    ("seated_twist_clean", "hold", True): "right: held 8.7 s, truth 7.3 s; left: held 6.6 s, truth 7.7 s",
    ("seated_twist_clean", "balance", True): "imbalanced=True, truth False",
    ("seated_twist_rounded_back", "hold", True): "right: held 10.5 s, truth 4.0 s",
    ("seated_twist_rounded_back", "faults", True):
        "missed spine_rounding (left) at 5.7 s; missed spine_rounding (right) at 16.0 s",
    ("side_kick_series_clean", "hold", True): "left: held 5.6 s, truth 9.4 s",
    ("side_kick_series_clean", "false_faults", True):
        "spine_rounding (left) 17.6-18.6 s; spine_rounding (left) 22.7-25.4 s",
    ("side_kick_series_clean", "reps", True): "right: 2 reps, truth 3; left: 2 reps, truth 3",
    ("side_kick_series_clean", "balance", True): "imbalanced=True, truth False",
    ("side_kick_series_trunk_moves", "hold", True):
        "right: held 4.8 s, truth 17.1 s; left: held 3.1 s, truth 0.0 s",
    ("side_kick_series_trunk_moves", "faults", True): "missed spine_rounding (right) at 13.9 s",
    ("side_kick_series_trunk_moves", "false_faults", True): "spine_rounding (left) 12.1-13.5 s",
    ("side_kick_series_trunk_moves", "reps", True): "right: 2 reps, truth 7; left: 1 reps, truth 0",
    ("wall_figure4_clean", "hold", True): "right: held 13.1 s, truth 11.7 s",
    ("wall_figure4_hips_lift", "hold", True): "right: held 2.5 s, truth 4.5 s; left: held 8.5 s, truth 7.3 s",
    ("wall_figure4_hips_lift", "faults", True): "missed hips_down (right) at 7.3 s",
    ("wall_glute_clean", "hold", True): "left: held 0.0 s, truth 7.5 s",
    ("wall_glute_clean", "balance", True): "imbalanced=True, truth False",
    ("wall_glute_knee_open", "hold", True): "right: held 0.0 s, truth 5.2 s; left: held 0.0 s, truth 6.0 s",
    ("wall_glute_knee_open", "faults", True): "missed knee_angle (right) at 6.9 s",
    ("wide_forward_fold_clean", "hold", True): "both: held 4.3 s, truth 11.1 s",
    ("wide_forward_fold_rounded_back", "hold", True): "both: held 11.4 s, truth 7.3 s",
    ("wide_forward_fold_rounded_back", "faults", True): "missed spine_rounding (both) at 5.7 s",
}
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
    """Run the coach once per sample, exercise and orientation (cached for the module)."""
    key = (name, exercise, mirrored)
    if key not in _reports:
        truth = truth_for(name, mirrored)
        ex = find_exercise(exercise)
        first = truth.first_side if ex.side.takes_turns else None
        with open_source(truth.video) as src, open_estimator() as est:
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


def test_analyze_writes_a_video_like_its_input_and_both_reports(tmp_path):
    import json

    import av
    from typer.testing import CliRunner

    from coach.cli import app

    truth = TRUTHS["pigeon_knee_angle"]
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["analyze", str(truth.video), "-e", "pigeon", "--out", str(out)])
    assert r.exit_code == 0, r.output
    with av.open(str(out / "pigeon_knee_angle_annotated.mp4")) as c:
        stream = c.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert float(stream.average_rate) == truth.fps
        assert sum(1 for _ in c.decode(video=0)) == truth.data["frames"]
    report = json.loads((out / "report.json").read_text())
    validate_report(report)
    assert report["frames"] == truth.data["frames"]
    assert [e["check"] for e in report["events"]] == ["knee_angle"]
    assert "knee_angle" in (out / "report.html").read_text()


@pytest.mark.parametrize("exercise", ["pigeon", "supine_figure4"])
def test_another_stretch_is_not_held_as_this_one(exercise):
    """The roll-down sample asked as pigeon or figure-4: never in position (the recogniser
    tells them apart, where the old position rules accepted almost anyone on the floor)."""
    rep = report_for("rolldown_clean", exercise)
    assert rep.sides["left"].in_position_s == rep.sides["right"].in_position_s == 0
    assert rep.events == []


_auto: dict[tuple[str, bool], object] = {}


def auto_report_for(name: str, mirrored: bool = False):
    """The coach without --exercise: it recognises the stretch (cached per sample)."""
    if (name, mirrored) not in _auto:
        truth = truth_for(name, mirrored)
        with open_source(truth.video) as src, open_estimator() as est:
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
    import json

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
