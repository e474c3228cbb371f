"""Applying stewards' decisions: the filled review queue back into the authority file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from amif_extract.errors import InputError
from amif_extract.organisations.authority import (
    Authority,
    load_authority,
    read_csv_rows,
    sorted_aliases,
    write_authority,
)
from amif_extract.organisations.keys import (
    clean_name,
    comparison_key,
    comparison_words,
    slugify,
    split_acronym,
)
from amif_extract.organisations.records import (
    DECISION_NEW,
    DECISION_REJECT,
    KINDS,
    ORG_ID,
    ApplyResult,
    Organisation,
    Rejection,
    ReviewDecisionError,
)

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


def apply_review_decisions(decisions_path: Path, authority_path: Path) -> ApplyResult:
    """Apply a steward's filled copy of the review queue to the authority file (a dataset's own).

    ``decision`` is an org id (the name becomes an alias of it), ``new`` (a new organisation: id from
    ``new_org_id`` or a slug of the name, kind from ``new_kind``), ``reject`` (recorded in
    ``organisation_rejections.csv`` beside the authority file, so the name is not queued again) or
    empty (skipped). All rows are checked before anything is written; a bad row raises
    ``ReviewDecisionError`` naming the file and line and leaves both files untouched. Applying the
    same file again changes nothing.
    """
    authority = load_authority(authority_path)
    pending = _Pending({org.org_id: org for org in authority.organisations}, list(authority.rejections))
    updated = authority
    for line, row in read_csv_rows(decisions_path, ("name", "cleaned", "decision")):
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
        sorted_aliases((*org.aliases, cleaned)),
        org.note,
    )
    pending.added_aliases.append((org_id, cleaned))


def _apply_new_organisation(
    pending: _Pending, cleaned: str, row: Mapping[str, str], path: Path, line: int
) -> None:
    name, acronym = split_acronym(cleaned)
    org_id = (row.get("new_org_id") or "").strip() or slugify(name)
    kind = (row.get("new_kind") or "").strip()
    if not ORG_ID.match(org_id):
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
