"""The three web pages: ministry conventions, the ASTI 2021 convention summary, the IOM France projects."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from amif_extract.schemas.practice_sheets import TABLES

from amif_extract.errors import InputError
from amif_extract.extract.web_pages import extract_web_page, web_page_kind
from amif_extract.records import WebPageExtraction
from amif_extract.tables import TableSpec, schema_findings

MINISTRY = "mfamigr_associations_integration.txt"
SUMMARY = "asti_convention_2021.txt"
IOM = "oim_france_projets.txt"


@pytest.fixture(scope="module")
def iom(raw_dir: Path) -> WebPageExtraction:
    return extract_web_page(raw_dir / IOM)


def project(extraction: WebPageExtraction, project_id: str) -> dict:
    [row] = [row for row in extraction.narrative_projects if row["project_id"] == project_id]
    return row


def test_page_kinds_are_told_by_content(raw_dir: Path) -> None:
    kinds = {
        name: web_page_kind((raw_dir / name).read_text(encoding="utf-8")) for name in (MINISTRY, SUMMARY, IOM)
    }
    assert kinds == {MINISTRY: "ministry_conventions", SUMMARY: "convention_summary", IOM: "iom_project_list"}
    for other in ("amif_projets_cofinances.txt", "assises_integration_locale_fiches.txt"):
        assert web_page_kind((raw_dir / other).read_text(encoding="utf-8")) is None
    with pytest.raises(InputError, match=r"amif_projets_cofinances\.txt: not one of the known web pages"):
        extract_web_page(raw_dir / "amif_projets_cofinances.txt")


def test_ministry_conventions_2022(raw_dir: Path) -> None:
    result = extract_web_page(raw_dir / MINISTRY)
    rows = {row["organisation"]: row for row in result.conventions}
    assert list(rows) == ["ASTI", "CLAE", "CEFIS", "Caritas"]
    assert {row["year"] for row in rows.values()} == {2022}
    assert (
        rows["ASTI"]["activity_domains"]
        == "accompagnement des communes; traduction orale directe; Guichet Info-Migrants"
    )
    assert rows["Caritas"]["activity_domains"] == "Accueil (Structuration de l'offre); Centre Oasis"
    assert rows["CEFIS"]["activity_domains"] == (
        "communes pilotes du « Pakt vum Zesummeliewen »; réalisation d'une étude sur le racisme et les "
        "discriminations ethno-raciales; sensibilisation à l'inscription sur les listes électorales"
    )
    assert rows["CLAE"]["activity_domains"] == (
        "accueil; information; orientation; formation des individus; expressions associatives et citoyennes; "
        "nouveaux paradigmes citoyens"
    )
    assert [(row["convention_id"], row["source_line"]) for row in rows.values()] == [
        ("convention-asti-2022", 7),
        ("convention-clae-2022", 10),
        ("convention-cefis-2022", 9),
        ("convention-caritas-2022", 8),
    ]
    assert result.findings == []
    assert [name for name, _ in result.organisation_mentions] == ["ASTI", "CLAE", "CEFIS", "Caritas"]


def test_a_domain_count_that_does_not_match_is_a_finding(raw_dir: Path, tmp_path: Path) -> None:
    """Synthetic: the ministry page with its announced count changed (the real page agrees with itself)."""
    text = (raw_dir / MINISTRY).read_text(encoding="utf-8").replace("couvre 3 domaines", "couvre 4 domaines")
    path = tmp_path / MINISTRY
    path.write_text(text, encoding="utf-8")
    [finding] = extract_web_page(path).findings
    assert (finding.code, finding.location.line, finding.value) == ("count_mismatch", 7, "3")


def test_asti_convention_2021(raw_dir: Path) -> None:
    result = extract_web_page(raw_dir / SUMMARY)
    [row] = result.conventions
    assert (row["convention_id"], row["organisation"], row["year"], row["source_line"]) == (
        "convention-asti-2021",
        "ASTI",
        2021,
        3,
    )
    assert row["activity_domains"].split("; ") == [
        "Stratégies communales du vivre ensemble et soutien aux projets locaux",
        "Groupe d'Échange et de Soutien Intégration Locale - GRESIL",
        "Collaboration autour de la communication sur le vivre ensemble",
        "Recherche & développement",
        "traduction orale directe",
        "Guichet Info-Migrants",
    ]
    # "7 communes et 1 syndicat intercommunal": the seven communes, counted against the text.
    assert row["communes"] == (
        "Clervaux; Hobscheid; Roeser; Kopstal; Strassen; Wiltz; Junglinster;"
        " syndicat intercommunal De Réidener Kanton (Mertzig y compris)"
    )
    assert result.findings == []


def test_conventions_meet_their_contract(raw_dir: Path) -> None:
    rows = extract_web_page(raw_dir / MINISTRY).conventions + extract_web_page(raw_dir / SUMMARY).conventions
    model, key = TABLES["conventions"]
    assert schema_findings(TableSpec("conventions", model, key), rows) == []


def test_every_numbered_iom_project_is_a_row(iom: WebPageExtraction) -> None:
    ids = [row["project_id"] for row in iom.narrative_projects]
    assert ids == [f"iom-ongoing-{n:02d}" for n in range(1, 7)] + [
        f"iom-completed-{n:02d}" for n in range(1, 16)
    ]
    assert project(iom, "iom-ongoing-04")["name"] == "MAGNET"
    assert (
        project(iom, "iom-ongoing-06")["name"]
        == "Femmes Migrantes : Information Sensibilisation Soutien (FEMISS)"
    )
    assert (
        project(iom, "iom-completed-01")["name"]
        == "Programme d'Appui au Retour et à la Réinstallation (ARER)"
    )
    assert project(iom, "iom-completed-02")["name"] == "Projet Global Calais"
    assert project(iom, "iom-completed-04")["name"] == "Au-delà des chiffres"
    assert project(iom, "iom-ongoing-05")["name"] == (
        "Renforcer et Améliorer l'intégration des victimes de la traite (FIIT)"
    )
    # The list of activities inside project 5 (numbered 1 to 4) stays in its description.
    assert "1. Evaluation, par une recherche documentaire" in project(iom, "iom-ongoing-05")["description"]
    # Numbers printed on their own line ("6." then the text; "9" then ". Programme …").
    completed_6 = project(iom, "iom-completed-06")
    assert (completed_6["source_line"], completed_6["name"]) == (
        101,
        "Enquête pour la valorisation du Savoir et du Savoir-faire des Maliens de l'extérieur",
    )
    assert project(iom, "iom-completed-09")["description"].startswith(
        "Programme européen de recherche AGIS 2005"
    )
    # The site footer is not part of the last project.
    assert "Copyright" not in project(iom, "iom-completed-15")["description"]


@pytest.mark.parametrize(
    ("project_id", "start", "end", "precision", "months", "date_text"),
    [
        ("iom-ongoing-03", date(2008, 6, 1), None, "month", None, "Depuis juin 2008"),
        (
            "iom-ongoing-05",
            date(2012, 1, 1),
            date(2013, 6, 30),
            "day",
            18,
            "a commencé le 1er janvier 2012 pour une durée de 18 mois",
        ),
        ("iom-ongoing-06", date(2011, 10, 31), None, "day", 12, "a lancé le 31 octobre 2011"),
        (
            "iom-completed-01",
            date(2009, 5, 1),
            date(2011, 4, 30),
            "month",
            24,
            "a débuté en Mai 2009 pour une durée initiale de deux ans",
        ),
        ("iom-completed-02", date(2007, 1, 1), None, "month", None, "Depuis janvier 2007"),
        ("iom-completed-03", None, None, "", 24, "d'une durée de 24 mois"),
        (
            "iom-completed-05",
            date(2007, 10, 1),
            date(2008, 9, 30),
            "month",
            12,
            "entre octobre 2007 et septembre 2008",
        ),
        ("iom-completed-06", None, None, "", 9, "d'une durée de neuf mois"),
        (
            "iom-completed-10",
            date(2002, 10, 1),
            date(2003, 5, 31),
            "month",
            8,
            "entre octobre 2002 et mai 2003",
        ),
        ("iom-ongoing-01", None, None, "", None, ""),
    ],
)
def test_project_periods_to_the_precision_printed(
    iom: WebPageExtraction,
    project_id: str,
    start: date | None,
    end: date | None,
    precision: str,
    months: int | None,
    date_text: str,
) -> None:
    row = project(iom, project_id)
    assert (row["start_date"], row["end_date"], row["date_precision"]) == (start, end, precision)
    assert (row["duration_months"], row["date_text"]) == (months, date_text)


def test_project_figures_funders_partners_countries(iom: WebPageExtraction) -> None:
    first = project(iom, "iom-ongoing-01")
    assert first["beneficiaries"] == 7799
    assert first["countries"] == "États-Unis; Canada; Australie"
    assert [row["beneficiaries"] for row in iom.narrative_projects].count(None) == 20
    assert project(iom, "iom-ongoing-04")["funders"] == (
        "fonds européen pour le retour; Ministère de l'Intérieur français; "
        "Ministère des Affaires Etrangères néerlandais"
    )
    assert project(iom, "iom-ongoing-04")["countries"] == "Autriche; Belgique; France; Pays-Bas; Irak"
    assert (
        project(iom, "iom-completed-01")["funders"]
        == "OFII (Office Français de l'Immigration et de l'Intégration)"
    )
    assert project(iom, "iom-completed-01")["partners"] == "OFII; missions de l'OIM dans les pays de retour"
    assert project(iom, "iom-completed-01")["countries"].split("; ")[1:] == [
        "Afghanistan", "Bangladesh", "Djibouti", "Éthiopie", "Inde", "Irak", "Iran", "Kenya", "Kosovo",
        "Pakistan", "Serbie", "Soudan", "Sri Lanka",
    ]  # fmt: skip
    assert project(iom, "iom-completed-03")["partners"] == (
        "Police fédérale belge; Ministère de l'Intérieur italien; "
        "organisation internationale pour les migrations (OIM)"
    )
    assert project(iom, "iom-completed-06")["countries"] == (
        "France; Côte d'Ivoire; République démocratique du Congo; Arabie saoudite"
    )
    assert project(iom, "iom-completed-07")["funders"] == "Fondation de France; Sidaction"
    assert (
        project(iom, "iom-completed-15")["partners"]
        == "Ministère marocain des droits de l'homme; ONG du pays"
    )


def test_iom_findings_and_contract(iom: WebPageExtraction) -> None:
    undated = [f.row_id for f in iom.findings if f.code == "missing_value"]
    assert "iom-ongoing-01" in undated and "iom-completed-01" not in undated
    model, key = TABLES["narrative_projects"]
    assert schema_findings(TableSpec("narrative_projects", model, key), iom.narrative_projects) == []


def test_an_unreadable_period_is_a_finding(raw_dir: Path, tmp_path: Path) -> None:
    """Synthetic: a period ending before it starts (the real page has none)."""
    text = (
        (raw_dir / IOM)
        .read_text(encoding="utf-8")
        .replace("entre octobre 2007 et septembre 2008", "entre octobre 2009 et septembre 2008")
    )
    path = tmp_path / IOM
    path.write_text(text, encoding="utf-8")
    result = extract_web_page(path)
    row = project(result, "iom-completed-05")
    assert (row["start_date"], row["end_date"]) == (None, None)
    [finding] = [f for f in result.findings if f.code == "unparsable_value"]
    assert (finding.row_id, finding.location.line, finding.value) == (
        "iom-completed-05",
        99,
        "entre octobre 2009 et septembre 2008",
    )
