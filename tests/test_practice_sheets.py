"""The practice-sheet brochure, read from its text extraction and from its PDF."""

from __future__ import annotations

from pathlib import Path

import pytest
from amif_extract.schemas.practice_sheets import TABLES

from amif_extract.errors import InputError
from amif_extract.extract.practice_sheets import (
    PracticeSheetSettings,
    extract_practice_sheets,
    looks_like_practice_sheets,
    match_heading,
    organisation_names,
    sheet_ids,
)
from amif_extract.records import PracticeSheetsExtraction
from amif_extract.tables import TableSpec, schema_findings

TEXT = "assises_integration_locale_fiches.txt"
PDF = "assises_integration_locale_fiches.pdf"


@pytest.fixture(scope="module")
def from_text(raw_dir: Path) -> PracticeSheetsExtraction:
    return extract_practice_sheets(raw_dir / TEXT)


@pytest.fixture(scope="module")
def from_pdf(raw_dir: Path) -> PracticeSheetsExtraction:
    return extract_practice_sheets(raw_dir / PDF)


def sheet(extraction: PracticeSheetsExtraction, title_start: str) -> dict:
    [found] = [row for row in extraction.sheets if row["title"].startswith(title_start)]
    return found


def contacts(extraction: PracticeSheetsExtraction, sheet_id: str) -> list[tuple[str, str, str]]:
    rows = [row for row in extraction.contacts if row["sheet_id"] == sheet_id]
    return [(row["name"], row["phone"], row["email"]) for row in rows]


def test_every_sheet_of_the_brochure_is_found_once(from_text: PracticeSheetsExtraction) -> None:
    titles = [row["title"] for row in from_text.sheets]
    assert len(titles) == 24
    assert titles[0].startswith("Formation de base pour bénévoles engagés auprès de Demandeurs")
    assert titles[4] == "Formation de multiplicateurs"
    assert titles[10] == "BETREIT WUNNEN FIR JONK LEIT - HESPER"
    assert titles[11] == "Equigaart : Jardin communautaire"
    assert titles[-1].startswith("PCI de la commune de Strassen un plan englobant")
    assert len({row["sheet_id"] for row in from_text.sheets}) == 24


def test_running_headers_and_partner_logos_are_not_content(from_text: PracticeSheetsExtraction) -> None:
    for row in from_text.sheets:
        values = " ".join(str(value) for value in row.values())
        assert "Assises nationales" not in values
        assert "SYVICOL" not in values and "LYCÉE TECHNIQUE" not in values and "Lycée Ermesinde" not in values
    # Page 26 holds only partner logos: the sheets around it stop and start next to it.
    assert sheet(from_text, "BETREIT WUNNEN")["source_pages"] == "23-25"
    assert sheet(from_text, "Equigaart")["source_pages"] == "27-28"
    # The logos printed after the CAI sheet's contacts do not become a contact or a note.
    cai = sheet(from_text, "Le contrat d'accueil et d'intégration CAI")
    assert cai["other_info"] == ""
    assert [row["name"] for row in from_text.contacts if row["sheet_id"] == cai["sheet_id"]] == [
        "Bach Pitt",
        "Leurs Anne",
    ]


def test_sheet_spanning_three_pages(from_text: PracticeSheetsExtraction) -> None:
    row = sheet(from_text, "Projet « Neien Ufank »")
    assert row["source_pages"] == "7-9"
    assert row["commune_institution"] == (
        "Projet « Neien Ufank » – Fondation Caritas Luxembourg - Service Solidarité & Intégration"
    )
    assert row["organisers"] == ""
    # The description runs over pages 7, 8 and 9 and stays whole.
    assert row["description"].startswith(
        "Dans le projet « Neien Ufank », le logement occupe une place dominante."
    )
    assert "En 2016, près de 180 personnes sont logées" in row["description"]
    assert row["description"].endswith("héberger des populations vulnérables et notamment des BPI.")
    assert row["place_periodicity"] == "Durée du projet « Neien Ufank » 01/01/2017 au 31/12/2018"
    assert contacts(from_text, row["sheet_id"]) == [
        ("Glod Georges", "+352402131523", "georges.glod@caritas.lu")
    ]
    stitched = [f for f in from_text.findings if f.code == "page_stitch" and f.row_id == row["sheet_id"]]
    assert [(f.column, f.location.page) for f in stitched] == [("description", 7)]

    cai = sheet(from_text, "Le contrat d'accueil et d'intégration CAI")
    assert cai["source_pages"] == "4-6"
    assert cai["commune_institution"] == (
        "L'Office Luxembourgeois de l'Accueil et d'Intégration (OLAI) et l'Association de Soutien aux "
        "Travailleurs Immigrés (ASTI)"
    )
    assert contacts(from_text, cai["sheet_id"]) == [
        ("Bach Pitt", "+35243833333", "pitt.bach@asti.lu"),
        ("Leurs Anne", "+35224785748", "anne.leurs@olai.etat.lu"),
    ]


def test_values_sharing_the_heading_line(from_text: PracticeSheetsExtraction) -> None:
    row = sheet(from_text, "Formation de multiplicateurs")
    assert row["commune_institution"] == "CEFIS – Centre d'étude et de formation interculturelles et sociales"
    assert row["target_public"] == "Personnes relais dans la société luxembourgeoise"
    assert row["place_periodicity"] == "28 formations en 2016-2017"
    assert row["costs"] == "gratuit"
    assert contacts(from_text, row["sheet_id"]) == [
        ("Frederic MERTZ", "+35244743507", "frederic.mertz@cefis.lu")
    ]

    first = sheet(from_text, "Formation de base pour bénévoles")
    assert first["commune_institution"] == "Agence du Bénévolat"
    assert first["organisers"] == (
        "Agence du Bénévolat en collaboration avec ASTI, Caritas, Croix-Rouge luxembourgeoise "
        "et Reech eng Hand"
    )
    [agency] = [c for c in from_text.contacts if c["sheet_id"] == first["sheet_id"]]
    assert (agency["organisation"], agency["phone_raw"], agency["phone"]) == (
        "Agence du Bénévolat",
        "(+352) 26 12 10 – 1",
        "+3522612101",
    )
    assert first["other_info"].endswith("www.benevolat.lu")

    move = sheet(from_text, "Move Together")
    assert move["commune_institution"] == "Mouvement pour l'Égalité des Chances, pour tous – MEC asbl"
    assert move["objectives"] == "Favoriser l'intégration des nouveaux arrivants et la cohésion sociale"
    assert move["target_public"] == "Les nouveaux arrivants"


def test_lines_that_only_start_like_a_heading_are_values(from_text: PracticeSheetsExtraction) -> None:
    remich = sheet(from_text, "Projets favorisant l'intégration dans la commune de Remich")
    assert remich["commune_institution"] == "Commune de Remich"
    assert contacts(from_text, remich["sheet_id"]) == [
        ("GEIMER Martine", "+352236921; +352661266601", "kema@tango.lu")
    ]

    strassen = sheet(from_text, "PCI de la commune de Strassen")
    assert strassen["commune_institution"] == "Commune de Strassen"
    assert strassen["place_periodicity"] == "Commune de Strassen"
    assert "Objectif général du plan d'action citoyen" in strassen["description"]
    assert strassen["source_pages"] == "47-48"


def test_other_sheets_pinned(from_text: PracticeSheetsExtraction) -> None:
    esch = sheet(from_text, "Le projet intégration par le sport")
    assert esch["commune_institution"] == "Ville d'Esch-sur-Alzette"
    assert esch["organisers"] == "Collège échevinal, Service des Sports"
    assert esch["costs"] == ""
    [norma] = [c for c in from_text.contacts if c["sheet_id"] == esch["sheet_id"]]
    assert (norma["name"], norma["phone_raw"], norma["phone"], norma["email"]) == (
        "Norma Zambon",
        "Escher Sporthotline : 26 54 34 34",
        "+35226543434",
        "sports@villeesch.lu",
    )
    missing = [(f.column, f.message) for f in from_text.findings if f.row_id == esch["sheet_id"]]
    assert missing == [("costs", "section costs: heading printed without a value")]

    luxembourg = sheet(from_text, "Ville de Luxembourg - le PCI")
    assert contacts(from_text, luxembourg["sheet_id"]) == [
        ("Esther Cornero", "", "ecornero@vdl.lu"),
        ("Madeleine Kayser", "", "makayser@vdl.lu"),
        ("Sylvain Besch", "+352691964447", "sylvain.besch@cefis.lu"),
        ("Frédéric Mertz", "+35244743501", "frederic.mertz@cefis.lu"),
    ]

    equigaart = sheet(from_text, "Equigaart")
    assert (equigaart["commune_institution"], equigaart["organisers"]) == (
        "Commune de Junglinster",
        "Equigaart asbl",
    )
    assert contacts(from_text, equigaart["sheet_id"]) == [
        ("Mike Hagen", "+352621196422", "mhagen@pt.lu"),
        ("Paul Estgen", "+352691787615", "paul.estgen@pt.lu"),
        ("", "", "info@equigaart.lu"),
    ]

    hesperange = sheet(from_text, "BETREIT WUNNEN")
    assert hesperange["commune_institution"] == "HESPERANGE"
    assert hesperange["objectives"].startswith(
        "Service d'aide, de conseil et d'assistance pour personnes adultes"
    )
    assert "Favoriser l'inclusion sociale des personnes par le biais du logement" in hesperange["objectives"]
    assert contacts(from_text, hesperange["sheet_id"]) == [
        ("Huremovic Haris", "+35226360277; +352661360288", "huremovic.haris@jugendtreffhesper.lu")
    ]

    lisko = sheet(from_text, "LISKO- Lëtzebuenger")
    assert lisko["commune_institution"] == ""
    assert "Quelques chiffres" in lisko["description"]
    [red_cross] = [c for c in from_text.contacts if c["sheet_id"] == lisko["sheet_id"]]
    assert (
        red_cross["organisation"]
        == "Croix-Rouge – LISKO; Lëtzebuurger Integratiouns- a Sozialkohäsiouns-Zenter"
    )
    assert red_cross["address"] == "64, rue Charles Martel, L-2134 Luxembourg"
    assert (red_cross["phone"], red_cross["email"]) == (
        "+35227555602",
        "ressource.integration@croix-rouge.lu",
    )
    assert "Le service propose des permanences hebdomadaires" in lisko["other_info"]
    lisko_missing = {
        f.column for f in from_text.findings if f.row_id == lisko["sheet_id"] and f.code == "missing_value"
    }
    assert {"commune_institution", "objectives", "results"} <= lisko_missing


def test_pdf_and_text_give_the_same_tables(
    from_text: PracticeSheetsExtraction, from_pdf: PracticeSheetsExtraction
) -> None:
    def rows(table: list[dict]) -> list[dict]:
        return [{key: value for key, value in row.items() if key != "source_file"} for row in table]

    assert rows(from_pdf.contacts) == rows(from_text.contacts)
    text_sheets, pdf_sheets = rows(from_text.sheets), rows(from_pdf.sheets)
    assert [row["sheet_id"] for row in pdf_sheets] == [row["sheet_id"] for row in text_sheets]
    # The PDF lost characters where it rendered emphasis spanning two lines: the last
    # character of "communes." and the "er" of "Sozialkohäsiouns-Zenter". Every other value agrees.
    differences = {
        (text["sheet_id"], key): (text[key], pdf[key])
        for text, pdf in zip(text_sheets, pdf_sheets, strict=True)
        for key in text
        if text[key] != pdf[key]
    }
    assert set(differences) == {
        ("sheet-agence-immobiliere-sociale-ais", "title"),
        ("sheet-lisko-letzebuenger-integratiouns", "title"),
    }
    text_title, pdf_title = differences[("sheet-agence-immobiliere-sociale-ais", "title")]
    assert text_title.replace("communes.", "communes") == pdf_title
    text_title, pdf_title = differences[("sheet-lisko-letzebuenger-integratiouns", "title")]
    assert text_title.replace("-Zenter", "-Zent") == pdf_title
    assert [(f.code, f.row_id, f.column, f.location.page) for f in from_pdf.findings] == [
        (f.code, f.row_id, f.column, f.location.page) for f in from_text.findings
    ]


def test_rows_meet_their_contracts(from_text: PracticeSheetsExtraction) -> None:
    for name, rows in (("practice_sheets", from_text.sheets), ("practice_contacts", from_text.contacts)):
        model, key = TABLES[name]
        assert schema_findings(TableSpec(name, model, key), rows) == []


def test_heading_spellings_are_recognised() -> None:
    """Heading spellings seen in the brochure plus case and spacing variants of them."""
    cases = {
        "Organisateur(s)": ("organisers", ""),
        "Organisateur (s) : SCHLESSER Jean-Pierre": ("organisers", "SCHLESSER Jean-Pierre"),
        "ORGANISATEURS Equigaart asbl": ("organisers", "Equigaart asbl"),
        "Commune/Institution :": ("commune_institution", ""),
        "Commune / Institution Ville de Dudelange": ("commune_institution", "Ville de Dudelange"),
        "Breve description et approche préconisée": ("description", ""),
        "Résultats / plus-values du projet": ("results", ""),
        "Public cible du projet | Les nouveaux arrivants": ("target_public", "Les nouveaux arrivants"),
        "Lieu du projet et periodicite": ("place_periodicity", ""),
        "Coûts éventuels gratuit": ("costs", "gratuit"),
        "Contacts :": ("contacts", ""),
        "Autres informations utiles (site web, documents édités,...)": ("other_info", ""),
    }
    for text, expected in cases.items():
        heading = match_heading(text)
        assert heading is not None, text
        assert (heading.section, heading.value) == expected
    assert match_heading("Communes de Wiltz") is None
    assert match_heading("Le Contact régulier avec les personnes logées") is None


def test_sheet_ids_depend_on_their_own_title_only(from_text: PracticeSheetsExtraction) -> None:
    settings = PracticeSheetSettings()
    titles = [row["title"] for row in from_text.sheets]
    ids = sheet_ids(titles, settings)
    assert ids[4] == "sheet-formation-multiplicateurs"
    assert sheet_ids(titles[4:], settings) == ids[4:]
    assert sheet_ids(["Café", "Café"], settings) == ["sheet-cafe", "sheet-cafe-2"]


def test_organisation_mentions(from_text: PracticeSheetsExtraction) -> None:
    names = [name for name, _ in from_text.organisation_mentions]
    assert names[:6] == [
        "Agence du Bénévolat",
        "Agence du Bénévolat",
        "ASTI",
        "Caritas",
        "Croix-Rouge luxembourgeoise",
        "Reech eng Hand",
    ]
    assert "OS CARE (Offices Social du Canton de Redange)" in names
    # People named as organisers are not organisations.
    assert not any("SCHLESSER" in name for name in names)
    location = dict(from_text.organisation_mentions)["Ville de Differdange"]
    assert (location.page, location.line) == (12, 434)
    assert organisation_names("Mouvement pour l'Égalité des Chances, pour tous – MEC asbl") == [
        "Mouvement pour l'Égalité des Chances, pour tous – MEC asbl"
    ]


def test_document_kind_detection(raw_dir: Path) -> None:
    assert looks_like_practice_sheets((raw_dir / TEXT).read_text(encoding="utf-8"))
    for other in ("amif_projets_cofinances.txt", "oim_france_projets.txt", "asti_convention_2021.txt"):
        assert not looks_like_practice_sheets((raw_dir / other).read_text(encoding="utf-8"))


def test_unusable_files_are_refused(raw_dir: Path, tmp_path: Path) -> None:
    """A text of another kind and a truncated PDF are input errors naming the file (synthetic files)."""
    with pytest.raises(InputError, match=r"oim_france_projets\.txt: not a practice-sheet brochure"):
        extract_practice_sheets(raw_dir / "oim_france_projets.txt")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes((raw_dir / PDF).read_bytes()[:2000])
    with pytest.raises(InputError, match=r"broken\.pdf: PDF is truncated or damaged"):
        extract_practice_sheets(broken)


SYNTHETIC_BROCHURE = """\
Rencontres locales 2018



Rencontres locales 2018

Café des voisins

Commune/Institution Commune de Beispill

Objectifs
Se rencontrer.

Brève description et approche préconisée
Un café par mois.

Résultats / plus-values du projet
Des voisins qui se connaissent.

3



Rencontres locales 2018

Public cible du projet
Tous les habitants

Lieu du projet et périodicité
Salle des fêtes, une fois par mois

Coûts éventuels
Aucun

Contact
Anna Muster
Tél : 12
E-mail: anna.muster(at)beispill.lu

4
"""


def test_page_numbers_and_unreadable_contact_values(tmp_path: Path) -> None:
    """Synthetic brochure: the real one prints no page numbers and no unreadable phone or e-mail."""
    path = tmp_path / "brochure.txt"
    path.write_text(SYNTHETIC_BROCHURE, encoding="utf-8")
    result = extract_practice_sheets(path)
    [row] = result.sheets
    assert row["title"] == "Café des voisins"
    assert row["results"] == "Des voisins qui se connaissent."
    assert row["target_public"] == "Tous les habitants"
    assert row["source_pages"] == "2-3"
    [contact] = result.contacts
    assert (contact["name"], contact["phone_raw"], contact["phone"]) == ("Anna Muster", "12", "")
    assert (contact["email_raw"], contact["email"]) == ("anna.muster(at)beispill.lu", "")
    codes = {(f.code, f.value, f.location.line) for f in result.findings if f.code.startswith("invalid_")}
    assert codes == {("invalid_phone", "12", 37), ("invalid_email", "anna.muster(at)beispill.lu", 38)}


def test_a_label_that_is_no_sheet_field_is_kept_out_of_the_field_above(
    from_text: PracticeSheetsExtraction,
) -> None:
    """Hesperange prints ``Service :`` under its organisers: not glued to them, reported with its value."""
    row = next(row for row in from_text.sheets if row["sheet_id"].startswith("sheet-betreit-wunnen"))
    assert row["organisers"] == "Service Jeunes et Enfants de la Commune de Hesperange"
    [kept] = [f for f in from_text.findings if f.code == "repaired_value" and f.row_id == row["sheet_id"]]
    assert (kept.severity, kept.value) == ("warning", "Service :\nBetreit Wunnen fir Jonk Leit")
    assert not [f for f in from_text.findings if f.severity == "error"]


def test_labels_come_from_the_profile(tmp_path: Path) -> None:
    """A dataset profile that re-words "Objectifs" as "Buts" reads the new wording (synthetic label)."""
    from amif_extract.profiles import load_profile

    packaged = (Path(__file__).parent.parent / "schemas" / "profiles" / "practice_sheets.toml").read_text()
    reworded = packaged.replace('spellings = ["Objectifs",', 'spellings = ["Buts", "Objectifs",')
    (tmp_path / "practice_sheets.toml").write_text(reworded, encoding="utf-8")
    profile = load_profile("practice_sheets", tmp_path)
    assert match_heading("Buts :", profile) == match_heading("Objectifs :")
    assert match_heading("Buts :") is None
    assert match_heading("Personne(s) de contact :") is not None
    assert match_heading("Service Jeunes et Enfants") is None
