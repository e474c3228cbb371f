"""The source manifest (`raw/sources.toml`): which documents there are, what they are, and their checksums.

Every build starts here: the manifest is read, each entry's path is checked to stay inside `raw/`, and
each file's sha256 is compared with the recorded one, so a silently changed document stops the build
instead of changing the dataset.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from amif_extract.errors import InputError
from amif_extract.registry import FORMATS, kind_names

MANIFEST_NAME = "sources.toml"
# A manifest entry's keys, in the order `format_source_entry` writes them.
ENTRY_KEYS = ("file", "kind", "format", "document", "origin", "url", "sha256", "retrieved")


@dataclass(frozen=True)
class Source:
    """One manifest entry. ``document`` groups the formats of one document (PDF + text extraction)."""

    file: str
    kind: str
    format: str
    document: str
    origin: str
    sha256: str
    url: str = ""
    retrieved: str = ""


@dataclass(frozen=True)
class Manifest:
    path: Path
    sources: tuple[Source, ...]

    @property
    def raw_dir(self) -> Path:
        return self.path.parent


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _entry(raw: dict[str, object], manifest_path: Path, index: int) -> Source:
    where = f"{manifest_path}: source #{index}"
    missing = [key for key in ("file", "kind", "format", "sha256") if not raw.get(key)]
    if missing:
        raise InputError(manifest_path, f"source #{index} lacks {', '.join(missing)}")
    values = {key: str(value) for key, value in raw.items()}
    if values["kind"] not in kind_names():
        raise InputError(manifest_path, f"source #{index} has unknown kind {values['kind']!r}")
    if values["format"] not in FORMATS:
        raise InputError(manifest_path, f"source #{index} has unknown format {values['format']!r}")
    unknown = set(values) - set(ENTRY_KEYS)
    if unknown:
        raise InputError(manifest_path, f"source #{index} has unknown keys {sorted(unknown)} ({where})")
    return Source(
        file=values["file"],
        kind=values["kind"],
        format=values["format"],
        document=values.get("document") or Path(values["file"]).stem,
        origin=values.get("origin", ""),
        sha256=values["sha256"].lower(),
        url=values.get("url", ""),
        retrieved=values.get("retrieved", ""),
    )


def read_manifest(raw_dir: Path) -> Manifest:
    """The manifest of `raw_dir`, which may list no source yet (a new dataset's)."""
    path = raw_dir / MANIFEST_NAME
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise InputError(path, "manifest not found (every raw/ folder needs a sources.toml)") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(path, f"manifest is not valid TOML ({error})") from error
    entries = data.get("source", [])
    if not isinstance(entries, list):
        raise InputError(path, "manifest's `source` is not a list of [[source]] entries")
    sources = tuple(_entry(entry, path, index) for index, entry in enumerate(entries, start=1))
    files = [source.file for source in sources]
    duplicated = sorted({name for name in files if files.count(name) > 1})
    if duplicated:
        raise InputError(path, f"manifest lists {duplicated[0]} twice")
    return Manifest(path, sources)


def load_manifest(raw_dir: Path) -> Manifest:
    """The manifest a build reads: one listing at least one source."""
    manifest = read_manifest(raw_dir)
    if not manifest.sources:
        raise InputError(
            manifest.path, "manifest lists no [[source]] entries (add one with `amif-extract sources add`)"
        )
    return manifest


def toml_string(value: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, except that TOML also refuses a raw DEL."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def format_source_entry(source: Source) -> str:
    """A `[[source]]` table in the manifest's layout: one `key = "value"` line per field."""
    values = {name: getattr(source, name) for name in ENTRY_KEYS}
    lines = ["[[source]]", *(f"{name} = {toml_string(value)}" for name, value in values.items())]
    return "\n".join(lines) + "\n"


def manifest_with(text: str, source: Source, path: Path) -> str:
    """The manifest `text` with `source` appended; parsed back to be sure it lists exactly that more."""
    separator = "" if not text or text.endswith("\n\n") else "\n" if text.endswith("\n") else "\n\n"
    new_text = text + separator + format_source_entry(source)
    before = tomllib.loads(text).get("source", [])
    after = tomllib.loads(new_text).get("source", [])
    if after[:-1] != before or _entry(after[-1], path, len(after)) != source:
        raise InputError(path, f"appending {source.file} would not give a manifest listing it")
    return new_text


def resolve_inside(raw_dir: Path, relative: str, manifest_path: Path) -> Path:
    """The source's real path, refusing anything that leaves `raw/` (``..``, absolute, symlink out)."""
    if os.path.isabs(relative) or Path(relative).is_absolute():
        raise InputError(manifest_path, f"source path {relative!r} is absolute; paths are relative to raw/")
    if ".." in Path(relative).parts:
        raise InputError(manifest_path, f"source path {relative!r} leaves raw/")
    root = raw_dir.resolve()
    resolved = (raw_dir / relative).resolve()
    if resolved != root and root not in resolved.parents:
        raise InputError(manifest_path, f"source path {relative!r} resolves outside raw/ (symlink?)")
    return resolved


def verify_source(source: Source, manifest: Manifest, max_bytes: int) -> Path:
    """Check that the file exists, stays inside raw/, respects the size limit and has its recorded sha256."""
    path = resolve_inside(manifest.raw_dir, source.file, manifest.path)
    shown = manifest.raw_dir / source.file
    if not path.is_file():
        raise InputError(shown, "listed in the manifest but missing")
    size = path.stat().st_size
    if size == 0:
        raise InputError(shown, "file is empty")
    if size > max_bytes:
        raise InputError(shown, f"file is {size} bytes, over the limit of {max_bytes} (--max-file-mb)")
    actual = sha256_of(path)
    if actual != source.sha256:
        raise InputError(
            shown,
            f"checksum mismatch: manifest says sha256 {source.sha256[:12]}…, file has {actual[:12]}… "
            "(the document changed: review it, then update raw/sources.toml)",
        )
    return path


def preferred_sources(manifest: Manifest) -> list[Source]:
    """One source per document: the PDF where the manifest lists a PDF and a text extraction of it."""
    chosen: dict[str, Source] = {}
    for source in manifest.sources:
        current = chosen.get(source.document)
        if current is None or (source.format == "pdf" and current.format != "pdf"):
            chosen[source.document] = source
    return sorted(chosen.values(), key=lambda source: source.file)
