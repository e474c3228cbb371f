"""Text clean-up shared by every extractor: markup leaks, wrapped lines, odd spaces.

The PDF and text paths must agree on every field, so both call these functions rather than
cleaning text their own way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Tags leaked from hyperlinks and HTML (<u>, </u>, <b>, <br/>, <span class="x">, …).
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
# Markdown emphasis leaked by the text extraction: **bold**, *italic*, __bold__.
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_SPACES = re.compile(r"[ \t\u00a0\u202f\u2007\u2009\u200a]+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
# A line broken after a hyphen inside a word ("non-" / "accompagnés") joins without a space.
_WORD_HYPHEN_END = re.compile(r"[^\W\d_]-$")


def strip_markup(text: str) -> str:
    """Remove HTML tags and Markdown emphasis, keeping the words they wrapped."""
    text = _HTML_TAG.sub("", text)
    return _EMPHASIS.sub(lambda m: m.group(2) or m.group(3) or "", text)


def collapse_spaces(text: str) -> str:
    """One plain space between words (tabs, no-break and narrow spaces included), no padding."""
    return _SPACES.sub(" ", text).strip()


def normalise_apostrophes(text: str) -> str:
    return text.translate(_APOSTROPHES)


def join_wrapped_lines(lines: Iterable[str]) -> str:
    """Join the lines of one wrapped cell into one line of text.

    Lines join with a space, except after a hyphen that ends a word part, where the line break
    split a hyphenated word (``mineurs non-`` + ``accompagnés``).
    """
    joined = ""
    for line in lines:
        part = collapse_spaces(line)
        if not part:
            continue
        if not joined:
            joined = part
        elif _WORD_HYPHEN_END.search(joined):
            joined += part
        else:
            joined += " " + part
    return joined


def clean_cell_text(text: str) -> str:
    """Markup removed, NFC-normalised, lines joined, spaces collapsed: the printed form of a cell."""
    text = unicodedata.normalize("NFC", strip_markup(text))
    return join_wrapped_lines(text.splitlines())
