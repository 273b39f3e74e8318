"""Routines: stretches done in order (``routines/NAME.toml``), validated (pydantic) at load.

A routine names its steps' exercises; a step may name a stretch of the guides whose definition
is yet to come (:data:`PLANNED`): it loads, is listed as not available yet and is skipped when
the routine runs. Any other name is a typo and fails like a broken definition: one line naming
the file, the key and the valid choices. Resolved against the definitions (:func:`plan`), each
step's exercise carries the step's target, so its coach paces and times what the routine asks.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import ValidationError, ValidationInfo, field_validator, model_validator

from coach.errors import DefinitionError
from coach.rules.definitions import Exercise, exercise_names, load_exercise, poses_dir, read_toml
from coach.rules.measures import BOTH
from coach.rules.settings import Count, Positive, Seconds, Table, Text, explain, fail

ROUTINES_DIR = Path(__file__).resolve().parents[2] / "routines"

# The stretches of the guides (../shared/seeds; issue 12) still without a definition, with a
# title for listing them until theirs exists (a definition in poses/ takes over its name). Every
# stretch of the guides has its definition now (the wall glute stretch, wall figure-4 and chair
# figure-4 were the last); the tests plan a made-up one.
PLANNED: dict[str, str] = {}

Sides = Literal["both", "left", "right", "none"]
TARGET_KEYS = ("hold_s", "breaths", "reps")


class StepDef(Table):
    """One step: an ``exercise`` on ``sides`` (both, one, or none: the stretch has no side),
    with one target per side: ``hold_s`` seconds in good form, ``breaths`` deep breaths (paced
    at the routine's ``breath_s``) or ``reps``; ``rest_s`` after each side (default: the
    routine's)."""

    exercise: Text
    sides: Sides = "both"
    hold_s: Positive | None = None
    breaths: Count | None = None
    reps: Count | None = None
    rest_s: Seconds | None = None

    @field_validator("exercise")
    @classmethod
    def _known(cls, name: str, info: ValidationInfo) -> str:
        known = sorted((info.context or {}).get("known", ()))
        if known and name not in known:
            close = difflib.get_close_matches(name, known, 1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise fail(None, f"unknown exercise {name!r}{hint}; expected one of: "
                       f"{', '.join(known)}")
        return name

    @model_validator(mode="after")
    def _one_target(self) -> StepDef:
        given = [k for k in TARGET_KEYS if getattr(self, k) is not None]
        if not given:
            raise fail("hold_s", "missing; expected one of hold_s (seconds), breaths or reps "
                       "(per side)")
        if len(given) > 1:
            raise fail(given[1], f"{' and '.join(given)} both given; expected one of "
                       "hold_s, breaths or reps")
        return self


class Routine(Table):
    """One routine (``routines/NAME.toml``). ``breath_s``: seconds a paced deep breath takes
    (a ``breaths`` target is held that long per breath); ``rest_s``: rest after each side."""

    name: Text
    title: Text
    summary: Text = ""
    breath_s: Positive = 5.0
    rest_s: Seconds = 0.0
    steps: tuple[StepDef, ...]
    path: Path = Path()
    hidden: ClassVar[frozenset[str]] = frozenset({"path"})

    @field_validator("steps")
    @classmethod
    def _some(cls, steps: tuple[StepDef, ...]) -> tuple[StepDef, ...]:
        if not steps:
            raise fail(None, "expected at least one [[steps]] table")
        return steps


def routines_dir() -> Path:
    """The routines folder: ``$COACH_ROUTINES`` if set, else ``routines/``."""
    return Path(os.environ.get("COACH_ROUTINES") or ROUTINES_DIR)


def known_exercises(folder: Path | None = None) -> set[str]:
    """Names a step may use: the definitions there are, and the guides' planned stretches."""
    return set(exercise_names(folder)) | set(PLANNED)


def parse_routine(data: dict[str, Any], path: Path, known: set[str]) -> Routine:
    """Validate the tables read from routine file ``path`` (its name must be the file's)."""
    try:
        routine = Routine.model_validate(data, context={"known": known})
    except ValidationError as e:
        key, message = explain(e, Routine)
        raise DefinitionError(f"{path.name}: {key.replace('.[', '[')}: {message}") from None
    if routine.name != path.stem:
        raise DefinitionError(f"{path.name}: name: expected {path.stem!r} (the file name), "
                              f"got {routine.name!r}")
    return routine.model_copy(update={"path": path})


def load_routine(path: Path, known: set[str] | None = None) -> Routine:
    """Load and validate one routine file; ``known``: the exercise names a step may use."""
    path = Path(path)
    data = read_toml(path, "routine")
    return parse_routine(data, path, known if known is not None else known_exercises())


def available_routines(folder: Path | None = None) -> list[Path]:
    folder = Path(folder or routines_dir())
    if not folder.is_dir():
        raise DefinitionError(f"no routines: {folder} is not a folder (set COACH_ROUTINES to "
                              "the project's routines/ folder)")
    return sorted(folder.glob("*.toml"))


def load_routines(folder: Path | None = None) -> list[Routine]:
    known = known_exercises()
    return [load_routine(p, known) for p in available_routines(folder)]


def find_routine(name: str, folder: Path | None = None) -> Routine:
    """The routine called ``name`` (file stem; hyphens and spaces read as underscores)."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    paths = {p.stem: p for p in available_routines(folder)}
    if key in paths:
        return load_routine(paths[key])
    close = difflib.get_close_matches(key, paths, n=2, cutoff=0.5)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    raise DefinitionError(f"unknown routine {name!r}{hint} (known: "
                          f"{', '.join(sorted(paths)) or 'none'}; see `coach routines`)")


# -- a routine against the definitions there are ---------------------------------------------

@dataclass(frozen=True)
class Target:
    """What one side of a step asks for: ``seconds`` in good form (from ``hold_s``, or
    ``breaths`` each ``breath_s`` long: the exercise's pace if it paces breaths, else the
    routine's), or ``reps``."""

    seconds: float | None = None
    breaths: int | None = None
    reps: int | None = None
    breath_s: float = 5.0

    def text(self, label: str = "reps") -> str:
        if self.reps is not None:
            return f"{self.reps} {label}"
        if self.breaths is not None:
            return f"{self.breaths} breaths"
        return _duration(self.seconds or 0.0)


def _duration(s: float) -> str:
    if s >= 60 and s % 60 == 0:
        return f"{s / 60:g} min"
    return f"{s:g} s"


@dataclass(frozen=True)
class PlannedStep:
    """A step of a routine, resolved: its ``exercise`` (None while it has no definition),
    ``title`` for people, which ``sides`` and its ``target`` per side."""

    index: int  # 1-based, in the routine's order
    name: str
    title: str
    sides: Sides
    target: Target
    rest_s: float
    exercise: Exercise | None

    @property
    def available(self) -> bool:
        return self.exercise is not None

    @property
    def side_keys(self) -> tuple[str, ...]:
        """What is counted against the target: each side, one, or both at once (no side)."""
        return {"both": ("left", "right"), "left": ("left",), "right": ("right",),
                "none": (BOTH,)}[self.sides]

    def describe(self) -> str:
        """'30 s per side', '6 breaths on the left', '30 s'."""
        where = {"both": " per side", "left": " on the left", "right": " on the right",
                 "none": ""}[self.sides]
        ex = self.exercise
        return self.target.text(ex.reps.label if ex is not None and ex.reps else "reps") + where


@dataclass(frozen=True)
class RoutinePlan:
    routine: Routine
    steps: tuple[PlannedStep, ...]

    @property
    def name(self) -> str:
        return self.routine.name

    @property
    def title(self) -> str:
        return self.routine.title


def plan(routine: Routine, folder: Path | None = None) -> RoutinePlan:
    """Resolve each step against the definitions (``folder``, default ``poses/``): a step whose
    exercise has no definition yet stays in the plan, unavailable. A broken definition, a reps
    target on an exercise that counts no reps, or sides asked of a stretch that has none, fails
    naming the file and key."""
    folder = Path(folder or poses_dir())
    cache: dict[str, Exercise | None] = {}
    steps = []
    for i, s in enumerate(routine.steps):
        if s.exercise not in cache:
            path = folder / f"{s.exercise}.toml"
            cache[s.exercise] = load_exercise(path) if path.exists() else None
        ex = cache[s.exercise]
        where = f"{routine.path.name}: steps[{i}]"
        if ex is not None and s.reps is not None and ex.reps is None:
            raise DefinitionError(f"{where}.reps: {s.exercise} counts no reps (its definition "
                                  "has no [reps]); use hold_s or breaths")
        if ex is not None and not ex.sided and s.sides != "none":
            raise DefinitionError(f"{where}.sides: {s.exercise} has no sides (both are stretched "
                                  f"at once); expected \"none\", got {s.sides!r}")
        pace = ex.hold.breath_s if ex is not None and ex.hold.breaths else routine.breath_s
        seconds = s.hold_s if s.hold_s is not None else (
            s.breaths * pace if s.breaths is not None else None)
        target = Target(seconds, s.breaths, s.reps, pace)
        title = ex.title if ex is not None else PLANNED.get(s.exercise, s.exercise)
        rest = s.rest_s if s.rest_s is not None else routine.rest_s
        steps.append(PlannedStep(i + 1, s.exercise, title, s.sides, target, rest,
                                 with_target(ex, target) if ex is not None else None))
    return RoutinePlan(routine, tuple(steps))


def with_target(ex: Exercise, target: Target) -> Exercise:
    """``ex`` asking for a step's target: its reps, or its hold (in breaths where the step
    counts breaths, or where the exercise paces them), so its coach times what the step asks."""
    if target.reps is not None:
        assert ex.reps is not None
        return ex.model_copy(update={"reps": ex.reps.model_copy(update={"target": target.reps})})
    seconds = target.seconds or 0.0
    hold: dict[str, Any] = {"target_s": seconds}
    if target.breaths is not None:
        hold.update(breaths=target.breaths, breath_s=target.breath_s)
    elif ex.hold.breaths:  # a hold in seconds of a stretch held in breaths: as many breaths
        hold["breaths"] = max(1, round(seconds / ex.hold.breath_s))
    if ex.hold.max_s is not None and ex.hold.max_s < seconds:
        hold["max_s"] = None
    return ex.model_copy(update={"hold": ex.hold.model_copy(update=hold)})
