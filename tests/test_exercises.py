from pathlib import Path

import pytest

from coach.errors import DefinitionError
from coach.rules.definitions import find_exercise, load_all, load_exercise

# the hand-set copy the fast tier uses (conftest.py): its text does not change with refits
FIG4 = (Path(__file__).parent / "data" / "poses_handset" / "supine_figure4.toml").read_text()


def test_shipped_definitions_load():
    names = {ex.name for ex in load_all()}
    assert {"supine_figure4", "pigeon", "seated_rolldown"} <= names
    fig4 = find_exercise("supine_figure4")
    assert fig4.check("foot_flexed").safety
    assert fig4.hold.target_s == 60 and fig4.hold.max_s == 120


@pytest.mark.parametrize(
    ("name", "expected"),
    [("supine_figure4", "supine_figure4"), ("Figure-4", "supine_figure4"),
     ("pigeon pose", "pigeon"), ("roll-down", "seated_rolldown")],
)
def test_find_by_name_or_alias(name, expected):
    assert find_exercise(name).name == expected


def test_unknown_exercise_suggests_close_names():
    with pytest.raises(DefinitionError, match="unknown exercise 'pidgeon'; did you mean pigeon"):
        find_exercise("pidgeon")


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ('kind = "range"\nmeasure = "ankle_flexion"', 'kind = "rnage"\nmeasure = "ankle_flexion"',
         r"checks\[1\]\.kind: unknown rule kind 'rnage' \(did you mean 'range'\?\); "
         r"expected one of: range, rise"),
        ('measure = "ankle_flexion"', 'measure = "ankle_flex"',
         r"checks\[1\]\.measure: unknown measure 'ankle_flex'"),
        ('floor = ["left_shoulder", "right_shoulder"]', 'floor = ["left_sholder"]',
         r"checks\[0\]\.floor: unknown landmark 'left_sholder'"),
        ("max_rise = 0.15", "max_rise = -1", r"checks\[0\]\.max_rise: a rise check needs a positive"),
        ("max = 115", 'max = "high"', r"checks\[1\]\.max: expected a number, got 'high'"),
        ('rule = "crossed_ankle"', 'rule = "crossed"', r"side\.rule: unknown side rule 'crossed'"),
        ("target_s = 60", "", r"hold\.target_s: missing; expected a number"),
        ('title = "Knee bent"', 'title = "Knee bent"\ncolour = "red"',
         r"checks\[2\]\.colour: unknown key; expected one of"),
        ('name = "supine_figure4"', 'name = "figure4"',
         r"name: expected 'supine_figure4' \(the file name\), got 'figure4'"),
        ("[hold]", "[hold", r"not valid TOML"),
        ('rule = "crossed_ankle"', 'rule = "crosed_ankle"',
         r"side\.rule: unknown side rule 'crosed_ankle' \(did you mean 'crossed_ankle'\?\)"),
        ("switch_after_s = 1.0", "switch_after_s = 1.0\ngap_s = 2",
         r"side\.gap_s: unknown key; expected one of: margin, quick_s, rule, switch_after_s"),
        ("switch_after_s = 1.0", "switch_after_s = -1.0", r"side\.switch_after_s: expected a number >= 0"),
        ("on_s = 1.0", "on_s = -0.5", r"checks\[1\]\.on_s: expected a number >= 0, got -0.5"),
        ("hysteresis = 8", "hysteresis = -8", r"checks\[1\]\.hysteresis: expected a number >= 0"),
        ("min_visibility = 0.35", "min_visibility = 1.5", r"min_visibility: expected a number <= 1"),
        ("min = 50\nmax = 140", "min = 140\nmax = 140", r"checks\[2\]\.min: min 140 is not below max 140"),
        ("max = 110", "min = 120\nmax = 110", r"position\[2\]\.min: min 120 is not below max 110"),
        ("max_rise = 0.15", "max_rise = 0.15\nmin = 0",
         r"checks\[0\]\.min: unknown key; expected one of: .*max_rise"),
        ("target_s = 60", 'target_s = "long"', r"hold\.target_s: expected a number, got 'long'"),
        ("target_s = 60", "target_s = -60", r"hold\.target_s: expected a number >= 0, got -60"),
        ("hysteresis = 8", "hysteresis = nan", r"checks\[1\]\.hysteresis: expected a finite number"),
        ("max = 115", "max = inf", r"checks\[1\]\.max: expected a finite number, got inf"),
    ],
)
def test_broken_definitions_name_file_key_and_expectation(tmp_path: Path, old, new, error):
    assert old in FIG4
    path = tmp_path / "supine_figure4.toml"
    path.write_text(FIG4.replace(old, new, 1))
    with pytest.raises(DefinitionError, match=error) as info:
        load_exercise(path)
    assert str(info.value).startswith("supine_figure4.toml")


def test_position_when_cannot_nest(tmp_path: Path):
    text = FIG4.replace("[[position]]\nmeasure = \"trunk_lean\"\nmin = 55",
                        "[[position]]\nmeasure = \"trunk_lean\"\nmin = 55\n"
                        "  [[position.when]]\n  measure = \"trunk_lean\"\n  max = 90\n"
                        "    [[position.when.when]]\n    measure = \"trunk_lean\"\n    max = 90")
    assert text != FIG4
    path = tmp_path / "supine_figure4.toml"
    path.write_text(text)
    with pytest.raises(DefinitionError, match=r"position\[0\]\.when\[0\]\.when: conditions inside"):
        load_exercise(path)


def test_missing_definition_file(tmp_path: Path):
    with pytest.raises(DefinitionError, match="no such definition file"):
        load_exercise(tmp_path / "nope.toml")


def test_describe_is_readable():
    c = find_exercise("pigeon").check("spine_rounding")
    assert "only while trunk_lean <= 32" in c.describe()


def test_a_missing_definitions_folder_says_how_to_fix_it(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("COACH_POSES", str(tmp_path / "nowhere"))
    with pytest.raises(DefinitionError, match="no exercise definitions: .*set COACH_POSES"):
        find_exercise("pigeon")


@pytest.mark.parametrize(
    ("hold", "target_s", "error"),
    [
        ("breaths = 6", 30.0, None),  # 6 breaths of 5 s
        ("breaths = 6\nbreath_s = 4", 24.0, None),
        ("breaths = 6\ntarget_s = 40", 40.0, None),
        ("breaths = 0", None, r"hold\.breaths: expected a number >= 1"),
        ("breaths = 6\nbreath_s = 0", None, r"hold\.breath_s: expected a number > 0"),
        ('breaths = "six"', None, r"hold\.breaths: expected a whole number, got 'six'"),
        ("max_s = 90", None, r"hold\.target_s: missing; expected a number"),
    ],
)
def test_a_hold_in_breaths(tmp_path: Path, hold, target_s, error):
    path = tmp_path / "supine_figure4.toml"
    path.write_text(FIG4.replace("target_s = 60\nmax_s = 120", hold, 1))
    if error is None:
        assert load_exercise(path).hold.target_s == target_s
    else:
        with pytest.raises(DefinitionError, match=error):
            load_exercise(path)


def test_further_counts_are_validated(tmp_path: Path):
    base = (Path(__file__).parent / "data" / "poses_handset" / "pigeon.toml").read_text()
    count = base[base.index("[[counts]]"):base.index("[[checks]]")]
    cases = [
        (base.replace(count, count + count), r"counts: duplicate count name 'leans_back'"),
        (base.replace('name = "leans_back"', 'name = "leans_back"\nrepeat = 2'),
         r"counts\[0\]\.repeat: unknown key"),
        (base.replace("enter = -20", "enter = -12"), r"counts\[0\]\.exit: must differ from enter"),
        (base.replace('measure = "trunk_pitch"\nenter = -20', 'measure = "trunk_pich"\nenter = -25'),
         r"counts\[0\]\.measure: unknown measure 'trunk_pich'"),
    ]
    for text, error in cases:
        path = tmp_path / "pigeon.toml"
        path.write_text(text)
        with pytest.raises(DefinitionError, match=error):
            load_exercise(path)
    pigeon = find_exercise("pigeon")
    assert [(c.name, c.target, c.label) for c in pigeon.counts] == [("leans_back", 2, "leans back")]
    assert pigeon.reps.cues_at(10) and not pigeon.reps.cues_at(-10)
    assert pigeon.counts[0].cues_at(-10) and not pigeon.counts[0].cues_at(10)


@pytest.mark.parametrize("name", ["wall_glute", "wall_figure4", "chair_figure4"])
def test_the_figure4_variants_take_the_crossed_leg_as_their_side(name):
    ex = find_exercise(name)
    assert ex.side.rule == "crossed_ankle" and ex.sided
    assert ex.check("knee_angle").measure == "knee_angle"
    assert ex.check("foot_flexed").advisory  # a reminder: the model cannot see the foot
    assert ("hips_down" in {c.name for c in ex.checks}) == name.startswith("wall")
    assert "behind" in ex.camera.placement  # never behind the wall or the chair's back
