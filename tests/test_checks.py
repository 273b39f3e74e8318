"""Check kinds judging a value against their settings (and the start of the hold)."""

import pytest
from pydantic import ValidationError

from coach.rules.checks import CHECK_KINDS


@pytest.mark.parametrize(
    ("kind", "settings", "baseline", "value", "fault"),
    [
        ("range", {"min": 50, "max": 150}, None, 100, False),
        ("range", {"min": 50, "max": 150}, None, 40, True),
        ("rise", {"max_rise": 0.2}, 0.3, 0.45, False),
        ("rise", {"max_rise": 0.2}, 0.3, 0.55, True),
        ("rise", {"max_rise": 0.2}, 0.3, 0.0, False),  # a drop is no rise
        ("drop", {"max_drop": 20}, 90, 75, False),
        ("drop", {"max_drop": 20}, 90, 65, True),
        ("change", {"max_change": 20}, 135, 120, False),
        ("change", {"max_change": 20}, 135, 110, True),  # either way
        ("change", {"max_change": 20}, 135, 160, True),
    ],
)
def test_kinds_judge_a_value(kind, settings, baseline, value, fault):
    rule = CHECK_KINDS.get(kind).model_validate(settings)
    assert rule.fault(value, baseline, 0.0) is fault


def test_a_change_check_shows_the_distance_from_the_start():
    rule = CHECK_KINDS.get("change").model_validate({"max_change": 20})
    assert rule.shown(110, 135) == rule.shown(160, 135) == 25
    assert "either way" in rule.describe("hip_angle", "deg")


@pytest.mark.parametrize(("kind", "key"), [("rise", "max_rise"), ("drop", "max_drop"),
                                           ("change", "max_change")])
def test_change_kinds_need_a_positive_limit(kind, key):
    with pytest.raises(ValidationError, match=f"a {kind} check needs a positive {key}"):
        CHECK_KINDS.get(kind).model_validate({key: 0})
