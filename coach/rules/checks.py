"""Check kinds: how a form check judges a measurement. One class per kind, registered by name;
each validates its own settings (the kind's keys in a ``[[checks]]`` table) and judges a value.

A new kind is one class here: its settings as fields, ``fault`` and ``describe``.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import model_validator

from coach.rules.registry import Registry
from coach.rules.settings import Number, Positive, Seconds, Table, fail

CHECK_KINDS: Registry[type[CheckRule]] = Registry("rule kind")


class CheckRule(Table):
    """A kind's settings. ``baseline_window()`` is None for an absolute kind; for a relative kind
    it is how long the start of a hold is measured for the baseline a value is judged against."""

    kind: ClassVar[str]

    def baseline_window(self) -> float | None:
        return None

    def fault(self, value: float, baseline: float | None, margin: float) -> bool:
        """True when ``value`` is a fault; ``margin`` widens the good zone (hysteresis < 0
        narrows it back while a fault is on)."""
        raise NotImplementedError

    def shown(self, value: float, baseline: float | None) -> float:
        """The number reported for the frame (relative kinds: the change from the baseline)."""
        return value

    def describe(self, measure: str, unit: str) -> str:
        raise NotImplementedError


def bounds_text(measure: str, lo: float | None, hi: float | None, unit: str) -> str:
    if lo is not None and hi is not None:
        return f"{measure} {lo:g}..{hi:g} {unit}"
    if lo is not None:
        return f"{measure} >= {lo:g} {unit}"
    return f"{measure} <= {hi:g} {unit}"


@CHECK_KINDS.register("range")
class RangeRule(CheckRule):
    """A fault outside [min, max] (either bound may be left out)."""

    kind = "range"
    min: Number | None = None
    max: Number | None = None

    @model_validator(mode="after")
    def _bounds(self) -> RangeRule:
        if self.min is None and self.max is None:
            raise fail("min", "a range check needs min and/or max")
        if self.min is not None and self.max is not None and self.min >= self.max:
            raise fail("min", f"min {self.min:g} is not below max {self.max:g}")
        return self

    def fault(self, value: float, baseline: float | None, margin: float) -> bool:
        if self.min is not None and value < self.min - margin:
            return True
        return self.max is not None and value > self.max + margin

    def describe(self, measure: str, unit: str) -> str:
        return "good while " + bounds_text(measure, self.min, self.max, unit)


class _ChangeRule(CheckRule):
    """A fault when the measure moves from its value at the start of the hold (one way, or
    either way) by more than the limit, the setting named ``limit_key``."""

    sign: ClassVar[float]
    way: ClassVar[str]
    limit_key: ClassVar[str]
    baseline_s: Seconds = 1.0

    def baseline_window(self) -> float | None:
        return self.baseline_s

    @property
    def limit(self) -> float:
        return float(getattr(self, self.limit_key))

    @model_validator(mode="before")
    @classmethod
    def _positive(cls, data: object) -> object:
        v = data.get(cls.limit_key) if isinstance(data, dict) else None
        if isinstance(v, int | float) and not isinstance(v, bool) and v <= 0:
            raise fail(cls.limit_key, f"a {cls.kind} check needs a positive {cls.limit_key}")
        return data

    def shown(self, value: float, baseline: float | None) -> float:
        assert baseline is not None
        return (value - baseline) * self.sign

    def fault(self, value: float, baseline: float | None, margin: float) -> bool:
        return self.shown(value, baseline) > self.limit + margin

    def describe(self, measure: str, unit: str) -> str:
        return f"{measure} {self.way} > {self.limit:g} {unit} from the start of the hold"


@CHECK_KINDS.register("rise")
class RiseRule(_ChangeRule):
    """A fault when the measure rises more than ``max_rise`` above the start of the hold."""

    kind, sign, way, limit_key = "rise", 1.0, "rises", "max_rise"
    max_rise: Positive


@CHECK_KINDS.register("drop")
class DropRule(_ChangeRule):
    """A fault when the measure drops more than ``max_drop`` below the start of the hold."""

    kind, sign, way, limit_key = "drop", -1.0, "drops", "max_drop"
    max_drop: Positive


@CHECK_KINDS.register("change")
class ChangeRule(_ChangeRule):
    """A fault when the measure moves more than ``max_change`` from the start of the hold, either
    way (a trunk that should stay still while a leg moves)."""

    kind, sign, way, limit_key = "change", 1.0, "moves", "max_change"
    max_change: Positive

    def shown(self, value: float, baseline: float | None) -> float:
        assert baseline is not None
        return abs(value - baseline)

    def describe(self, measure: str, unit: str) -> str:
        return f"{measure} moves > {self.limit:g} {unit} either way from the start of the hold"
