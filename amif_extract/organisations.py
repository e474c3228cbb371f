"""Organisations: one authority file, resolution of printed names to it, and a review queue for stewards.

The same carrier is printed under many names (``Organisation internationale pour les Migrations (OIM)``,
``IOM``, ``Coopération Nord-Sud a.s.b.l.``, a typo, a service named with its parent). Analysts need one id
per organisation; stewards need to see and decide every match the machine was not sure of.

- The authority file ``schemas/organisations.csv`` is data edited by people: one row per organisation
  with a stable ``org_id``, a canonical name, an acronym, a kind, a parent for services and known aliases.
  ``organisation_rejections.csv`` beside it lists the names stewards rejected, so they are not queued again.
- ``resolve_organisation`` cleans a name and compares accent-, case-, punctuation- and legal-form-free
  keys: exact name or alias, then acronym, then parent + service, then a word-by-word fuzzy comparison.
  Precision comes first: a merge is automatic only when every word of the name has a counterpart in the
  organisation's names and every word of one of its names has a counterpart in the printed name, so an
  acronym or a high score alone never merges organisations whose other words disagree.
- ``resolve_many`` resolves a document's names and turns every uncertain one into a ``ReviewItem``;
  ``write_review_queue`` writes them for the stewards, ``apply_review_decisions`` reads their decisions
  back into the authority file, and ``organisation_findings`` reports them in the build report.
"""

from __future__ import annotations

import csv
import functools
import importlib
import io
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from rapidfuzz import fuzz, process

import amif_extract.schemas as schemas_package
from amif_extract.errors import InputError, read_input_bytes
from amif_extract.findings import Finding, SourceLocation, sorted_findings
from amif_extract.textclean import clean_cell_text, collapse_spaces, normalise_apostrophes
from amif_extract.write import write_file_atomically

MatchStatus = Literal["auto", "review", "unresolved"]

AUTHORITY_FILE = "organisations.csv"
REJECTIONS_FILE = "organisation_rejections.csv"
AUTHORITY_COLUMNS: tuple[str, ...] = ("org_id", "name", "acronym", "kind", "parent_id", "aliases", "note")
REJECTION_COLUMNS: tuple[str, ...] = ("name", "best_candidate_id")
ALIAS_SEPARATOR = "|"

# What an organisation is. ``service`` is a unit of another organisation and needs a ``parent_id``.
KINDS: tuple[str, ...] = (
    "association",
    "company",
    "federation",
    "foundation",
    "international_organisation",
    "municipality",
    "public_body",
    "research_institute",
    "school",
    "service",
)

REVIEW_CANDIDATES = 3
REVIEW_COLUMNS: tuple[str, ...] = (
    "name",
    "cleaned",
    "status",
    "score",
    "seen_in",
    *(
        f"candidate_{rank}_{part}"
        for rank in range(1, REVIEW_CANDIDATES + 1)
        for part in ("id", "name", "score")
    ),
    "decision",
    "new_org_id",
    "new_kind",
)
DECISION_NEW = "new"
DECISION_REJECT = "reject"

_ORG_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class MatchSettings:
    """Thresholds of the fuzzy step, measured on ``tests/data/organisation_variants.csv``.

    The measurements and the sweep behind the defaults are in ``docs/organisations.md``.

    A score is a 0–100 similarity between the printed name and one name of an organisation: each word
    is compared with its best counterpart on the other side (``fuzz.ratio``) and the similarities are
    averaged, weighted by word length. A word "has a counterpart" when that similarity reaches
    ``word_similarity``.
    """

    # Lowest score at which a match whose every word has a counterpart is merged without review.
    auto_score: float = 90.0
    # Lowest score at which an unmerged name is queued as "review" (below: "unresolved").
    review_score: float = 60.0
    # How far the best organisation must lead the best unrelated one to be merged without review.
    auto_margin: float = 10.0
    # Similarity (fuzz.ratio) from which two words count as the same word with a typo.
    word_similarity: float = 85.0
    # Words this short (acronyms, "nord", "sud") must be spelt exactly: one letter changes them.
    exact_word_length: int = 5
    # Lowest score at which an organisation is shown to stewards as a candidate.
    candidate_score: float = 40.0

    def __post_init__(self) -> None:
        for name in ("auto_score", "review_score", "auto_margin", "word_similarity", "candidate_score"):
            value = getattr(self, name)
            if not 0 <= value <= 100:
                raise ValueError(f"MatchSettings.{name} must be between 0 and 100, got {value}")
        if self.review_score > self.auto_score:
            raise ValueError(
                f"MatchSettings.review_score ({self.review_score}) must not exceed"
                f" auto_score ({self.auto_score})"
            )
        if self.candidate_score > self.review_score:
            raise ValueError(
                f"MatchSettings.candidate_score ({self.candidate_score}) must not exceed"
                f" review_score ({self.review_score})"
            )
        if self.exact_word_length < 0:
            raise ValueError(f"MatchSettings.exact_word_length must be >= 0, got {self.exact_word_length}")


DEFAULT_SETTINGS = MatchSettings()


# --- Records -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Organisation:
    """One row of the authority file."""

    org_id: str
    name: str
    acronym: str = ""
    kind: str = "association"
    parent_id: str = ""
    aliases: tuple[str, ...] = ()
    note: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        """The canonical name and every alias."""
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Rejection:
    """A name a steward decided is not to be matched (a person, a list of organisations, noise)."""

    name: str
    best_candidate_id: str = ""


@dataclass(frozen=True)
class Match:
    """How one printed name resolved. ``org_id`` and ``name`` are set only when ``status`` is ``auto``."""

    org_id: str | None
    name: str | None
    score: float
    status: MatchStatus
    candidates: tuple[tuple[str, float], ...]
    query: str


@dataclass(frozen=True)
class ReviewItem:
    """One uncertain name for the stewards, with every place it was seen.

    ``name`` is the name as printed (markup kept, line breaks as spaces); several printed spellings
    that clean to the same text are one item. ``candidate_names`` are the canonical names of
    ``match.candidates``.
    """

    name: str
    match: Match
    seen_in: tuple[SourceLocation, ...]
    candidate_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class ApplyResult:
    """What applying a decisions file changed."""

    added_aliases: tuple[tuple[str, str], ...] = ()
    added_organisations: tuple[str, ...] = ()
    added_rejections: tuple[str, ...] = ()
    already_applied: int = 0
    skipped: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added_aliases or self.added_organisations or self.added_rejections)


class ReviewDecisionError(ValueError):
    """A steward's decision that cannot be applied; the message names the decisions file and line."""

    def __init__(self, path: str | Path, line: int, reason: str) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        super().__init__(f"{self.path}, line {line}: {reason}")


# --- Comparison keys -----------------------------------------------------------------------------------

# Function words of French, English, German and Luxembourgish names: "de l'", "pour les", "of", "fir".
_STOPWORDS = frozenset(
    {"a", "an", "and", "au", "aux", "d", "de", "der", "des", "du", "en", "et"}
    | {"fir", "for", "l", "la", "le", "les", "of", "pour", "the", "und", "vum", "vun"}
)
# The country's name may be left out: in Luxembourg's documents "Croix-Rouge" is the Croix-Rouge
# luxembourgeoise. Another country's branch carries a word that disagrees ("française") and never merges.
_WEAK_WORDS = frozenset({"luxembourg", "luxembourgeois", "luxembourgeoise", "luxembourgeoises", "luxemburg"})
# A misspelt country name ("luxembourgoise") is still the country's name.
_WEAK_WORD_SIMILARITY = 90.0
# Words naming a unit of an organisation: "Croix-Rouge luxembourgeoise – Service LISKO".
_UNIT_WORDS = frozenset({"service", "services", "departement", "division", "cellule", "antenne"})
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ł": "l"})
# Legal forms, matched on folded text before punctuation goes: a.s.b.l., asbl, s.à r.l., sàrl, GmbH…
_LEGAL_FORM = re.compile(
    r"(?<![\w.])(?:a\.?\s?s\.?\s?b\.?\s?l|s\.?\s?a\.?\s?r\.?\s?l|gmbh|ltd|s\.a\.|e\.v\.)\.?(?!\w)"
)
_DOTTED_ACRONYM = re.compile(r"(?<![\w.])((?:[a-z0-9]\.){2,})(?!\w)")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_TRAILING_ACRONYM = re.compile(r"^(?P<base>.*?\S)\s*\((?P<acronym>[^()]{2,12})\)$")
_ACRONYM_TEXT = re.compile(r"^[A-Z0-9][A-Za-z0-9.&\- ]*$")
_PART_SEPARATOR = re.compile(r"\s+[-–—]\s+|\s+[–—]|[–—]\s+")
_BEFORE_UNIT_WORD = re.compile(r"\s+(?=(?:service|département|departement)\b)", re.IGNORECASE)


def fold(text: str) -> str:
    """Case-folded, without accents or ligatures: ``Œuvre Réfugiés`` → ``oeuvre refugies``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def comparison_words(text: str) -> tuple[str, ...]:
    """The words two spellings of a name are compared on: folded, no legal form, no function words."""
    folded = _LEGAL_FORM.sub(" ", fold(text))
    folded = _DOTTED_ACRONYM.sub(lambda found: found.group(1).replace(".", ""), folded)
    words = [word for word in _NON_WORD.split(folded) if len(word) > 1 and word not in _STOPWORDS]
    if len(words) > 1 and words[-1] == "sa":  # "Société X SA": the legal form, not a word of the name
        words.pop()
    return tuple(words)


def comparison_key(text: str) -> str:
    """Equal for spellings that differ only in case, accents, punctuation, legal form or function words."""
    return " ".join(comparison_words(text))


def acronym_key(text: str) -> str | None:
    """The key of a one-word name (``ASTI``, ``l'OIM``, ``O.I.M.``), else None."""
    words = comparison_words(text)
    return words[0] if len(words) == 1 else None


def split_acronym(cleaned: str) -> tuple[str, str | None]:
    """Split a trailing ``(ACRONYM)`` off a name: ``Nord-Sud (CNS)`` → ``Nord-Sud`` and ``CNS``."""
    found = _TRAILING_ACRONYM.match(cleaned)
    if found is None:
        return cleaned, None
    acronym = found["acronym"].strip()
    capitals = sum(char.isupper() for char in acronym)
    if capitals < 2 or not _ACRONYM_TEXT.match(acronym) or not comparison_words(acronym):
        return cleaned, None
    return found["base"], acronym


def split_parts(cleaned: str) -> list[str]:
    """Split ``Parent – Service`` or ``ACRONYM - Name`` into parts; a unit word starts a part too."""
    parts = [part.strip(" ,;:-–—") for part in _PART_SEPARATOR.split(cleaned)]
    if len(parts) == 1:
        parts = [part.strip(" ,;:") for part in _BEFORE_UNIT_WORD.split(cleaned, maxsplit=1)]
    return [part for part in parts if part]


def slugify(text: str, max_length: int = 60) -> str:
    """An org id from a name: ASCII lowercase words joined by hyphens, legal form and function words out."""
    slug = "-".join(comparison_words(text))[:max_length].strip("-")
    return slug or "organisation"


# --- Cleaning ------------------------------------------------------------------------------------------

_LEADING_BULLET = re.compile(r"^[\s\-–—•·*]+")
_TRAILING_PUNCTUATION = re.compile(r"[\s\-–—,;:]+$")
_SPACE_AFTER_PAREN = re.compile(r"\(\s+")
_SPACE_BEFORE_PAREN = re.compile(r"\s+\)")


@functools.cache
def _shared_name_cleaner() -> Callable[[str], str] | None:
    """``amif_extract.normalize.names.clean_organisation_name`` when that module exists."""
    try:
        module = importlib.import_module("amif_extract.normalize.names")
    except ModuleNotFoundError:
        return None
    cleaner = getattr(module, "clean_organisation_name", None)
    return cleaner if callable(cleaner) else None


def _clean_name_locally(name: str) -> str:
    text = normalise_apostrophes(clean_cell_text(name))
    text = _SPACE_BEFORE_PAREN.sub(")", _SPACE_AFTER_PAREN.sub("(", text))
    text = _TRAILING_PUNCTUATION.sub("", _LEADING_BULLET.sub("", text))
    return collapse_spaces(text)


def clean_name(name: str) -> str:
    """The printed name without markup, line breaks, bullets or odd spaces: what is compared and queued.

    The project's shared name cleaner runs first when it exists; the local clean-up after it is
    idempotent and keeps the properties matching relies on.
    """
    shared = _shared_name_cleaner()
    return _clean_name_locally(shared(name) if shared is not None else name)


def _one_line(name: str) -> str:
    return collapse_spaces(" ".join(name.splitlines()))


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
    if not _ORG_ID.match(org.org_id):
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
    return word in _WEAK_WORDS or any(fuzz.ratio(word, weak) >= _WEAK_WORD_SIMILARITY for weak in _WEAK_WORDS)


def _strong(words: Iterable[str]) -> tuple[str, ...]:
    """The words that must have a counterpart: all but the country's name (misspelt or not)."""
    return tuple(word for word in words if not _is_weak(word))


def _joined_pairs(words: Sequence[str]) -> tuple[str, ...]:
    """Adjacent words run together, so that ``multi learn`` meets ``multilearn``."""
    return tuple(first + second for first, second in itertools.pairwise(words))


def _build_choices(organisations: Sequence[Organisation]) -> tuple[_Choice, ...]:
    choices: list[_Choice] = []
    for org in organisations:
        texts = (*org.names, org.acronym) if org.acronym else org.names
        for text in texts:
            words = _strong(comparison_words(text))
            if words:
                choices.append(_Choice(org.org_id, words, _joined_pairs(words)))
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
    return Path(schemas_package.__file__).parent / AUTHORITY_FILE


def rejections_path_for(authority_path: Path) -> Path:
    """The rejections file lives beside the authority file it belongs to."""
    return authority_path.with_name(REJECTIONS_FILE)


def _read_csv_rows(path: Path, required: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
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
    for line, row in _read_csv_rows(path, REJECTION_COLUMNS):
        if not comparison_words(row["name"]):
            raise InputError(path, f"line {line}: rejected name {row['name']!r} has no comparable word")
        rejections.append(Rejection(row["name"], row["best_candidate_id"]))
    return tuple(rejections)


def load_authority(path: Path | None = None) -> Authority:
    """Read and validate the authority file (default: the packaged ``schemas/organisations.csv``).

    A broken file raises ``InputError`` naming the file and the line.
    """
    path = path or default_authority_path()
    rows = _read_csv_rows(path, AUTHORITY_COLUMNS)
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


def default_authority() -> Authority:
    """The packaged authority file, read once until it changes on disk."""
    path = default_authority_path()
    return _cached_authority(str(path), (_stamp(path), _stamp(rejections_path_for(path))))


def _sorted_aliases(aliases: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(aliases), key=lambda alias: (comparison_key(alias), alias)))


def _csv_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
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
            ALIAS_SEPARATOR.join(_sorted_aliases(org.aliases)),
            org.note,
        )
        for org in sorted(organisations, key=lambda org: org.org_id)
    ]
    return _csv_text(AUTHORITY_COLUMNS, rows)


def format_rejections(rejections: Iterable[Rejection]) -> str:
    ordered = sorted(set(rejections), key=lambda item: (comparison_key(item.name), item.name))
    return _csv_text(REJECTION_COLUMNS, [(item.name, item.best_candidate_id) for item in ordered])


def write_atomically(path: Path, text: str) -> bool:
    """Write UTF-8 text atomically (`write_file_atomically`); False when the bytes are already there."""
    data = text.encode("utf-8")
    if path.exists() and path.read_bytes() == data:
        return False
    write_file_atomically(path, data)
    return True


def write_authority(authority: Authority, path: Path | None = None) -> bool:
    """Write the authority file and its rejections file, each only if its bytes change."""
    path = path or authority.path or default_authority_path()
    changed = write_atomically(path, format_authority(authority.organisations))
    rejections = rejections_path_for(path)
    if authority.rejections or rejections.exists():
        changed = write_atomically(rejections, format_rejections(authority.rejections)) or changed
    return changed


# --- Resolution -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scored:
    """An organisation's best comparison with a printed name; ``covered``: every word has a counterpart."""

    org_id: str
    score: float
    covered: bool


def resolve_organisation(
    name: str, authority: Authority | None = None, settings: MatchSettings = DEFAULT_SETTINGS
) -> Match:
    """Resolve one printed name to the authority file: ``auto`` (merged), ``review`` or ``unresolved``.

    Order: exact name or alias; one-word acronym (several organisations sharing it → review); parts of
    ``Parent – Service`` names; word-by-word fuzzy comparison. A trailing ``(ACRONYM)`` must agree with
    the organisation found, else the name goes to review.
    """
    authority = authority if authority is not None else default_authority()
    return _resolve_cleaned(clean_name(name), authority, settings, split=True)


def _resolve_cleaned(cleaned: str, authority: Authority, settings: MatchSettings, *, split: bool) -> Match:
    base, acronym = split_acronym(cleaned)
    for key in (comparison_key(cleaned), comparison_key(base)):
        if key in authority._name_index:
            return _confirm_acronym(
                authority._name_index[key], 100.0, acronym, cleaned, base, authority, settings
            )
    if not _strong(comparison_words(cleaned)):  # nothing but "Luxembourg" or function words
        return Match(None, None, 0.0, "unresolved", (), cleaned)
    by_acronym = _match_acronym(cleaned, authority)
    if by_acronym is not None:
        return by_acronym
    if split:
        parts = split_parts(cleaned)
        if len(parts) > 1:
            from_parts = _match_parts(cleaned, parts, authority, settings)
            if from_parts is not None:
                return from_parts
    return _match_fuzzy(cleaned, base, acronym, authority, settings)


def _auto(org_id: str, score: float, cleaned: str, authority: Authority) -> Match:
    return Match(
        org_id, authority.by_id[org_id].name, round(score, 1), "auto", ((org_id, round(score, 1)),), cleaned
    )


def _uncertain(
    candidates: Sequence[tuple[str, float]],
    cleaned: str,
    settings: MatchSettings,
    *,
    review: bool | None = None,
) -> Match:
    """A review or unresolved match with its best candidates (best first, ties by id)."""
    best: dict[str, float] = {}
    for org_id, score in candidates:
        best[org_id] = max(best.get(org_id, 0.0), round(score, 1))
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
    top = ranked[0][1] if ranked else 0.0
    # Candidates named by the structure of the name (parts, acronyms) are shown whatever their score.
    explicit = review is not None
    status: MatchStatus = "review" if (review if explicit else top >= settings.review_score) else "unresolved"
    shown = [item for item in ranked if explicit or item[1] >= settings.candidate_score]
    return Match(None, None, top, status, tuple(shown[:REVIEW_CANDIDATES]), cleaned)


def _acronym_owners(acronym: str, authority: Authority) -> tuple[str, ...]:
    key = acronym_key(acronym)
    if key is None:
        return ()
    owners = set(authority._acronym_index.get(key, ()))
    if key in authority._name_index:
        owners.add(authority._name_index[key])
    return tuple(sorted(owners))


def _confirm_acronym(
    org_id: str,
    score: float,
    acronym: str | None,
    cleaned: str,
    base: str,
    authority: Authority,
    settings: MatchSettings,
) -> Match:
    """A printed ``(ACRONYM)`` naming another organisation, or unlike the found one's, sends to review."""
    if acronym is None:
        return _auto(org_id, score, cleaned, authority)
    owners = _acronym_owners(acronym, authority)
    org = authority.by_id[org_id]
    if org_id in owners or (not owners and not org.acronym):
        return _auto(org_id, score, cleaned, authority)
    scored = {item.org_id: item.score for item in _score_organisations(base, authority, settings)}
    others = [(owner, scored.get(owner, 0.0)) for owner in owners]
    return _uncertain([(org_id, score), *others], cleaned, settings, review=True)


def _match_acronym(cleaned: str, authority: Authority) -> Match | None:
    """A one-word name that is an acronym: merged when one organisation has it, reviewed when several do."""
    key = acronym_key(cleaned)
    owners = authority._acronym_index.get(key, ()) if key else ()
    if len(owners) == 1:
        return _auto(owners[0], 100.0, cleaned, authority)
    if len(owners) > 1:
        return Match(
            None,
            None,
            100.0,
            "review",
            tuple((owner, 100.0) for owner in owners[:REVIEW_CANDIDATES]),
            cleaned,
        )
    return None


def _as_chain(org_ids: Iterable[str], authority: Authority) -> list[str] | None:
    """The ids deepest first if each is an ancestor of the one before it, else None."""
    unique = sorted(set(org_ids), key=lambda org_id: (-len(authority.ancestors(org_id)), org_id))
    for deeper, higher in itertools.pairwise(unique):
        if higher not in authority.ancestors(deeper):
            return None
    return unique


def _match_parts(
    cleaned: str, parts: Sequence[str], authority: Authority, settings: MatchSettings
) -> Match | None:
    """``Parent – Service`` and ``ACRONYM - Name``: the parts must agree, or name a service of the parent.

    Parts that resolve to one organisation, or to an organisation and its ancestors, give the deepest of
    them; a shared acronym agrees with the part that names one of its owners (``Coopération Nord-Sud -
    CNS``). A part that does not resolve is looked for among the services of the resolved organisation;
    if none fits, the name goes to review with that organisation as candidate. None when no part resolves.
    """
    matches = [_resolve_cleaned(part, authority, settings, split=False) for part in parts]
    resolved = [match for match in matches if match.status == "auto" and match.org_id]
    if not resolved:
        return None
    scores = {match.org_id: match.score for match in resolved if match.org_id}
    chain = _as_chain(scores, authority)
    if chain is None:
        return _uncertain(list(scores.items()), cleaned, settings, review=True)
    deepest = chain[0]
    leftovers = [
        part
        for part, match in zip(parts, matches, strict=True)
        if match.status != "auto" and not set(_acronym_owners(part, authority)) & set(chain)
    ]
    if not leftovers:
        return _auto(deepest, min(scores.values()), cleaned, authority)
    service = _match_service(leftovers, deepest, authority, settings)
    if service is not None:
        return _auto(service[0], min(service[1], *scores.values()), cleaned, authority)
    others = [candidate for match in matches if match.status != "auto" for candidate in match.candidates]
    return _uncertain([(deepest, scores[deepest]), *others], cleaned, settings, review=True)


def _match_service(
    leftovers: Sequence[str], parent_id: str, authority: Authority, settings: MatchSettings
) -> tuple[str, float] | None:
    """The one service of ``parent_id`` every leftover part names, compared without unit or parent words."""
    parent_words = authority._vocabularies[parent_id]
    found: set[str] = set()
    scores: list[float] = []
    for part in leftovers:
        words = _reduce(comparison_words(part), parent_words)
        best = _best_service(words, parent_id, parent_words, authority, settings)
        if best is None:
            return None
        found.add(best[0])
        scores.append(best[1])
    return (found.pop(), min(scores)) if len(found) == 1 else None


def _reduce(words: Iterable[str], parent_words: frozenset[str]) -> tuple[str, ...]:
    return tuple(word for word in _strong(words) if word not in _UNIT_WORDS and word not in parent_words)


def _best_service(
    words: tuple[str, ...],
    parent_id: str,
    parent_words: frozenset[str],
    authority: Authority,
    settings: MatchSettings,
) -> tuple[str, float] | None:
    if not words:
        return None
    similarity = _similarity_table(words, authority, settings)
    ranked: list[_Scored] = []
    for service in authority.descendants(parent_id):
        for choice in authority._choices:
            if choice.org_id != service:
                continue
            choice_words = _reduce(choice.words, parent_words)
            if choice_words:
                ranked.append(
                    _compare(service, words, frozenset(choice_words), choice_words, similarity, settings)
                )
    return _decide(ranked, authority, settings)


def _decide(
    ranked: Sequence[_Scored], authority: Authority, settings: MatchSettings
) -> tuple[str, float] | None:
    """The best covered organisation if it reaches ``auto_score`` and leads unrelated ones by the margin."""
    best_by_org: dict[str, _Scored] = {}
    for item in ranked:
        current = best_by_org.get(item.org_id)
        if current is None or (item.covered, item.score) > (current.covered, current.score):
            best_by_org[item.org_id] = item
    covered = sorted(
        (item for item in best_by_org.values() if item.covered), key=lambda item: (-item.score, item.org_id)
    )
    if not covered or covered[0].score < settings.auto_score:
        return None
    best = covered[0]
    rivals = [
        item.score
        for item in best_by_org.values()
        if item.org_id != best.org_id and not authority.related(item.org_id, best.org_id)
    ]
    if rivals and best.score - max(rivals) < settings.auto_margin:
        return None
    return best.org_id, best.score


def _match_fuzzy(
    cleaned: str, base: str, acronym: str | None, authority: Authority, settings: MatchSettings
) -> Match:
    scored = _score_organisations(base, authority, settings)
    decided = _decide(scored, authority, settings)
    if decided is not None:
        return _confirm_acronym(decided[0], decided[1], acronym, cleaned, base, authority, settings)
    return _uncertain([(item.org_id, item.score) for item in scored], cleaned, settings)


def _similarity_table(
    words: Sequence[str], authority: Authority, settings: MatchSettings
) -> dict[str, dict[str, float]]:
    """For each printed word (and adjacent pair), its fuzz.ratio with every authority word resembling it."""
    table: dict[str, dict[str, float]] = {}
    for word in (*words, *_joined_pairs(words)):
        if word in table:
            continue
        hits = process.extract(word, authority._vocabulary, scorer=fuzz.ratio, limit=None, score_cutoff=50)
        table[word] = {
            other: score
            for other, score, _ in hits
            if other == word or min(len(word), len(other)) > settings.exact_word_length
        }
    return table


def _coverage(words: Sequence[str], best: Callable[[str], float]) -> list[float]:
    """Each word's similarity with its best counterpart; two adjacent words may equal one run-together.

    Run-together words must be spelt exactly: a fuzzy pair would let a short extra word hide in a
    long one (``interculturelles`` + ``sociales`` against ``interculturelles`` scores 80).
    """
    coverage = [best(word) for word in words]
    for position, joined in enumerate(_joined_pairs(words)):
        if best(joined) == 100.0:
            coverage[position] = coverage[position + 1] = 100.0
    return coverage


def _compare(
    org_id: str,
    words: tuple[str, ...],
    vocabulary: frozenset[str],
    choice_words: tuple[str, ...],
    similarity: Mapping[str, Mapping[str, float]],
    settings: MatchSettings,
) -> _Scored:
    """Printed words against the organisation's vocabulary, the choice's words against the printed words."""

    def in_vocabulary(word: str) -> float:
        row = similarity.get(word, {})
        return max((row.get(other, 0.0) for other in vocabulary), default=0.0)

    def in_printed(word: str) -> float:
        return max((similarity[printed].get(word, 0.0) for printed in words), default=0.0)

    printed = _coverage(words, in_vocabulary)
    chosen = _coverage(choice_words, in_printed)
    weights = [len(word) for word in (*words, *choice_words)]
    # A word without a counterpart adds nothing, however many letters it shares with some other word.
    values = [value if value >= settings.word_similarity else 0.0 for value in (*printed, *chosen)]
    score = sum(weight * value for weight, value in zip(weights, values, strict=True)) / sum(weights)
    return _Scored(org_id, score, min(values) > 0)


def _score_organisations(text: str, authority: Authority, settings: MatchSettings) -> list[_Scored]:
    """Every organisation's best comparison with the name, best first (ties by id)."""
    words = _strong(comparison_words(text))
    if not words:
        return []
    similarity = _similarity_table(words, authority, settings)
    best: dict[str, _Scored] = {}
    for choice in authority._choices:
        scored = _compare(
            choice.org_id, words, authority._vocabularies[choice.org_id], choice.words, similarity, settings
        )
        current = best.get(choice.org_id)
        if current is None or (scored.covered, scored.score) > (current.covered, current.score):
            best[choice.org_id] = scored
    return sorted(best.values(), key=lambda item: (-item.score, item.org_id))


# --- Many names, the review queue and findings -------------------------------------------------------


def _location_key(location: SourceLocation) -> tuple[str, int, int]:
    return (location.file, location.page or 0, location.line or 0)


def format_location(location: SourceLocation) -> str:
    """``file:line`` for text, ``file:pPAGE`` for PDF pages (``file:pPAGE:line`` when both are known)."""
    where = location.file
    if location.page is not None:
        where += f":p{location.page}"
    if location.line is not None:
        where += f":{location.line}"
    return where


def resolve_many(
    names: Iterable[tuple[str, SourceLocation]],
    authority: Authority | None = None,
    settings: MatchSettings = DEFAULT_SETTINGS,
) -> tuple[dict[str, Match], list[ReviewItem]]:
    """Resolve every distinct name once; one review item per uncertain cleaned name, with where it was seen.

    Names a steward rejected are resolved as usual but not queued again.
    """
    authority = authority if authority is not None else default_authority()
    matches: dict[str, Match] = {}
    by_cleaned: dict[str, Match] = {}
    spellings: dict[str, set[str]] = {}
    places: dict[str, set[SourceLocation]] = {}
    for raw, location in names:
        if raw not in matches:
            cleaned = clean_name(raw)
            if cleaned not in by_cleaned:
                by_cleaned[cleaned] = _resolve_cleaned(cleaned, authority, settings, split=True)
            matches[raw] = by_cleaned[cleaned]
        match = matches[raw]
        if match.status == "auto" or not match.query or authority.is_rejected(match.query):
            continue
        spellings.setdefault(match.query, set()).add(_one_line(raw))
        places.setdefault(match.query, set()).add(location)
    items = [
        ReviewItem(
            name=min(spellings[query]),
            match=by_cleaned[query],
            seen_in=tuple(sorted(places[query], key=_location_key)),
            candidate_names=tuple(authority.by_id[org_id].name for org_id, _ in by_cleaned[query].candidates),
        )
        for query in spellings
    ]
    return matches, sorted(items, key=_review_order)


def _review_order(item: ReviewItem) -> tuple[int, float, str, str]:
    match = item.match
    return (0 if match.status == "review" else 1, -match.score, match.query.casefold(), match.query)


def review_queue_rows(items: Iterable[ReviewItem]) -> list[dict[str, str]]:
    """The review queue as rows of ``REVIEW_COLUMNS``, in queue order."""
    rows = []
    for item in sorted(items, key=_review_order):
        row = dict.fromkeys(REVIEW_COLUMNS, "")
        row.update(
            name=item.name,
            cleaned=item.match.query,
            status=item.match.status,
            score=f"{item.match.score:.1f}",
            seen_in="; ".join(
                format_location(location) for location in sorted(item.seen_in, key=_location_key)
            ),
        )
        for rank, (org_id, score) in enumerate(item.match.candidates[:REVIEW_CANDIDATES], start=1):
            row[f"candidate_{rank}_id"] = org_id
            row[f"candidate_{rank}_name"] = (
                item.candidate_names[rank - 1] if rank <= len(item.candidate_names) else ""
            )
            row[f"candidate_{rank}_score"] = f"{score:.1f}"
        rows.append(row)
    return rows


def review_queue_csv(items: Iterable[ReviewItem]) -> bytes:
    """The stewards' ``organisation_matches.csv``: deterministic order and bytes."""
    rows = review_queue_rows(items)
    text = _csv_text(REVIEW_COLUMNS, [[row[column] for column in REVIEW_COLUMNS] for row in rows])
    return text.encode("utf-8")


def write_review_queue(items: Iterable[ReviewItem], path: Path) -> None:
    """Write the review queue on its own, atomically."""
    write_atomically(path, review_queue_csv(items).decode("utf-8"))


def organisation_findings(items: Iterable[ReviewItem]) -> list[Finding]:
    """An organisation_review or organisation_unresolved warning per place an uncertain name is seen."""
    findings = []
    for item in items:
        match = item.match
        code = "organisation_review" if match.status == "review" else "organisation_unresolved"
        context = "; ".join(f"{org_id} {score:.1f}" for org_id, score in match.candidates)
        for location in item.seen_in:
            findings.append(
                Finding(
                    code,
                    _finding_message(item),
                    location,
                    column="organisation",
                    value=item.name,
                    repaired=match.query,
                    rule="review queue",
                    context=context,
                )
            )
    return sorted_findings(findings)


def _finding_message(item: ReviewItem) -> str:
    match = item.match
    names = (*item.candidate_names, *(org_id for org_id, _ in match.candidates[len(item.candidate_names) :]))
    labels = [
        f"{org_id} ({name}, score {score:.1f})"
        for (org_id, score), name in zip(match.candidates, names, strict=True)
    ]
    tied = [label for label, (_, score) in zip(labels, match.candidates, strict=True) if score == match.score]
    best = f"; best candidate {labels[0]}" if labels else ""
    if match.status == "review" and len(tied) > 1:
        return f"organisation {match.query!r} is ambiguous: {' or '.join(tied)}"
    if match.status == "review":
        return f"organisation {match.query!r} matched with low certainty (score {match.score:.1f}){best}"
    return f"organisation {match.query!r} is not in the authority file{best}"


# --- Applying stewards' decisions ---------------------------------------------------------------------


@dataclass
class _Pending:
    """The authority being changed by a decisions file, row after row."""

    organisations: dict[str, Organisation]
    rejections: list[Rejection]
    added_aliases: list[tuple[str, str]] = field(default_factory=list)
    added_organisations: list[str] = field(default_factory=list)
    added_rejections: list[str] = field(default_factory=list)
    already_applied: int = 0
    skipped: int = 0

    def changes(self) -> int:
        return len(self.added_aliases) + len(self.added_organisations) + len(self.added_rejections)

    def owner_of(self, key: str) -> str | None:
        for org in self.organisations.values():
            if any(comparison_key(text) == key for text in org.names):
                return org.org_id
        return None


def apply_review_decisions(decisions_path: Path, authority_path: Path | None = None) -> ApplyResult:
    """Apply a steward's filled copy of the review queue to the authority file.

    ``decision`` is an org id (the name becomes an alias of it), ``new`` (a new organisation: id from
    ``new_org_id`` or a slug of the name, kind from ``new_kind``), ``reject`` (recorded in
    ``organisation_rejections.csv`` beside the authority file, so the name is not queued again) or
    empty (skipped). All rows are checked before anything is written; a bad row raises
    ``ReviewDecisionError`` naming the file and line and leaves both files untouched. Applying the
    same file again changes nothing.
    """
    authority_path = authority_path or default_authority_path()
    authority = load_authority(authority_path)
    pending = _Pending({org.org_id: org for org in authority.organisations}, list(authority.rejections))
    updated = authority
    for line, row in _read_csv_rows(decisions_path, ("name", "cleaned", "decision")):
        before = pending.changes()
        _apply_decision(pending, row, decisions_path, line)
        if pending.changes() != before:
            updated = _checked_authority(pending, authority_path, decisions_path, line)
    write_authority(updated, authority_path)
    return ApplyResult(
        added_aliases=tuple(pending.added_aliases),
        added_organisations=tuple(pending.added_organisations),
        added_rejections=tuple(pending.added_rejections),
        already_applied=pending.already_applied,
        skipped=pending.skipped,
    )


def _checked_authority(pending: _Pending, authority_path: Path, decisions_path: Path, line: int) -> Authority:
    """The authority with the decisions so far; a decision that breaks it is reported at its line."""
    try:
        return Authority(tuple(pending.organisations.values()), tuple(pending.rejections), authority_path)
    except InputError as error:
        raise ReviewDecisionError(
            decisions_path, line, f"the decision breaks the authority file: {error}"
        ) from error


def _apply_decision(pending: _Pending, row: Mapping[str, str], path: Path, line: int) -> None:
    decision = row["decision"].strip().casefold()
    cleaned = row["cleaned"] or clean_name(row["name"])
    if not decision:
        pending.skipped += 1
        return
    if not comparison_words(cleaned):
        raise ReviewDecisionError(path, line, f"name {cleaned!r} has no comparable word")
    if decision == DECISION_REJECT:
        _apply_rejection(pending, cleaned, row.get("candidate_1_id", ""))
    elif decision == DECISION_NEW:
        _apply_new_organisation(pending, cleaned, row, path, line)
    else:
        _apply_alias(pending, cleaned, decision, path, line)


def _apply_rejection(pending: _Pending, cleaned: str, best_candidate_id: str) -> None:
    key = comparison_key(cleaned)
    if any(comparison_key(item.name) == key for item in pending.rejections):
        pending.already_applied += 1
        return
    pending.rejections.append(Rejection(cleaned, best_candidate_id or ""))
    pending.added_rejections.append(cleaned)


def _apply_alias(pending: _Pending, cleaned: str, org_id: str, path: Path, line: int) -> None:
    org = pending.organisations.get(org_id)
    if org is None:
        raise ReviewDecisionError(
            path,
            line,
            f"decision {org_id!r} is not an org_id of the authority file, nor 'new', 'reject' or empty",
        )
    owner = pending.owner_of(comparison_key(cleaned))
    if owner == org_id:
        pending.already_applied += 1
        return
    if owner is not None:
        raise ReviewDecisionError(
            path, line, f"{cleaned!r} is already a name of {owner!r}, not of {org_id!r}"
        )
    pending.organisations[org_id] = Organisation(
        org.org_id,
        org.name,
        org.acronym,
        org.kind,
        org.parent_id,
        _sorted_aliases((*org.aliases, cleaned)),
        org.note,
    )
    pending.added_aliases.append((org_id, cleaned))


def _apply_new_organisation(
    pending: _Pending, cleaned: str, row: Mapping[str, str], path: Path, line: int
) -> None:
    name, acronym = split_acronym(cleaned)
    org_id = (row.get("new_org_id") or "").strip() or slugify(name)
    kind = (row.get("new_kind") or "").strip()
    if not _ORG_ID.match(org_id):
        raise ReviewDecisionError(
            path, line, f"new_org_id {org_id!r} is not a slug (lowercase letters, digits, hyphens)"
        )
    existing = pending.organisations.get(org_id)
    if existing is not None:
        if comparison_key(existing.name) == comparison_key(name):
            pending.already_applied += 1
            return
        raise ReviewDecisionError(
            path, line, f"org_id {org_id!r} is already {existing.name!r}: fill new_org_id"
        )
    if kind not in KINDS or kind == "service":
        raise ReviewDecisionError(
            path, line, f"new_kind {kind!r} must be one of: {', '.join(k for k in KINDS if k != 'service')}"
        )
    owner = pending.owner_of(comparison_key(name))
    if owner is not None:
        raise ReviewDecisionError(
            path, line, f"{name!r} is already a name of {owner!r}: decide {owner!r} instead"
        )
    pending.organisations[org_id] = Organisation(
        org_id, name, acronym or "", kind, "", (), "added from the organisation review queue"
    )
    pending.added_organisations.append(org_id)


# --- Measuring --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchEvaluation:
    """Precision and recall of ``auto`` matches on a labelled set (expected org id, or None for no match)."""

    total: int
    expected_matches: int
    auto: int
    auto_correct: int
    review: int
    unresolved: int
    wrong_auto: tuple[tuple[str, str | None, str], ...]
    missed: tuple[tuple[str, str, MatchStatus], ...]

    @property
    def precision(self) -> float:
        return self.auto_correct / self.auto if self.auto else 1.0

    @property
    def recall(self) -> float:
        return self.auto_correct / self.expected_matches if self.expected_matches else 1.0


def evaluate_resolution(
    labelled: Iterable[tuple[str, str | None]],
    authority: Authority | None = None,
    settings: MatchSettings = DEFAULT_SETTINGS,
) -> MatchEvaluation:
    """Resolve every labelled name and count right and wrong automatic merges."""
    authority = authority if authority is not None else default_authority()
    pairs = list(labelled)
    matches = [resolve_organisation(name, authority, settings) for name, _ in pairs]
    wrong = tuple(
        (name, expected, match.org_id or "")
        for (name, expected), match in zip(pairs, matches, strict=True)
        if match.status == "auto" and match.org_id != expected
    )
    missed = tuple(
        (name, expected, match.status)
        for (name, expected), match in zip(pairs, matches, strict=True)
        if expected is not None and match.status != "auto"
    )
    statuses = [match.status for match in matches]
    auto = statuses.count("auto")
    return MatchEvaluation(
        total=len(pairs),
        expected_matches=sum(expected is not None for _, expected in pairs),
        auto=auto,
        auto_correct=auto - len(wrong),
        review=statuses.count("review"),
        unresolved=statuses.count("unresolved"),
        wrong_auto=wrong,
        missed=missed,
    )
