"""Exceptions for input the tool cannot read at all.

A bad value inside a readable document is a finding (see ``findings``), never an exception.
"""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """A file that cannot be used: missing, unreadable, of an unknown kind, checksum changed.

    ``str(error)`` is one line naming the file and the reason, ready for the CLI to print.
    """

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class SchemaFailure(Exception):
    """The built tables break their contract, so nothing is written (CLI exit 1)."""


def read_input_bytes(path: Path) -> bytes:
    """A whole input file; a missing or unreadable one is an `InputError` naming it."""
    try:
        return path.read_bytes()
    except FileNotFoundError as error:
        raise InputError(path, "file not found") from error
    except OSError as error:
        raise InputError(path, f"cannot read file ({error.strerror or error})") from error
