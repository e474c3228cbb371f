"""Plausible next PDF editions of the AMIF project list, each with the table it must give.

A seeded generator for metamorphic tests: it takes the 38 projects of the published list
(`tests/fixtures/amif_table_data.py`, read from the original independently of the extractor) and
lays out a new edition the way another ministry tool might, changing at random:

- the labels: column headers, carrier, procedure, action, summary and section labels, re-worded
  from the `amif_table` profile's spellings and, now and then, beyond them (a wording the profile
  does not know must then give an error finding, never a silent misreading);
- the content: projects dropped, rows reordered inside their section, sections reordered,
  summaries dropped, amounts and periods printed in other forms;
- the layout: page size and orientation, margins, font and size, line spacing, column order and
  widths, rulings (full grid, horizontal rules only, none, zebra shading), header row repeated on
  every page or not, rows and cells split across pages, page furniture (running header, edition
  line, page numbers as ``- 3 -``, ``Page 3 / 9``, ``3/9`` or ``3``).

The expected `amif_projects` rows follow from the same choices: which projects, in which order,
with which summary, and the values the original prints (amounts and dates as values, so that a
reprinted form must read back to the same number). Every choice is recorded in
`Edition.description`, so a failing seed says what it varied.
"""

from __future__ import annotations

import dataclasses
import random
import sys
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape, letter, portrait
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from amif_extract.normalize.amounts import parse_amount
from amif_extract.normalize.periods import parse_period
from amif_extract.profiles import load_profile
from amif_extract.textclean import clean_cell_text

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
sys.path.insert(0, str(FIXTURES))

from amif_table_data import AMIF_ROWS  # noqa: E402

AMOUNT_KEYS = ("eu_share", "national_share", "other_public_share", "private_share", "total_cost")
VALUE_KEYS = ("period", *AMOUNT_KEYS)

pdfmetrics.registerFont(TTFont("Vera", "Vera.ttf"))
pdfmetrics.registerFont(TTFont("VeraBd", "VeraBd.ttf"))
# (regular, bold): an embedded TrueType font and two of the PDF standard fonts (WinAnsi, which has
# every character the list prints: œ, €, «, –, •).
FONTS = (("Vera", "VeraBd"), ("Helvetica", "Helvetica-Bold"), ("Times-Roman", "Times-Bold"))

# Header wordings the profile knows, decorated the ways tables print a currency.
HEADER_WORDINGS = {
    "title": ["Projet", "Intitulé du projet", "Projet / porteur", "Intitulé"],
    "period": ["Période", "Période de cofinancement", "Durée", "Dates"],
    "eu_share": ["Part UE", "Part de l'Union", "Contribution UE", "Cofinancement UE", "Part AMIF"],
    "national_share": ["Part nationale", "Contribution nationale", "Cofinancement national"],
    "other_public_share": ["Autre part publique", "Autres fonds publics", "Autres financements publics"],
    "private_share": ["Part privée", "Fonds privés", "Contribution privée"],
    "total_cost": ["Total", "Coût total", "Montant total", "Budget total"],
}
CURRENCY_SUFFIXES = ("", " (€)", " (EUR)", " en euros")
# Wordings beyond the profile: an edition using one must be loud (an error finding).
UNKNOWN_HEADERS = {
    "eu_share": "Financement européen",
    "national_share": "Apport de l'État",
    "total_cost": "Coût global",
    "private_share": "Mécénat",
}
UNKNOWN_ITEM_LABELS = {"carrier": "Organisation porteuse", "procedure": "Type d'appel"}
UNKNOWN_SUMMARY_LABEL = "Synthèse"
BULLETS = ("• ", "- ", "– ", "")
SECTION_FORMS = ("{label} {number} « {name} »", "{label} {number} : {name}", "{label} n° {number} – {name}")
RUNNING_HEADERS = (
    "Fonds Asile, Migration et Intégration – projets cofinancés au Luxembourg",
    "AMIF 2021-2027 · Liste des projets",
    "Ministère de la Famille, des Solidarités, du Vivre ensemble et de l'Accueil",
)
PAGE_NUMBER_FORMS = ("- {page} -", "Page {page} / {pages}", "{page}/{pages}", "{page}", "Page {page}")
INTRO = (
    "Liste des projets cofinancés par le Fonds Asile, Migration et Intégration (AMIF) au Luxembourg. "
    "Pour toute question : amif@fm.etat.lu."
)


@dataclass
class Edition:
    """One generated edition: its PDF, the rows it must give, and what was varied."""

    seed: int
    pdf: Path
    expected: list[dict[str, Any]]
    description: dict[str, Any] = field(default_factory=dict)
    # A label beyond the profile was printed: the edition must be loud, not exact.
    unknown_label: str = ""


# --- Values and their printed forms ---------------------------------------------------------------


def _grouped(value: Decimal, separator: str) -> tuple[str, str]:
    whole, _, cents = f"{value:.2f}".partition(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return separator.join(groups), cents


def print_amount(value: Decimal, form: str) -> str:
    """An amount in one of the forms tables print: `94 092,97 €`, `EUR 94,092.97`, `94092,97€`..."""
    if form == "fr_space":
        whole, cents = _grouped(value, " ")
        return f"{whole},{cents} €"
    if form == "fr_dot":
        whole, cents = _grouped(value, ".")
        return f"{whole},{cents} €"
    if form == "en_prefix":
        whole, cents = _grouped(value, ",")
        return f"EUR {whole}.{cents}"
    if form == "compact":
        whole, cents = _grouped(value, "")
        return f"{whole},{cents}€"
    if form == "en_suffix":
        whole, cents = _grouped(value, " ")
        return f"{whole}.{cents} EUR"
    if form == "whole_euros":
        whole, cents = _grouped(value, " ")
        return f"{whole} €" if cents == "00" else f"{whole},{cents} €"
    raise ValueError(form)


AMOUNT_FORMS = ("fr_space", "fr_dot", "en_prefix", "compact", "en_suffix", "whole_euros")


def print_period(start: date, end: date, form: str) -> str:
    if form == "slash_dash":
        return f"{start:%d/%m/%Y} – {end:%d/%m/%Y}"
    if form == "dots":
        return f"{start:%d.%m.%Y} - {end:%d.%m.%Y}"
    if form == "du_au":
        return f"du {start:%d/%m/%Y} au {end:%d/%m/%Y}"
    if form == "iso":
        return f"{start:%Y-%m-%d} / {end:%Y-%m-%d}"
    raise ValueError(form)


PERIOD_FORMS = ("slash_dash", "dots", "du_au", "iso")


def project_values(row: dict[str, Any]) -> dict[str, Any]:
    """The values the original prints for one project (amounts and dates parsed, texts as printed)."""
    start, end = parse_period(row["period"]) if row["period"] else (None, None)
    return {
        "specific_objective": row["specific_objective"],
        "specific_objective_label": row["specific_objective_label"],
        "title": clean_cell_text(row["title"]),
        "carrier_raw": clean_cell_text(row["carrier"]),
        "procedure_raw": clean_cell_text(row["procedure"]),
        "action_code": row["action"],
        "start_date": start,
        "end_date": end,
        **{key: parse_amount(row[key]) for key in AMOUNT_KEYS},
        "summary": "\n".join(clean_cell_text(paragraph) for paragraph in row["summary"]),
    }


# --- The edition's choices -------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    page_size: tuple[float, float]
    margin: float
    font: tuple[str, str]
    size: float
    leading: float
    padding: float
    ruling: str  # grid | horizontal | none | zebra
    repeat_header: bool
    split_rows: bool
    valign: str
    column_order: tuple[str, ...]
    title_share: float
    headers: dict[str, str]
    furniture: tuple[str, str, str]  # running header, page number form, edition line ("" = none)
    intro: bool


@dataclass(frozen=True)
class Wording:
    carrier: str
    procedure: str
    summary: str  # "" = no label
    summary_label_alone: bool  # the label on its own line above the text
    section_label: str
    section_form: str
    bullet: str
    item_separator: str
    action_form: str
    amount_form: str
    period_form: str


def _choose_layout(rng: random.Random, unknown: dict[str, str]) -> Layout:
    size_name = rng.choice(("A4", "letter"))
    base = A4 if size_name == "A4" else letter
    page_size = landscape(base) if rng.random() < 0.4 else portrait(base)
    amounts = list(AMOUNT_KEYS)
    rng.shuffle(amounts)
    order = ["title", "period", *amounts] if rng.random() < 0.6 else ["title", *amounts, "period"]
    headers = {
        key: unknown.get(key)
        or rng.choice(HEADER_WORDINGS[key]) + (rng.choice(CURRENCY_SUFFIXES) if key in AMOUNT_KEYS else "")
        for key in order
    }
    furniture = (
        rng.choice(RUNNING_HEADERS) if rng.random() < 0.7 else "",
        rng.choice(PAGE_NUMBER_FORMS) if rng.random() < 0.85 else "",
        "Édition 2026 – mise à jour du 15/03/2026" if rng.random() < 0.3 else "",
    )
    size = rng.choice((6.5, 7.0, 7.5, 8.0))
    split_rows = rng.random() < 0.7
    valign = rng.choice(("TOP", "TOP", "TOP", "MIDDLE"))
    # reportlab overprints the repeated header on the rest of a split middle-aligned row: no
    # producer would publish that, so middle alignment comes only with rows kept whole.
    valign = "TOP" if split_rows else valign
    return Layout(
        page_size=page_size,
        margin=rng.choice((28.0, 36.0, 45.0)),
        font=rng.choice(FONTS),
        size=size,
        leading=round(size * rng.uniform(1.12, 1.3), 2),
        padding=rng.choice((3.0, 4.0, 5.0)),
        ruling=rng.choice(("grid", "horizontal", "none", "zebra")),
        repeat_header=rng.random() < 0.6,
        split_rows=split_rows,
        valign=valign,
        column_order=tuple(order),
        title_share=rng.uniform(0.3, 0.4),
        headers=headers,
        furniture=furniture,
        intro=rng.random() < 0.5,
    )


def _choose_wording(rng: random.Random, unknown: dict[str, str]) -> Wording:
    profile = load_profile("amif_table")
    summary = unknown.get("summary") or rng.choice([*profile.spellings("summary"), ""])
    return Wording(
        carrier=unknown.get("carrier") or rng.choice(profile.spellings("carrier")),
        procedure=unknown.get("procedure") or rng.choice(profile.spellings("procedure")),
        summary=summary,
        summary_label_alone=bool(summary) and rng.random() < 0.3,
        section_label=rng.choice([*profile.spellings("section")[:1] * 3, *profile.spellings("section")]),
        section_form=rng.choice(SECTION_FORMS),
        bullet=rng.choice(BULLETS),
        item_separator=rng.choice((" : ", ": ")),
        action_form=rng.choice(("Action {code} (OS{section})", "Action {code}", "Action : {code}")),
        amount_form=rng.choice(AMOUNT_FORMS),
        period_form=rng.choice(PERIOD_FORMS),
    )


def _unknown_labels(rng: random.Random) -> dict[str, str]:
    """Now and then one label printed in a wording the profile does not know."""
    if rng.random() >= 0.12:
        return {}
    choice = rng.choice(("header", "item", "summary"))
    if choice == "header":
        key = rng.choice(sorted(UNKNOWN_HEADERS))
        return {key: UNKNOWN_HEADERS[key]}
    if choice == "item":
        key = rng.choice(sorted(UNKNOWN_ITEM_LABELS))
        return {key: UNKNOWN_ITEM_LABELS[key]}
    return {"summary": UNKNOWN_SUMMARY_LABEL}


def _choose_projects(rng: random.Random) -> tuple[list[list[dict[str, Any]]], set[int]]:
    """Sections (each a list of rows) in print order, and the ids of rows printed without summary."""
    sections: dict[int, list[dict[str, Any]]] = {}
    for row in AMIF_ROWS:
        sections.setdefault(row["specific_objective"], []).append(row)
    # Keep the editions short (fast to read) while every kind of row still turns up.
    kept = [rows for _, rows in sorted(sections.items())]
    kept = [rng.sample(rows, k=max(2, round(len(rows) * rng.uniform(0.25, 0.5)))) for rows in kept]
    for index, rows in enumerate(kept):
        if rng.random() < 0.6:
            rows.sort(key=AMIF_ROWS.index)
        kept[index] = rows
    if rng.random() < 0.2:
        rng.shuffle(kept)
    without_summary = {id(row) for rows in kept for row in rows if rng.random() < 0.2}
    return kept, without_summary


# --- Layout into a PDF -------------------------------------------------------------------------------


def _styles(layout: Layout) -> dict[str, ParagraphStyle]:
    regular, bold = layout.font
    cell = ParagraphStyle("cell", fontName=regular, fontSize=layout.size, leading=layout.leading)
    return {
        "cell": cell,
        "title": ParagraphStyle("title", parent=cell, fontName=bold),
        "amount": ParagraphStyle("amount", parent=cell, alignment=TA_RIGHT),
        "header": ParagraphStyle("header", parent=cell, fontName=bold, alignment=TA_CENTER),
        "summary": ParagraphStyle("summary", parent=cell, alignment=TA_LEFT),
        "summary_next": ParagraphStyle("summary_next", parent=cell, spaceBefore=layout.size * 0.6),
        "section": ParagraphStyle("section", parent=cell, fontName=bold, fontSize=layout.size + 1),
    }


def _first_cell(row: dict[str, Any], wording: Wording, styles: dict[str, ParagraphStyle]) -> list[Paragraph]:
    cell = [Paragraph(escape(row["title"]), styles["title"])]
    for label, value in ((wording.carrier, row["carrier"]), (wording.procedure, row["procedure"])):
        if value:
            line = f"{wording.bullet}{label}{wording.item_separator}{value}"
            cell.append(Paragraph(escape(line), styles["cell"]))
    if row["action"]:
        action = wording.action_form.format(code=row["action"], section=row["specific_objective"])
        cell.append(Paragraph(escape(wording.bullet + action), styles["cell"]))
    return cell


class WholeParagraph(Paragraph):
    """A paragraph reportlab never splits: it re-wraps a spanned cell it splits at one column's
    width (`Table._splitCell` is given that column's width), ending lines early, a producer bug
    no published edition shows. A summary cell still splits across pages between paragraphs."""

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        return []


def _summary_cell(
    paragraphs: list[str], wording: Wording, styles: dict[str, ParagraphStyle]
) -> list[Paragraph]:
    label = f"<b>{escape(wording.summary)} :</b>" if wording.summary else ""
    cell: list[Paragraph] = []
    first, *rest = paragraphs
    if label and wording.summary_label_alone:
        cell.append(WholeParagraph(label, styles["summary"]))
        cell.append(WholeParagraph(escape(first), styles["summary"]))
    else:
        cell.append(WholeParagraph(f"{label} {escape(first)}".strip(), styles["summary"]))
    cell += [WholeParagraph(escape(paragraph), styles["summary_next"]) for paragraph in rest]
    return cell


def _value_cell(row: dict[str, Any], key: str, wording: Wording) -> str:
    if key == "period":
        if not row["period"]:
            return ""
        start, end = parse_period(row["period"])
        assert start is not None and end is not None
        return print_period(start, end, wording.period_form)
    value = parse_amount(row[key])
    return "" if value is None else print_amount(value, wording.amount_form)


def _table(
    sections: list[list[dict[str, Any]]],
    without_summary: set[int],
    layout: Layout,
    wording: Wording,
    width: float,
) -> Table:
    styles = _styles(layout)
    columns = layout.column_order
    data: list[list[Any]] = [[Paragraph(escape(layout.headers[key]), styles["header"]) for key in columns]]
    commands: list[tuple[Any, ...]] = []
    for rows in sections:
        first = rows[0]
        section_text = wording.section_form.format(
            label=wording.section_label,
            number=first["specific_objective"],
            name=first["specific_objective_label"],
        )
        commands.append(("SPAN", (0, len(data)), (-1, len(data))))
        data.append([Paragraph(escape(section_text), styles["section"])] + [""] * (len(columns) - 1))
        for row in rows:
            cells: list[Any] = []
            for key in columns:
                if key == "title":
                    cells.append(_first_cell(row, wording, styles))
                else:
                    style = styles["cell"] if key == "period" else styles["amount"]
                    cells.append(Paragraph(escape(_value_cell(row, key, wording)), style))
            data.append(cells)
            if id(row) not in without_summary:
                commands.append(("SPAN", (0, len(data)), (-1, len(data))))
                data.append([_summary_cell(row["summary"], wording, styles)] + [""] * (len(columns) - 1))
    amount_width = width * (1 - layout.title_share) / (len(columns) - 1)
    widths = [width * layout.title_share if key == "title" else amount_width for key in columns]
    table = Table(
        data, colWidths=widths, repeatRows=1 if layout.repeat_header else 0, splitInRow=int(layout.split_rows)
    )
    commands += [
        ("VALIGN", (0, 0), (-1, -1), layout.valign),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), layout.padding),
        ("RIGHTPADDING", (0, 0), (-1, -1), layout.padding),
        ("TOPPADDING", (0, 0), (-1, -1), layout.padding - 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), layout.padding),
    ]
    if layout.ruling == "grid":
        commands.append(("GRID", (0, 0), (-1, -1), 0.4, colors.black))
    elif layout.ruling == "horizontal":
        commands += [
            ("LINEABOVE", (0, 0), (-1, 0), 0.8, colors.black),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.black),
            ("LINEBELOW", (0, "splitlast"), (-1, "splitlast"), 0.4, colors.black),
        ]
    elif layout.ruling == "zebra":
        commands += [
            ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.8, 0.85, 0.9)),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.Color(0.93, 0.93, 0.93)]),
        ]
    return table, commands


def _page_decoration(layout: Layout, page_count: list[int]):
    running, number_form, edition_line = layout.furniture
    regular, _ = layout.font
    width, height = layout.page_size

    def decorate(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(regular, layout.size - 0.5)
        if running:
            canvas.drawString(layout.margin, height - layout.margin / 2 - 4, running)
        if number_form:
            text = number_form.format(page=document.page, pages=page_count[0] or "?")
            canvas.drawRightString(width - layout.margin, layout.margin / 2 - 2, text)
        if edition_line:
            canvas.drawString(layout.margin, layout.margin / 2 - 2, edition_line)
        canvas.restoreState()

    return decorate


def _build_pdf(
    path: Path, layout: Layout, table: Table, commands: list[tuple[Any, ...]], page_count: list[int]
) -> int:
    table.setStyle(TableStyle(commands))
    story: list[Any] = []
    if layout.intro:
        story += [Paragraph(escape(INTRO), _styles(layout)["cell"]), Spacer(1, 8)]
    story.append(table)
    document = SimpleDocTemplate(
        str(path),
        pagesize=layout.page_size,
        leftMargin=layout.margin,
        rightMargin=layout.margin,
        topMargin=layout.margin,
        bottomMargin=layout.margin,
        invariant=1,
    )
    decorate = _page_decoration(layout, page_count)
    document.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return int(document.page)


def _all_projects() -> tuple[list[list[dict[str, Any]]], set[int]]:
    sections: dict[int, list[dict[str, Any]]] = {}
    for row in AMIF_ROWS:
        sections.setdefault(row["specific_objective"], []).append(row)
    return [rows for _, rows in sorted(sections.items())], set()


def generate_edition(
    seed: int,
    directory: Path,
    all_projects: bool = False,
    layout_changes: dict[str, Any] | None = None,
    wording_changes: dict[str, Any] | None = None,
) -> Edition:
    """Write edition `seed` into `directory`; the same seed gives the same file and rows.

    `all_projects` prints the 38 projects in order, each with its summary; `layout_changes` and
    `wording_changes` fix some choices (an issue's reproduction: a given ruling, a given label).
    """
    rng = random.Random(seed)
    unknown = _unknown_labels(rng)
    layout = dataclasses.replace(_choose_layout(rng, unknown), **(layout_changes or {}))
    wording = dataclasses.replace(_choose_wording(rng, unknown), **(wording_changes or {}))
    sections, without_summary = _choose_projects(rng)
    if all_projects:
        sections, without_summary = _all_projects()
    width = layout.page_size[0] - 2 * layout.margin
    path = directory / f"amif_edition_{seed:03d}.pdf"
    # Built twice when the page numbers print the page count: the first pass counts the pages.
    page_count = [0]
    for _ in range(2 if "{pages}" in layout.furniture[1] else 1):
        table, commands = _table(sections, without_summary, layout, wording, width)
        page_count[0] = _build_pdf(path, layout, table, commands, page_count)
    expected = []
    for rows in sections:
        for row in rows:
            values = project_values(row)
            if id(row) in without_summary:
                values["summary"] = ""
            expected.append(values)
    description = {
        "unknown_label": unknown,
        "layout": {k: v for k, v in layout.__dict__.items() if k != "headers"},
        "headers": layout.headers,
        "wording": wording.__dict__,
        "pages": page_count[0],
        "rows": len(expected),
    }
    return Edition(seed, path, expected, description, ", ".join(f"{k}={v}" for k, v in unknown.items()))
