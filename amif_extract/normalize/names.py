"""Organisation names as printed in table cells, cleaned for matching and output.

The caller keeps the printed form; ``clean_organisation_name`` gives the clean one: markup gone,
lines joined, one space between words, straight apostrophes, no stray separators or labels
around the name, ``( OIM )`` tightened to ``(OIM)``. Spelling and case are never changed: an
``a.s.b.l.`` stays an ``a.s.b.l.`` and ``asbl`` stays ``asbl``.
"""

from __future__ import annotations

import re
import unicodedata

from amif_extract.textclean import clean_cell_text, normalise_apostrophes

# Labels that may precede a name in a cell ("Porteur du projet : SINGA"); only removed when
# followed by a colon, so "Organisation internationale pour les Migrations" is left alone.
NAME_LABEL_PATTERNS: tuple[str, ...] = (
    "porteur du projet",
    "porteur de projet",
    "porteurs du projet",
    "organisateurs?",
)

_LABEL = re.compile(rf"^(?:{'|'.join(NAME_LABEL_PATTERNS)})\s*:\s*", re.IGNORECASE)
# Separators and bullets left over around a name by the cell splitting.
_EDGE_SEPARATORS = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212:;,/|•·*"
_LEADING_SEPARATORS = re.compile(rf"^[{re.escape(_EDGE_SEPARATORS)}\s]+")
_TRAILING_SEPARATORS = re.compile(rf"[{re.escape(_EDGE_SEPARATORS)}\s]+$")
_PADDED_PARENTHESES = re.compile(r"\(\s*([^()]*?)\s*\)")
_GLUED_PARENTHESIS = re.compile(r"(?<=[\w.])\(")
# a.s.b.l. with stray spaces ("a. s. b. l .", "A.S.B.L ."), letters and dots as printed.
_SPACED_ASBL = re.compile(r"(?<!\w)([aA])\s*\.\s*([sS])\s*\.\s*([bB])\s*\.\s*([lL])(?:\s*(\.))?(?!\w)")
_ACRONYM_AT_END = re.compile(r"\(\s*([A-Z][A-Za-z0-9&.\-]{1,15})\s*\)$")


def clean_organisation_name(printed: str) -> str:
    """The clean form of an organisation name printed in a cell (see the module docstring)."""
    name = normalise_apostrophes(clean_cell_text(printed))
    previous = None
    while previous != name:
        previous = name
        name = _LABEL.sub("", name)
        name = _LEADING_SEPARATORS.sub("", name)
        name = _TRAILING_SEPARATORS.sub("", name)
    name = _PADDED_PARENTHESES.sub(r"(\1)", name)
    name = _GLUED_PARENTHESIS.sub(" (", name)
    name = _SPACED_ASBL.sub(
        lambda m: "".join(f"{part}." for part in m.groups()[:3]) + m[4] + (m[5] or ""), name
    )
    return unicodedata.normalize("NFC", name)


def acronym_in_parentheses(name: str) -> str | None:
    """The acronym a name ends with in parentheses (``… Service Luxembourg (JRS)`` → ``JRS``).

    An acronym starts with a capital and holds at least two capitals, so a trailing ``(Luxembourg)``
    or ``(2)`` is not taken for one.
    """
    match = _ACRONYM_AT_END.search(clean_organisation_name(name))
    if match is None:
        return None
    acronym = match[1]
    return acronym if sum(char.isupper() for char in acronym) >= 2 else None
