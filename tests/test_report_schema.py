"""The report's JSON Schema (docs/report.schema.json) is generated from the typed report, and
every report the coach writes validates against it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import synth
from fakes import Clip, FakeEstimator

from coach.output.writers import report_writers
from coach.pose import Pose
from coach.rules.definitions import exercise_names, find_exercise
from coach.run import run
from coach.session import Session
from coach.session.report import schema

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "docs" / "report.schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text())
FPS = 15


def validate_report(data: dict) -> None:
    """Raise if ``data`` (a report as JSON) does not follow the committed schema."""
    jsonschema.validate(data, SCHEMA)


def test_committed_schema_is_generated_from_the_report_type():
    assert json.loads(schema()) == SCHEMA, "regenerate it: python scripts/report_schema.py"


POSES = {"supine_figure4": lambda t: synth.supine_figure4("left", hip_lift=40 if 5 <= t < 8 else 0),
         "pigeon": lambda t: synth.pigeon("left", lean=45 if 4 <= t < 7 else 0),
         "seated_rolldown": lambda t: synth.seated(lean=60 if 4 <= t < 7 else 0)}


@pytest.mark.parametrize("exercise", exercise_names())
@pytest.mark.parametrize("complete", [True, False])
def test_session_reports_validate(exercise, complete):
    s = Session(find_exercise(exercise))
    make = POSES.get(exercise, lambda t: synth.standing())
    for i in range(10 * FPS):
        t = i / FPS
        s.update(make(t) if t < 9 else Pose.empty((640, 480)), t)
    if complete:
        s.finish()
    validate_report(s.report("test", FPS, complete=complete).model_dump(mode="json"))


def test_a_still_image_report_validates():
    s = Session(find_exercise("supine_figure4"), still_image=True)
    s.update(synth.supine_figure4("right", knee=150), 0.0)
    s.finish()
    data = s.report("still.jpg", None).model_dump(mode="json")
    assert data["fps"] is None
    validate_report(data)


def test_the_written_report_validates(tmp_path: Path):
    path = tmp_path / "report.json"
    run(Clip(6), FakeEstimator(lambda t: synth.pigeon("right")), find_exercise("pigeon"), [],
        report_writers(path), recognize=False)
    validate_report(json.loads(path.read_text()))


def test_a_report_missing_a_key_does_not_validate():
    s = Session(find_exercise("pigeon"))
    data = s.report("x", FPS).model_dump(mode="json")
    del data["balance"]
    with pytest.raises(jsonschema.ValidationError):
        validate_report(data)
