"""Steps of the AMIF PDF reader that decide by structure and by the profile's labels, one by one.

Small synthetic lines: the published documents have no page furniture and one wording per label,
so these cases (page numbers, re-worded labels) come from the next editions the issue describes.
"""

from __future__ import annotations

import pytest

from amif_extract.extract.amif_pdf import (
    PageWord,
    PdfTableSettings,
    TextLine,
    amif_labels,
    drop_page_furniture,
    join_period_fragments,
    match_header_label,
    repeated_lines,
    row_item,
    section_of,
    summary_label_length,
    unknown_items,
)

SETTINGS = PdfTableSettings()
LABELS = amif_labels()


def line(text: str, top: float, x0: float = 40.0, size: float = 8.0) -> TextLine:
    words, x = [], x0
    for word in text.split():
        words.append(PageWord(word, x, x + 4.5 * len(word), top, top + size, size))
        x += 4.5 * len(word) + 2.5
    return TextLine(tuple(words))


@pytest.mark.parametrize("number", ["- 10 -", "Page 3 / 9", "3/48", "12", "Page 4", "3 sur 9"])
def test_a_page_number_set_apart_at_the_foot_is_dropped(number: str) -> None:
    page = [
        line("Ateliers autour de la naissance 01/01/2023", 100),
        line("Porteur : SINGA", 110),
        line(number, 800),
    ]
    assert [kept.text for kept in drop_page_furniture(page, set(), SETTINGS)] == [
        "Ateliers autour de la naissance 01/01/2023",
        "Porteur : SINGA",
    ]


def test_a_number_close_under_the_text_is_table_text() -> None:
    """A lone "135" right under the line above is the rest of a wrapped cell, not a page number."""
    page = [line("Chrysalis 01/01/2023", 100), line("135", 109.5)]
    assert len(drop_page_furniture(page, set(), SETTINGS)) == 2


def test_running_lines_repeat_at_the_same_place_digits_aside() -> None:
    titles = ["Chrysalis", "Motirõ", "Zougang", "Racines"]
    pages = [
        [line("AMIF – liste des projets", 20), line(title, 60), line(f"Édition 2026 · page {n}", 820)]
        for n, title in enumerate(titles, start=1)
    ]
    repeated = repeated_lines(pages, SETTINGS)
    kept = [[kept.text for kept in drop_page_furniture(page, repeated, SETTINGS)] for page in pages]
    assert kept == [[title] for title in titles]


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("• Bénéficiaire : Initiativ Liewensufank", ("carrier", "Initiativ Liewensufank")),
        ("Organisme porteur: SINGA", ("carrier", "SINGA")),
        ("- Porteur du projet : One People ASBL", ("carrier", "One People ASBL")),
        ("– Mode de sélection: Appel 2023", ("procedure", "Appel 2023")),
        ("Action : B.1", ("action", "B.1")),
        ("• Action A.3 (OS1)", ("action", "A.3")),
        # A title may begin with a label's word: without a bullet, only "Label :" is an item.
        ("Bénéficiaires de protection internationale et emploi", None),
        ("Action pour l'intégration", None),
    ],
)
def test_row_items_come_from_the_profile(text: str, item: tuple[str, str] | None) -> None:
    assert row_item(text, LABELS) == item


def test_an_item_label_the_profile_does_not_know_is_reported() -> None:
    cell = ["Zougang", "• Organisation porteuse : ASTI", "Luxembourg : vers une mise en œuvre"]
    assert unknown_items(cell, LABELS) == ["• Organisation porteuse : ASTI"]
    # A wrapped name after a dash is not an item.
    assert unknown_items(["Workshop", "- Porteur du projet : Croix-Rouge", "– Service LISKO"], LABELS) == []


@pytest.mark.parametrize(
    ("text", "section"),
    [
        ('Objectif spécifique 1 "Régime d\'asile européen commun"', (1, "Régime d'asile européen commun")),
        (
            "Objectif spécifique n° 2 – Migration légale et intégration",
            (2, "Migration légale et intégration"),
        ),
        ("Specific objective 3 : Renvoyer", (3, "Renvoyer")),
        ("Objectif spécifique de la convention", None),
    ],
)
def test_sections_by_label_and_number(text: str, section: tuple[int, str] | None) -> None:
    assert section_of(text, LABELS) == section


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Résumé du projet: Le projet vise", "Résumé du projet:"),
        ("Résumé : Le projet vise", "Résumé :"),
        ("Description", "Description"),
        ("Description des besoins des résidents", ""),
        ("Résumés annuels", ""),
    ],
)
def test_summary_labels_end_in_a_colon_or_stand_alone(text: str, label: str) -> None:
    assert text[: summary_label_length(text, LABELS)].strip() == label


@pytest.mark.parametrize(
    ("label", "column"),
    [
        ("Contribution UE (€)", "eu_share"),
        ("Contributi on nationale (€)", "national_share"),  # a narrow cell broke the word
        ("Autres financements publics en euros", "other_public_share"),
        ("Coût total", "total_cost"),
        ("Coût global", None),
    ],
)
def test_header_labels_from_the_profile(label: str, column: str | None) -> None:
    assert match_header_label(label, LABELS) == column


@pytest.mark.parametrize(
    ("fragments", "joined", "repaired"),
    [
        # A narrow period cell cut the ISO dates inside.
        (["2023-01-0", "1 / 2024-1", "2-31"], "2023-01-01 / 2024-12-31", True),
        # Lines broken at a space keep it (the published list's own periods).
        (["01/01/2023-", "31/12/2023"], "01/01/2023- 31/12/2023", False),
        (["du 01/01/2023", "au 31/12/2023"], "du 01/01/2023 au 31/12/2023", False),
        (["2023-01-01 /", "2024-12-31"], "2023-01-01 / 2024-12-31", False),
    ],
)
def test_period_lines_join(fragments: list[str], joined: str, repaired: bool) -> None:
    assert join_period_fragments(fragments) == (joined, repaired)
