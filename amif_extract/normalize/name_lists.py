"""The organisations one printed cell names: a Commune/Institution or an Organisateur(s) value.

Read by the brochure's extractor to record each sheet's organisations and by the linking stage to
resolve them, so both split a cell the same way.
"""

from __future__ import annotations

import re

from amif_extract.normalize.contacts import looks_like_person_name

_LEADING_ARTICLE = re.compile(r"^(?:l'|la\s+|le\s+|les\s+)(?=[A-ZÀ-Þ])")
_COLLABORATION = re.compile(
    r"\s+en\s+(?:etroite\s+|étroite\s+)?(?:collaboration|partenariat|cooperation|coopération)\s+avec\s+",
    re.IGNORECASE,
)


def organisation_names(value: str) -> list[str]:
    """The organisations a Commune/Institution or Organisateur(s) value names.

    Lines are separate names, a line in parentheses belongs to the name above it, ``… en
    collaboration avec …`` separates names, and so do commas when every part starts with a
    capital (``Collège échevinal, Service des Sports``; not ``Égalité des Chances, pour tous``),
    the last part also split at ``et``. People's names and label lines (``Service :``) are left out.
    """
    names: list[str] = []
    for line in value.split("\n"):
        line = line.strip()
        if not line or line.endswith(":"):
            continue
        if line.startswith("(") and names:
            names[-1] = f"{names[-1]} {line}"
            continue
        for part in _COLLABORATION.split(line):
            names += _split_listed_names(part)
    names = [_LEADING_ARTICLE.sub("", name) for name in names]
    return [name for name in names if name and not looks_like_person_name(name)]


def _split_listed_names(text: str) -> list[str]:
    parts = [part.strip() for part in text.split(",")]
    if len(parts) < 2 or not all(_starts_with_capital(part) for part in parts):
        return [text.strip(" .;")]
    last = re.split(r"\s+et\s+", parts[-1])
    if len(last) == 2 and all(_starts_with_capital(part) for part in last):
        parts[-1:] = last
    return [part.strip(" .;") for part in parts]


def _starts_with_capital(text: str) -> bool:
    text = re.sub(r"^(?:l'|la |le |les )", "", text.strip(), flags=re.IGNORECASE)
    return bool(text) and text[0].isupper()
