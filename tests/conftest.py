import os
import shutil
import subprocess
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

# Stretches planned but without a definition, for the tests of how routines list and skip them
# (every stretch of the guides has its definition now).
TEST_PLANNED = {"standing_quad": "Standing quad stretch", "wall_angel": "Wall angel"}


@pytest.fixture(autouse=True)
def _a_planned_stretch_without_a_definition(monkeypatch):
    from coach.rules.routines import PLANNED

    for name, title in TEST_PLANNED.items():
        monkeypatch.setitem(PLANNED, name, title)


@pytest.fixture(autouse=True)
def _unit_tests_use_the_hand_set_definitions(request, monkeypatch):
    """Fast tests check mechanisms with synthetic stick figures built around the hand-set
    thresholds; fitted values (poses/, rewritten by scripts/fit.py) change with every refit, so
    the fast tier reads a frozen copy of the hand-set definitions. The e2e tier reads poses/."""
    if request.node.get_closest_marker("e2e") is None:
        monkeypatch.setenv("COACH_POSES", str(HANDSET))


@pytest.fixture
def display():
    """A virtual X display (Xvfb) for live-window tests; skipped where Xvfb is missing."""
    if not shutil.which("Xvfb"):
        pytest.skip("Xvfb not installed")
    read_fd, write_fd = os.pipe()  # Xvfb picks a free display and writes its number here
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1024x768x24",
                             "-nolisten", "tcp"], pass_fds=(write_fd,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as f:
        number = f.readline().strip()
    if proc.poll() is not None or not number:
        pytest.skip("Xvfb did not start")
    yield f":{number}"
    proc.terminate()
    proc.wait(timeout=5)


def pytest_itemcollected(item):
    """With pytest-xdist (``-n auto --dist loadgroup``, as README's test command runs), keep the
    tests that share one pose-model run on one worker: the e2e cases of a sample and
    orientation (tests/replay.py keeps the model's landmarks per process); tests that share
    fixtures otherwise carry their own ``xdist_group`` mark. Without xdist the mark does nothing."""
    if item.get_closest_marker("xdist_group") or item.get_closest_marker("e2e") is None:
        return
    params = getattr(item, "callspec", None)
    params = params.params if params else {}
    if "name" in params:
        from replay import xdist_group

        item.add_marker(xdist_group(params["name"], bool(params.get("mirrored"))))
