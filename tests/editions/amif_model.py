"""The AMIF list as data, the transformations between editions, and the table an edition must give.

Shared by the text and PDF edition generators. Today's 38 projects come from the committed
``normalized/amif_projects.csv`` (the values the published edition gives, checked by the
published-document tests), so an edition's expected table is today's rows, selected and ordered
as the edition prints them. The printing itself (labels, forms, layout, furniture) is each
generator's business; it never changes a value.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from amif_extract.profiles import Profile, fold_label
from amif_extract.records import AMOUNT_COLUMNS

PROJECTS_CSV = Path(__file__).resolve().parents[2] / "normalized" / "amif_projects.csv"

# The columns of `amif_projects` an edition must give exactly. Left out: the carrier's resolved
# name and id (the organisation register's work, downstream of the reading), the row id (built from
# the compared columns), the rate (computed from them) and the provenance columns (where an edition
# prints a row is its own).
COMPARED_COLUMNS = (
    "specific_objective",
    "specific_objective_label",
    "title",
    "carrier_raw",
    "selection_procedure",
    "call",
    "action_code",
    "start_date",
    "end_date",
    *AMOUNT_COLUMNS,
    "summary",
)

# Wordings no profile lists: an edition using one must be read loudly (an error finding), never
# into another field. One list per label a row prints.
UNKNOWN_WORDINGS: dict[str, tuple[str, ...]] = {
    "carrier": ("Structure porteuse", "Maître d'ouvrage", "Opérateur"),
    "procedure": ("Type d'appel", "Modalité de sélection", "Sélection"),
    "summary": ("Synthèse", "Présentation", "Objet du projet"),
    "section": ("Priorité", "Axe", "Objectif de la politique"),
}


@dataclass(frozen=True)
class Project:
    """One project as today's table gives it; `None` where the table has no value."""

    specific_objective: int
    specific_objective_label: str
    title: str
    carrier: str
    procedure: str  # as printed: "Appel 2022", "Attribution directe" or ""
    action_code: str
    start: date | None
    end: date | None
    amounts: dict[str, Decimal | None]
    paragraphs: tuple[str, ...]
    title_printed: bool  # False: the published edition prints no title cell (read from the summary)

    def expected(self) -> dict[str, Any]:
        """The row the `amif_projects` table must hold for this project, compared columns only."""
        call = self.procedure if self.procedure.lower().startswith("appel") else None
        direct = self.procedure.lower().startswith("attribution directe")
        return {
            "specific_objective": self.specific_objective,
            "specific_objective_label": self.specific_objective_label,
            "title": self.title or None,
            "carrier_raw": self.carrier or None,
            "selection_procedure": "call" if call else ("direct_award" if direct else None),
            "call": call,
            "action_code": self.action_code or None,
            "start_date": self.start,
            "end_date": self.end,
            **self.amounts,
            "summary": "\n".join(self.paragraphs) or None,
        }


def _decimal(text: str) -> Decimal | None:
    return Decimal(text) if text else None


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def load_projects(path: Path = PROJECTS_CSV) -> list[Project]:
    """Today's projects, in document order."""
    with path.open(encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    projects = []
    for record in records:
        procedure = record["call"] or (
            "Attribution directe" if record["selection_procedure"] == "direct_award" else ""
        )
        projects.append(
            Project(
                specific_objective=int(record["specific_objective"]),
                specific_objective_label=record["specific_objective_label"],
                title=record["title"],
                carrier=record["carrier_raw"],
                procedure=procedure,
                action_code=record["action_code"],
                start=_date(record["start_date"]),
                end=_date(record["end_date"]),
                amounts={column: _decimal(record[column]) for column in AMOUNT_COLUMNS},
                paragraphs=tuple(record["summary"].split("\n")) if record["summary"] else (),
                # A row with neither period nor carrier is printed as the published edition prints
                # it: a procedure line and a summary whose « quote » names the project.
                title_printed=bool(record["start_date"] or record["carrier_raw"]),
            )
        )
    return projects


# --- transformations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Wording:
    """The label an edition prints for each field, and which of them no profile knows."""

    labels: dict[str, str]
    unknown: frozenset[str] = frozenset()


def choose_wording(
    rng: random.Random, profile: Profile, fields: tuple[str, ...], unknown_share: float
) -> Wording:
    """A spelling of the profile for each field; with probability `unknown_share`, one field's
    label re-worded beyond the profile (a wording it does not list)."""
    labels = {name: rng.choice(profile.spellings(name)) for name in fields}
    unknown: set[str] = set()
    if rng.random() < unknown_share:
        name = rng.choice(sorted(set(UNKNOWN_WORDINGS) & set(fields)))
        wording = rng.choice(UNKNOWN_WORDINGS[name])
        assert profile.field_of(wording) is None, f"{wording!r} is in the profile now: pick another"
        labels[name] = wording
        unknown.add(name)
    return Wording(labels, frozenset(unknown))


@dataclass(frozen=True)
class Selection:
    """Which projects an edition prints, in which order: sections reordered, rows reordered, dropped."""

    sections: tuple[int, ...]
    rows: dict[int, tuple[int, ...]] = field(default_factory=dict)  # section → project indexes


def choose_selection(rng: random.Random, projects: list[Project], drop_share: float) -> Selection:
    by_section: dict[int, list[int]] = {}
    for index, project in enumerate(projects):
        by_section.setdefault(project.specific_objective, []).append(index)
    sections = list(by_section)
    if rng.random() < 0.3:
        rng.shuffle(sections)
    rows = {}
    for section, indexes in by_section.items():
        kept = [index for index in indexes if rng.random() >= drop_share] or indexes[:1]
        if rng.random() < 0.4:
            rng.shuffle(kept)
        rows[section] = tuple(kept)
    return Selection(tuple(sections), rows)


def expected_table(projects: list[Project], selection: Selection) -> list[dict[str, Any]]:
    """Today's rows that the edition prints, in the order it prints them."""
    return [projects[index].expected() for section in selection.sections for index in selection.rows[section]]


def compared(row: dict[str, Any]) -> dict[str, Any]:
    """A row of the built table reduced to the compared columns."""
    return {column: row.get(column) for column in COMPARED_COLUMNS}


def error_keys(findings: list[Any]) -> list[tuple[str, str]]:
    """The error findings of a reading, as (code, message): what an edition adds is what it could not read."""
    return [(finding.code, finding.message) for finding in findings if finding.severity == "error"]


def unknown_label_is_named(findings: list[Any], wording: Wording) -> bool:
    """An error finding quotes one of the edition's unknown labels."""
    quoted = {fold_label(wording.labels[name]) for name in wording.unknown}
    return any(
        any(label.split(" ")[0] in fold_label(finding.message) for label in quoted)
        for finding in findings
        if finding.severity == "error"
    )
