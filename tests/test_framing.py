"""The live framing check on synthetic poses: light, the whole body, and the camera's angle (a
body lying along the camera's line of sight is refused for any stretch)."""

from __future__ import annotations

import synth

from coach.rules.definitions import find_exercise
from coach.session.framing import check_framing
from coach.session.quality import END_ON_WARNING

LIT = 128.0


def test_a_side_on_body_in_the_light_is_framed_well():
    f = check_framing(synth.supine_figure4("left"), LIT, find_exercise("supine_figure4"))
    assert f.ok and f.items == (("Light", True), ("Whole body in view", True), ("Camera angle", True))


def test_a_body_along_the_line_of_sight_is_asked_to_move_the_camera_for_any_stretch():
    # the figure-4 twist sets no max_view_width: the end-on view is refused all the same
    for name in ("supine_figure4", "figure4_twist", "prone_glute"):
        f = check_framing(synth.lying_end_on(), LIT, find_exercise(name))
        assert not f.ok and f.message == END_ON_WARNING
        assert dict(f.items)["Camera angle"] is False


def test_standing_up_facing_the_camera_is_not_end_on():
    # at the start people often stand or sit: the trunk upright is never "along the body"
    f = check_framing(synth.standing(), LIT, find_exercise("figure4_twist"))
    assert f.message != END_ON_WARNING and dict(f.items)["Camera angle"] is True


def test_the_dark_comes_first():
    f = check_framing(synth.lying_end_on(), 20.0, find_exercise("supine_figure4"))
    assert not f.ok and f.message.startswith("More light")
