"""Exercise definitions: ``poses/*.toml`` loaded into frozen dataclasses, validated at load.

A broken file fails with a :class:`DefinitionError` naming the file, the key and what was
expected, so a typo in a landmark, measure or rule kind is caught before any frame is read.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coach.errors import DefinitionError
from coach.pose.core import Pose
from coach.rules.measures import get_measure, read, validate_params

POSES_DIR = Path(__file__).resolve().parents[2] / "poses"
CHECK_KINDS = ("range", "rise", "drop")
SIDE_RULES = ("crossed_ankle", "bent_knee", "front_ankle", "front_knee", "alternate")


@dataclass(frozen=True)
class Condition:
    """A measurement that must lie within [min, max] (either bound optional)."""

    measure: str
    params: dict[str, Any]
    min: float | None = None
    max: float | None = None
    when: tuple[Condition, ...] = ()  # applies only while these hold (position conditions)

    def holds(self, value: float, margin: float = 0.0) -> bool:
        """True when value is inside the bounds, widened by ``margin`` on each side."""
        if self.min is not None and value < self.min - margin:
            return False
        return not (self.max is not None and value > self.max + margin)

    def met(self, pose: Pose, side: str | None, min_visibility: float) -> bool:
        """True when the measurement can be read on ``pose`` and lies within the bounds."""
        r = read(pose, self.measure, side, self.params, min_visibility)  # type: ignore[arg-type]
        return r.ok and self.holds(r.value)

    def describe(self) -> str:
        unit = get_measure(self.measure).unit
        if self.min is not None and self.max is not None:
            return f"{self.measure} {self.min:g}..{self.max:g} {unit}"
        if self.min is not None:
            return f"{self.measure} >= {self.min:g} {unit}"
        return f"{self.measure} <= {self.max:g} {unit}"


@dataclass(frozen=True)
class CheckDef:
    """One form check. ``range``: fault outside [min, max]. ``rise`` / ``drop``: fault when the
    measure rises above / drops below its value when the hold began (its baseline) by more than
    ``max_change`` (``max_rise`` / ``max_drop`` in the file)."""

    name: str
    title: str
    kind: str
    measure: str
    params: dict[str, Any]
    cue: str
    min: float | None = None
    max: float | None = None
    max_change: float | None = None
    baseline_s: float = 1.0
    hysteresis: float = 0.0
    on_s: float = 0.4
    off_s: float = 0.8
    when: tuple[Condition, ...] = ()
    safety: bool = False
    advisory: str = ""  # why the check only reminds (the model cannot judge it); "" = judged

    @property
    def relative(self) -> bool:
        """Judged against the start of the hold rather than absolute bounds."""
        return self.kind in ("rise", "drop")

    def describe(self) -> str:
        unit = get_measure(self.measure).unit
        if self.relative:
            way = "rises" if self.kind == "rise" else "drops"
            rule = f"{self.measure} {way} > {self.max_change:g} {unit} from the start of the hold"
        else:
            rule = "good while " + Condition(self.measure, {}, self.min, self.max).describe()
        if self.when:
            rule += " (only while " + ", ".join(c.describe() for c in self.when) + ")"
        return rule


@dataclass(frozen=True)
class SideDef:
    """How the stretched side is told apart. ``alternate``: the coach names the side to start
    with (``first``) and the sides take turns, a new turn starting each time the person comes
    back into position after a break of ``gap_s`` following a turn of at least ``min_turn_s``."""

    rule: str
    switch_after_s: float = 1.0
    first: str = "left"
    gap_s: float = 1.0
    min_turn_s: float = 5.0


@dataclass(frozen=True)
class HoldDef:
    target_s: float
    max_s: float | None = None
    still_max: float | None = None  # torso lengths/s; if set, a hold counts only while still


@dataclass(frozen=True)
class RepsDef:
    measure: str
    params: dict[str, Any]
    enter: float
    exit: float
    target: int
    label: str = "reps"
    down_cue: str = ""
    up_cue: str = ""


@dataclass(frozen=True)
class Exercise:
    name: str
    title: str
    summary: str
    path: Path
    aliases: tuple[str, ...]
    side: SideDef
    position: tuple[Condition, ...]
    position_cue: str
    hold: HoldDef
    reps: RepsDef | None
    checks: tuple[CheckDef, ...]
    balance_tolerance: float = 0.2
    min_visibility: float = 0.5
    display: tuple[str, ...] = ()

    def check(self, name: str) -> CheckDef:
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(name)


class _Table:
    """Typed access to one TOML table that reports errors with file and key path."""

    def __init__(self, path: Path, data: dict[str, Any], prefix: str = "") -> None:
        self.path, self.data, self.prefix = path, data, prefix
        self.used: set[str] = set()

    def fail(self, key: str, msg: str) -> DefinitionError:
        return DefinitionError(f"{self.path.name}: {self.prefix}{key}: {msg}")

    def get(self, key: str, types: type | tuple[type, ...], default: Any = ..., what: str = ""):
        self.used.add(key)
        if key not in self.data:
            if default is ...:
                raise self.fail(key, f"missing; expected {what or _tname(types)}")
            return default
        value = self.data[key]
        if isinstance(value, bool) and bool not in _tuple(types):
            raise self.fail(key, f"expected {what or _tname(types)}, got {value!r}")
        if not isinstance(value, types):
            raise self.fail(key, f"expected {what or _tname(types)}, got {value!r}")
        return float(value) if types == (int, float) else value

    def number(self, key: str, default: Any = ...) -> float | None:
        v = self.get(key, (int, float), default, "a number")
        return None if v is None else float(v)

    def sub(self, key: str, required: bool = True) -> _Table | None:
        value = self.get(key, dict, ... if required else None, "a table")
        return None if value is None else _Table(self.path, value, f"{self.prefix}{key}.")

    def subs(self, key: str) -> list[_Table]:
        items = self.get(key, list, [], "an array of tables")
        out = []
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise self.fail(f"{key}[{i}]", f"expected a table, got {item!r}")
            out.append(_Table(self.path, item, f"{self.prefix}{key}[{i}]."))
        return out

    def done(self, extra: set[str] | None = None) -> None:
        unknown = set(self.data) - self.used - (extra or set())
        if unknown:
            key = sorted(unknown)[0]
            choices = ", ".join(sorted(self.used | (extra or set())))
            raise self.fail(key, f"unknown key; expected one of: {choices}")


def _tuple(t: type | tuple[type, ...]) -> tuple[type, ...]:
    return t if isinstance(t, tuple) else (t,)


def _tname(t: type | tuple[type, ...]) -> str:
    names = {int: "a number", float: "a number", str: "a string", bool: "true or false",
             list: "a list", dict: "a table"}
    return " or ".join(dict.fromkeys(names.get(x, x.__name__) for x in _tuple(t)))


_CONDITION_KEYS = {"measure", "min", "max", "when"}


def _measure_params(t: _Table, reserved: set[str]) -> tuple[str, dict[str, Any]]:
    """Read ``measure`` and pass the table's other keys to it as parameters."""
    name = t.get("measure", str)
    try:
        measure = get_measure(name)
    except ValueError as e:
        raise t.fail("measure", str(e)) from None
    raw = {k: v for k, v in t.data.items() if k not in reserved}
    unknown = sorted(set(raw) - set(measure.params))
    if unknown:
        choices = ", ".join(sorted(reserved | set(measure.params)))
        raise t.fail(unknown[0], f"unknown key; expected one of: {choices}")
    try:
        params = validate_params(measure, raw)
    except ValueError as e:
        raise t.fail(sorted(raw)[0] if raw else "measure", str(e)) from None
    t.used.update(raw)
    return name, params


def _condition(t: _Table, allow_when: bool = False) -> Condition:
    name, params = _measure_params(t, _CONDITION_KEYS)
    lo, hi = t.number("min", None), t.number("max", None)
    if lo is None and hi is None:
        raise t.fail("min", "expected min and/or max")
    if lo is not None and hi is not None and lo > hi:
        raise t.fail("min", f"min {lo:g} is above max {hi:g}")
    if "when" in t.data and not allow_when:
        raise t.fail("when", "conditions inside `when` cannot have their own `when`")
    when = tuple(_condition(c) for c in t.subs("when"))
    t.done()
    return Condition(name, params, lo, hi, when)


_CHECK_KEYS = {"name", "title", "kind", "measure", "cue", "min", "max", "max_rise", "max_drop",
               "baseline_s",
               "hysteresis", "on_s", "off_s", "when", "safety", "advisory"}


def _check(t: _Table) -> CheckDef:
    name = t.get("name", str)
    kind = t.get("kind", str)
    if kind not in CHECK_KINDS:
        close = difflib.get_close_matches(kind, CHECK_KINDS, 1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise t.fail("kind", f"unknown rule kind {kind!r}{hint}; expected one of: "
                     f"{', '.join(CHECK_KINDS)}")
    measure, params = _measure_params(t, _CHECK_KEYS)
    lo, hi = t.number("min", None), t.number("max", None)
    key = {"rise": "max_rise", "drop": "max_drop"}.get(kind)
    change = t.number(key, None) if key else None
    other = {"rise": "max_drop", "drop": "max_rise"}.get(kind)
    if other and other in t.data:
        raise t.fail(other, f"a {kind} check takes {key}, not {other}")
    if kind == "range" and lo is None and hi is None:
        raise t.fail("min", "a range check needs min and/or max")
    if key and (change is None or change <= 0):
        raise t.fail(key, f"a {kind} check needs a positive {key}")
    check = CheckDef(
        name=name,
        title=t.get("title", str, name.replace("_", " ")),
        kind=kind,
        measure=measure,
        params=params,
        cue=t.get("cue", str),
        min=lo,
        max=hi,
        max_change=change,
        baseline_s=t.number("baseline_s", 1.0),
        hysteresis=t.number("hysteresis", 0.0),
        on_s=t.number("on_s", 0.4),
        off_s=t.number("off_s", 0.8),
        when=tuple(_condition(c) for c in t.subs("when")),
        safety=t.get("safety", bool, False),
        advisory=t.get("advisory", str, ""),
    )
    t.done()
    return check


def load_exercise(path: Path) -> Exercise:
    """Load and validate one definition file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DefinitionError(f"{path}: no such definition file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise DefinitionError(f"{path}: cannot read: {e}") from None
    except tomllib.TOMLDecodeError as e:
        raise DefinitionError(f"{path.name}: not valid TOML: {e}") from None
    top = _Table(path, data)
    side_t = top.sub("side")
    rule = side_t.get("rule", str)
    if rule not in SIDE_RULES:
        raise side_t.fail("rule", f"unknown side rule {rule!r}; expected one of: "
                          f"{', '.join(SIDE_RULES)}")
    first = side_t.get("first", str, "left")
    if first not in ("left", "right"):
        raise side_t.fail("first", f"expected 'left' or 'right', got {first!r}")
    side = SideDef(rule, side_t.number("switch_after_s", 1.0), first,
                   side_t.number("gap_s", 1.0), side_t.number("min_turn_s", 5.0))
    side_t.done()
    hold_t = top.sub("hold")
    hold = HoldDef(hold_t.number("target_s"), hold_t.number("max_s", None),
                   hold_t.number("still_max", None))
    hold_t.done()
    reps = None
    reps_t = top.sub("reps", required=False)
    if reps_t is not None:
        reserved = {"measure", "enter", "exit", "target", "label", "down_cue", "up_cue"}
        m, params = _measure_params(reps_t, reserved)
        enter, exit_ = reps_t.number("enter"), reps_t.number("exit")
        if enter == exit_:
            raise reps_t.fail("exit", "must differ from enter (the gap is the hysteresis)")
        reps = RepsDef(m, params, enter, exit_, int(reps_t.number("target")),
                       reps_t.get("label", str, "reps"), reps_t.get("down_cue", str, ""),
                       reps_t.get("up_cue", str, ""))
        reps_t.done()
    checks = tuple(_check(c) for c in top.subs("checks"))
    names = [c.name for c in checks]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise top.fail("checks", f"duplicate check name {sorted(dupes)[0]!r}")
    display = tuple(top.get("display", list, []))
    for i, d in enumerate(display):
        try:
            get_measure(d)
        except (ValueError, TypeError) as e:
            raise top.fail(f"display[{i}]", str(e)) from None
    ex = Exercise(
        name=top.get("name", str),
        title=top.get("title", str),
        summary=top.get("summary", str, ""),
        path=path,
        aliases=tuple(top.get("aliases", list, [])),
        side=side,
        position=tuple(_condition(c, allow_when=True) for c in top.subs("position")),
        position_cue=top.get("position_cue", str, "Get into position"),
        hold=hold,
        reps=reps,
        checks=checks,
        balance_tolerance=top.number("balance_tolerance", 0.2),
        min_visibility=top.number("min_visibility", 0.5),
        display=display,
    )
    top.done()
    if ex.name != path.stem:
        raise top.fail("name", f"expected {path.stem!r} (the file name), got {ex.name!r}")
    return ex


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
