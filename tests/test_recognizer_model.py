"""The shipped recogniser: small, loads without pickle, names the corpus it came from, and its
recorded validation figures are what it scores now on the corpus's validation part."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from coach.recognizer import MODEL_PATH, Model
from coach.rules.definitions import exercise_names

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from corpuslib import manifest  # noqa: E402


def test_model_is_small_and_loads_without_pickle():
    assert MODEL_PATH.stat().st_size < 4_000_000  # nine small MLPs, weights in half precision
    with np.load(MODEL_PATH, allow_pickle=False) as d:  # raises if anything needs pickle
        assert {"classes", "mean", "scale", "meta"} <= set(d.files)
    model = Model.load()
    # a version of this corpus (a later one may add data that did not improve the validation
    # figures, and then the model stays: corpus/README.md says which)
    assert model.meta["corpus_version"] in manifest()["versions"]
    assert set(model.meta["coached"]) == set(exercise_names())  # every definition is recognised
    # every sided class has its mirror image
    sided = [c for c in model.classes if ":" in c]
    assert sorted(model.classes[i] for i in model.side_swap() if ":" in model.classes[i]) == sorted(sided)


@pytest.mark.e2e
@pytest.mark.slow  # ~2 min; opt-in (pytest -m slow): the figures move only with the recogniser
def test_recorded_validation_figures_are_what_it_scores_now():
    from train_recognizer import validate

    model = Model.load()
    assert validate(model) == model.meta["validation"]


def test_near_labels_only_the_rest_positions_and_the_way_in_and_out():
    """With ``near``, a stretch's clip's frames out of the stretch (its rest position, moving in
    and out) and the same rest positions in other clips are "other_near"; the stretch's own
    frames, named postures and other negatives keep their labels."""
    from corpuslib import clips
    from train_recognizer import NEAR_POSTURES, frame_classes

    train = clips("train")
    wall = next(c for c in train if c.kind == "wall_glute")
    plain, near = frame_classes(wall, near=False), frame_classes(wall, near=True)
    assert set(near[plain == "other"]) == {"other_near"}
    assert (near[plain != "other"] == plain[plain != "other"]).all()
    assert {"wall_glute:left", "wall_glute:right"} <= set(near)
    negatives = [c for c in train if c.kind == "none"]
    standing = next(c for c in negatives if "stand" in set(c.labels["posture"]))
    y = frame_classes(standing, near=True)
    assert set(y[standing.labels["posture"] == "stand"]) <= {"other", ""}
    rest = next(c for c in negatives if set(c.labels["posture"]) & set(NEAR_POSTURES))
    y = frame_classes(rest, near=True)
    assert set(y[np.isin(rest.labels["posture"], NEAR_POSTURES)]) <= {"other_near", ""}
