"""Records as JSON and back, for the cache: data that names only types it is allowed to build.

A pickle names any importable callable and runs it on load, so anyone who can write a cache entry
can run code in the next build. An entry is JSON instead, and decoding it builds only what this
module lists: the JSON types themselves, a few tagged scalars (Decimal, date, datetime, Path, bytes,
tuple, a dict with keys that are not strings) and the dataclasses and enums of `record_types`. A
type name that is not listed is refused, never imported.

A dataclass is encoded from `dataclasses.fields`, so a field added to a record is cached with no
change here; decoding requires exactly the class's fields, so an entry written before a field was
added or removed is refused (and rebuilt) rather than filled with a default.

A tagged value is a JSON object with the key ``$t`` (the tag) and ``v`` (the value); a dict that has
a ``$t`` key of its own, or a key that is not a string, is tagged ``dict`` and stored as pairs.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import enum
import json
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import cache
from pathlib import Path, PurePath
from typing import Any

TAG = "$t"


class UntrustedEntry(ValueError):
    """An entry this codec refuses to decode: an unlisted type, a wrong field set, a malformed value."""


# Where the allow-list comes from: set by the registry, which knows the build's records and every
# kind's own (this low module may import none of them).
_record_types_provider: list[Callable[[], Iterable[type]]] = []


def provide_record_types(provider: Callable[[], Iterable[type]]) -> None:
    """Take the allow-list from `provider` from now on (called again when the registry changes)."""
    _record_types_provider[:] = [provider]
    record_types.cache_clear()


@cache
def record_types() -> dict[str, type]:
    """Every dataclass and enum an entry may hold, by the name entries carry (the class's own name)."""
    return types_by_name(_record_types_provider[0]()) if _record_types_provider else {}


def types_by_name(types: Iterable[type]) -> dict[str, type]:
    named: dict[str, type] = {}
    for kind in types:
        if not (dataclasses.is_dataclass(kind) or issubclass(kind, enum.Enum)):
            raise TypeError(f"{kind.__qualname__} is neither a dataclass nor an enum")
        if kind.__qualname__ in named:
            raise TypeError(f"two record types are named {kind.__qualname__}")
        named[kind.__qualname__] = kind
    return named


def encode(value: Any, types: dict[str, type] | None = None) -> bytes:
    """`value` as JSON bytes; `TypeError` for a type decoding would refuse."""
    allowed = record_types() if types is None else types
    text = json.dumps(_to_json(value, allowed), ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


def decode(data: bytes, types: dict[str, type] | None = None) -> Any:
    """The value `encode` gave `data` from; `UntrustedEntry` for anything it would not build."""
    allowed = record_types() if types is None else types
    try:
        return json.loads(data.decode("utf-8"), object_hook=lambda tagged: _from_json(tagged, allowed))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise UntrustedEntry(f"not JSON ({error})") from error


def _to_json(value: Any, types: dict[str, type]) -> Any:
    # bool before int (a bool is an int); Path before str-likes; dataclass before the containers.
    if value is None or (isinstance(value, (bool, int, float, str)) and not isinstance(value, enum.Enum)):
        return value
    if isinstance(value, list):
        return [_to_json(item, types) for item in value]
    if isinstance(value, tuple) and type(value) is tuple:
        return {TAG: "tuple", "v": [_to_json(item, types) for item in value]}
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value) and TAG not in value:
            return {key: _to_json(item, types) for key, item in value.items()}
        pairs = [[_to_json(key, types), _to_json(item, types)] for key, item in value.items()]
        return {TAG: "dict", "v": pairs}
    return _tagged(value, types)


def _tagged(value: Any, types: dict[str, type]) -> dict[str, Any]:
    if isinstance(value, Decimal):
        return {TAG: "decimal", "v": str(value)}
    if isinstance(value, datetime.datetime):
        return {TAG: "datetime", "v": value.isoformat()}
    if isinstance(value, datetime.date):
        return {TAG: "date", "v": value.isoformat()}
    if isinstance(value, PurePath):
        return {TAG: "path", "v": str(value)}
    if isinstance(value, bytes):
        return {TAG: "bytes", "v": base64.b64encode(value).decode("ascii")}
    name = type(value).__qualname__
    if types.get(name) is not type(value) or isinstance(value, type):
        raise TypeError(f"cannot cache a value of type {type(value).__module__}.{name}")
    if isinstance(value, enum.Enum):
        return {TAG: "enum", "type": name, "v": _to_json(value.value, types)}
    assert dataclasses.is_dataclass(value)  # `types_by_name` lists only dataclasses and enums
    fields = {field.name: _to_json(getattr(value, field.name), types) for field in dataclasses.fields(value)}
    return {TAG: "record", "type": name, "v": fields}


SCALARS: dict[str, Any] = {
    "tuple": tuple,
    "decimal": Decimal,
    "datetime": datetime.datetime.fromisoformat,
    "date": datetime.date.fromisoformat,
    "path": Path,
    "bytes": lambda text: base64.b64decode(text, validate=True),
}


def _from_json(tagged: dict[str, Any], types: dict[str, type]) -> Any:
    if TAG not in tagged:
        return tagged
    tag, value = tagged[TAG], tagged.get("v")
    expected = {TAG, "v", "type"} if tag in ("record", "enum") else {TAG, "v"}
    if set(tagged) != expected:
        raise UntrustedEntry(f"malformed {tag!r} value")
    try:
        if tag == "dict":
            return {_hashable(key): item for key, item in value or ()}
        if tag in SCALARS:
            return SCALARS[tag](value)
    except (TypeError, ValueError, ArithmeticError) as error:
        raise UntrustedEntry(f"malformed {tag!r} value ({error})") from error
    if tag == "record":
        return _record(_listed(tagged["type"], types), value)
    if tag == "enum":
        kind = _listed(tagged["type"], types)
        try:
            return kind(value)
        except (TypeError, ValueError) as error:
            raise UntrustedEntry(f"no {kind.__qualname__} of value {value!r}") from error
    raise UntrustedEntry(f"unknown tag {tag!r}")


def _listed(name: Any, types: dict[str, type]) -> type:
    kind = types.get(name) if isinstance(name, str) else None
    if kind is None:
        raise UntrustedEntry(f"type {name!r} is not one the cache may hold")
    return kind


def _hashable(key: Any) -> Any:
    hash(key)  # a list or dict decoded as a key: TypeError, reported as a malformed dict
    return key


def _record(kind: type, values: Any) -> Any:
    if not dataclasses.is_dataclass(kind) or not isinstance(values, dict):
        raise UntrustedEntry(f"malformed {kind.__qualname__} record")
    fields = dataclasses.fields(kind)
    if set(values) != {field.name for field in fields}:
        raise UntrustedEntry(f"the fields of {kind.__qualname__} have changed since this entry was written")
    try:
        record = kind(**{field.name: values[field.name] for field in fields if field.init})
    except (TypeError, ValueError) as error:  # a record's own checks (`__post_init__`) refuse it
        raise UntrustedEntry(f"invalid {kind.__qualname__} record ({error})") from error
    for field in fields:
        if not field.init:
            object.__setattr__(record, field.name, values[field.name])
    return record
