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
