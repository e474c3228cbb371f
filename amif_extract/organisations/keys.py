"""Comparison keys and cleaning: how printed names are folded before they are compared."""

from __future__ import annotations

import re
import unicodedata

from amif_extract.normalize.names import clean_organisation_name
from amif_extract.textclean import clean_cell_text, collapse_spaces, normalise_apostrophes

# --- Comparison keys -----------------------------------------------------------------------------------

# Function words of French, English, German and Luxembourgish names: "de l'", "pour les", "of", "fir".
_STOPWORDS = frozenset(
    {"a", "an", "and", "au", "aux", "d", "de", "der", "des", "du", "en", "et"}
    | {"fir", "for", "l", "la", "le", "les", "of", "pour", "the", "und", "vum", "vun"}
)
# The country's name may be left out: in Luxembourg's documents "Croix-Rouge" is the Croix-Rouge
# luxembourgeoise. Another country's branch carries a word that disagrees ("française") and never merges.
WEAK_WORDS = frozenset({"luxembourg", "luxembourgeois", "luxembourgeoise", "luxembourgeoises", "luxemburg"})
# A misspelt country name ("luxembourgoise") is still the country's name.
WEAK_WORD_SIMILARITY = 90.0
# Words naming a unit of an organisation: "Croix-Rouge luxembourgeoise – Service LISKO".
UNIT_WORDS = frozenset({"service", "services", "departement", "division", "cellule", "antenne"})
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ł": "l"})
# Legal forms, matched on folded text before punctuation goes: a.s.b.l., asbl, s.à r.l., sàrl, GmbH…
_LEGAL_FORM = re.compile(
    r"(?<![\w.])(?:a\.?\s?s\.?\s?b\.?\s?l|s\.?\s?a\.?\s?r\.?\s?l|gmbh|ltd|s\.a\.|e\.v\.)\.?(?!\w)"
)
_DOTTED_ACRONYM = re.compile(r"(?<![\w.])((?:[a-z0-9]\.){2,})(?!\w)")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_TRAILING_ACRONYM = re.compile(r"^(?P<base>.*?\S)\s*\((?P<acronym>[^()]{2,12})\)$")
_ACRONYM_TEXT = re.compile(r"^[A-Z0-9][A-Za-z0-9.&\- ]*$")
_PART_SEPARATOR = re.compile(r"\s+[-–—]\s+|\s+[–—]|[–—]\s+")
_BEFORE_UNIT_WORD = re.compile(r"\s+(?=(?:service|département|departement)\b)", re.IGNORECASE)


def fold(text: str) -> str:
    """Case-folded, without accents or ligatures: ``Œuvre Réfugiés`` → ``oeuvre refugies``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def comparison_words(text: str) -> tuple[str, ...]:
    """The words two spellings of a name are compared on: folded, no legal form, no function words."""
    folded = _LEGAL_FORM.sub(" ", fold(text))
    folded = _DOTTED_ACRONYM.sub(lambda found: found.group(1).replace(".", ""), folded)
    words = [word for word in _NON_WORD.split(folded) if len(word) > 1 and word not in _STOPWORDS]
    if len(words) > 1 and words[-1] == "sa":  # "Société X SA": the legal form, not a word of the name
        words.pop()
    return tuple(words)


def comparison_key(text: str) -> str:
    """Equal for spellings that differ only in case, accents, punctuation, legal form or function words."""
    return " ".join(comparison_words(text))


def acronym_key(text: str) -> str | None:
    """The key of a one-word name (``ASTI``, ``l'OIM``, ``O.I.M.``), else None."""
    words = comparison_words(text)
    return words[0] if len(words) == 1 else None


def split_acronym(cleaned: str) -> tuple[str, str | None]:
    """Split a trailing ``(ACRONYM)`` off a name: ``Nord-Sud (CNS)`` → ``Nord-Sud`` and ``CNS``."""
    found = _TRAILING_ACRONYM.match(cleaned)
    if found is None:
        return cleaned, None
    acronym = found["acronym"].strip()
    capitals = sum(char.isupper() for char in acronym)
    if capitals < 2 or not _ACRONYM_TEXT.match(acronym) or not comparison_words(acronym):
        return cleaned, None
    return found["base"], acronym


def split_parts(cleaned: str) -> list[str]:
    """Split ``Parent – Service`` or ``ACRONYM - Name`` into parts; a unit word starts a part too."""
    parts = [part.strip(" ,;:-–—") for part in _PART_SEPARATOR.split(cleaned)]
    if len(parts) == 1:
        parts = [part.strip(" ,;:") for part in _BEFORE_UNIT_WORD.split(cleaned, maxsplit=1)]
    return [part for part in parts if part]


def slugify(text: str, max_length: int = 60) -> str:
    """An org id from a name: ASCII lowercase words joined by hyphens, legal form and function words out."""
    slug = "-".join(comparison_words(text))[:max_length].strip("-")
    return slug or "organisation"


# --- Cleaning ------------------------------------------------------------------------------------------

_LEADING_BULLET = re.compile(r"^[\s\-–—•·*]+")
_TRAILING_PUNCTUATION = re.compile(r"[\s\-–—,;:]+$")
_SPACE_AFTER_PAREN = re.compile(r"\(\s+")
_SPACE_BEFORE_PAREN = re.compile(r"\s+\)")


def _clean_name_locally(name: str) -> str:
    text = normalise_apostrophes(clean_cell_text(name))
    text = _SPACE_BEFORE_PAREN.sub(")", _SPACE_AFTER_PAREN.sub("(", text))
    text = _TRAILING_PUNCTUATION.sub("", _LEADING_BULLET.sub("", text))
    return collapse_spaces(text)


def clean_name(name: str) -> str:
    """The printed name without markup, line breaks, bullets or odd spaces: what is compared and queued.

    The project's shared name cleaner runs first; the local clean-up after it is idempotent and keeps
    the properties matching relies on.
    """
    return _clean_name_locally(clean_organisation_name(name))


def one_line(name: str) -> str:
    return collapse_spaces(" ".join(name.splitlines()))
