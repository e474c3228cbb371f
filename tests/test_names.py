"""clean_organisation_name and acronym_in_parentheses on the carrier names the AMIF list prints."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amif_extract.normalize.names import acronym_in_parentheses, clean_organisation_name

# Carrier cells as the AMIF text prints them (tab padding dropped), with their clean form.
AMIF_CARRIERS: list[tuple[str, str]] = [
    ("<u>Jesuit Refugee</u>\nService Luxembourg (JRS)", "Jesuit Refugee Service Luxembourg (JRS)"),
    ("<u>Coopération</u> <u>Nord-Sud (CNS)</u>", "Coopération Nord-Sud (CNS)"),
    (
        "<u>CLAE services -</u>\nCentre de Liaison, d'Information et\nd'Aide pour les Associations issues\n"
        "de l'Immigration au Luxembourg",
        "CLAE services - Centre de Liaison, d'Information et d'Aide pour les Associations issues "
        "de l'Immigration au Luxembourg",
    ),
    (
        "<u>Croix-Rouge</u> <u>luxembourgeoise</u> – <u>Service LISKO</u>",
        "Croix-Rouge luxembourgeoise – Service LISKO",
    ),
    (" Mir wëllen iech \nons Heemecht weisen asbl", "Mir wëllen iech ons Heemecht weisen asbl"),
    ("Coopération\nNord-Sud a.s.b.l.", "Coopération Nord-Sud a.s.b.l."),
    (
        "<u>Association de</u>\nsoutien aux Travailleurs immigrés\n<u>a.s.b.l. (ASTI)</u>",
        "Association de soutien aux Travailleurs immigrés a.s.b.l. (ASTI)",
    ),
    (
        "- Porteur du projet : Organisation\ninternationale pour les Migrations\n<u>(OIM)</u>",
        "Organisation internationale pour les Migrations (OIM)",
    ),
    (
        "Porteur du projet : <u>Programmes</u> <u>d'Aide et de Développement</u> "
        "<u>destinés aux Enfants du Monde</u>\n(PADEM) -",
        "Programmes d'Aide et de Développement destinés aux Enfants du Monde (PADEM)",
    ),
    (
        "<u>Association</u> <u>Luxembourgeoise pour le Dialogue</u> interculturel (ALDIC)",
        "Association Luxembourgeoise pour le Dialogue interculturel (ALDIC)",
    ),
    (
        "<u>Excellenec for Integration and Development (EFID)</u>",
        "Excellenec for Integration and Development (EFID)",
    ),
    ("<u>One People ASBL</u>", "One People ASBL"),
]


@pytest.mark.parametrize(("printed", "clean"), AMIF_CARRIERS)
def test_clean_organisation_name_on_amif_carriers(printed: str, clean: str) -> None:
    assert clean_organisation_name(printed) == clean


def test_the_amif_carriers_are_printed_in_the_document(raw_dir: Path) -> None:
    lines = (raw_dir / "amif_projets_cofinances.txt").read_text(encoding="utf-8").splitlines()
    document = "\n".join(line.strip(" \t") for line in lines)
    for printed, _ in AMIF_CARRIERS:
        for part in printed.split("\n"):
            assert part.strip() in document, part


@pytest.mark.parametrize(
    ("printed", "clean"),
    [
        (
            "Organisation Internationale pour les Migrations ( OIM )",
            "Organisation Internationale pour les Migrations (OIM)",
        ),
        ("Coopération Nord-Sud a. s. b. l .", "Coopération Nord-Sud a.s.b.l."),
        ("Coopération Nord-Sud A.S.B.L", "Coopération Nord-Sud A.S.B.L"),
        ("Passerell  asbl", "Passerell asbl"),
        ("– SINGA -", "SINGA"),
        (": Passerell asbl", "Passerell asbl"),
        ("• Caritas Luxembourg ;", "Caritas Luxembourg"),
        ("Porteur de projet: SINGA", "SINGA"),
        ("Organisateurs : Ville de Differdange", "Ville de Differdange"),
        ("L’Office national de l’accueil", "L'Office national de l'accueil"),
        ("Office\u00a0national\u202fde l'accueil", "Office national de l'accueil"),
        ("**Ville d'Esch-sur-Alzette**", "Ville d'Esch-sur-Alzette"),
        ("Croix-\nRouge luxembourgeoise", "Croix-Rouge luxembourgeoise"),
        (
            "Association de soutien aux Travailleurs immigrés a.s.b.l.(ASTI)",
            "Association de soutien aux Travailleurs immigrés a.s.b.l. (ASTI)",
        ),
        ("Cafe\u0301 des langues", "Café des langues"),
        ("", ""),
        (" - ", ""),
    ],
)
def test_clean_organisation_name_edge_cases(printed: str, clean: str) -> None:
    """Synthetic: spacing, labels, bullets and encodings the AMIF list does not happen to print."""
    assert clean_organisation_name(printed) == clean


def test_cleaning_twice_changes_nothing() -> None:
    for printed, clean in AMIF_CARRIERS:
        assert clean_organisation_name(clean) == clean, printed


@pytest.mark.parametrize(
    ("name", "acronym"),
    [
        ("Organisation internationale pour les Migrations (OIM)", "OIM"),
        ("<u>Jesuit Refugee</u>\nService Luxembourg (JRS)", "JRS"),
        ("<u>Coopération</u> <u>Nord-Sud (CNS)</u>", "CNS"),
        ("Association Luxembourgeoise pour le Dialogue interculturel (ALDIC)", "ALDIC"),
        ("Excellenec for Integration and Development (EFID)", "EFID"),
        ("Association de soutien aux Travailleurs immigrés a.s.b.l. (ASTI)", "ASTI"),
        ("Organisation Internationale pour les Migrations ( OIM )", "OIM"),
        ("Croix-Rouge luxembourgeoise – Service LISKO", None),
        ("Mir wëllen iech ons Heemecht weisen asbl", None),
        ("Service (OIM) Luxembourg", None),
        ("Ville de Luxembourg (Luxembourg)", None),
        ("Phase (2)", None),
        ("", None),
    ],
)
def test_acronym_in_parentheses(name: str, acronym: str | None) -> None:
    assert acronym_in_parentheses(name) == acronym


_NAME_PIECES = [
    "(",
    ")",
    " ",
    "\n",
    "-",
    "–",
    ":",
    "a.",
    "s.",
    "b.",
    "l",
    "OIM",
    "’",
    "Porteur du projet",
    "asbl",
]


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text().filter(lambda text: not set(text) & set("<>*_")),
        st.lists(st.sampled_from(_NAME_PIECES), max_size=12).map("".join),
    )
)
def test_clean_names_stay_clean(printed: str) -> None:
    """Cleaning is idempotent; markup characters are left out because removing a tag can reveal another."""
    clean = clean_organisation_name(printed)
    assert clean_organisation_name(clean) == clean
    assert clean == clean.strip()
    assert "  " not in clean
