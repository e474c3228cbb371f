"""What a failing cross-check between the two PDF engines names: the first thing that differs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def first_difference(ours: Sequence[Any], reference: Sequence[Any]) -> Any:
    """The first item that differs, looking down nested lists and tuples; the lengths if none does."""
    for a, b in zip(ours, reference, strict=False):
        if a != b:
            nested = isinstance(a, list | tuple) and isinstance(b, list | tuple)
            return first_difference(a, b) if nested else (a, b)
    return (len(ours), len(reference))
