import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def _fast_tier_never_loads_the_model(request, monkeypatch):
    """Outside the e2e tier, building the bundled pose model is an error (use tests/fakes.py)."""
    if request.node.get_closest_marker("e2e") is None:
        from coach.pose import mediapipe

        def refuse(*args, **kwargs):
            raise AssertionError("a fast test tried to load the pose model; use FakeEstimator")

        monkeypatch.setattr(mediapipe.LegacyPose, "__init__", refuse)


HANDSET = Path(__file__).parent / "data" / "poses_handset"


@pytest.fixture(autouse=True)
def _unit_tests_use_the_hand_set_definitions(request, monkeypatch):
    """Fast tests check mechanisms with synthetic stick figures built around the hand-set
    thresholds; fitted values (poses/, rewritten by scripts/fit.py) change with every refit, so
    the fast tier reads a frozen copy of the hand-set definitions. The e2e tier reads poses/."""
    if request.node.get_closest_marker("e2e") is None:
        monkeypatch.setenv("COACH_POSES", str(HANDSET))
