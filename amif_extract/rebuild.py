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
from amif_extract.check import with_acknowledgements
from amif_extract.paths import SCHEMAS_DIR
from amif_extract.pipeline import (
    BuildResult,
    BuildSettings,
    InputDocument,
    Progress,
    assemble,
    extract_all,
    extraction_cache_key,
    manifest_documents,
    output_files,
    refuse_schema_failures,
)

PACKAGE_DIR = Path(__file__).resolve().parent
OUTPUTS_CACHE_VERSION = "outputs 1"  # bump when what a cached build entry holds changes shape


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


def outputs_key(documents: Sequence[InputDocument], acknowledgements: Path) -> str:
    parts = {
        "version": OUTPUTS_CACHE_VERSION,
        "code": code_fingerprint(),
        "documents": [extraction_cache_key(document) for document in documents],
        "acknowledgements": hashlib.sha256(acknowledgements.read_bytes()).hexdigest(),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


def build_outputs(
    raw_dir: Path, settings: BuildSettings, acknowledgements: Path, progress: Progress
) -> tuple[BuildResult, dict[str, bytes]]:
    """The build of `raw_dir` with its acknowledgements applied, and every output file's bytes.

    Sources are verified and PDF page limits checked on every run, cached or not; a build whose
    tables fail their contracts raises `SchemaFailure` and is never cached.
    """
    from amif_extract.cache import load_entry, store_entry

    documents = manifest_documents(raw_dir, settings)
    extractions = extract_all(documents, settings, progress)
    acknowledged = load_acknowledgements(acknowledgements)
    cache_dir = settings.effective_cache_dir if settings.use_cache else None
    key = outputs_key(documents, acknowledgements) if cache_dir is not None else ""
    if cache_dir is not None:
        entry = load_entry(cache_dir, key)
        if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], BuildResult):
            return entry[0], entry[1]
    result = with_acknowledgements(assemble(extractions), acknowledged)
    refuse_schema_failures(result)
    files = output_files(result)
    if cache_dir is not None:
        # The pages' lines only serve the report, which is in `files` already.
        metadata = {name: value for name, value in result.metadata.items() if name != "page_text"}
        store_entry(cache_dir, key, (dataclasses.replace(result, metadata=metadata), files))
    return result, files
