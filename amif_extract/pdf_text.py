"""A PDF page as plain data, and its words and text lines by pdfplumber's rules, whatever engine read it.

The extractors were written against pdfplumber's `extract_words` and `extract_text_lines`. Both PDF
engines (`pdf_engine`) hand over the same plain characters, and these functions group them exactly
as pdfplumber 0.11 does for the settings the extractors use (no blank characters kept, no text
flow, lines top to bottom, characters left to right; rotated characters top to bottom), so a table
reads the same whichever engine parsed its page, and the PDFium path never imports pdfplumber.
`tests/test_pdf_engines.py` holds these functions to pdfplumber's own on the real documents.

A character is a `PdfChar` tuple: (text, x0, x1, top, bottom, size, upright), in points from the
page's top-left corner, boxes as pdfminer draws them (advance width by font size, from the font's
descent).
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

_T = TypeVar("_T")


class PdfChar(NamedTuple):
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    upright: bool


Matrix = tuple[float, float, float, float, float, float]


@dataclass(frozen=True, slots=True)
class PdfRule:
    """A horizontal edge of a line, rectangle or curve, in points from the page's top-left corner."""

    top: float
    x0: float
    x1: float


@dataclass(frozen=True, slots=True)
class PdfPage:
    """A page as either engine gives it (`pdf_engine`)."""

    number: int  # 1-based
    width: float
    height: float
    chars: tuple[PdfChar, ...]
    rules: tuple[PdfRule, ...]  # sorted, distinct, each longer than zero


def sorted_rules(rules: Iterable[tuple[float, float, float]]) -> tuple[PdfRule, ...]:
    return tuple(PdfRule(top, x0, x1) for top, x0, x1 in sorted(set(rules)) if x1 > x0)


def missing_page(name: str, number: int, count: int) -> ValueError:
    return ValueError(f"page {number} does not exist in {name} ({count} pages)")


def baseline_char(text: str, matrix: Matrix, advance: float, font_size: float, page_height: float) -> PdfChar:
    """A character's box as both engines draw it: from its origin on the baseline, `advance` wide and
    `font_size` high in text space, through its `matrix` (into pdfminer's page space, y up).

    pdfminer starts the box at the font's descent instead. The descent is read from the font
    descriptor by pdfminer and from the font program by PDFium, which disagree by up to half a point
    for one font, so neither is used: boxes sit on the baseline, the same whichever engine read them.
    """
    a, b, c, d, e, f = matrix
    xs = (e, a * advance + e, a * advance + c * font_size + e, c * font_size + e)
    ys = (f, b * advance + f, b * advance + d * font_size + f, d * font_size + f)
    y0, y1 = min(ys), max(ys)
    upright = a * d > 0 and b * c <= 0
    return PdfChar(
        text, min(xs), max(xs), page_height - y1, page_height - y0, round(y1 - y0, 3), upright
    )  # noise off the size: see below


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # of its first character


@dataclass(frozen=True, slots=True)
class TextLine:
    """Words clustered into one printed line and joined by single spaces."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # the largest font size on the line


def steady_round(value: float, digits: int = 0) -> float:
    """`value` rounded to `digits` decimals (0 to 3) alike whichever engine read it: first to a
    thousandth of a point, below which the engines' readings differ (float32 in PDFium, float64 in
    pdfminer: 734.6500244 and 734.6499999 for the 734.65 a file prints), then half up. Python's
    `round` would put those two on either side of 734.65."""
    thousandths = round(value * 1000)
    unit = 10 ** (3 - digits)
    return ((thousandths + unit // 2) // unit) / 10**digits


# pdfplumber expands these ligatures in word texts.
LIGATURES = {"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"}
_LIGATURE_CHARS = frozenset(LIGATURES)
DEFAULT_TOLERANCE = 3.0


def _cluster_ids(values: Sequence[float], tolerance: float) -> list[int]:
    """pdfplumber's `make_cluster_dict`: the distinct values, sorted, chained into one cluster while
    each is within `tolerance` of the one before; each value's cluster number."""
    cluster_of: dict[float, int] = {}
    index, last = -1, 0.0
    for value in sorted(set(values)):
        if index < 0 or value > last + tolerance:
            index += 1
        cluster_of[value] = index
        last = value
    return [cluster_of[value] for value in values]


def _cluster(items: Sequence[_T], key: Callable[[_T], float], tolerance: float) -> list[list[_T]]:
    """pdfplumber's `cluster_objects`: items by cluster number, in their order inside a cluster."""
    ids = _cluster_ids([key(item) for item in items], tolerance)
    ordered = sorted(zip(items, ids, strict=True), key=lambda pair: pair[1])
    return [[item for item, _ in run] for _, run in itertools.groupby(ordered, key=lambda pair: pair[1])]


def _char_lines(chars: Sequence[PdfChar], x_tolerance: float, y_tolerance: float) -> list[list[PdfChar]]:
    """The characters of one run (same uprightness and size) as lines, each in reading order."""
    # Sorted to a thousandth of a point, ties kept in stream order: the engines' readings differ
    # below that, and a zero-width character (a euro sign a font has no width for) would change
    # places with the space after it.
    if chars[0].upright:
        lines = _cluster(chars, lambda char: char.top, y_tolerance)
        return [sorted(line, key=lambda char: round(char.x0 * 1000)) for line in lines]
    lines = _cluster(chars, lambda char: char.x0, x_tolerance)
    return [
        sorted(line, key=lambda char: (round(char.top * 1000), round(char.bottom * 1000))) for line in lines
    ]


def _starts_word(previous: PdfChar, char: PdfChar, x_tolerance: float, y_tolerance: float) -> bool:
    if char.upright:  # left to right
        return (
            char.x0 < previous.x0
            or char.x0 > previous.x1 + x_tolerance
            or abs(char.top - previous.top) > y_tolerance
        )
    # top to bottom: the tolerances swap
    return (
        char.top < previous.top
        or char.top > previous.bottom + y_tolerance
        or abs(char.x0 - previous.x0) > x_tolerance
    )


_TEXT, _X0, _X1, _TOP, _BOTTOM = (operator.itemgetter(i) for i in range(5))


def _merge(word: list[PdfChar]) -> Word:
    texts = list(map(_TEXT, word))
    if not _LIGATURE_CHARS.isdisjoint(texts):
        texts = [LIGATURES.get(text, text) for text in texts]
    return Word(
        "".join(texts),
        min(map(_X0, word)),
        max(map(_X1, word)),
        min(map(_TOP, word)),
        max(map(_BOTTOM, word)),
        word[0].size,
    )


def _words_of_line(line: list[PdfChar], x_tolerance: float, y_tolerance: float) -> Iterable[list[PdfChar]]:
    if line and not line[0].upright:  # a run's characters are all upright or all not
        yield from _rotated_words_of_line(line, x_tolerance, y_tolerance)
        return
    word: list[PdfChar] = []
    last_x0 = last_x1 = last_top = 0.0  # of the word's last character: `_starts_word`, left to right
    for char in line:
        text, x0, x1, top = char[0], char[1], char[2], char[3]
        if text.isspace():
            if word:
                yield word
            word = []
            continue
        if word and (x0 < last_x0 or x0 > last_x1 + x_tolerance or abs(top - last_top) > y_tolerance):
            yield word
            word = [char]
        else:
            word.append(char)
        last_x0, last_x1, last_top = x0, x1, top
    if word:
        yield word


def _rotated_words_of_line(
    line: list[PdfChar], x_tolerance: float, y_tolerance: float
) -> Iterable[list[PdfChar]]:
    word: list[PdfChar] = []
    for char in line:
        if char.text.isspace():
            if word:
                yield word
            word = []
        elif word and _starts_word(word[-1], char, x_tolerance, y_tolerance):
            yield word
            word = [char]
        else:
            word.append(char)
    if word:
        yield word


def word_groups(
    chars: Sequence[PdfChar],
    x_tolerance: float = DEFAULT_TOLERANCE,
    y_tolerance: float = DEFAULT_TOLERANCE,
    split_by_size: bool = True,
) -> list[list[PdfChar]]:
    """Characters grouped into words, in pdfplumber's order: runs of characters in stream order with
    the same uprightness (and size, as `extract_words(extra_attrs=["size"])` does), then lines, then
    words."""
    run_key: Callable[[PdfChar], tuple[bool, float]] = (
        (lambda char: (char.upright, char.size)) if split_by_size else (lambda char: (char.upright, 0.0))
    )
    groups: list[list[PdfChar]] = []
    for _, run in itertools.groupby(chars, key=run_key):
        for line in _char_lines(list(run), x_tolerance, y_tolerance):
            groups.extend(_words_of_line(line, x_tolerance, y_tolerance))
    return groups


def words_from_chars(
    chars: Sequence[PdfChar], x_tolerance: float = DEFAULT_TOLERANCE, y_tolerance: float = DEFAULT_TOLERANCE
) -> list[Word]:
    """pdfplumber's `extract_words(x_tolerance, y_tolerance, extra_attrs=["size"])`."""
    return [_merge(group) for group in word_groups(chars, x_tolerance, y_tolerance)]


def text_lines_from_chars(chars: Sequence[PdfChar], y_tolerance: float = DEFAULT_TOLERANCE) -> list[TextLine]:
    """pdfplumber's `extract_text_lines(strip=True)`: words (default tolerances, not split by size) in
    the order they were grouped, a line being a run of consecutive words whose tops fall in one
    cluster, joined by one space (pdfplumber's text map is built "presorted")."""
    groups = word_groups(chars, split_by_size=False)
    cluster_of = _cluster_ids([_merge(group).top for group in groups], y_tolerance)
    lines = []
    for _, run in itertools.groupby(zip(groups, cluster_of, strict=True), key=lambda pair: pair[1]):
        words = [group for group, _ in run]
        line_chars = [char for group in words for char in group]
        top, bottom = min(char.top for char in line_chars), max(char.bottom for char in line_chars)
        lines.append(
            TextLine(
                " ".join("".join(LIGATURES.get(char.text, char.text) for char in group) for group in words),
                min(char.x0 for char in line_chars),
                max(char.x1 for char in line_chars),
                top,
                bottom,
                max(char.size for char in line_chars),
            )
        )
    return lines
