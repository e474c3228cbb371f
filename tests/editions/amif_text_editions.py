"""Next editions of the AMIF list as a text extraction, written from today's rows by a seeded generator.

An edition is one draw of: the label wordings (the profile's spellings, now and then one beyond
them), which sections and rows it prints and in which order, how it prints amounts and periods,
the column header (wordings, unit, amount-column order, repeated on every page or not), the
layout (tab-separated cells as today's extraction tool writes, or columns padded with spaces),
how a row's labels sit (one per line or together, bullets, wrapped values), how the summary is
introduced, and the page furniture (running header, page numbers, edition line, form feeds) that
falls between any two lines, also inside a row or a summary paragraph.

The expected table is `amif_model.expected_table`: the values never change with the printing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from amif_extract.profiles import Profile
from amif_extract.records import AMOUNT_COLUMNS
from editions.amif_model import (
    Project,
    Selection,
    Wording,
    choose_selection,
    choose_wording,
    expected_table,
)

LABELLED_FIELDS = ("carrier", "procedure", "summary", "section", "project", "period", *AMOUNT_COLUMNS)
# Share of editions with one label re-worded beyond the profile (they must be loud, not exact).
UNKNOWN_WORDING_SHARE = 0.07

AMOUNT_ORDERS = (
    AMOUNT_COLUMNS,
    ("eu_share", "national_share", "private_share", "other_public_share", "total_cost"),
    ("total_cost", "eu_share", "national_share", "other_public_share", "private_share"),
)
RUNNING_HEADERS = (
    "Fonds Asile, Migration et Intégration (AMIF) – Liste des projets cofinancés",
    "Ministère de la Famille, des Solidarités, du Vivre ensemble et de l'Accueil",
    "AMIF Luxembourg – projets cofinancés – édition 2026",
)
EDITION_LINES = ("Version du 15/03/2026", "Mise à jour : mars 2026", "Document publié par le ministère")
PAGE_NUMBERS = ("- {n} -", "Page {n} / {total}", "{n}/{total}", "{n}", "Page {n} sur {total}")


def _grouped(value: Decimal, separator: str) -> tuple[str, str]:
    whole, _, cents = f"{value:.2f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return separator.join(groups), cents


def _amount_styles() -> dict[str, Any]:
    def style(separator: str, decimal: str, before: str = "", after: str = "") -> Any:
        def printed(value: Decimal) -> str:
            whole, cents = _grouped(value, separator)
            return f"{before}{whole}{decimal}{cents}{after}"

        return printed

    return {
        "published": style(" ", ".", after="€"),
        "fr_space": style(" ", ",", after=" €"),
        "fr_dot": style(".", ",", after="€"),
        "en_eur_prefix": style(",", ".", before="EUR "),
        "en_euro_prefix": style(",", ".", before="€"),
        "eur_suffix": style(" ", ".", after=" EUR"),
        "no_grouping": style("", ",", after="€"),
        "narrow_spaces": style("\u202f", ",", after="\u00a0€"),
        # Without a currency sign: the column header says the unit.
        "bare_fr": style(" ", ","),
        "bare_en": style(",", "."),
    }


AMOUNT_STYLES = _amount_styles()
# Styles whose amounts a narrow cell may wrap at a thousands space ("1 218" / "327.29€").
WRAPPABLE_STYLES = ("published", "fr_space", "eur_suffix", "narrow_spaces")


def _period_columns(project: Project, style: str) -> list[str]:
    """Start and end printed in two columns of their own."""
    start, end = project.start, project.end
    assert start is not None and end is not None
    form = {"dots": "%d.%m.%Y", "iso": "%Y-%m-%d"}.get(style, "%d/%m/%Y")
    return [start.strftime(form), end.strftime(form)]


MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


def _in_words(start: date, end: date) -> str | None:
    """ "janvier 2023 – décembre 2024" when the period runs from a month's first to a month's last day."""
    if start.day != 1 or (end + timedelta(days=1)).day != 1:
        return None
    return f"{MONTHS[start.month - 1]} {start.year} – {MONTHS[end.month - 1]} {end.year}"


def _period_parts(project: Project, style: str, split: bool) -> list[str]:
    """The period as printed: one cell, or two when the cell wraps (first half, second half)."""
    start, end = project.start, project.end
    assert start is not None and end is not None
    words = _in_words(start, end) if style == "words" else None
    if words is not None:
        return [words]
    if style in ("published", "words"):
        parts = [f"{start:%d/%m/%Y}-", f"{end:%d/%m/%Y}"]
    elif style == "dots":
        parts = [f"{start:%d.%m.%Y} –", f"{end:%d.%m.%Y}"]
    elif style == "du_au":
        parts = [f"du {start:%d/%m/%Y} au", f"{end:%d/%m/%Y}"]
    else:
        parts = [f"{start:%Y-%m-%d} /", f"{end:%Y-%m-%d}"]
    return parts if split else [" ".join(parts)]


@dataclass(frozen=True)
class TextLayout:
    """Every printing choice of one text edition."""

    wording: Wording
    amount_style: str
    period_style: str
    period_split: bool
    spaces: bool  # columns padded with spaces instead of tabs
    amount_order: tuple[str, ...]
    header_unit: str
    header_every_page: bool
    section_format: str
    bullet: str
    separator: str
    labels_together: bool  # carrier, procedure and action on one line
    action_alone: bool
    summary_mode: str  # "own_line", "inline" or "none"
    wrap_values: bool
    furniture: bool
    running_header: str
    edition_line: str
    page_number: str
    form_feeds: bool
    page_length: int
    cut_paragraphs: bool
    period_columns: bool  # start and end in two columns ("Début", "Fin")
    header_unit_below: bool  # the header's units on a line of their own
    wrap_amounts: bool  # an amount cell may wrap onto the row's next line
    total_label: str  # "" or the label of a total row closing each section
    value_below: bool  # a label alone on its line, its value on the next


def choose_layout(rng: random.Random, profile: Profile) -> TextLayout:
    wording = choose_wording(rng, profile, LABELLED_FIELDS, UNKNOWN_WORDING_SHARE)
    spaces = rng.random() < 0.3
    summary_modes = ("own_line", "inline") if "summary" in wording.unknown else ("own_line", "inline", "none")
    amount_style = rng.choice(sorted(AMOUNT_STYLES))
    units = (
        (" (€)", " (EUR)", " en €") if amount_style.startswith("bare") else (" (€)", "", " (EUR)", " en €")
    )
    period_columns = rng.random() < 0.15
    total_labels = (*profile.spellings("total_row"), "Total")
    return TextLayout(
        wording=wording,
        amount_style=amount_style,
        period_style=rng.choice(("published", "dots", "du_au", "iso", "words")),
        period_split=not period_columns and rng.random() < 0.6,
        spaces=spaces,
        amount_order=rng.choice(AMOUNT_ORDERS),
        header_unit=rng.choice(units),
        header_every_page=rng.random() < 0.5,
        section_format=rng.choice(
            ('{label} {n} "{title}"', "{label} {n} : {title}", "{label} n° {n} – {title}")
        ),
        bullet=rng.choice(("- ", "• ", "", "* ")),
        separator=rng.choice((": ", " : ")),
        labels_together=not spaces and rng.random() < 0.4,
        action_alone=rng.random() < 0.5,
        summary_mode=rng.choice(summary_modes),
        wrap_values=not spaces and rng.random() < 0.6,
        furniture=rng.random() < 0.85,
        running_header=rng.choice(RUNNING_HEADERS),
        edition_line=rng.choice(("", *EDITION_LINES)),
        page_number=rng.choice(PAGE_NUMBERS),
        form_feeds=rng.random() < 0.5,
        page_length=rng.randint(22, 60),
        cut_paragraphs=rng.random() < 0.6,
        period_columns=period_columns,
        header_unit_below=not spaces and rng.random() < 0.2,
        wrap_amounts=not spaces and amount_style in WRAPPABLE_STYLES and rng.random() < 0.5,
        total_label=rng.choice(total_labels) if rng.random() < 0.35 else "",
        value_below=rng.random() < 0.15,
    )


# --- one row -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """A printed line and whether a page may end right after it without changing what it says."""

    text: str
    breakable: bool = True
    paragraph: bool = False  # a summary paragraph: a page break may cut it mid-sentence


def _cells(layout: TextLayout, cells: list[str]) -> str:
    if layout.spaces:
        return "   ".join(cell or "-" for cell in cells).rstrip(" -") if any(cells) else ""
    return "\t".join(cells)


def _wrap(text: str, rng: random.Random, width: int) -> list[str]:
    """A value cut in two at a space (not after a hyphen), as a narrow cell wraps it."""
    if len(text) <= width:
        return [text]
    spaces = [
        i for i, char in enumerate(text) if char == " " and width // 2 <= i <= width and text[i - 1] != "-"
    ]
    if not spaces:
        return [text]
    cut = rng.choice(spaces)
    return [text[:cut], text[cut + 1 :]]


def _wrapped_amount(printed: str, rng: random.Random) -> tuple[str, str] | None:
    """An amount cut at one of its thousands spaces, the currency sign on the second part."""
    spaces = [i for i, char in enumerate(printed) if char in " \u202f" and printed[i + 1 : i + 2].isdigit()]
    if not spaces:
        return None
    cut = rng.choice(spaces)
    return printed[:cut], printed[cut + 1 :]


def _title_lines(project: Project, layout: TextLayout, rng: random.Random) -> list[Line]:
    """The row's first line (title, period, amounts) and the lines its title, period and an amount
    wrap onto, each cell in its column."""
    amounts = [
        AMOUNT_STYLES[layout.amount_style](v) if (v := project.amounts[c]) is not None else ""
        for c in layout.amount_order
    ]
    if layout.period_columns:
        period = [_period_columns(project, layout.period_style)]
    else:
        period = [[part] for part in _period_parts(project, layout.period_style, layout.period_split)]
    title = _wrap(project.title, rng, 45) if (layout.wrap_values or len(period) > 1) else [project.title]
    if layout.spaces and len(title) > len(period):
        title = [project.title]  # a wrapped title line without a period is prose to a space layout
    rows = [[title[0], *period[0], *amounts]]
    for index in range(1, max(len(title), len(period))):
        part = title[index] if index < len(title) else ""
        rows.append([part, *(period[index] if index < len(period) else [""] * len(period[0]))])
    if layout.wrap_amounts and rng.random() < 0.4:
        column = rng.randrange(len(amounts))
        cut = _wrapped_amount(amounts[column], rng) if amounts[column] else None
        if cut is not None:
            position = 1 + len(period[0]) + column
            if len(rows) == 1:
                rows.append([""])
            rows[0][position] = cut[0]
            rows[1] += [""] * (position + 1 - len(rows[1]))
            rows[1][position] = cut[1]
    lines = [Line(_cells(layout, rows[0]))]
    for cells in rows[1:]:
        filled = any(cells[1:])
        lines.append(Line(_cells(layout, cells) if filled or layout.spaces else f"{cells[0]}\t"))
    return lines


def _label_lines(project: Project, layout: TextLayout, rng: random.Random) -> list[Line]:
    labels = layout.wording.labels
    bullet, separator = layout.bullet, layout.separator
    action = f"Action {project.action_code}. (OS{project.specific_objective})" if project.action_code else ""
    carrier = f"{bullet}{labels['carrier']}{separator}{project.carrier}" if project.carrier else ""
    procedure = f"{bullet}{labels['procedure']}{separator}{project.procedure}" if project.procedure else ""
    tab = "" if layout.spaces else "\t"
    if layout.labels_together and carrier and procedure:
        together = f"{carrier} {procedure.removeprefix(bullet)}"
        if action and not layout.action_alone:
            together += f" {action}"
            action = ""
        lines = [Line(together + tab)]
    else:
        lines = []
        for name, value in (("carrier", project.carrier), ("procedure", project.procedure)):
            if not value:
                continue
            if layout.value_below:
                label_line = f"{bullet}{labels[name]}{separator.rstrip()}{tab}"
                lines += [Line(label_line), Line(value + tab)]
                continue
            # A narrow cell wraps the value; the label itself stays whole on its line.
            first, *rest = _wrap(value, rng, 30) if layout.wrap_values else [value]
            lines += [
                Line(f"{bullet}{labels[name]}{separator}{first}{tab}"),
                *(Line(part + tab) for part in rest),
            ]
        if action and not layout.action_alone and lines:
            lines[-1] = Line(lines[-1].text.rstrip("\t") + f" {action}{tab}")
            action = ""
    if action:
        lines.append(Line(action + tab))
    return lines


def _summary_lines(project: Project, layout: TextLayout) -> list[Line]:
    label = layout.wording.labels["summary"]
    colon = layout.separator.rstrip()
    lines: list[Line] = []
    paragraphs = list(project.paragraphs)
    if layout.summary_mode == "own_line":
        lines += [Line(f"{label}{colon}"), Line("")]
    elif layout.summary_mode == "inline" and paragraphs:
        paragraphs[0] = f"{label}{layout.separator}{paragraphs[0]}"
    for paragraph in paragraphs:
        # A page may not end after a paragraph that ends mid-sentence: the reader could not tell
        # the page break from the paragraph break (a real ambiguity of the format, not a choice).
        ends = paragraph.rstrip()[-1:] in '.!?:;»")”'
        lines += [Line(paragraph, breakable=ends, paragraph=True), Line("", breakable=ends)]
    return lines


def row_lines(project: Project, layout: TextLayout, rng: random.Random) -> list[Line]:
    lines = _title_lines(project, layout, rng) if project.title_printed else []
    return [*lines, *_label_lines(project, layout, rng), Line(""), *_summary_lines(project, layout)]


# --- the document ------------------------------------------------------------------------------------


def header_lines(layout: TextLayout) -> list[Line]:
    """The column header row; its units on a second line when the layout says so."""
    labels = layout.wording.labels
    periods = ["Début", "Fin"] if layout.period_columns else [labels["period"]]
    unit = "" if layout.header_unit_below else layout.header_unit
    cells = [labels["project"], *periods, *(labels[c] + unit for c in layout.amount_order)]
    join = "   ".join if layout.spaces else "\t".join
    lines = [Line(join(cells))]
    if layout.header_unit_below:
        units = [""] * (1 + len(periods)) + [layout.header_unit.strip() or "(€)"] * len(layout.amount_order)
        lines.append(Line(join(units)))
    return lines


def total_line(projects: list[Project], indexes: tuple[int, ...], layout: TextLayout, section: int) -> Line:
    """A row summing the section's printed projects, column by column."""
    sums = []
    for column in layout.amount_order:
        values = [v for index in indexes if (v := projects[index].amounts[column]) is not None]
        sums.append(AMOUNT_STYLES[layout.amount_style](sum(values, Decimal(0))) if values else "")
    label = layout.total_label if layout.total_label != "Total" else f"Total objectif {section}"
    periods = [""] * (2 if layout.period_columns else 1)
    return Line(_cells(layout, [label, *periods, *sums]))


def body_lines(
    projects: list[Project], selection: Selection, layout: TextLayout, rng: random.Random
) -> list[Line]:
    lines = [
        Line("Vous trouverez ci-dessous la liste des projets cofinancés par l'AMIF au Luxembourg."),
        Line(""),
    ]
    for section in selection.sections:
        first = projects[selection.rows[section][0]]
        heading = layout.section_format.format(
            label=layout.wording.labels["section"], n=section, title=first.specific_objective_label
        )
        lines += [Line(heading), *header_lines(layout), Line("")]
        for index in selection.rows[section]:
            lines += row_lines(projects[index], layout, rng)
        if layout.total_label:
            lines += [total_line(projects, selection.rows[section], layout, section), Line("")]
    return lines


def _cut_paragraph(text: str, rng: random.Random) -> tuple[str, str] | None:
    """A paragraph cut mid-sentence by a page end: after a word that ends no sentence, before no bullet."""
    words = text.split(" ")
    cuts = [
        i
        for i in range(3, len(words) - 3)
        if words[i - 1][-1:].isalnum() and not words[i - 1].endswith("-") and words[i][:1].isalnum()
    ]
    if not cuts:
        return None
    cut = rng.choice(cuts)
    return " ".join(words[:cut]), " ".join(words[cut:])


def paginate(lines: list[Line], layout: TextLayout, rng: random.Random) -> list[str]:
    """The lines with page furniture between pages, wherever a page fills up."""
    if not layout.furniture:
        return [line.text for line in lines]
    pages: list[list[str]] = [[]]
    for line in lines:
        page = pages[-1]
        page.append(line.text)
        if len(page) < layout.page_length:
            continue
        if line.paragraph and layout.cut_paragraphs and (cut := _cut_paragraph(line.text, rng)):
            page[-1] = cut[0]
            pages.append([cut[1]])
        elif line.breakable:
            pages.append([])
    total = len(pages)
    printed: list[str] = []
    for number, page in enumerate(pages, start=1):
        top = [layout.running_header, ""]
        if number > 1 and layout.header_every_page:
            top += [line.text for line in header_lines(layout)]
        if number > 1 and layout.form_feeds:
            top[0] = "\f" + top[0]
        bottom = ["", layout.page_number.format(n=number, total=total)]
        if layout.edition_line:
            bottom.insert(1, layout.edition_line)
        printed += [*top, *page, *bottom]
    return printed


@dataclass(frozen=True)
class TextEdition:
    seed: int
    lines: list[str]
    expected: list[dict[str, Any]]
    layout: TextLayout

    def describe(self) -> str:
        layout = self.layout
        return (
            f"seed {self.seed}: labels {layout.wording.labels}, unknown {sorted(layout.wording.unknown)}, "
            f"amounts {layout.amount_style}, periods {layout.period_style}, spaces {layout.spaces}, "
            f"order {layout.amount_order}, summary {layout.summary_mode}, furniture {layout.furniture}"
        )


def make_text_edition(seed: int, projects: list[Project], profile: Profile) -> TextEdition:
    rng = random.Random(seed)
    layout = choose_layout(rng, profile)
    selection = choose_selection(rng, projects, drop_share=rng.choice((0.0, 0.0, 0.1, 0.25)))
    lines = paginate(body_lines(projects, selection, layout, rng), layout, rng)
    return TextEdition(seed, lines, expected_table(projects, selection), layout)
