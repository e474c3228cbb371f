"""Metamorphic test: seeded next editions of the AMIF list as text, each read exactly or loudly.

Synthetic by design (issue 15): the editions are written by `tests/editions/amif_text_editions.py`
from today's 38 projects; what the reader must give for each is derived from today's table by the
same transformations. An edition is *exact* when the `amif_projects` columns the reading decides
equal the expected table, *loud* when it is not exact but the reading adds error findings to the
ones the published edition has, *silent* otherwise. Silent is the one outcome never allowed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from editions.amif_model import compared, error_keys, load_projects, unknown_label_is_named
from editions.amif_text_editions import TextEdition, make_text_edition

from amif_extract.extract.amif_text import extract_amif_text, extract_amif_text_lines
from amif_extract.normalize.projects import normalize_projects
from amif_extract.profiles import load_profile
from amif_extract.validate import validate_projects

EDITION_SEEDS = range(1, 41)
MIN_EXACT_SHARE = 0.9


@pytest.fixture(scope="module")
def published_errors(raw_dir: Path) -> Counter[tuple[str, str]]:
    """The error findings the published text edition already gives (facts of the source, acknowledged)."""
    extraction = extract_amif_text(raw_dir / "amif_projets_cofinances.txt")
    normalized = normalize_projects([extraction])
    return Counter(error_keys([*normalized.findings, *validate_projects(normalized.rows)]))


def read_edition(edition: TextEdition, published: Counter[tuple[str, str]]) -> tuple[str, str]:
    """("exact" | "loud" | "silent", what differs) for one edition."""
    extraction = extract_amif_text_lines(edition.lines, f"edition-{edition.seed}.txt")
    normalized = normalize_projects([extraction])
    got = [compared(row) for row in normalized.rows]
    if got == edition.expected:
        return "exact", ""
    # What a build reports: the reading's findings, the normalizer's and the cross-field rules'.
    findings = [*normalized.findings, *validate_projects(normalized.rows)]
    new_errors = Counter(error_keys(findings)) - published
    if edition.layout.wording.unknown:
        assert unknown_label_is_named(normalized.findings, edition.layout.wording), edition.describe()
    differences = [
        f"row {index}: {column}: got {row.get(column)!r}, expected {wanted.get(column)!r}"
        for index, (row, wanted) in enumerate(zip(got, edition.expected, strict=False))
        for column in wanted
        if row.get(column) != wanted.get(column)
    ][:3]
    what = f"{len(got)} rows for {len(edition.expected)}; " + "; ".join(differences)
    return ("loud" if new_errors else "silent"), what


def test_seeded_text_editions_are_read_exactly_or_loudly(
    published_errors: Counter[tuple[str, str]], record_property: Callable[[str, object], None]
) -> None:
    projects = load_projects()
    profile = load_profile("amif_table")
    outcomes: dict[str, list[str]] = {"exact": [], "loud": [], "silent": []}
    for seed in EDITION_SEEDS:
        edition = make_text_edition(seed, projects, profile)
        outcome, what = read_edition(edition, published_errors)
        outcomes[outcome].append(f"{edition.describe()}\n    {what}")
    counts = {name: len(found) for name, found in outcomes.items()}
    print(f"AMIF text editions: {counts}")
    record_property("amif_text_editions", counts)
    assert outcomes["silent"] == []
    assert counts["exact"] >= MIN_EXACT_SHARE * len(EDITION_SEEDS), outcomes["loud"]
