"""Document profiles: every label a document kind prints, with all its known spellings, as data.

A profile is a TOML file, one per document kind (``schemas/profiles/<kind>.toml``). Each table under
``[labels]`` names a field and lists its spellings::

    [labels.carrier]
    spellings = ["Porteur du projet", "Bénéficiaire", "Organisme porteur"]

Spellings are compared folded: case, accents, spacing, a trailing colon and a parenthesised plural
("Contact(s)") do not matter, so a steward lists a wording once. A re-worded label in a new edition
is then a one-line change to the profile, not to the code.

The package ships default profiles; a dataset folder may hold its own in ``schemas/profiles/``,
which then wins for that kind. Extractors and kind detection take a `Profile` and never spell a
label themselves.
"""

from __future__ import annotations

import functools
import hashlib
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from amif_extract.errors import InputError

PROFILE_SUFFIX = ".toml"
_PLURAL_MARK = re.compile(r"\((e?s|x)\)", re.IGNORECASE)
_EDGE_PUNCTUATION = " \t:;.-–—*•·"
_SPACES = re.compile(r"\s+")


def fold_label(text: str) -> str:
    """A label as compared: no accents, case folded, single spaces, no trailing colon or plural mark."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    bare = _PLURAL_MARK.sub("", bare).replace("’", "'")
    return _SPACES.sub(" ", bare).strip(_EDGE_PUNCTUATION).casefold()


@dataclass(frozen=True)
class Profile:
    """The labels of one document kind: field name → spellings, as the profile file lists them."""

    kind: str
    labels: Mapping[str, tuple[str, ...]]
    origin: str  # the file it was read from, for messages
    digest: str  # sha256 of the file's bytes: part of every cache key that depends on the labels
    _folded: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    def spellings(self, name: str) -> tuple[str, ...]:
        """Every spelling of field `name`; a `KeyError` naming the profile when it has no such field."""
        try:
            return self.labels[name]
        except KeyError:
            raise KeyError(f"{self.origin}: no label {name!r} in the {self.kind} profile") from None

    def field_of(self, text: str) -> str | None:
        """The field whose label `text` is (the whole text, folded), or None."""
        return self._folded.get(fold_label(text))

    def split_label(self, text: str, names: Iterable[str] | None = None) -> tuple[str, str] | None:
        """(field, rest) when `text` starts with a label (longest spelling wins), else None.

        `names` limits the fields considered. The label must end at a word boundary: "Contacts"
        is not read as "Contact" followed by "s".
        """
        allowed = set(names) if names is not None else None
        best: tuple[int, str] | None = None
        for name, spellings in self.labels.items():
            if allowed is not None and name not in allowed:
                continue
            for spelling in spellings:
                length = _label_prefix_length(text, spelling)
                if length and (best is None or length > best[0]):
                    best = (length, name)
        if best is None:
            return None
        length, name = best
        return name, text[length:].lstrip(_EDGE_PUNCTUATION)


def _label_prefix_length(text: str, spelling: str) -> int:
    """How many characters of `text` the label `spelling` covers at its start (0: it does not start it)."""
    wanted = fold_label(spelling)
    if not wanted:
        return 0
    # Fold growing prefixes: folding can change lengths (accents, plural marks), so compare folded.
    for end in range(len(wanted), min(len(text), len(wanted) * 2 + 8) + 1):
        if fold_label(text[:end]) == wanted:
            following = text[end : end + 1]
            if following and (following.isalnum() or following in "'’("):
                continue
            return end
    return 0


def read_profile(kind: str, data: bytes, origin: str) -> Profile:
    """A profile from a file's bytes; an `InputError` naming the file and the field when malformed."""
    try:
        parsed = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InputError(origin, f"profile is not valid TOML ({error})") from error
    table = parsed.get("labels")
    if not isinstance(table, dict) or not table:
        raise InputError(origin, "profile has no [labels.FIELD] tables")
    labels: dict[str, tuple[str, ...]] = {}
    folded: dict[str, str] = {}
    for name, entry in table.items():
        spellings = entry.get("spellings") if isinstance(entry, dict) else None
        if not isinstance(spellings, list) or not spellings or not all(isinstance(s, str) for s in spellings):
            raise InputError(origin, f"label {name!r}: 'spellings' must be a non-empty list of strings")
        for spelling in spellings:
            key = fold_label(spelling)
            if not key:
                raise InputError(origin, f"label {name!r}: an empty spelling")
            if folded.get(key, name) != name:
                raise InputError(
                    origin, f"spelling {spelling!r} is listed for both {folded[key]!r} and {name!r}"
                )
            folded[key] = name
        labels[name] = tuple(spellings)
    digest = hashlib.sha256(data).hexdigest()
    return Profile(kind, labels, origin, digest, folded)


def default_profile_bytes(kind: str) -> bytes:
    """The profile the package ships for `kind`."""
    resource = resources.files("amif_extract.schemas").joinpath("profiles", f"{kind}{PROFILE_SUFFIX}")
    try:
        return resource.read_bytes()
    except FileNotFoundError as error:
        raise InputError(f"profiles/{kind}{PROFILE_SUFFIX}", "no profile for this document kind") from error


def load_profile(kind: str, directory: Path | None = None) -> Profile:
    """The profile of `kind`: `directory/<kind>.toml` when it exists there, else the packaged default."""
    if directory is not None:
        path = directory / f"{kind}{PROFILE_SUFFIX}"
        if path.is_file():
            try:
                data = path.read_bytes()
            except OSError as error:
                raise InputError(path, f"cannot read profile ({error.strerror or error})") from error
            return read_profile(kind, data, str(path))
    return read_profile(kind, default_profile_bytes(kind), f"profiles/{kind}{PROFILE_SUFFIX} (default)")


@functools.lru_cache(maxsize=16384)
def fold_chars(text: str) -> str:
    """`text` folded character by character (accents dropped, lower case), keeping every offset.

    A regex built by `label_pattern` is searched in this text; its match offsets are offsets in
    `text` too, so the label is cut from the original without re-finding it.
    """
    if text.isascii():
        return text.lower()
    return "".join(map(_fold_char, text))


@functools.lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    bare = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    bare = "'" if bare == "’" else bare.lower()
    return bare if len(bare) == 1 else char


def label_pattern(spellings: Iterable[str], colon_after_one_word: bool = True) -> str:
    """A regex source matching any of `spellings` in `fold_chars` text, the longest first.

    Spaces match any run of blanks and a word may carry a plural mark ("Contact(s)"). A one-word
    spelling needs a colon after it, so a title or a sentence opening with that word is not a label,
    unless ``colon_after_one_word`` is False (a label followed by a code or a number: "Action A.3").
    The pattern has no groups of its own; it stops at a word's end.
    """
    alternatives = []
    for spelling in sorted(set(spellings), key=lambda s: (-len(fold_label(s)), s)):
        words = fold_label(spelling).split(" ")
        body = r"\s+".join(re.escape(word) + r"(?:\((?:e?s|x)\))?" for word in words)
        tail = r"(?![\w'(])" + (r"\s*:" if len(words) == 1 and colon_after_one_word else "")
        alternatives.append(body + tail)
    return "(?:" + "|".join(alternatives) + ")"


def require_labels(profile: Profile, names: Iterable[str]) -> None:
    """An `InputError` naming the profile file and the fields it lacks, so a partial profile is loud."""
    missing = [name for name in names if name not in profile.labels]
    if missing:
        raise InputError(profile.origin, f"the {profile.kind} profile has no label {', '.join(missing)}")


def profile_for(kind: str, directory: Path | None = None) -> Profile | None:
    """`kind`'s profile (the dataset's own in `directory`, else the packaged one), or None when the
    kind prints no labels a profile lists (neither has a file for it)."""
    if directory is not None and (directory / f"{kind}{PROFILE_SUFFIX}").is_file():
        return load_profile(kind, directory)
    resource = resources.files("amif_extract.schemas").joinpath("profiles", f"{kind}{PROFILE_SUFFIX}")
    return load_profile(kind) if resource.is_file() else None
