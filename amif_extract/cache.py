"""A content-addressed cache of per-document extraction results, kept outside the repository.

An entry is found by a key that hashes everything its content depends on: the file's sha256, the
name the records cite it by, the extractor's version string, the amif-extract version and the cache
format. A changed file, a bumped extractor or a new release therefore misses and is parsed again;
nothing ever has to be invalidated by hand.

An entry is data, never code: JSON of the records (see `cache_codec`, which builds only the types it
lists), behind a header line naming the format and a second line with the entry's key and the
sha256 of the JSON. An entry that is truncated, corrupt, of another format, filed under another key,
not owned by this user or refused by the codec is ignored with a one-line warning and rebuilt; a
missing entry is a plain miss. A cache folder that cannot be created or written is skipped — neither
ever stops a build.

What the cache trusts is its folder: it is created private (0700), and one that another user owns
or that others can write is refused (`InputError`), since whoever can write an entry decides what a
build reads from it. The sha256 guards against damage, not against a writer: anyone able to write
there could compute it too.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from amif_extract import __version__
from amif_extract.cache_codec import UntrustedEntry, decode, encode
from amif_extract.errors import InputError

CACHE_ENV = "AMIF_EXTRACT_CACHE"
CACHE_FORMAT = b"amif-extract-cache 2\n"  # bump when what an entry holds changes shape
ENTRY_SUFFIX = ".json"
PRIVATE = 0o700

log = logging.getLogger(__name__)


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


def open_cache_dir(cache_dir: Path) -> bool:
    """Create `cache_dir` private if it is missing; False when it cannot be used (the cache is skipped).

    `InputError` when another user owns it or others can write it: its entries cannot be trusted.
    """
    try:
        cache_dir.mkdir(mode=PRIVATE, parents=True, exist_ok=True)
        status = cache_dir.stat()
    except OSError:
        return False
    if not stat.S_ISDIR(status.st_mode):
        return False
    if status.st_uid != os.geteuid():
        raise InputError(
            cache_dir,
            "cache folder belongs to another user; use a folder of your own (--cache-dir) or --no-cache",
        )
    if status.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        mode = stat.S_IMODE(status.st_mode)
        raise InputError(
            cache_dir,
            f"cache folder is writable by others (mode {mode:o}); make it private (chmod 700)"
            " or use another (--cache-dir) or --no-cache",
        )
    return True


def load_entry(cache_dir: Path, key: str) -> Any | None:
    """The value stored under `key`, or None when there is no usable entry (never raises)."""
    path = entry_path(cache_dir, key)
    try:
        with path.open("rb") as stream:
            status = os.fstat(stream.fileno())
            data = stream.read()
    except FileNotFoundError:
        return None
    except OSError as error:
        _ignore(path, f"cannot be read ({error.strerror or error})")
        return None
    if status.st_uid != os.geteuid() or status.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        _ignore(path, "is not a private file of this user")
        return None
    try:
        return decode(_verified_payload(data, key))
    except UntrustedEntry as error:
        _ignore(path, str(error))
        return None


def _verified_payload(data: bytes, key: str) -> bytes:
    """The JSON of an entry whose header names this format and `key` and whose sha256 matches."""
    if not data.startswith(CACHE_FORMAT):
        raise UntrustedEntry("of another format or not a cache entry")
    header, separator, payload = data[len(CACHE_FORMAT) :].partition(b"\n")
    try:
        fields = json.loads(header.decode("utf-8")) if separator else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        fields = None
    if not isinstance(fields, dict) or set(fields) != {"key", "sha256"}:
        raise UntrustedEntry("has no valid header (truncated?)")
    if fields["key"] != key:
        raise UntrustedEntry("is filed under another key")
    if fields["sha256"] != hashlib.sha256(payload).hexdigest():
        raise UntrustedEntry("does not match its sha256 (truncated or altered)")
    return payload


def _ignore(path: Path, reason: str) -> None:
    log.warning("ignoring cache entry %s: %s; rebuilding it", path, reason)


def store_entry(cache_dir: Path, key: str, value: Any) -> bool:
    """Write `value` under `key` atomically; False (and no partial file) when the cache is not writable."""
    try:
        payload = encode(value)
    except (TypeError, ValueError) as error:  # a record holding a type the codec does not list
        log.warning("not caching %s: %s", key, error)
        return False
    header = json.dumps({"key": key, "sha256": hashlib.sha256(payload).hexdigest()}).encode("ascii")
    path = entry_path(cache_dir, key)
    try:
        path.parent.mkdir(mode=PRIVATE, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=ENTRY_SUFFIX)
    except OSError:
        return False
    try:
        with os.fdopen(handle, "wb") as output:  # mkstemp's file is private (0600)
            output.write(CACHE_FORMAT + header + b"\n" + payload)
        os.replace(temporary, path)
    except OSError:  # a full disk: leave no partial entry, keep building
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return False
    return True
