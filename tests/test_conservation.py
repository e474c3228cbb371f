"""Conservation checks on the real documents of raw/: they pass as published, and each damage an
extractor could do to a real extraction (a lost e-mail, a changed amount, a dropped sheet, a
shifted date) gives exactly the error finding that names the value and where it is printed."""

from __future__ import annotations

import copy
import re
import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from amif_extract.cli import app
from amif_extract.conservation import (
    ConservationSettings,
    PrintedLine,
    check_conservation,
    furniture_lines,
    heading_field,
    occurring_in,
    values_in_line,
)
from amif_extract.findings import Finding, SourceLocation
from amif_extract.pagetext import PageLine
from amif_extract.pipeline import (
    BuildResult,
    BuildSettings,
    DocumentExtraction,
    assemble,
    extract_all,
    extract_files,
    manifest_documents,
)
from amif_extract.profiles import load_profile
from amif_extract.records import AmifExtraction, PracticeSheetsExtraction
from amif_extract.row_changes import RowChangeSettings, RowCountChange, csv_row_counts, row_count_changes

CODES = ("value_lost", "value_invented", "structure_mismatch")
BROCHURE = "assises_integration_locale_fiches.pdf"
AMIF = "amif_projets_cofinances.pdf"
# Every label of the brochure's template, as the h15sheets profile will list them: the packaged
# profile lists only the contacts heading so far, so the sheet counts are tested with this one in a
# dataset's own profiles folder.
FULL_BROCHURE_PROFILE = """
[labels.commune_institution]
spellings = ["Commune / Institution", "Institution", "Commune"]
[labels.organisers]
spellings = ["Organisateur(s)", "Organisme gestionnaire"]
[labels.objectives]
spellings = ["Objectif(s)", "Missions et objectifs"]
[labels.description]
spellings = ["Brève description et approche préconisée", "Brève description", "Présentation"]
[labels.results]
spellings = ["Résultats / plus-values du projet", "Résultats"]
[labels.target_public]
spellings = ["Public cible du projet", "Public cible"]
[labels.place_periodicity]
spellings = ["Lieu du projet et périodicité", "Lieu et périodicité", "Lieu du projet"]
[labels.costs]
spellings = ["Coûts éventuels"]
[labels.contacts]
spellings = ["Contact(s)", "Contacts", "Personne(s) de contact", "Personnes de contact"]
[labels.other_info]
spellings = ["Autres informations utiles", "Autre(s) information(s)"]
"""


@pytest.fixture(scope="module")
def extractions(raw_dir: Path) -> list[DocumentExtraction]:
    settings = BuildSettings(workers=1)
    return extract_all(manifest_documents(raw_dir, settings), settings)


@pytest.fixture(scope="module")
def built(extractions: list[DocumentExtraction]) -> BuildResult:
    return assemble(extractions)


@pytest.fixture()
def full_profile_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "schemas" / "profiles"
    folder.mkdir(parents=True)
    (folder / "practice_sheets.toml").write_text(FULL_BROCHURE_PROFILE, encoding="utf-8")
    return folder


def conservation_findings(
    extractions: list[DocumentExtraction],
    tables: dict[str, list[dict[str, Any]]],
    findings: list[Finding],
    profile_dir: Path | None = None,
) -> list[Finding]:
    return check_conservation(extractions, tables, findings, profile_dir=profile_dir).findings


def summary(findings: list[Finding]) -> list[tuple[str, str, int | None, int | None, str]]:
    return sorted(
        (finding.code, finding.location.file, finding.location.page, finding.location.line, finding.value)
        for finding in findings
    )


def mutated(built: BuildResult) -> dict[str, list[dict[str, Any]]]:
    return copy.deepcopy(built.tables)


def row_of(rows: list[dict[str, Any]], column: str, value: str) -> dict[str, Any]:
    return next(row for row in rows if row[column] == value)


# ---------------------------------------------------------------- the published documents pass


def test_published_documents_pass_every_check_with_these_counts(built: BuildResult) -> None:
    assert [finding for finding in built.findings if finding.code in CODES] == []
    verified = built.metadata["conservation"]
    brochure, amif = verified[BROCHURE], verified[AMIF]
    # Printed in the brochure and found in an output cell or a finding (an e-mail or a phone only
    # in a contact column): the 32 e-mail addresses and 28 phone numbers of its contacts.
    assert brochure["found"] == {
        "email": 32,
        "phone": 28,
        "url": 15,
        "amount": 6,
        "date": 4,
        "total": 0,
        "furniture": 0,
    }
    # Contact cells of the output, each printed on its sheet's pages (a phone cell may list two).
    assert brochure["printed"] == {"email": 32, "phone": 28, "url": 0, "amount": 0, "date": 0}
    # The AMIF list's 38 projects: 115 amounts and 74 period dates printed and read, both ways.
    assert amif["found"]["amount"] == amif["printed"]["amount"] == 115
    assert amif["found"]["date"] == amif["printed"]["date"] == 74
    # The IOM page: 11 dates of its projects read from their items' prose (some through durations).
    assert verified["oim_france_projets.txt"]["printed"]["date"] == 11
    assert verified["oim_france_projets.txt"]["found"]["date"] == 2


def test_text_extractions_of_the_two_lists_pass_too(raw_dir: Path) -> None:
    result = extract_files(
        [raw_dir / "amif_projets_cofinances.txt", raw_dir / "assises_integration_locale_fiches.txt"],
        BuildSettings(workers=1),
    )
    assert [finding for finding in result.findings if finding.code in CODES] == []
    verified = result.metadata["conservation"]
    # Two totals are printed split over two cells ("155.0 | 000€"): the repair finding vouches for them.
    assert verified["amif_projets_cofinances.txt"]["printed"]["amount"] == 115
    assert verified["assises_integration_locale_fiches.txt"]["printed"]["email"] == 32


def test_published_brochure_passes_the_sheet_counts_with_a_full_profile(
    extractions: list[DocumentExtraction], built: BuildResult, full_profile_dir: Path
) -> None:
    findings = conservation_findings(extractions, built.tables, built.findings, full_profile_dir)
    assert findings == []


# ---------------------------------------------------------------- mutations of real extractions


def test_an_email_dropped_from_a_contact_row_is_lost(
    extractions: list[DocumentExtraction], built: BuildResult
) -> None:
    tables = mutated(built)
    contact = row_of(tables["practice_contacts"], "email", "gilles.hempel@ais.lu")
    contact["email"] = contact["email_raw"] = None
    findings = conservation_findings(extractions, tables, built.findings)
    assert summary(findings) == [("value_lost", BROCHURE, 3, None, "gilles.hempel@ais.lu")]
    assert findings[0].message == "printed e-mail 'gilles.hempel@ais.lu' is in no output cell and no finding"
    assert findings[0].context == "E-mail: gilles.hempel@ais.lu"


def test_a_changed_amount_is_invented_and_the_printed_one_lost(
    extractions: list[DocumentExtraction], built: BuildResult
) -> None:
    tables = mutated(built)
    project = row_of(tables["amif_projects"], "title", "Ateliers autour de la naissance")
    project["eu_share"] = Decimal("94092.79")
    findings = conservation_findings(extractions, tables, built.findings)
    assert summary(findings) == [
        ("value_invented", AMIF, 1, None, "94092.79"),
        ("value_lost", AMIF, 1, None, "94 092.97€"),
    ]
    invented = next(finding for finding in findings if finding.code == "value_invented")
    assert (invented.table, invented.row_id, invented.column) == (
        "amif_projects",
        "so1-ateliers-autour-de-la-naissance-ba0898",
        "eu_share",
    )
    assert invented.message == (
        "amif_projects.eu_share amount '94092.79' is not printed in the lines its row was read from on page 1"
    )


def test_an_amount_taken_from_the_next_row_is_invented(
    extractions: list[DocumentExtraction], built: BuildResult
) -> None:
    tables = mutated(built)
    first, second = tables["amif_projects"][0], tables["amif_projects"][1]
    first["total_cost"] = second["total_cost"]  # printed in the document, but on another row
    findings = conservation_findings(extractions, tables, built.findings)
    assert summary(findings) == [
        ("value_invented", AMIF, 1, None, "105395.00"),
        ("value_lost", AMIF, 1, None, "125 457.29€"),
    ]
    invented = next(finding for finding in findings if finding.code == "value_invented")
    assert (invented.row_id, invented.column) == (first["project_id"], "total_cost")


def test_a_shifted_date_is_invented(extractions: list[DocumentExtraction], built: BuildResult) -> None:
    tables = mutated(built)
    project = row_of(tables["amif_projects"], "project_id", "so1-projet-parentalite-alupse-439d99")
    assert project["start_date"] == date(2025, 3, 1)
    project["start_date"] += timedelta(days=1)
    findings = conservation_findings(extractions, tables, built.findings)
    # 01/03/2025 is printed on the project's own row, so it must be in a date column: it is lost too.
    assert summary(findings) == [
        ("value_invented", AMIF, 3, None, "2025-03-02"),
        ("value_lost", AMIF, 3, None, "01/03/2025"),
    ]
    invented = next(finding for finding in findings if finding.code == "value_invented")
    assert (invented.row_id, invented.column) == (project["project_id"], "start_date")


def test_a_deleted_sheet_loses_its_contacts_and_breaks_the_counts(
    extractions: list[DocumentExtraction], built: BuildResult, full_profile_dir: Path
) -> None:
    tables = mutated(built)
    sheet_id = "sheet-agence-immobiliere-sociale-ais"
    tables["practice_sheets"] = [row for row in tables["practice_sheets"] if row["sheet_id"] != sheet_id]
    tables["practice_contacts"] = [row for row in tables["practice_contacts"] if row["sheet_id"] != sheet_id]
    findings = conservation_findings(extractions, tables, built.findings, full_profile_dir)
    assert summary(findings) == [
        ("structure_mismatch", BROCHURE, 1, None, ""),
        ("structure_mismatch", BROCHURE, 1, None, ""),
        ("structure_mismatch", BROCHURE, 2, None, ""),
        ("value_lost", BROCHURE, 3, None, "26 48 39 52"),
        ("value_lost", BROCHURE, 3, None, "gilles.hempel@ais.lu"),
        ("value_lost", BROCHURE, 3, None, "www.ais.lu"),
    ]
    structure = [finding.message for finding in findings if finding.code == "structure_mismatch"]
    assert structure == [
        "24 sheet starts printed (headings back to the template's start) but 23 sheets read",
        "heading of description printed on 24 sheets; 23 sheets fill it or say it is empty",
        "heading of contacts printed on 24 sheets; 23 sheets fill it or say it is empty",
    ]


def test_a_dropped_project_breaks_the_amount_rows_count(
    extractions: list[DocumentExtraction], built: BuildResult
) -> None:
    tables = mutated(built)
    dropped = tables["amif_projects"].pop(1)
    assert dropped["title"] == "Motirõ"
    findings = conservation_findings(extractions, tables, built.findings)
    structure = [finding for finding in findings if finding.code == "structure_mismatch"]
    assert [finding.message for finding in structure] == [
        # One of the 38 projects prints no amount ("Construire ensemble une société forte et inclusive").
        "37 printed rows carry amounts but 36 projects have amounts"
    ]
    # Its amounts are printed nowhere else; its dates are other projects' dates too.
    lost = [finding.value for finding in findings if finding.code == "value_lost"]
    assert lost == ["60 000.00€", "20 000.00€", "25 395.00€", "105 395.00€"]


def test_a_value_named_by_a_finding_is_not_lost(
    extractions: list[DocumentExtraction], built: BuildResult
) -> None:
    tables = mutated(built)
    contact = row_of(tables["practice_contacts"], "email", "gilles.hempel@ais.lu")
    contact["email"] = contact["email_raw"] = None
    note = Finding(
        "invalid_email", "left out", SourceLocation(BROCHURE, page=3), value="gilles.hempel@ais.lu"
    )
    assert conservation_findings(extractions, tables, [*built.findings, note]) == []


# ---------------------------------------------------------------- reading values and labels


def line(text: str) -> PrintedLine:
    return PrintedLine(0, text, page=1)


@pytest.mark.parametrize(
    ("text", "kind", "normal"),
    [
        ("Total EUR 1,234.56", "amount", "1234.56"),
        ("Part UE 1.234,56 €", "amount", "1234.56"),
        ("coût 1 234,56 € par an", "amount", "1234.56"),
        ("1234,56€", "amount", "1234.56"),
        ("135.000€", "amount", "135000.00"),
        ("du 01.01.2023 – 31.12.2023", "date", "2023-01-01"),
        ("2023-01-01 / 2023-12-31", "date", "2023-12-31"),
        ("Tél : (+352) 26 12 10 – 1", "phone", "2612101"),
        ("Tél. 691-964447 / 44743-501", "phone", "44743501"),
        ("Tél. 691-964447 / 44743-501", "phone", "691964447"),
        ("Tel: 310262270", "phone", "310262270"),
        ("E-mail: SingLoon.Cheung@differdange.lu", "email", "singloon.cheung@differdange.lu"),
        ("voir https://www.ais.lu/", "url", "www.ais.lu"),
    ],
)
def test_values_in_printed_forms(text: str, kind: str, normal: str) -> None:
    # Forms the published documents do not print (next editions' forms), written here.
    values = values_in_line(line(text), ConservationSettings())
    assert normal in {value.normal for value in values if value.kind == kind}


def test_a_date_or_an_amount_is_never_read_again_as_a_phone() -> None:
    values = values_in_line(line("01/01/2023- 94 092.97€ 31 364.32€ 125 457.29€"), ConservationSettings())
    assert sorted(value.kind for value in values) == ["amount", "amount", "amount", "date"]
    assert values_in_line(line("260 DPI/BPT de tous âges, en 2017"), ConservationSettings()) == []


def test_headings_are_labels_alone_or_with_their_value_never_prose(full_profile_dir: Path) -> None:
    profile = load_profile("practice_sheets", full_profile_dir)
    assert heading_field(profile, "Commune/Institution :") == "commune_institution"
    assert heading_field(profile, "Commune/Institution Ville de Differdange") == "commune_institution"
    assert heading_field(profile, "Personnes de contact :") == "contacts"
    assert heading_field(profile, "Commune de Remich") is None
    assert heading_field(profile, "Le projet est soutenu financièrement") is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone_country_code", "+352"),
        ("row_top_tolerance", -1.0),
        ("row_overhang_lines", -1),
        ("sheet_start_max_line", 0),
    ],
)
def test_settings_say_which_setting_is_wrong(field: str, value: Any) -> None:
    with pytest.raises(ValueError, match=field):
        ConservationSettings(**{field: value})


# ---------------------------------------------------------------- against the previous build


def test_row_count_changes_over_the_share_only() -> None:
    old = {"amif_projects": 38, "practice_sheets": 24, "findings": 98, "conventions": 5}
    new = {"amif_projects": 30, "practice_sheets": 23, "findings": 10, "conventions": 5}
    changes = row_count_changes(old, new, RowChangeSettings(max_share=0.2))
    assert changes == [RowCountChange("amif_projects", 38, 30, 0.2)]
    assert changes[0].describe() == (
        "table amif_projects lost 8 rows against the previous build: 38 → 30 (21%, over the threshold"
        " of 20%, --max-row-change)"
    )
    assert row_count_changes(old, new, RowChangeSettings(max_share=0.25)) == []


@pytest.mark.parametrize("share", [0.0, -0.1, 1.5])
def test_row_change_share_is_validated(share: float) -> None:
    with pytest.raises(ValueError, match="max_row_change"):
        RowChangeSettings(max_share=share)


def test_csv_row_counts_reads_records_not_lines(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text('a,b\n1,"two\nlines"\n2,x\n', encoding="utf-8")
    assert csv_row_counts(tmp_path) == {"t": 2}
    assert csv_row_counts(tmp_path / "missing") == {}


def test_diff_check_and_build_warn_with_the_numbers(tmp_path: Path, raw_dir: Path) -> None:
    normalized = Path(__file__).resolve().parents[1] / "normalized"
    old = tmp_path / "old"
    shutil.copytree(normalized, old)
    header = (normalized / "practice_contacts.csv").read_text(encoding="utf-8").split("\n", 1)[0]
    (old / "practice_contacts.csv").write_text(header + "\n", encoding="utf-8")
    runner = CliRunner()
    diff = runner.invoke(app, ["diff", str(old), str(normalized), "--table", "practice_contacts"])
    assert diff.exit_code == 0
    warning = (
        "warning: table practice_contacts gained 33 rows against the previous build: 0 → 33 (100%,"
        " over the threshold of 20%, --max-row-change)"
    )
    assert warning in diff.output
    check = runner.invoke(app, ["check", "--raw", str(raw_dir), "--normalized", str(old)])
    assert check.exit_code == 1
    assert warning in check.output
    build = runner.invoke(app, ["build", "--raw", str(raw_dir), "--out", str(old)])
    assert build.exit_code == 0
    assert warning in build.output
    again = runner.invoke(app, ["build", "--raw", str(raw_dir), "--out", str(old)])
    assert "warning: table" not in again.output
    bad = runner.invoke(app, ["diff", str(old), str(normalized), "--max-row-change", "2"])
    assert bad.exit_code == 2
    assert "max_row_change must be a share in (0, 1] (got 2.0)" in bad.output


def with_printed_line(extractions: list[DocumentExtraction], text: str) -> list[DocumentExtraction]:
    """The extractions with one more line printed at the foot of the AMIF list's last page."""
    changed = copy.deepcopy(extractions)
    amif = next(e.payload for e in changed if isinstance(e.payload, AmifExtraction))
    last = max(amif.page_text)
    amif.page_text[last] = (*amif.page_text[last], PageLine(text, 800.0, 810.0))
    return changed


def test_a_printed_total_that_agrees_with_the_rows_is_verified(
    extractions: list[DocumentExtraction], built: BuildResult
) -> None:
    # The published list prints no total; a next edition may print one under its table.
    total = sum(row["total_cost"] for row in built.tables["amif_projects"] if row["total_cost"] is not None)
    printed = f"Total général {total:,.2f} €".replace(",", " ")
    report = check_conservation(with_printed_line(extractions, printed), built.tables, built.findings)
    assert report.findings == []
    assert report.verified[AMIF]["found"]["total"] == 1


def test_a_printed_total_that_disagrees_is_lost_and_one_row_too_many(
    extractions: list[DocumentExtraction], built: BuildResult
) -> None:
    changed = with_printed_line(extractions, "Total général 1 000 000.00 €")
    findings = check_conservation(changed, built.tables, built.findings).findings
    last_page = max(next(e.payload for e in extractions if isinstance(e.payload, AmifExtraction)).page_text)
    assert summary(findings) == [
        ("structure_mismatch", AMIF, None, None, "38 printed, 37 read"),
        ("value_lost", AMIF, last_page, None, "1 000 000.00 €"),
    ]


def test_contacts_read_as_other_information_are_lost_as_data(
    extractions: list[DocumentExtraction], built: BuildResult
) -> None:
    # What a re-worded contacts heading does: the block's text lands in "other information".
    tables = mutated(built)
    sheet_id = "sheet-agence-immobiliere-sociale-ais"
    contact = row_of(tables["practice_contacts"], "sheet_id", sheet_id)
    tables["practice_contacts"].remove(contact)
    sheet = row_of(tables["practice_sheets"], "sheet_id", sheet_id)
    sheet["other_info"] = (
        f"{sheet['other_info']}\nTél : {contact['phone_raw']}\nE-mail : {contact['email_raw']}"
    )
    findings = conservation_findings(extractions, tables, built.findings)
    # The packaged profile knows the contacts heading: printed on a sheet that has no contact, it
    # breaks the counts too.
    assert summary(findings) == [
        ("structure_mismatch", BROCHURE, 2, None, ""),
        ("value_lost", BROCHURE, 3, None, "26 48 39 52"),
        ("value_lost", BROCHURE, 3, None, "gilles.hempel@ais.lu"),
        ("value_lost", BROCHURE, 3, None, "www.ais.lu"),
    ]


def test_amounts_run_into_the_summary_are_lost_as_data(
    extractions: list[DocumentExtraction], built: BuildResult
) -> None:
    tables = mutated(built)
    project = row_of(tables["amif_projects"], "title", "Motirõ")
    for column in ("eu_share", "national_share", "other_public_share", "total_cost"):
        project[column] = None
    project["summary"] += " 60 000.00€ 20 000.00€ 25 395.00€ 105 395.00€"
    findings = conservation_findings(extractions, tables, built.findings)
    assert summary(findings) == [
        ("structure_mismatch", AMIF, None, None, "37 printed, 36 read"),
        ("value_lost", AMIF, 1, None, "105 395.00€"),
        ("value_lost", AMIF, 1, None, "20 000.00€"),
        ("value_lost", AMIF, 1, None, "25 395.00€"),
        ("value_lost", AMIF, 1, None, "60 000.00€"),
    ]


def test_a_value_on_a_line_repeated_on_every_page_is_furniture_not_lost(
    extractions: list[DocumentExtraction], built: BuildResult
) -> None:
    # A next edition's footer with the ministry's address on every page: the document's, no record's.
    changed = copy.deepcopy(extractions)
    brochure = next(e.payload for e in changed if isinstance(e.payload, PracticeSheetsExtraction))
    footer = "Ministère de la Famille - Tél. 247-86500 - info@fm.etat.lu"
    for page, lines in brochure.page_text.items():
        brochure.page_text[page] = (*lines, PageLine(footer, 820.0, 830.0))
    report = check_conservation(changed, built.tables, built.findings)
    assert report.findings == []
    assert report.verified[BROCHURE]["found"]["furniture"] == 2 * len(brochure.page_text)
    # Printed on two pages only, the same line is data that must be kept.
    for page in list(brochure.page_text)[2:]:
        brochure.page_text[page] = brochure.page_text[page][:-1]
    lost = check_conservation(changed, built.tables, built.findings).findings
    assert summary(lost) == [
        ("value_lost", BROCHURE, 1, None, "247-86500"),
        ("value_lost", BROCHURE, 1, None, "info@fm.etat.lu"),
        ("value_lost", BROCHURE, 2, None, "247-86500"),
        ("value_lost", BROCHURE, 2, None, "info@fm.etat.lu"),
    ]


def test_a_contacts_heading_the_extractor_does_not_know_is_loud_not_silent(
    raw_dir: Path, built: BuildResult, tmp_path: Path
) -> None:
    # A next edition re-words every contacts heading with a label no profile lists: whatever the
    # extractor then makes of the blocks, each published e-mail and phone is either read into a
    # contact column or named by a value_lost error (before these checks: 0 read, no error).
    text = (raw_dir / "assises_integration_locale_fiches.txt").read_text(encoding="utf-8")
    edition = tmp_path / "fiches_next_edition.txt"
    edition.write_text(re.sub(r"(?m)^Contacts? ?:?[ \t]*$", "Coordonnées utiles :", text), encoding="utf-8")
    result = extract_files([edition], BuildSettings(workers=1))
    # A value_lost finding's `repaired` is the normalised value: lower-cased e-mail, national digits.
    lost = {finding.repaired for finding in result.findings if finding.code == "value_lost"}
    contacts = result.tables["practice_contacts"]
    read = {
        value
        for row in contacts
        for column in ("email", "phone")
        for value in (row[column] or "").split("; ")
    }
    # The brochure's reader also names, in an error, the e-mails and phones of a sheet whose
    # contacts it could not read: such a value is loud too.
    named = " ".join(
        f"{finding.value} {finding.context}".lower()
        for finding in result.findings
        if finding.severity == "error"
    )
    named_digits = re.sub(r"\D", "", named)
    for row in built.tables["practice_contacts"]:
        for email in filter(None, (row["email"] or "").split("; ")):
            assert email in read or email.lower() in lost or email.lower() in named, email
        for phone in filter(None, (row["phone"] or "").split("; ")):
            national = phone.removeprefix("+352")
            assert phone in read or national in lost or national in named_digits, phone


@pytest.mark.parametrize(
    ("text", "values"),
    [
        # Next editions' printed forms (synthetic lines in the generators' layouts).
        (
            "Projet Parentalité ALUPSE 2025-03-01 / 2028-12-31 EUR 800,000.00 EUR 600,000.00",
            [
                ("date", "2025-03-01"),
                ("date", "2028-12-31"),
                ("amount", "800000.00"),
                ("amount", "600000.00"),
            ],
        ),
        (
            "Total objectif 1 EUR 4,473,138.34 EUR 3,316,290.67",
            [("amount", "4473138.34"), ("amount", "3316290.67")],
        ),
        (
            "Motirõ janvier 2023 – décembre 2024 60,000.00 20,000.00 -",
            [("amount", "60000.00"), ("amount", "20000.00")],
        ),
        (
            "Ateliers 01.01.2023 – 31.12.2023 94 092,97 € 31 364,32 €",
            [("date", "2023-01-01"), ("date", "2023-12-31"), ("amount", "94092.97"), ("amount", "31364.32")],
        ),
    ],
)
def test_dates_are_read_before_amounts_and_a_currency_pairs_with_its_side(
    text: str, values: list[tuple[str, str]]
) -> None:
    found = values_in_line(line(text), ConservationSettings())
    assert [(value.kind, value.normal) for value in found] == values


def test_a_pdf_footer_whose_page_number_and_date_change_is_page_furniture() -> None:
    """Synthetic PDF lines (the generated editions' footer): the same words at the same place on
    every page, only digits changing, are furniture; a contact line printed once is not."""
    lines = [
        PrintedLine(index, text, page=page, top=top)
        for index, (text, page, top) in enumerate(
            [
                ("Édition 2026 – mise à jour du 15/03/2026 – page 1 / 3", 1, 812.0),
                ("Tél. : 26 12 10 1", 1, 400.0),
                ("Édition 2026 – mise à jour du 15/03/2026 – page 2 / 3", 2, 812.4),
                ("Tél. : 49 48 11 2", 2, 300.0),
                ("Édition 2026 – mise à jour du 15/03/2026 – page 3 / 3", 3, 811.9),
            ]
        )
    ]
    assert furniture_lines(lines, ConservationSettings()) == frozenset({0, 2, 4})


@pytest.mark.parametrize(
    ("needles", "text"),
    [
        (["1 000", "1 000,00", "000", "00,0", "12"], "total 11 000,00 €"),  # overlapping, one inside another
        (["a@b.lu", "b.lu", "a@b.l", "(+352)", "€ 5", ""], "écrire à a@b.lu (+352) ou € 5"),
        (["x\ny", "y", "z"], "x\ny"),  # across a cell break, as `in` on the joined cells
        (["abc", "abd", "ab"], ""),
    ],
)
def test_occurring_in_says_what_in_says(needles: list[str], text: str) -> None:
    """Synthetic: the one-pass search of every printed value in the cells agrees with `in` for each
    value, where values overlap, one is the start or the inside of another, or they hold regex signs."""
    assert occurring_in(needles, text) == frozenset(needle for needle in needles if needle in text)
