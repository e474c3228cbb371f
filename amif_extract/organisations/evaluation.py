"""Measuring: how well resolution does on a labelled set of name variants."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from amif_extract.organisations.authority import Authority, default_authority
from amif_extract.organisations.records import DEFAULT_SETTINGS, MatchSettings, MatchStatus
from amif_extract.organisations.resolution import resolve_organisation

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
