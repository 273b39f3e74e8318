"""Fuzzing the definition files (hypothesis): whatever a file holds, loading it either gives an
exercise whose settings make sense or fails with one :class:`DefinitionError` line naming the
file; never another exception."""

from __future__ import annotations

import copy
import math
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from coach.errors import DefinitionError
from coach.rules.definitions import Exercise, load_exercise, parse_exercise, poses_dir

SHIPPED = {p.stem: tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(poses_dir().glob("*.toml"))}

values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**6, 10**6),
    st.sampled_from([-1.0, -0.001, 0.0, 0.5, 1.0, 1.5, 1e9]), st.text(max_size=12),
    st.booleans(), st.lists(st.integers(-3, 3), max_size=3), st.just({}),
    st.sampled_from(["range", "rise", "drop", "knee_angle", "left_hip", "alternate", "left"]),
)


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path in the nested tables and arrays of tables."""
    out = []
    if isinstance(data, dict):
        for k, v in data.items():
            out.append((*prefix, k))
            out += _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            if isinstance(v, dict):
                out += _paths(v, (*prefix, i))
    return out


def _parent(data: Any, path: tuple) -> Any:
    for k in path[:-1]:
        data = data[k]
    return data


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, dict]:
    """A shipped definition with a few keys set to odd values, removed, or added."""
    name = draw(st.sampled_from(sorted(SHIPPED)))
    data = copy.deepcopy(SHIPPED[name])
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _parent(data, path)
        action = draw(st.sampled_from(["set", "set", "set", "delete", "add"]))
        if action == "set":
            parent[path[-1]] = draw(values)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["colour", "min", "max", "when", "on_s", "x"]))] = draw(values)
    return name, data


def _numbers(model: Any) -> list[tuple[str, float]]:
    """(field name, value) of every number in a validated definition, nested tables included."""
    out: list[tuple[str, float]] = []
    for field, value in model.__dict__.items():
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            if isinstance(item, float | int) and not isinstance(item, bool):
                out.append((field, float(item)))
            elif isinstance(item, BaseModel):
                out += _numbers(item)
    return out


def _bounded(model: Any) -> list[Any]:
    """Every table with ``min`` and ``max`` (position conditions, gates, range rules)."""
    out = []
    for value in model.__dict__.values():
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, BaseModel):
                if "min" in type(item).model_fields and "max" in type(item).model_fields:
                    out.append(item)
                out += _bounded(item)
    return out


def _sensible(ex: Exercise) -> None:
    for field, value in _numbers(ex):
        assert math.isfinite(value), (field, value)
        if field.endswith("_s") or field in ("hysteresis", "still_max", "step", "margin"):
            assert value >= 0, (field, value)
    assert 0 <= ex.min_visibility <= 1 and 0 <= ex.balance_tolerance <= 1
    for table in _bounded(ex):
        if table.min is not None and table.max is not None:
            assert table.min < table.max, table


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_a_mutated_definition_loads_sensibly_or_fails_in_one_line(case: tuple[str, dict]):
    name, data = case
    try:
        ex = parse_exercise(data, Path(f"{name}.toml"))
    except DefinitionError as e:
        message = str(e)
        assert message.startswith(f"{name}.toml: ") and "\n" not in message
        return
    _sensible(ex)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_a_damaged_definition_file_fails_in_one_line(tmp_path_factory: pytest.TempPathFactory,
                                                     data: st.DataObject):
    name = data.draw(st.sampled_from(sorted(SHIPPED)))
    text = (poses_dir() / f"{name}.toml").read_text(encoding="utf-8")
    at = data.draw(st.integers(0, len(text)))
    cut = data.draw(st.integers(0, 40))
    junk = data.draw(st.text(max_size=20))
    path = tmp_path_factory.mktemp("poses") / f"{name}.toml"
    path.write_text(text[:at] + junk + text[at + cut:], encoding="utf-8")
    try:
        ex = load_exercise(path)
    except DefinitionError as e:
        assert "\n" not in str(e) and str(e).startswith(f"{name}.toml")
        return
    _sensible(ex)


def test_the_shipped_definitions_are_sensible():
    for name, data in SHIPPED.items():
        _sensible(parse_exercise(data, Path(f"{name}.toml")))
