"""A content-addressed cache of per-document extraction results, kept outside the repository.

An entry is found by a key that hashes everything its content depends on: the file's sha256, the
name the records cite it by, the extractor's version string, the amif-extract version and the cache
format. A changed file, a bumped extractor or a new release therefore misses and is parsed again;
nothing ever has to be invalidated by hand.

Entries are our own pickles, written atomically (a temporary file renamed into place), behind a
header line naming the format. A cache is an optimisation only: an entry that is missing, truncated,
from another format or unreadable for any reason counts as a miss, and a cache folder that cannot be
written to is skipped — neither ever stops a build.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from amif_extract import __version__

CACHE_ENV = "AMIF_EXTRACT_CACHE"
CACHE_FORMAT = b"amif-extract-cache 1\n"  # bump when what an entry holds changes shape
ENTRY_SUFFIX = ".pickle"


def default_cache_dir() -> Path:
    """$AMIF_EXTRACT_CACHE, else $XDG_CACHE_HOME/amif-extract, else ~/.cache/amif-extract."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "amif-extract"


def cache_key(
    sha256: str, source_file: str, extractor_version: str, settings: Mapping[str, Any] | None = None
) -> str:
    """The hex digest naming an entry: every input its content depends on, and nothing else."""
    parts = {
        "format": CACHE_FORMAT.decode("ascii").strip(),
        "amif_extract": __version__,
        "extractor": extractor_version,
        "sha256": sha256,
        "source_file": source_file,
        "settings": dict(settings or {}),
    }
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_path(cache_dir: Path, key: str) -> Path:
    # Two-character fan-out keeps folders small when many editions accumulate.
    return cache_dir / key[:2] / f"{key}{ENTRY_SUFFIX}"


def load_entry(cache_dir: Path, key: str) -> Any | None:
    """The value stored under `key`, or None when there is no usable entry (never raises)."""
    path = entry_path(cache_dir, key)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not data.startswith(CACHE_FORMAT):
        return None
    try:
        return pickle.loads(data[len(CACHE_FORMAT) :])
    except Exception:  # a truncated or foreign pickle fails in many ways; each is just a miss
        return None


def store_entry(cache_dir: Path, key: str, value: Any) -> bool:
    """Write `value` under `key` atomically; False (and no partial file) when the cache is not writable."""
    path = entry_path(cache_dir, key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=ENTRY_SUFFIX)
    except OSError:
        return False
    try:
        with os.fdopen(handle, "wb") as output:
            output.write(CACHE_FORMAT)
            pickle.dump(value, output, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except Exception:  # a full disk or an unpicklable value: leave no partial entry, keep building
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return False
    return True
