"""The authority: the organisations file and its rejections, validated, indexed, read and written."""

from __future__ import annotations

import csv
import functools
import io
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from rapidfuzz import fuzz

from amif_extract.errors import InputError, read_input_bytes
from amif_extract.organisations.keys import (
    WEAK_WORD_SIMILARITY,
    WEAK_WORDS,
    acronym_key,
    comparison_key,
    comparison_words,
)
from amif_extract.organisations.records import (
    ALIAS_SEPARATOR,
    AUTHORITY_COLUMNS,
    AUTHORITY_FILE,
    KINDS,
    ORG_ID,
    REJECTION_COLUMNS,
    REJECTIONS_FILE,
    Organisation,
    Rejection,
)
from amif_extract.write import write_file_atomically

# --- Authority ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Choice:
    """One name of an organisation as the fuzzy step sees it."""

    org_id: str
    words: tuple[str, ...]
    joined: tuple[str, ...]


@dataclass(frozen=True)
class Authority:
    """The authority file (and its rejections) as an immutable, indexed view that validates itself.

    ``source_lines`` gives the file line of each organisation, so that an error can name it; it is
    empty for an authority built in memory.
    """

    organisations: tuple[Organisation, ...]
    rejections: tuple[Rejection, ...] = ()
    path: Path | None = None
    source_lines: tuple[int, ...] = field(default=(), compare=False)
    by_id: Mapping[str, Organisation] = field(init=False, repr=False, compare=False)
    children: Mapping[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)
    _name_index: Mapping[str, str] = field(init=False, repr=False, compare=False)
    _acronym_index: Mapping[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)
    _choices: tuple[_Choice, ...] = field(init=False, repr=False, compare=False)
    _vocabularies: Mapping[str, frozenset[str]] = field(init=False, repr=False, compare=False)
    _vocabulary: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _rejected_keys: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id = _validate_organisations(self)
        children: dict[str, list[str]] = {}
        for org in self.organisations:
            if org.parent_id:
                children.setdefault(org.parent_id, []).append(org.org_id)
        choices = _build_choices(self.organisations)
        vocabularies = _build_vocabularies(self.organisations, by_id, choices)
        self._set("by_id", MappingProxyType(by_id))
        self._set("children", MappingProxyType({key: tuple(sorted(ids)) for key, ids in children.items()}))
        self._set("_name_index", MappingProxyType(_build_name_index(self)))
        self._set("_acronym_index", MappingProxyType(_build_acronym_index(self.organisations)))
        self._set("_choices", choices)
        self._set("_vocabularies", MappingProxyType(vocabularies))
        self._set("_vocabulary", tuple(sorted(set().union(*vocabularies.values()))))
        self._set("_rejected_keys", frozenset(comparison_key(item.name) for item in self.rejections))

    def _set(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)

    def ancestors(self, org_id: str) -> tuple[str, ...]:
        """Parent, grandparent… of an organisation, nearest first."""
        found: list[str] = []
        parent = self.by_id[org_id].parent_id
        while parent and parent not in found:
            found.append(parent)
            parent = self.by_id[parent].parent_id
        return tuple(found)

    def descendants(self, org_id: str) -> tuple[str, ...]:
        found: list[str] = []
        pending = list(self.children.get(org_id, ()))
        while pending:
            child = pending.pop(0)
            found.append(child)
            pending.extend(self.children.get(child, ()))
        return tuple(found)

    def related(self, first: str, second: str) -> bool:
        return first in self.ancestors(second) or second in self.ancestors(first)

    def is_rejected(self, name: str) -> bool:
        return comparison_key(name) in self._rejected_keys


def _where(authority: Authority, index: int) -> str:
    if authority.source_lines:
        return f"line {authority.source_lines[index]}"
    return f"organisation #{index + 1} ({authority.organisations[index].org_id!r})"


def _fail(authority: Authority, index: int, reason: str) -> InputError:
    return InputError(authority.path or "<authority>", f"{_where(authority, index)}: {reason}")


def _validate_organisations(authority: Authority) -> dict[str, Organisation]:
    """Unique well-formed ids, non-empty names, known kinds and parents, no name shared by two of them."""
    by_id: dict[str, Organisation] = {}
    first_index: dict[str, int] = {}
    for index, org in enumerate(authority.organisations):
        _validate_fields(authority, index, org)
        if org.org_id in by_id:
            raise _fail(
                authority,
                index,
                f"duplicate org_id {org.org_id!r} (also {_where(authority, first_index[org.org_id])})",
            )
        by_id[org.org_id] = org
        first_index[org.org_id] = index
    for index, org in enumerate(authority.organisations):
        _validate_parent(authority, index, org, by_id)
    return by_id


def _validate_fields(authority: Authority, index: int, org: Organisation) -> None:
    if not ORG_ID.match(org.org_id):
        raise _fail(
            authority, index, f"org_id {org.org_id!r} is not a slug (lowercase letters, digits, hyphens)"
        )
    if not org.name.strip():
        raise _fail(authority, index, f"organisation {org.org_id!r} has an empty name")
    for text in org.names:
        if not comparison_words(text):
            raise _fail(authority, index, f"name or alias {text!r} of {org.org_id!r} has no comparable word")
    if org.acronym and acronym_key(org.acronym) is None:
        raise _fail(authority, index, f"acronym {org.acronym!r} of {org.org_id!r} is not one word")
    if org.kind not in KINDS:
        raise _fail(
            authority, index, f"unknown kind {org.kind!r} for {org.org_id!r} (one of: {', '.join(KINDS)})"
        )
    if org.kind == "service" and not org.parent_id:
        raise _fail(authority, index, f"{org.org_id!r} is a service without a parent_id")


def _validate_parent(
    authority: Authority, index: int, org: Organisation, by_id: Mapping[str, Organisation]
) -> None:
    if not org.parent_id:
        return
    if org.parent_id not in by_id:
        raise _fail(authority, index, f"unknown parent_id {org.parent_id!r} for {org.org_id!r}")
    seen = {org.org_id}
    parent = org.parent_id
    while parent:
        if parent in seen:
            raise _fail(authority, index, f"parent_id of {org.org_id!r} makes a cycle through {parent!r}")
        seen.add(parent)
        parent = by_id[parent].parent_id


def _build_name_index(authority: Authority) -> dict[str, str]:
    index: dict[str, str] = {}
    for position, org in enumerate(authority.organisations):
        for text in org.names:
            key = comparison_key(text)
            owner = index.setdefault(key, org.org_id)
            if owner != org.org_id:
                raise _fail(
                    authority,
                    position,
                    f"name or alias {text!r} of {org.org_id!r} reads the same as a name of {owner!r}",
                )
    return index


def _build_acronym_index(organisations: Sequence[Organisation]) -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for org in organisations:
        key = acronym_key(org.acronym) if org.acronym else None
        if key:
            index.setdefault(key, []).append(org.org_id)
    return {key: tuple(sorted(ids)) for key, ids in index.items()}


def _is_weak(word: str) -> bool:
    return word in WEAK_WORDS or any(fuzz.ratio(word, weak) >= WEAK_WORD_SIMILARITY for weak in WEAK_WORDS)


def strong_words(words: Iterable[str]) -> tuple[str, ...]:
    """The words that must have a counterpart: all but the country's name (misspelt or not)."""
    return tuple(word for word in words if not _is_weak(word))


def joined_pairs(words: Sequence[str]) -> tuple[str, ...]:
    """Adjacent words run together, so that ``multi learn`` meets ``multilearn``."""
    return tuple(first + second for first, second in itertools.pairwise(words))


def _build_choices(organisations: Sequence[Organisation]) -> tuple[_Choice, ...]:
    choices: list[_Choice] = []
    for org in organisations:
        texts = (*org.names, org.acronym) if org.acronym else org.names
        for text in texts:
            words = strong_words(comparison_words(text))
            if words:
                choices.append(_Choice(org.org_id, words, joined_pairs(words)))
    return tuple(choices)


def _build_vocabularies(
    organisations: Sequence[Organisation], by_id: Mapping[str, Organisation], choices: Sequence[_Choice]
) -> dict[str, frozenset[str]]:
    """Every word of an organisation's names, acronym and ancestors' names: what a printed word may match."""
    own: dict[str, set[str]] = {org.org_id: set() for org in organisations}
    for choice in choices:
        own[choice.org_id].update(choice.words, choice.joined)
    vocabularies: dict[str, frozenset[str]] = {}
    for org in organisations:
        words = set(own[org.org_id])
        parent = org.parent_id
        while parent:
            words |= own[parent]
            parent = by_id[parent].parent_id
        vocabularies[org.org_id] = frozenset(words)
    return vocabularies


# --- Reading and writing the authority file -----------------------------------------------------------


def default_authority_path() -> Path:
    """The authority file the package ships: the default a new dataset starts from, never written."""
    return Path(str(resources.files("amif_extract.schemas").joinpath(AUTHORITY_FILE)))


def rejections_path_for(authority_path: Path) -> Path:
    """The rejections file lives beside the authority file it belongs to."""
    return authority_path.with_name(REJECTIONS_FILE)


def read_csv_rows(path: Path, required: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a UTF-8 CSV file with their line numbers; a file that cannot be used is an InputError."""
    data = read_input_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(path, f"not UTF-8 text (byte {error.start})") from error
    if not text.strip():
        raise InputError(path, "file is empty")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [column for column in required if column not in header]
    if missing:
        raise InputError(path, f"line 1: missing columns {', '.join(missing)}")
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for row in reader:
            if None in row:
                raise InputError(path, f"line {reader.line_num}: more cells than columns")
            rows.append((reader.line_num, {key: (value or "").strip() for key, value in row.items()}))
    except csv.Error as error:
        raise InputError(path, f"line {reader.line_num}: {error}") from error
    return rows


def _organisation_from_row(row: Mapping[str, str]) -> Organisation:
    aliases = tuple(alias.strip() for alias in row["aliases"].split(ALIAS_SEPARATOR) if alias.strip())
    return Organisation(
        org_id=row["org_id"],
        name=row["name"],
        acronym=row["acronym"],
        kind=row["kind"],
        parent_id=row["parent_id"],
        aliases=aliases,
        note=row["note"],
    )


def load_rejections(path: Path) -> tuple[Rejection, ...]:
    """The rejected names beside an authority file; no file means none rejected yet."""
    if not path.exists():
        return ()
    rejections = []
    for line, row in read_csv_rows(path, REJECTION_COLUMNS):
        if not comparison_words(row["name"]):
            raise InputError(path, f"line {line}: rejected name {row['name']!r} has no comparable word")
        rejections.append(Rejection(row["name"], row["best_candidate_id"]))
    return tuple(rejections)


def load_authority(path: Path | None = None) -> Authority:
    """Read and validate the authority file (default: the one the package ships).

    A broken file raises ``InputError`` naming the file and the line.
    """
    path = path or default_authority_path()
    rows = read_csv_rows(path, AUTHORITY_COLUMNS)
    organisations = tuple(_organisation_from_row(row) for _, row in rows)
    lines = tuple(line for line, _ in rows)
    return Authority(organisations, load_rejections(rejections_path_for(path)), path, lines)


@functools.lru_cache(maxsize=4)
def _cached_authority(path: str, stamps: tuple[tuple[int, int], ...]) -> Authority:
    # ``stamps`` (modification time and size of both files) is only part of the cache key.
    return load_authority(Path(path))


def _stamp(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return (0, 0)
    return (stat.st_mtime_ns, stat.st_size)


def authority_at(path: Path) -> Authority:
    """The authority file at `path` with its rejections, read once until either changes on disk."""
    return _cached_authority(str(path), (_stamp(path), _stamp(rejections_path_for(path))))


def default_authority() -> Authority:
    """The packaged authority file: what a library call resolves against when given no authority."""
    return authority_at(default_authority_path())


def sorted_aliases(aliases: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(aliases), key=lambda alias: (comparison_key(alias), alias)))


def csv_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def format_authority(organisations: Iterable[Organisation]) -> str:
    """The authority file's text: sorted by id, aliases sorted, one row per organisation."""
    rows = [
        (
            org.org_id,
            org.name,
            org.acronym,
            org.kind,
            org.parent_id,
            ALIAS_SEPARATOR.join(sorted_aliases(org.aliases)),
            org.note,
        )
        for org in sorted(organisations, key=lambda org: org.org_id)
    ]
    return csv_text(AUTHORITY_COLUMNS, rows)


def format_rejections(rejections: Iterable[Rejection]) -> str:
    ordered = sorted(set(rejections), key=lambda item: (comparison_key(item.name), item.name))
    return csv_text(REJECTION_COLUMNS, [(item.name, item.best_candidate_id) for item in ordered])


def write_atomically(path: Path, text: str) -> bool:
    """Write UTF-8 text atomically (`write_file_atomically`); False when the bytes are already there."""
    data = text.encode("utf-8")
    if path.exists() and path.read_bytes() == data:
        return False
    write_file_atomically(path, data)
    return True


def write_authority(authority: Authority, path: Path | None = None) -> bool:
    """Write the authority file and its rejections file, each only if its bytes change."""
    path = path or authority.path
    if path is None:
        raise ValueError("write_authority needs a path: this authority was not read from a file")
    changed = write_atomically(path, format_authority(authority.organisations))
    rejections = rejections_path_for(path)
    if authority.rejections or rejections.exists():
        changed = write_atomically(rejections, format_rejections(authority.rejections)) or changed
    return changed
