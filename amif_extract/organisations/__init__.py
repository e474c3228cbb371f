"""Organisations: one authority file, resolution of printed names to it, and a review queue for stewards.

The same carrier is printed under many names (``Organisation internationale pour les Migrations (OIM)``,
``IOM``, ``Coopération Nord-Sud a.s.b.l.``, a typo, a service named with its parent). Analysts need one id
per organisation; stewards need to see and decide every match the machine was not sure of.

- The authority file, a dataset's ``schemas/organisations.csv``, is data edited by people: one row per
  organisation with a stable ``org_id``, a canonical name, an acronym, a kind, a parent for services and
  known aliases.
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

from amif_extract.organisations.authority import (
    Authority,
    authority_at,
    default_authority,
    default_authority_path,
    format_authority,
    format_rejections,
    load_authority,
    load_rejections,
    rejections_path_for,
    write_atomically,
    write_authority,
)
from amif_extract.organisations.decisions import apply_review_decisions
from amif_extract.organisations.evaluation import MatchEvaluation, evaluate_resolution
from amif_extract.organisations.keys import (
    acronym_key,
    clean_name,
    comparison_key,
    comparison_words,
    fold,
    slugify,
    split_acronym,
    split_parts,
)
from amif_extract.organisations.records import (
    ALIAS_SEPARATOR,
    AUTHORITY_COLUMNS,
    AUTHORITY_FILE,
    DECISION_NEW,
    DECISION_REJECT,
    DEFAULT_SETTINGS,
    KINDS,
    REJECTION_COLUMNS,
    REJECTIONS_FILE,
    REVIEW_CANDIDATES,
    REVIEW_COLUMNS,
    ApplyResult,
    Match,
    MatchSettings,
    MatchStatus,
    Organisation,
    Rejection,
    ReviewDecisionError,
    ReviewItem,
)
from amif_extract.organisations.resolution import resolve_organisation
from amif_extract.organisations.review import (
    format_location,
    organisation_findings,
    resolve_many,
    review_queue_csv,
    review_queue_rows,
    write_review_queue,
)

__all__ = [
    "ALIAS_SEPARATOR",
    "AUTHORITY_COLUMNS",
    "AUTHORITY_FILE",
    "DECISION_NEW",
    "DECISION_REJECT",
    "DEFAULT_SETTINGS",
    "KINDS",
    "REJECTIONS_FILE",
    "REJECTION_COLUMNS",
    "REVIEW_CANDIDATES",
    "REVIEW_COLUMNS",
    "ApplyResult",
    "Authority",
    "Match",
    "MatchEvaluation",
    "MatchSettings",
    "MatchStatus",
    "Organisation",
    "Rejection",
    "ReviewDecisionError",
    "ReviewItem",
    "acronym_key",
    "apply_review_decisions",
    "authority_at",
    "clean_name",
    "comparison_key",
    "comparison_words",
    "default_authority",
    "default_authority_path",
    "evaluate_resolution",
    "fold",
    "format_authority",
    "format_location",
    "format_rejections",
    "load_authority",
    "load_rejections",
    "organisation_findings",
    "rejections_path_for",
    "resolve_many",
    "resolve_organisation",
    "review_queue_csv",
    "review_queue_rows",
    "slugify",
    "split_acronym",
    "split_parts",
    "write_atomically",
    "write_authority",
    "write_review_queue",
]
