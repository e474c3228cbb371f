"""Many names, the review queue and findings: uncertain names as stewards and the build report see them."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from amif_extract.findings import Finding, SourceLocation, sorted_findings
from amif_extract.organisations.authority import Authority, csv_text, default_authority, write_atomically
from amif_extract.organisations.keys import clean_name, one_line
from amif_extract.organisations.records import (
    DEFAULT_SETTINGS,
    REVIEW_CANDIDATES,
    REVIEW_COLUMNS,
    Match,
    MatchSettings,
    ReviewItem,
)
from amif_extract.organisations.resolution import resolve_cleaned

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
                by_cleaned[cleaned] = resolve_cleaned(cleaned, authority, settings, split=True)
            matches[raw] = by_cleaned[cleaned]
        match = matches[raw]
        if match.status == "auto" or not match.query or authority.is_rejected(match.query):
            continue
        spellings.setdefault(match.query, set()).add(one_line(raw))
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
    text = csv_text(REVIEW_COLUMNS, [[row[column] for column in REVIEW_COLUMNS] for row in rows])
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
