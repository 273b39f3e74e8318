"""The base of every definition table (pydantic v2): strict types, bounds, unknown keys refused,
and a validation error turned into one line that names the key and what was expected."""

from __future__ import annotations

import types
import typing
from typing import Annotated, Any, ClassVar, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError, model_validator
from pydantic_core import PydanticCustomError

Number = Annotated[float, Strict(), Field(allow_inf_nan=False)]  # TOML has nan and inf
Seconds = Annotated[float, Strict(), Field(ge=0, allow_inf_nan=False)]  # a time: never negative
Amount = Annotated[float, Strict(), Field(ge=0, allow_inf_nan=False)]  # a margin or a speed
Positive = Annotated[float, Strict(), Field(gt=0, allow_inf_nan=False)]
Fraction = Annotated[float, Strict(), Field(ge=0, le=1, allow_inf_nan=False)]
Text = Annotated[str, Strict()]
Flag = Annotated[bool, Strict()]
Count = Annotated[int, Strict(), Field(ge=1)]
Side = Literal["left", "right"]


def fail(key: str | None, message: str) -> PydanticCustomError:
    """An error for ``key`` of the table being validated (raise it from a validator)."""
    return PydanticCustomError("coach", "{msg}", {"msg": message, "key": key or ""})


class Table(BaseModel):
    """A table of a definition file. ``extra_keys`` names keys a subclass passes on elsewhere
    (a measure's parameters); any other key not a field is an error listing the valid ones."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    hidden: ClassVar[frozenset[str]] = frozenset()  # fields never read from a file

    @classmethod
    def keys(cls) -> set[str]:
        return set(cls.model_fields) - cls.hidden

    @classmethod
    def extra_keys(cls, data: dict[str, Any]) -> set[str]:
        return set()

    @classmethod
    def precheck(cls, data: dict[str, Any]) -> None:
        """Problems to report before unknown keys (a subclass may raise :func:`fail`)."""

    @classmethod
    def prepare(cls, data: dict[str, Any]) -> dict[str, Any]:
        """Turn the file's keys into the fields (after unknown keys were refused)."""
        return data

    @model_validator(mode="before")
    @classmethod
    def _read(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        cls.precheck(data)
        allowed = cls.keys() | cls.extra_keys(data)
        unknown = sorted(set(data) - allowed - cls.hidden)
        if unknown:
            raise fail(unknown[0], f"unknown key; expected one of: {', '.join(sorted(allowed))}")
        return cls.prepare(dict(data))


def validate_part(model: type[Table], data: Any, key: str | None = None) -> Any:
    """Validate ``data`` as ``model`` inside another table's validator, keeping the error's key."""
    try:
        return model.model_validate(data)
    except ValidationError as e:
        path, message = explain(e, model)
        raise fail(".".join(p for p in (key, path) if p), message) from None


def explain(error: ValidationError, model: type[BaseModel]) -> tuple[str, str]:
    """(key path, message) of the first problem, e.g. ("checks[1].max", "expected a number, got
    'high'")."""
    e = error.errors(include_url=False)[0]
    loc, ctx, kind = list(e["loc"]), e.get("ctx") or {}, e["type"]
    if kind == "coach":
        return _path([*loc, ctx["key"]] if ctx["key"] else loc), ctx["msg"]
    got = e.get("input")
    bounds = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=",
              "less_than": "<"}
    if kind == "missing":
        return _path(loc), f"missing; expected {_expected(model, loc)}"
    if kind in bounds:
        limit = next(iter(ctx.values()))
        return _path(loc), f"expected a number {bounds[kind]} {limit:g}, got {got!r}"
    if kind == "extra_forbidden":
        return _path(loc), "unknown key"
    if kind == "finite_number":
        return _path(loc), f"expected a finite number, got {got!r}"
    return _path(loc), f"expected {_expected(model, loc)}, got {got!r}"


def _path(loc: list[Any]) -> str:
    out = ""
    for p in loc:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _expected(model: type[BaseModel], loc: list[Any]) -> str:
    """What the field at ``loc`` holds, in words, read from the model's type hints."""
    hint: Any = model
    for p in loc:
        hint = _unwrap(hint)
        if isinstance(p, int):
            args = get_args(hint)
            hint = args[0] if args else Any
        elif isinstance(hint, type) and issubclass(hint, BaseModel) and p in hint.model_fields:
            hint = hint.model_fields[p].annotation
        else:
            return "a value"
    return _words(_unwrap(hint))


def _unwrap(hint: Any) -> Any:
    while True:
        origin = get_origin(hint)
        if origin is Annotated:
            hint = get_args(hint)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in get_args(hint) if a is not type(None)]
            hint = args[0] if len(args) == 1 else hint
            if len(args) != 1:
                return hint
        else:
            return hint


def _words(hint: Any) -> str:
    origin = get_origin(hint)
    if origin is Literal:
        return " or ".join(repr(a) for a in get_args(hint))
    if origin in (tuple, list):
        item = _unwrap(get_args(hint)[0]) if get_args(hint) else None
        table = isinstance(item, type) and issubclass(item, BaseModel)
        return "an array of tables" if table else "a list"
    if isinstance(hint, type) and issubclass(hint, BaseModel):
        return "a table"
    return {float: "a number", int: "a whole number", str: "a string", bool: "true or false",
            dict: "a table"}.get(hint, "a value")
