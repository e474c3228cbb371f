"""The printed lines of PDF pages, kept from extraction so the report never parses a page again.

Parsing a page with pdfplumber is the dearest step of a build; the extractors already hold every
page's words or lines, so they keep them here (small, picklable, cached with the extraction) and the
report's source-text context reads them instead of reopening the PDF.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PageLine:
    text: str
    top: float
    bottom: float


# Page number (1-based) → the page's lines from top to bottom.
PageText = dict[int, tuple[PageLine, ...]]

SAME_LINE_TOLERANCE = 3.0  # points: words whose tops differ by less sit on one printed line


def lines_from_words(
    words: Iterable[tuple[str, float, float, float]], tolerance: float = SAME_LINE_TOLERANCE
) -> tuple[PageLine, ...]:
    """Group (text, x0, top, bottom) words into lines, top to bottom and left to right in each line."""
    lines: list[list[tuple[str, float, float, float]]] = []
    for word in sorted(words, key=lambda word: (word[2], word[1])):
        if lines and word[2] - lines[-1][0][2] < tolerance:
            lines[-1].append(word)
        else:
            lines.append([word])
    return tuple(
        PageLine(
            " ".join(text for text, *_ in sorted(line, key=lambda word: word[1])),
            min(word[2] for word in line),
            max(word[3] for word in line),
        )
        for line in lines
    )
