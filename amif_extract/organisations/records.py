"""Constants, settings and records: what the authority file, matches, review items and decisions are."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from amif_extract.findings import SourceLocation

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

ORG_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


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
