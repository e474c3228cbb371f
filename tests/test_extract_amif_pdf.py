"""The PDF extractor of the AMIF project list, on the published PDF and on a second layout of it.

`tests/fixtures/amif_projets_portrait.pdf` is the same table set anew by
`tests/fixtures/make_amif_portrait_pdf.py` (portrait, horizontal rules only, re-ordered and reworded
headers, another font, other amount formats, amounts wrapping in narrow cells).
`tests/fixtures/amif_table_data.py` holds the table as read from the ruled original by pdfplumber's
own line-based table finder, an oracle independent of the extractor.
"""

from __future__ import annotations

import pickle
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from amif_extract.errors import InputError
from amif_extract.extract.amif_pdf import (
    PdfTableSettings,
    assemble_amif_rows,
    extract_amif_pdf,
    join_amount_fragments,
    looks_like_amif_pdf,
    match_header_label,
    parse_first_cell,
    pdf_page_count,
    read_page_layout,
)
from amif_extract.normalize.amounts import parse_amount
from amif_extract.normalize.periods import parse_period
from amif_extract.records import AMOUNT_COLUMNS, AmifExtraction, AmifRow
from amif_extract.textclean import clean_cell_text

FIXTURES = Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(FIXTURES))

from amif_table_data import AMIF_ROWS  # noqa: E402

PORTRAIT = FIXTURES / "amif_projets_portrait.pdf"


@pytest.fixture(scope="module")
def original_pdf(raw_dir: Path) -> Path:
    return raw_dir / "amif_projets_cofinances.pdf"


@pytest.fixture(scope="module")
def original(original_pdf: Path) -> AmifExtraction:
    return extract_amif_pdf(original_pdf)


@pytest.fixture(scope="module")
def portrait() -> AmifExtraction:
    return extract_amif_pdf(PORTRAIT)


def row_titled(extraction: AmifExtraction, title: str) -> AmifRow:
    matches = [row for row in extraction.rows if row.title == title]
    assert len(matches) == 1, f"{len(matches)} rows titled {title!r}"
    return matches[0]


# --- The published PDF ----------------------------------------------------------------------------


def test_original_has_38_rows_in_three_sections(original: AmifExtraction) -> None:
    assert len(original.rows) == 38
    assert original.findings == []
    sections = [(row.specific_objective, row.specific_objective_label) for row in original.rows]
    assert sections[:13] == [(1, "Régime d'asile européen commun")] * 13
    assert sections[13:31] == [(2, "Migration légale et intégration")] * 18
    assert sections[31:] == [(3, "Renvoyer")] * 7
    assert original.source_file == "amif_projets_cofinances.pdf"


PINNED_ROWS = [
    # (index, title, carrier, procedure, action, period, (eu, national, other public, private, total), page)
    (0, "Ateliers autour de la naissance", "Initiativ Liewensufank", "Appel 2022", "",
     "01/01/2023- 31/12/2023", ("94 092.97€", "31 364.32€", "", "", "125 457.29€"), 1),
    (1, "Motirõ", "Jesuit Refugee Service Luxembourg (JRS)", "Appel 2022", "",
     "01/01/2023- 31/12/2024", ("60 000.00€", "20 000.00€", "25 395.00€", "", "105 395.00€"), 1),
    (2, "Chrysalis", "Coopération Nord-Sud a.s.b.l.", "Appel 2022", "",
     "01/01/2023- 31/12/2024", ("82 475.73€", "27 491.91€", "", "", "109 967.64€"), 1),
    (4, "Inclusion +", "SINGA", "Appel 2023", "A.3",
     "01/01/2024- 31/12/2025", ("135.000€", "45.000€", "14.321€", "", "194.321€"), 2),
    (5, "Accompagnement Personnalisé pour l'Emploi dans les Structures d'accueil (APES)",
     "Coopération Nord-Sud (CNS)", "Appel 2023", "A.3",
     "01/01/2024- 31/12/2025", ("120.000€", "40.000€", "", "", "160.000€"), 2),
    (7, "Coup de pouce vers l'autonomie", "Femmes en détresse", "Appel Mai 2024", "",
     "01/02/2025- 31/01/2029", ("262 335.00€", "87 446€", "", "", "349 781.00€"), 3),
    (13, "Programmes d'Aide et de développement destinés aux enfants du monde",
     "Programmes d'Aide et de Développement destinés aux Enfants du Monde (PADEM)", "Appel 2022", "",
     "01/01/2023- 31/12/2024", ("44 685.68€", "14 895.22€", "19 899€", "", "79 479.90 €"), 5),
    (14, "Stéréotypes ethno-raciaux et stéréotypisation dans le milieu de la santé",
     "Luxembourg multi-LEARN Institute asbl", "Appel 2022", "",
     "01/01/2023- 31/12/2024", ("63 355.54€", "21 118.52 €", "", "", "84 474.06€"), 5),
    (19, "Workshop Road4Refugee", "Croix-Rouge luxembourgeoise – Service LISKO", "Appel 2023", "B.1",
     "01/01/2024- 31/12/2025", ("150.974,15€", "16.774,91€", "", "", "167.749,06€"), 7),
    (21, "Black History Month Luxembourg (BHM)", "One People ASBL", "Appel 2023", "B.2",
     "01/01/2024- 31/12/2024", ("44.899,88€", "14.966,62€", "", "", "59.866,5€"), 7),
    (26, "Renforcer le Vivre Ensemble à travers l'Interculturalité et la Lutte contre le Racisme et les "
     "Discriminations (REVEIL)", "Organisation internationale pour les Migrations (OIM)",
     "Appel Octobre 2024", "",
     "01/01/2025- 31/12/2028", ("1 357 950.00€", "452 650.00€", "", "", "1 810 600.00€"), 9),
    (27, "COMM1 CLAE",
     "CLAE services - Centre de Liaison, d'Information et d'Aide pour les Associations issues "
     "de l'Immigration au Luxembourg", "Attribution directe", "",
     "01/01/2025- 31/12/2028", ("651 902.85€", "72 433.65€", "", "", "724 336.50€"), 9),
    (34, "Renforcer la protection des mineurs non-accompagnés au Luxembourg : vers une mise en œuvre de "
     "l'évaluation familiale", "Organisation Internationale pour les Migrations (OIM)", "Appel 2021", "",
     "01/01/2022- 31/12/2024", ("61 719.59€", "20 573.20€", "", "", "82 292.79€"), 12),
    (37, "Organisation et exécution de retour forcés", "Direction de l'immigration",
     "Attribution directe", "",
     "01/01/2021- 31/12/2029", ("923 799,91 €", "307 933,30 €", "", "", "1 218 327.29 €"), 12),
]  # fmt: skip


@pytest.mark.parametrize(
    ("index", "title", "carrier", "procedure", "action", "period", "amounts", "page"), PINNED_ROWS
)
def test_original_row_as_printed(
    original: AmifExtraction,
    index: int,
    title: str,
    carrier: str,
    procedure: str,
    action: str,
    period: str,
    amounts: tuple[str, ...],
    page: int,
) -> None:
    row = original.rows[index]
    assert (row.title, row.carrier_raw, row.procedure_raw, row.action_code) == (
        title,
        carrier,
        procedure,
        action,
    )
    assert row.period_raw == period
    assert row.amounts_raw == dict(zip(AMOUNT_COLUMNS, amounts, strict=True))
    assert row.location.file == "amif_projets_cofinances.pdf"
    assert row.location.page == page


def test_original_row_location_is_the_first_cell(original: AmifExtraction) -> None:
    """Ateliers autour de la naissance: first cell of the first row under the section row, page 1."""
    x0, top, x1, bottom = original.rows[0].location.bbox or (0, 0, 0, 0)
    assert x0 == pytest.approx(40, abs=1.5)
    assert top == pytest.approx(208.5, abs=1.5)  # the rule under the shaded section row
    assert 180 < x1 < 261  # inside the gap between the title text and the period column
    assert bottom == pytest.approx(243.3, abs=1.5)  # the rule above "Résumé du projet"


def test_original_matches_the_ruled_table_oracle(original: AmifExtraction) -> None:
    """Every field of all 38 rows equals pdfplumber's lattice reading of the ruled original."""
    for row, expected in zip(original.rows, AMIF_ROWS, strict=True):
        assert row.title == expected["title"]
        assert row.specific_objective == expected["specific_objective"]
        assert row.carrier_raw == expected["carrier"]
        assert row.procedure_raw == expected["procedure"]
        assert row.action_code == expected["action"]
        assert row.period_raw == expected["period"]
        assert row.amounts_raw == {key: expected[key] for key in AMOUNT_COLUMNS}
        assert row.summary == "\n".join(clean_cell_text(p) for p in expected["summary"]), row.title
        assert row.location.page == expected["page"]


def test_original_rows_and_summaries_stitched_over_page_breaks(original: AmifExtraction) -> None:
    stitches = {
        (row.title, finding.location.page, finding.message.split(" ")[0])
        for row in original.rows
        for finding in row.findings
        if finding.code == "page_stitch"
    }
    assert stitches == {
        ("Racines", 3, "summary"),
        ("Projet Parentalité ALUPSE", 4, "summary"),
        ("Formation des agents du service du Service réfugiés", 5, "summary"),
        ("Renforcer l'Intégration des Demandeurs d'asile vulnérables sur le marché du travail au "
         "Luxembourg : résultats d'un essai contrôlé randomisé", 9, "summary"),
        ("Organisation et exécution de retour forcés", 13, "summary"),
        ("Crafted Pathways", 7, "row"),
        ("COMM1 ASTI", 10, "row"),
        ("Assistance au retour volontaire et à la réintégration depuis le Grand-duché du Luxembourg "
         "— janvier à décembre 2021", 11, "row"),
        ("L'évaluation familiale des mineurs non accompagnés au Luxembourg", 12, "row"),
    }  # fmt: skip
    crafted = row_titled(original, "Crafted Pathways")  # procedure and action printed on page 7
    assert (crafted.procedure_raw, crafted.action_code, crafted.location.page) == ("Appel 2023", "B.1", 6)
    asti = row_titled(original, "COMM1 ASTI")  # carrier broken over pages 9 and 10
    assert asti.carrier_raw == "Association de soutien aux Travailleurs immigrés a.s.b.l. (ASTI)"
    # The paragraph on page 5 stays a paragraph of its own after the page break.
    agents = row_titled(original, "Formation des agents du service du Service réfugiés")
    assert agents.summary.split("\n")[-1].startswith(
        "Les dépenses afférentes susceptibles d'un cofinancement"
    )
    assert agents.summary.split("\n")[-2].endswith(
        "fait partie des tâches inhérentes de la Direction de l'Immigration."
    )
    stitched_bbox = next(f.location.bbox for f in crafted.findings if f.code == "page_stitch")
    assert stitched_bbox is not None and stitched_bbox[0] == pytest.approx(40, abs=1.5)


def test_original_empty_cells_and_reduced_rows(original: AmifExtraction) -> None:
    assert all(row.amounts_raw["private_share"] == "" for row in original.rows)
    refonte = original.rows[11]
    assert refonte.title == (
        "Refonte et migration des systèmes de gestion relatifs à l'accueil des demandeurs de protection "
        "internationale"
    )
    assert (refonte.carrier_raw, refonte.procedure_raw, refonte.action_code) == ("", "", "")
    assert refonte.period_raw == "01/11/2022- 31/12/2026"
    assert refonte.amounts_raw["total_cost"] == "815 823.00€"
    assert refonte.summary.startswith("L'objet du projet « Refonte et migration des systèmes de gestion")
    construire = original.rows[16]
    assert construire.title == "Construire ensemble une société forte et inclusive"
    assert (construire.carrier_raw, construire.procedure_raw) == ("", "Appel 2022")
    assert construire.period_raw == ""
    assert set(construire.amounts_raw.values()) == {""}
    assert construire.summary.startswith(
        "L'objectif principal du projet « Construire ensemble une société forte"
    )


def test_original_summaries_drop_the_label_and_keep_paragraphs(original: AmifExtraction) -> None:
    motiro = original.rows[1].summary.split("\n")
    assert len(motiro) == 3
    assert motiro[0].startswith("Dans un contexte majeur de crise migratoire")
    assert motiro[2].endswith("pour les motiver à donner le meilleur d'eux-mêmes.")
    assert not any("Résumé du projet" in row.summary for row in original.rows)
    zougang = original.rows[3].summary  # *fënster* emphasis markup removed like every cell
    assert "l'outil fënster, plateforme numérique" in zougang


def test_selected_pages_and_picklable_page_layouts(original_pdf: Path, original: AmifExtraction) -> None:
    layout = read_page_layout(original_pdf, 2)
    assert pickle.loads(pickle.dumps(layout)) == layout
    assert layout.page_number == 2 and layout.width > layout.height  # landscape
    page_one = read_page_layout(original_pdf, 1)
    first_two = assemble_amif_rows([page_one, layout], "amif_projets_cofinances.pdf")
    assert [row.title for row in first_two.rows] == [row.title for row in original.rows[:7]]
    assert first_two.rows[6].summary != original.rows[6].summary  # Racines' summary runs on to page 3
    subset = extract_amif_pdf(original_pdf, page_numbers=[12, 13])
    assert [row.title for row in subset.rows] == [row.title for row in original.rows[34:]]
    assert subset.rows[0].specific_objective == 0  # the section row is on page 10
    assert subset.rows[0].findings[0].code == "missing_value"
    # Page 12 opens inside a row: its rest and its summary belong to no row read.
    assert [(f.code, f.location.page) for f in subset.findings] == [("unreadable_row", 12)] * 2
    assert subset.findings[0].value.startswith("- Porteur du projet : Organisation Internationale")


def test_words_of_a_page_share_equal_values(original_pdf: Path) -> None:
    # A long PDF's layouts are all held until assembly: equal tops, sizes and texts are one object.
    words = read_page_layout(original_pdf, 2).words
    tops = {word.top for word in words}
    assert len({id(word.top) for word in words}) == len(tops) < len(words) / 4
    assert len({id(word.size) for word in words}) == len({word.size for word in words})
    articles = [word.text for word in words if word.text == "des"]
    assert len(articles) == 13 and len({id(text) for text in articles}) == 1


def test_page_count_and_kind_check(original_pdf: Path) -> None:
    assert pdf_page_count(original_pdf) == 13
    assert looks_like_amif_pdf(original_pdf)
    assert looks_like_amif_pdf(PORTRAIT)


# --- The second layout -----------------------------------------------------------------------------


def test_portrait_layout_reads_the_same_rows(original: AmifExtraction, portrait: AmifExtraction) -> None:
    assert len(portrait.rows) == 38
    assert portrait.findings == []
    for mine, theirs in zip(original.rows, portrait.rows, strict=True):
        assert (theirs.specific_objective, theirs.specific_objective_label) == (
            mine.specific_objective,
            mine.specific_objective_label,
        )
        assert (theirs.title, theirs.carrier_raw, theirs.procedure_raw, theirs.action_code) == (
            mine.title,
            mine.carrier_raw,
            mine.procedure_raw,
            mine.action_code,
        )
        if mine.period_raw:
            assert parse_period(theirs.period_raw) == parse_period(mine.period_raw), mine.title
        else:
            assert theirs.period_raw == ""
        for key in AMOUNT_COLUMNS:
            assert parse_amount(theirs.amounts_raw[key] or None) == parse_amount(
                mine.amounts_raw[key] or None
            ), (
                mine.title,
                key,
            )
        # Paragraph breaks are not compared: reportlab leaves the last line before a split short.
        assert "".join(theirs.summary.split()) == "".join(mine.summary.split()), mine.title


def test_portrait_wrapped_amounts_are_joined_with_a_finding(portrait: AmifExtraction) -> None:
    inclusion = row_titled(portrait, "Inclusion +")
    assert inclusion.amounts_raw["other_public_share"] == "EUR 14 321.00"
    repaired = {f.column: f for f in inclusion.findings if f.code == "repaired_value"}
    assert repaired["other_public_share"].value == "EUR 14 | 321.00"
    assert repaired["other_public_share"].repaired == "EUR 14 321.00"
    assert repaired["other_public_share"].rule == "wrapped_amount_joined"
    assert repaired["other_public_share"].location.page == inclusion.location.page == 1
    forced = row_titled(portrait, "Organisation et exécution de retour forcés")
    assert forced.amounts_raw["total_cost"] == "1.218.327,29 €"  # cut inside the number by the layout tool
    assert parse_amount(forced.amounts_raw["total_cost"]) == Decimal("1218327.29")
    assert forced.amounts_raw["eu_share"] == "923.799,91 €"  # "923.799,91" / "€"
    assert forced.location.file == "amif_projets_portrait.pdf" and forced.location.page == 9


def test_portrait_period_on_three_lines_and_stitched_summary(portrait: AmifExtraction) -> None:
    assert portrait.rows[0].period_raw == "01/01/2023 – 31/12/2023"
    clae = row_titled(portrait, "COMM1 CLAE")
    assert [(f.code, f.location.page) for f in clae.findings if f.code == "page_stitch"] == [
        ("page_stitch", 7)
    ]


# --- Smaller parts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "column"),
    [
        ("Projet", "title"),
        ("Intitulé du projet / porteur", "title"),
        ("Période de cofinancement", "period"),
        ("Durée", "period"),
        ("Part UE (€)", "eu_share"),
        ("PART UE", "eu_share"),
        ("Part de l'Union (€)", "eu_share"),
        ("EU share", "eu_share"),
        ("Part nationale (€)", "national_share"),
        ("Autre part publique (€)", "other_public_share"),
        ("Autres fonds publics", "other_public_share"),
        ("Part privée (€)", "private_share"),
        ("Part privee", "private_share"),
        ("Total (€)", "total_cost"),
        ("Coût total", "total_cost"),
        ("Résumé", None),
        ("Part", None),
    ],
)
def test_header_labels_match_loosely(label: str, column: str | None) -> None:
    assert match_header_label(label) == column


def test_first_cell_items_and_continuations() -> None:
    """Lines as printed in the Workshop Road4Refugee cell (page 7): a carrier line starting with a dash."""
    parsed = parse_first_cell(
        [
            "Workshop Road4Refugee",
            "- Porteur du projet : Croix-Rouge luxembourgeoise",
            "– Service LISKO",
            "- Procédure de sélection : Appel 2023",
            "- Action B.1. (OS2)",
        ]
    )
    assert parsed == {
        "title": "Workshop Road4Refugee",
        "carrier": "Croix-Rouge luxembourgeoise – Service LISKO",
        "procedure": "Appel 2023",
        "action": "B.1",
    }


@pytest.mark.parametrize(
    ("fragments", "joined"),
    [
        (["EUR 14", "321.00"], "EUR 14 321.00"),
        (["135.000,00", "€"], "135.000,00 €"),
        (["1.218.327,2", "9 €"], "1.218.327,29 €"),
        (["1 229", "968.07€"], "1 229 968.07€"),
        (["94 092.97€"], "94 092.97€"),
    ],
)
def test_wrapped_amount_fragments_join(fragments: list[str], joined: str) -> None:
    assert join_amount_fragments(fragments) == joined


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"min_header_columns": 0}, "min_header_columns"),
        ({"min_header_columns": 8}, "min_header_columns"),
        ({"x_tolerance": -1}, "x_tolerance"),
        ({"line_tolerance": 0}, "line_tolerance"),
        ({"rule_min_width_ratio": 1.5}, "rule_min_width_ratio"),
        ({"header_max_lines": 2.5}, "header_max_lines"),
        ({"paragraph_extra_gap": True}, "paragraph_extra_gap"),
    ],
)
def test_settings_name_the_wrong_setting(changes: dict[str, object], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        PdfTableSettings(**changes)  # type: ignore[arg-type]


# --- Files that cannot be used -----------------------------------------------------------------------


def _encrypted_copy(original_pdf: Path, target: Path) -> Path:
    writer = PdfWriter()
    for page in PdfReader(original_pdf).pages[:2]:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner")
    with target.open("wb") as handle:
        writer.write(handle)
    return target


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        ("encrypted", "PDF is encrypted and needs a password"),
        ("truncated", "PDF is truncated or damaged"),
        ("empty", "file is empty"),
        ("text", "not a PDF file"),
        ("missing", "file not found"),
    ],
)
def test_unusable_pdfs_raise_input_error_naming_the_file(
    original_pdf: Path, tmp_path: Path, make: str, reason: str
) -> None:
    target = tmp_path / f"{make}.pdf"
    if make == "encrypted":
        _encrypted_copy(original_pdf, target)
    elif make == "truncated":
        data = original_pdf.read_bytes()
        target.write_bytes(data[: len(data) // 2])
    elif make == "empty":
        target.write_bytes(b"")
    elif make == "text":
        target.write_text("Projet\tPériode\tPart UE (€)\tTotal (€)\n", encoding="utf-8")
    for read in (extract_amif_pdf, looks_like_amif_pdf, pdf_page_count):
        with pytest.raises(InputError) as caught:
            read(target)
        assert str(caught.value).startswith(f"{target}: {reason}")
        assert "\n" not in str(caught.value)


def test_pdf_without_the_table(tmp_path: Path) -> None:
    """Synthetic: a readable one-page PDF of prose, which no AMIF header row opens."""
    target = tmp_path / "prose.pdf"
    canvas = Canvas(str(target), pagesize=A4, invariant=1)
    canvas.drawString(72, 760, "Rapport annuel : le projet a commencé en 2023 ; total des dépenses 1 000 €.")
    canvas.save()
    assert not looks_like_amif_pdf(target)
    with pytest.raises(InputError, match="no AMIF table found") as caught:
        extract_amif_pdf(target)
    assert caught.value.path == str(target)
