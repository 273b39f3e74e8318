"""Exercise definitions: ``poses/*.toml`` validated (pydantic) into frozen models at load.

A broken file fails with a :class:`DefinitionError` of one line naming the file, the key and
what was expected, so a typo in a landmark, measure or rule kind is caught before any frame is
read. Check kinds and side rules are looked up in their registries (:mod:`coach.rules.checks`,
:mod:`coach.rules.sides`); measures in :mod:`coach.rules.measures`.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from pathlib import Path
from typing import Any, ClassVar

from pydantic import ValidationError, ValidationInfo, field_validator, model_validator

from coach.errors import DefinitionError
from coach.pose import Pose
from coach.rules.checks import CHECK_KINDS, CheckRule, bounds_text
from coach.rules.measures import BOTH, get_measure, read, validate_params
from coach.rules.settings import (
    Amount,
    Count,
    Flag,
    Fraction,
    Number,
    Positive,
    Seconds,
    Table,
    Text,
    explain,
    fail,
    validate_part,
)
from coach.rules.sides import SIDE_RULES, SideRule

POSES_DIR = Path(__file__).resolve().parents[2] / "poses"


class Measured(Table):
    """A table that names a ``measure``; its other keys not among the fields are the measure's
    parameters (``leg``, ``floor``), checked against what the measure accepts."""

    measure: Text
    params: dict[str, Any] = {}
    hidden: ClassVar[frozenset[str]] = frozenset({"params"})

    @classmethod
    def extra_keys(cls, data: dict[str, Any]) -> set[str]:
        try:
            return set(get_measure(data.get("measure")).params)  # type: ignore[arg-type]
        except (ValueError, TypeError):
            return set()

    @classmethod
    def precheck(cls, data: dict[str, Any]) -> None:
        if isinstance(data.get("measure"), str):
            try:
                get_measure(data["measure"])
            except ValueError as e:
                raise fail("measure", str(e)) from None

    @classmethod
    def prepare(cls, data: dict[str, Any]) -> dict[str, Any]:
        if "params" in data:
            return data
        name = data.get("measure")
        if not isinstance(name, str):
            return data  # the field's own check says what is wrong
        try:
            measure = get_measure(name)
        except ValueError as e:
            raise fail("measure", str(e)) from None
        own = cls.keys() | cls.hidden | cls.extra_fields(data)
        raw = {k: v for k, v in data.items() if k not in own}
        try:
            params = validate_params(measure, raw)
        except ValueError as e:
            raise fail(sorted(raw)[0] if raw else "measure", str(e)) from None
        return {**{k: v for k, v in data.items() if k in own}, "params": params}

    @classmethod
    def extra_fields(cls, data: dict[str, Any]) -> set[str]:
        """Keys that belong to the table though not its fields (a check kind's settings)."""
        return set()


class Gate(Measured):
    """A measurement that must lie within [min, max] (either bound optional)."""

    min: Number | None = None
    max: Number | None = None

    @classmethod
    def precheck(cls, data: dict[str, Any]) -> None:
        if "when" in data and cls is Gate:
            raise fail("when", "conditions inside `when` cannot have their own `when`")
        super().precheck(data)

    @model_validator(mode="after")
    def _bounds(self) -> Gate:
        if self.min is None and self.max is None:
            raise fail("min", "expected min and/or max")
        if self.min is not None and self.max is not None and self.min >= self.max:
            raise fail("min", f"min {self.min:g} is not below max {self.max:g}")
        return self

    def holds(self, value: float) -> bool:
        if self.min is not None and value < self.min:
            return False
        return not (self.max is not None and value > self.max)

    def met(self, pose: Pose, side: str | None, min_visibility: float) -> bool:
        """True when the measurement can be read on ``pose`` and lies within the bounds."""
        r = read(pose, self.measure, side, self.params, min_visibility)  # type: ignore[arg-type]
        return r.ok and self.holds(r.value)  # type: ignore[arg-type]

    def refuses(self, pose: Pose, side: str | None, min_visibility: float) -> bool:
        """True when the measurement can be read on ``pose`` and lies outside the bounds (a
        guard says no only on what it sees)."""
        r = read(pose, self.measure, side, self.params, min_visibility)  # type: ignore[arg-type]
        return r.ok and not self.holds(r.value)  # type: ignore[arg-type]

    def describe(self) -> str:
        return bounds_text(self.measure, self.min, self.max, get_measure(self.measure).unit)


class Condition(Gate):
    """A position condition: a gate that applies only while its own ``when`` gates hold."""

    when: tuple[Gate, ...] = ()

    def applies(self, pose: Pose, side: str | None, min_visibility: float) -> bool:
        return all(w.met(pose, side, min_visibility) for w in self.when)

    def describe(self) -> str:
        text = super().describe()
        return text + "".join(f" (while {w.describe()})" for w in self.when)


class CheckDef(Measured):
    """One form check: common settings here, the kind's own in ``rule`` (see checks.py)."""

    name: Text
    title: Text
    kind: Text
    cue: Text
    rule: CheckRule
    hysteresis: Amount = 0.0
    on_s: Seconds = 0.4
    off_s: Seconds = 0.8
    when: tuple[Gate, ...] = ()
    safety: Flag = False
    advisory: Text = ""  # why the check only reminds (the model cannot judge it); "" = judged
    hidden: ClassVar[frozenset[str]] = frozenset({"params", "rule"})

    @classmethod
    def _kind(cls, data: dict[str, Any]) -> type[CheckRule] | None:
        try:
            return CHECK_KINDS.get(data.get("kind"))  # type: ignore[arg-type]
        except ValueError:
            return None

    @classmethod
    def extra_keys(cls, data: dict[str, Any]) -> set[str]:
        return super().extra_keys(data) | cls.extra_fields(data)

    @classmethod
    def precheck(cls, data: dict[str, Any]) -> None:
        if isinstance(data.get("kind"), str):
            try:
                CHECK_KINDS.get(data["kind"])
            except ValueError as e:
                raise fail("kind", str(e)) from None
        super().precheck(data)

    @classmethod
    def extra_fields(cls, data: dict[str, Any]) -> set[str]:
        kind = cls._kind(data)
        return set(kind.model_fields) if kind else set()

    @classmethod
    def prepare(cls, data: dict[str, Any]) -> dict[str, Any]:
        if "rule" in data:
            return super().prepare(data)
        if isinstance(data.get("kind"), str):
            try:
                kind = CHECK_KINDS.get(data["kind"])
            except ValueError as e:
                raise fail("kind", str(e)) from None
            own = {k: data[k] for k in kind.model_fields if k in data}
            data = {k: v for k, v in data.items() if k not in own}
            data["rule"] = validate_part(kind, own)
        if isinstance(data.get("name"), str):
            data.setdefault("title", data["name"].replace("_", " "))
        return super().prepare(data)

    @property
    def relative(self) -> bool:
        """Judged against the start of the hold rather than absolute bounds."""
        return self.rule.baseline_window() is not None

    def describe(self) -> str:
        text = self.rule.describe(self.measure, get_measure(self.measure).unit)
        if self.when:
            text += " (only while " + ", ".join(c.describe() for c in self.when) + ")"
        return text


class HoldDef(Table):
    """``still_max``: torso lengths per second; if set, a hold counts only while this still
    (the body's speed averaged over ``still_window_s``, debounced by ``still_s``).
    ``breaths``: a hold counted in breaths ("5-6 deep breaths"), each ``breath_s`` long (in and
    out), paced by the coach; ``target_s`` is then the breaths' time unless given."""

    target_s: Seconds
    max_s: Seconds | None = None
    still_max: Amount | None = None
    still_window_s: Seconds = 0.6
    still_s: Seconds = 0.3
    breaths: Count | None = None
    breath_s: Positive = 5.0

    @classmethod
    def prepare(cls, data: dict[str, Any]) -> dict[str, Any]:
        if "target_s" in data or "breaths" not in data:
            return data
        n, each = data["breaths"], data.get("breath_s", 5.0)
        ok = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (n, each))
        # a bad count or pace: its own field says what is wrong
        return {**data, "target_s": float(n * each) if ok else 0.0}

    def breaths_in(self, seconds: float) -> int | None:
        """Whole breaths in ``seconds`` of holding (None for a hold not counted in breaths)."""
        return None if self.breaths is None else int(seconds // self.breath_s)

    @model_validator(mode="after")
    def _range(self) -> HoldDef:
        if self.max_s is not None and self.max_s < self.target_s:
            raise fail("max_s", f"max_s {self.max_s:g} is below target_s {self.target_s:g}")
        return self


class RepsDef(Measured):
    """Reps counted on ``measure``: out past ``enter`` for ``min_s``, back past ``exit``. A
    change of more than ``step`` between frames is movement (for the breathing cues), said only
    while the value is past ``cue_past`` toward ``enter`` if that is set (a measure with two
    directions, e.g. a lean forward or back, cues each movement on its own side). ``hold_cue``
    is said while the movement is held out past ``enter`` and still (what to do at the bottom
    of a roll-down). With ``swing`` the movement is judged relative to where it starts, not
    against ``enter``: a rep is a move of ``swing`` toward ``enter`` (from exit's side) from
    the least deep value since the last return, and the return a move of half that back from
    the deepest (for a measure whose resting value depends on the view, e.g. a kicking leg's
    hip angle)."""

    enter: Number
    exit: Number
    target: Count
    label: Text = "reps"
    down_cue: Text = ""
    up_cue: Text = ""
    min_s: Seconds = 0.3
    step: Amount = 0.3
    cue_past: Number | None = None
    hold_cue: Text = ""
    swing: Amount | None = None

    @model_validator(mode="after")
    def _gap(self) -> RepsDef:
        if self.enter == self.exit:
            raise fail("exit", "must differ from enter (the gap is the hysteresis)")
        return self

    def cues_at(self, value: float) -> bool:
        """Whether a movement at ``value`` is this count's to cue (see ``cue_past``)."""
        if self.cue_past is None:
            return True
        return value > self.cue_past if self.enter > self.exit else value < self.cue_past


class CountDef(RepsDef):
    """A further movement counted per side besides the reps (``[[counts]]``): pigeon's leans
    back, the roll-down reaching each knee. Counted like reps, only while its ``when`` gates
    hold; reported per side under its ``name``. ``target`` (optional) is shown against the
    count; the step's own target stays the hold or the reps."""

    name: Text
    target: Count | None = None  # type: ignore[assignment]
    when: tuple[Gate, ...] = ()


class CameraDef(Table):
    """Where the camera goes, said at the start of a live session. ``max_view_width``: torso
    widths (measure ``view_width``) above which the framing check asks to turn side-on."""

    placement: Text = "On the floor or a low table 2-3 m away, your whole body in view"
    max_view_width: Amount | None = None


class Exercise(Table):
    """One exercise definition (``poses/NAME.toml``)."""

    name: Text
    title: Text
    summary: Text = ""
    aliases: tuple[Text, ...] = ()
    side: SideRule
    position: tuple[Condition, ...] = ()  # the rule-based position (no recogniser for it)
    guard: tuple[Condition, ...] = ()  # with the recogniser: further conditions, all needed
    position_cue: Text = "Get into position"
    position_on_s: Seconds = 0.5  # in position this long to count as in it ...
    position_off_s: Seconds = 1.0  # ... and out of it this long to count as out
    hold: HoldDef
    reps: RepsDef | None = None
    counts: tuple[CountDef, ...] = ()
    checks: tuple[CheckDef, ...] = ()
    balance_tolerance: Fraction = 0.2
    min_visibility: Fraction = 0.5
    display: tuple[Text, ...] = ()
    camera: CameraDef = CameraDef()
    path: Path = Path()
    hidden: ClassVar[frozenset[str]] = frozenset({"path"})

    @classmethod
    def prepare(cls, data: dict[str, Any]) -> dict[str, Any]:
        if isinstance(data.get("side"), dict):
            side = data["side"]
            rule = side.get("rule")
            if rule is None:
                raise fail("side.rule", f"missing; expected one of: {', '.join(SIDE_RULES)}")
            try:
                kind = SIDE_RULES.get(rule)
            except ValueError as e:
                raise fail("side.rule", str(e)) from None
            data = {**data, "side": validate_part(kind, side, "side")}
        return data

    @field_validator("display")
    @classmethod
    def _display(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        for i, name in enumerate(names):
            try:
                get_measure(name)
            except ValueError as e:
                raise fail(f"[{i}]", str(e)) from None
        return names

    @field_validator("checks", "counts")
    @classmethod
    def _unique(cls, items: tuple, info: ValidationInfo) -> tuple:
        names = [c.name for c in items]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:  # "duplicate check name" / "duplicate count name"
            raise fail(None, f"duplicate {info.field_name[:-1]} name {dupes[0]!r}")
        return items

    @model_validator(mode="after")
    def _sides_known(self) -> Exercise:
        """A stretch without sides has no stretched leg: none of its measures may need one."""
        if self.sided:
            return self
        for key, measure in self._measures():
            if get_measure(measure).needs_side:
                raise fail(key, f"measure {measure!r} needs a side, and side rule "
                                f"{self.side.rule!r} has none")
        return self

    def _measures(self) -> list[tuple[str, str]]:
        """(key, measure name) of every measurement the definition reads."""
        out: list[tuple[str, str]] = []
        for table, items in (("position", self.position), ("guard", self.guard),
                             ("checks", self.checks), ("counts", self.counts)):
            for i, item in enumerate(items):
                out.append((f"{table}[{i}].measure", item.measure))
                out += [(f"{table}[{i}].when[{j}].measure", w.measure)
                        for j, w in enumerate(item.when)]
        if self.reps is not None:
            out.append(("reps.measure", self.reps.measure))
        return out + [(f"display[{i}]", name) for i, name in enumerate(self.display)]

    @property
    def sides(self) -> tuple[str, ...]:
        """The sides timed on their own: left and right, or "both" for a stretch without sides."""
        return self.side.sides

    @property
    def sided(self) -> bool:
        return self.sides != (BOTH,)

    def check(self, name: str) -> CheckDef:
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(name)


def read_toml(path: Path, what: str) -> dict:
    """A data file's TOML, or one clear DefinitionError (``what``: 'definition', 'routine')."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DefinitionError(f"{path}: no such {what} file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise DefinitionError(f"{path}: cannot read: {e}") from None
    except tomllib.TOMLDecodeError as e:
        raise DefinitionError(f"{path.name}: not valid TOML: {e}") from None


def load_exercise(path: Path) -> Exercise:
    """Load and validate one definition file."""
    path = Path(path)
    return parse_exercise(read_toml(path, "definition"), path)


def parse_exercise(data: dict[str, Any], path: Path) -> Exercise:
    """Validate the tables read from definition file ``path`` (its name must be the file's)."""
    try:
        ex = Exercise.model_validate(data)
    except ValidationError as e:
        key, message = explain(e, Exercise)
        raise DefinitionError(f"{path.name}: {key.replace('.[', '[')}: {message}") from None
    if ex.name != path.stem:
        raise DefinitionError(f"{path.name}: name: expected {path.stem!r} (the file name), "
                              f"got {ex.name!r}")
    return ex.model_copy(update={"path": path})


def _key(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def poses_dir() -> Path:
    """The definitions folder: ``$COACH_POSES`` if set (for tuning copies), else ``poses/``."""
    return Path(os.environ.get("COACH_POSES") or POSES_DIR)


def available(folder: Path | None = None) -> list[Path]:
    folder = Path(folder or poses_dir())
    if not folder.is_dir():
        raise DefinitionError(f"no exercise definitions: {folder} is not a folder "
                              "(set COACH_POSES to the project's poses/ folder)")
    return sorted(folder.glob("*.toml"))


def exercise_names(folder: Path | None = None) -> list[str]:
    """The names of the shipped (or ``$COACH_POSES``) exercises, from the file names."""
    return [p.stem for p in available(folder)]


def load_all(folder: Path | None = None) -> list[Exercise]:
    return [load_exercise(p) for p in available(folder)]


def find_exercise(name: str, folder: Path | None = None) -> Exercise:
    """Load the exercise called ``name`` (file stem or alias); suggest close names if unknown."""
    key = _key(name)
    paths = {p.stem: p for p in available(folder)}
    if key in paths:
        return load_exercise(paths[key])
    aliases: dict[str, str] = {}
    for stem, p in paths.items():
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            continue
        for a in data.get("aliases", []) if isinstance(data.get("aliases"), list) else []:
            aliases[_key(str(a))] = stem
    if key in aliases:
        return load_exercise(paths[aliases[key]])
    close = difflib.get_close_matches(key, [*paths, *aliases], n=3, cutoff=0.5)
    close = list(dict.fromkeys(aliases.get(c, c) for c in close))
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    raise DefinitionError(
        f"unknown exercise {name!r}{hint} (known: {', '.join(sorted(paths)) or 'none'})"
    )
