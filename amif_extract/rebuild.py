"""A build as the CLI runs it: extraction, then the whole output, each cached by what it depends on.

The extraction cache spares the PDF parsing; this module also spares the normalizing, linking,
validation and report rendering when nothing they read has changed. The key of a build's outputs is
made of everything that can change a byte of them: every document's extraction key, the
acknowledgements file, and a fingerprint of the library's code and of `schemas/` (the contracts and the
organisations authority file). A change to any of these misses the cache; a hit gives the bytes a
fresh build would give, because nothing else goes into them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from amif_extract.acknowledge import load_acknowledgements
from amif_extract.errors import read_input_bytes
from amif_extract.paths import SCHEMAS_DIR
from amif_extract.pipeline import (
    BuildResult,
    BuildSettings,
    InputDocument,
    Progress,
    assemble,
    check_page_limit,
    extract_all,
    extraction_cache_key,
    manifest_documents,
    output_files,
    pdf_page_count_for,
    refuse_schema_failures,
)

PACKAGE_DIR = Path(__file__).resolve().parent
OUTPUTS_CACHE_VERSION = "outputs 3"  # bump when what a cached build entry holds changes shape


@cache
def code_fingerprint() -> str:
    """sha256 over the library's source files and `schemas/`: the code and data every output depends on."""
    digest = hashlib.sha256()
    for folder in (PACKAGE_DIR, SCHEMAS_DIR):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _file_digest(path: Path) -> str:
    return hashlib.sha256(read_input_bytes(path)).hexdigest()


def outputs_key(documents: Sequence[InputDocument], acknowledgements: Path) -> str:
    parts = {
        "version": OUTPUTS_CACHE_VERSION,
        "code": code_fingerprint(),
        "documents": [extraction_cache_key(document) for document in documents],
        "acknowledgements": _file_digest(acknowledgements),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


def build_outputs(
    raw_dir: Path, settings: BuildSettings, acknowledgements: Path, progress: Progress
) -> tuple[BuildResult, dict[str, bytes]]:
    """The build of `raw_dir` with its acknowledgements applied, and every output file's bytes.

    Sources are verified and PDF page limits checked on every run, cached or not; a build whose
    tables fail their contracts raises `SchemaFailure` and is never cached.
    """
    documents = manifest_documents(raw_dir, settings)
    cache_dir = settings.effective_cache_dir if settings.use_cache else None
    key = outputs_key(documents, acknowledgements) if cache_dir is not None else ""
    if cache_dir is not None:
        cached = _cached_outputs(cache_dir, key, documents, settings)
        if cached is not None:
            progress("outputs unchanged (cached)", len(documents), len(documents))
            return cached
    from amif_extract.check import with_acknowledgements  # the report's modules: only when rendering

    acknowledged = load_acknowledgements(acknowledgements)
    extractions = extract_all(documents, settings, progress)
    result = with_acknowledgements(assemble(extractions), acknowledged)
    refuse_schema_failures(result)
    files = output_files(result)
    if cache_dir is not None:
        _store_outputs(cache_dir, key, documents, settings, result, files)
    return result, files


def _cached_outputs(
    cache_dir: Path, key: str, documents: Sequence[InputDocument], settings: BuildSettings
) -> tuple[BuildResult, dict[str, bytes]] | None:
    from amif_extract.cache import load_entry, open_cache_dir

    if not open_cache_dir(cache_dir):  # `InputError` for a folder others can write
        return None
    entry = load_entry(cache_dir, key)
    if not (isinstance(entry, dict) and set(entry) == {"result", "files", "page_counts"}):
        return None
    result, files, page_counts = entry["result"], entry["files"], entry["page_counts"]
    if not (isinstance(result, BuildResult) and isinstance(files, dict) and isinstance(page_counts, dict)):
        return None
    for document in documents:
        check_page_limit(document, page_counts.get(document.source_file), settings)
    return result, files


def _store_outputs(
    cache_dir: Path,
    key: str,
    documents: Sequence[InputDocument],
    settings: BuildSettings,
    result: BuildResult,
    files: dict[str, bytes],
) -> None:
    from amif_extract.cache import store_entry

    # The page counts keep --max-pages refusing a PDF whose outputs come from the cache. The
    # metadata (pages' lines, review items) only serves files already rendered into `files`.
    page_counts = {
        document.source_file: pdf_page_count_for(document, settings)
        for document in documents
        if document.format == "pdf" and document.kind in ("amif_table", "practice_sheets")
    }
    entry = {"result": dataclasses.replace(result, metadata={}), "files": files, "page_counts": page_counts}
    store_entry(cache_dir, key, entry)
