"""Fetching new editions of the source documents from the addresses recorded in `raw/sources.toml`.

A download lands in a temporary file next to its target and replaces the target only once it is known
to be complete (length as announced, a PDF that starts and ends like one, text that decodes). The
manifest is then updated in place, only the entry's `sha256` and `retrieved` values, so its comments
and layout survive. A source that fails leaves its file and its manifest entry exactly as they were;
the other sources still proceed, and the report says which changed, which did not and which failed.
"""

from __future__ import annotations

import datetime
import glob
import http.client
import os
import re
import shutil
import ssl
import tempfile
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from amif_extract import __version__
from amif_extract.errors import InputError
from amif_extract.extract.textfile import decode_text
from amif_extract.sources import Manifest, Source, load_manifest, resolve_inside, sha256_of
from amif_extract.write import write_file_atomically

FetchStatus = Literal["changed", "unchanged", "failed", "skipped"]
ALLOWED_SCHEMES = ("http", "https")
# Statuses a server uses for a passing condition (overload, gateway trouble), worth asking again.
RETRYABLE_HTTP_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_CHUNK_BYTES = 1 << 16
_TEMPORARY_MARK = ".fetch-"


@dataclass(frozen=True)
class FetchSettings:
    """Limits of a fetch, with the CLI option that sets each."""

    timeout_s: float = 30.0  # --timeout: longest wait for a connection or for the next bytes
    retries: int = 2  # --retries: further attempts after a failure that may pass (timeout, 5xx, cut)
    backoff_s: float = 1.0  # wait before the first retry; doubled before each further one
    max_bytes: int = 200 * 1024 * 1024  # --max-file-mb: a larger download is refused, as `build` would
    total_timeout_s: float = 600.0  # one attempt is abandoned after this long (a server trickling bytes)
    pdf_eof_window: int = 1024  # `%%EOF` must lie in this many last bytes (where PDF readers look)

    def __post_init__(self) -> None:
        if not self.timeout_s > 0:
            raise ValueError(f"timeout_s must be positive (got {self.timeout_s})")
        if self.retries < 0:
            raise ValueError(f"retries must be 0 or more (got {self.retries})")
        if not self.backoff_s >= 0:
            raise ValueError(f"backoff_s must be 0 or more (got {self.backoff_s})")
        if self.max_bytes <= 0:
            raise ValueError(f"max_bytes must be positive (got {self.max_bytes})")
        if not self.total_timeout_s >= self.timeout_s:
            raise ValueError(
                f"total_timeout_s ({self.total_timeout_s}) must be at least timeout_s ({self.timeout_s})"
            )
        if self.pdf_eof_window < len(b"%%EOF"):
            raise ValueError(f"pdf_eof_window must be at least 5 bytes (got {self.pdf_eof_window})")


@dataclass(frozen=True)
class SourceFetch:
    """What happened to one manifest source. ``message`` is the reason when it failed or was skipped."""

    file: str
    url: str
    status: FetchStatus
    old_sha256: str
    new_sha256: str = ""
    message: str = ""
    attempts: int = 0

    def describe(self) -> str:
        """One line naming the file, the address and what happened."""
        if self.status == "changed":
            detail = f"sha256 {self.old_sha256[:12]}… → {self.new_sha256[:12]}… from {self.url}"
        elif self.status == "unchanged":
            detail = f"sha256 {self.new_sha256[:12]}… from {self.url}"
        elif self.status == "failed":
            detail = f"from {self.url}: {self.message}"
        else:
            detail = self.message
        if self.message and self.status in ("changed", "unchanged"):
            detail += f" ({self.message})"
        return f"{self.status:9} {self.file}: {detail}"


@dataclass(frozen=True)
class FetchReport:
    results: tuple[SourceFetch, ...]

    def with_status(self, status: FetchStatus) -> list[SourceFetch]:
        return [result for result in self.results if result.status == status]

    @property
    def ok(self) -> bool:
        return not self.with_status("failed")

    def summary(self) -> str:
        statuses: tuple[FetchStatus, ...] = ("changed", "unchanged", "failed", "skipped")
        counts = ", ".join(f"{len(self.with_status(status))} {status}" for status in statuses)
        return f"{len(self.results)} source(s): {counts}"


class ManifestEditError(Exception):
    """The manifest's text does not have the plain `key = "value"` layout an in-place edit relies on."""


class _DownloadFailure(Exception):
    """One attempt failed; ``retryable`` when asking again may help."""

    def __init__(self, reason: str, retryable: bool, attempts: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.attempts = attempts


def fetch_sources(
    raw_dir: Path,
    settings: FetchSettings | None = None,
    only: Sequence[str] = (),
    retrieved_on: datetime.date | None = None,
) -> FetchReport:
    """Download every manifest source that has a `url` (or only the files named), replacing what changed.

    Raises `InputError` before any download when the manifest is missing or broken, names a file it does
    not list, or has an address that is not http(s) or a path that leaves `raw/`.
    """
    settings = settings or FetchSettings()
    manifest = load_manifest(raw_dir)
    chosen = select_sources(manifest, only)
    targets = {source.file: check_fetchable(source, manifest) for source in chosen if source.url}
    date = (retrieved_on or datetime.date.today()).isoformat()
    # Bytes decoded by hand: read_text would turn CRLF into LF and the rewrite would not be byte-identical.
    manifest_text = manifest.path.read_bytes().decode("utf-8")
    results = []
    for source in chosen:
        if source.url:
            target = targets[source.file]
            result, manifest_text = fetch_one(source, target, manifest, manifest_text, date, settings)
        else:
            result = SourceFetch(source.file, "", "skipped", source.sha256, message="no url in the manifest")
        results.append(result)
    return FetchReport(tuple(results))


def select_sources(manifest: Manifest, only: Sequence[str]) -> list[Source]:
    listed = {source.file for source in manifest.sources}
    unknown = [name for name in only if name not in listed]
    if unknown:
        known = ", ".join(sorted(listed))
        raise InputError(manifest.path, f"lists no source {unknown[0]!r} (known: {known})")
    return [source for source in manifest.sources if not only or source.file in only]


def check_fetchable(source: Source, manifest: Manifest) -> Path:
    """The target path of a source with a `url`, once the address and the path are known to be safe."""
    parts = urllib.parse.urlsplit(source.url)
    if parts.scheme.lower() not in ALLOWED_SCHEMES or not parts.hostname:
        raise InputError(
            manifest.path, f"source {source.file} has url {source.url!r}: only http(s) addresses are fetched"
        )
    target = resolve_inside(manifest.raw_dir, source.file, manifest.path)
    if target in (manifest.path.resolve(), manifest.raw_dir.resolve()) or target.is_dir():
        raise InputError(manifest.path, f"source path {source.file!r} is not a document file")
    return target


def fetch_one(
    source: Source, target: Path, manifest: Manifest, manifest_text: str, date: str, settings: FetchSettings
) -> tuple[SourceFetch, str]:
    """Fetch one source; return its result and the manifest text as it now stands on disk."""
    temporary: Path | None = None
    attempts = 0
    old = source.sha256
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(target)
        temporary = _new_temporary(target)
        attempts = download_with_retries(source.url, temporary, settings)
        problem = content_problem(temporary, source.format, settings)
        if problem:
            raise _DownloadFailure(problem, retryable=False)
        new_sha256 = sha256_of(temporary)
        if new_sha256 == old:
            message = _keep_recorded_edition(temporary, target, new_sha256)
            unchanged = SourceFetch(source.file, source.url, "unchanged", old, new_sha256, message, attempts)
            return unchanged, manifest_text
        new_text = update_manifest_entry(manifest_text, source.file, new_sha256, date)
        install_download(temporary, target, manifest.path, new_text)
        return SourceFetch(source.file, source.url, "changed", old, new_sha256, "", attempts), new_text
    except _DownloadFailure as failure:
        reason = failure.reason
        attempts = failure.attempts or attempts
    except ManifestEditError as error:
        reason = f"{error}; the file was not replaced"
    except OSError as error:
        reason = f"cannot write in {target.parent} ({error.strerror or error}); nothing was replaced"
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
    return SourceFetch(source.file, source.url, "failed", old, "", reason, attempts), manifest_text


def _keep_recorded_edition(temporary: Path, target: Path, sha256: str) -> str:
    """The download is the recorded edition: rewrite the file only if the copy on disk is not it."""
    if target.is_file() and sha256_of(target) == sha256:
        return ""
    os.replace(temporary, target)
    return "the file on disk was missing or differed from the manifest; restored the recorded edition"


def _new_temporary(target: Path) -> Path:
    prefix = f".{target.name}{_TEMPORARY_MARK}"
    handle, name = tempfile.mkstemp(prefix=prefix, suffix=".part", dir=target.parent)
    os.close(handle)
    return Path(name)


def remove_stale_temporaries(target: Path) -> None:
    """Temporary files a killed fetch left next to this target (never a half-written file under its name)."""
    pattern = f".{glob.escape(target.name)}{_TEMPORARY_MARK}*"
    for stale in target.parent.glob(pattern):
        stale.unlink(missing_ok=True)


def download_with_retries(url: str, temporary: Path, settings: FetchSettings) -> int:
    """Download `url` into `temporary`; return the number of attempts it took."""
    opener = _http_only_opener()
    attempt = 1
    while True:  # ends after at most `retries + 1` attempts: each one returns, raises or counts up
        try:
            download_once(opener, url, temporary, settings)
            return attempt
        except _DownloadFailure as failure:
            if not failure.retryable or attempt > settings.retries:
                attempts = "1 attempt" if attempt == 1 else f"{attempt} attempts"
                reason = f"{failure.reason} ({attempts})"
                raise _DownloadFailure(reason, retryable=False, attempts=attempt) from failure
        time.sleep(settings.backoff_s * 2 ** (attempt - 1))
        attempt += 1


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects between http(s) addresses only (urllib would also follow one to ftp)."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        if urllib.parse.urlsplit(newurl).scheme.lower() not in ALLOWED_SCHEMES:
            reason = f"redirected to {newurl!r}, which is not an http(s) address"
            raise _DownloadFailure(reason, retryable=False)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _http_only_opener() -> urllib.request.OpenerDirector:
    # Built by hand rather than with build_opener, which would also register file:, ftp: and data:.
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.UnknownHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        _HttpOnlyRedirects(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    opener.addheaders = [("User-Agent", f"amif-extract/{__version__}"), ("Accept-Encoding", "identity")]
    return opener


def download_once(
    opener: urllib.request.OpenerDirector, url: str, temporary: Path, settings: FetchSettings
) -> None:
    """One attempt: the whole body into `temporary`, or a `_DownloadFailure` saying why not."""
    try:
        with opener.open(url, timeout=settings.timeout_s) as response:
            expected = announced_length(response.headers.get("Content-Length"))
            check_response_headers(response.headers.get("Content-Encoding"), expected, settings)
            received = save_body(response, temporary, settings)
    except urllib.error.HTTPError as error:
        error.close()
        retryable = error.code in RETRYABLE_HTTP_STATUSES
        raise _DownloadFailure(f"HTTP {error.code} {error.reason}", retryable=retryable) from error
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise _DownloadFailure(f"timed out after {settings.timeout_s:g} s", retryable=True) from error
        if isinstance(error.reason, ssl.SSLError):
            # A certificate or TLS failure does not pass by asking again.
            raise _DownloadFailure(f"TLS failure ({error.reason})", retryable=False) from error
        raise _DownloadFailure(f"cannot connect ({error.reason})", retryable=True) from error
    except TimeoutError as error:
        raise _DownloadFailure(f"timed out after {settings.timeout_s:g} s", retryable=True) from error
    except http.client.IncompleteRead as error:
        reason = f"truncated: connection closed after {len(error.partial)} bytes"
        raise _DownloadFailure(reason, retryable=True) from error
    except (http.client.HTTPException, OSError) as error:
        reason = f"connection failed ({type(error).__name__}: {error})"
        raise _DownloadFailure(reason, retryable=True) from error
    if expected is not None and received != expected:
        raise _DownloadFailure(f"truncated: got {received} of {expected} bytes", retryable=True)
    if received == 0:
        raise _DownloadFailure("the server sent an empty file", retryable=False)


def announced_length(header: str | None) -> int | None:
    """The Content-Length as a number, or None when absent or not a number (then nothing to compare)."""
    if header is None or not header.strip().isdigit():
        return None
    return int(header.strip())


def check_response_headers(encoding: str | None, expected: int | None, settings: FetchSettings) -> None:
    if encoding and encoding.strip().lower() != "identity":
        # The bytes on disk would be the compressed form, not the document.
        raise _DownloadFailure(f"the server sent {encoding}-encoded content", retryable=False)
    if expected is not None and expected > settings.max_bytes:
        raise _DownloadFailure(
            f"the server announces {expected} bytes, over the limit of {settings.max_bytes}", retryable=False
        )


def save_body(response: IO[bytes], temporary: Path, settings: FetchSettings) -> int:
    """Copy the body in blocks, stopping at the size limit or when the attempt has taken too long."""
    deadline = time.monotonic() + settings.total_timeout_s
    received = 0
    with temporary.open("wb") as stream:
        while block := response.read(_CHUNK_BYTES):
            received += len(block)
            if received > settings.max_bytes:
                reason = f"download exceeds the limit of {settings.max_bytes} bytes"
                raise _DownloadFailure(reason, retryable=False)
            if time.monotonic() > deadline:
                reason = f"download still running after {settings.total_timeout_s:g} s (got {received} bytes)"
                raise _DownloadFailure(reason, retryable=True)
            _write_locally(stream, block, temporary)
        _write_locally(stream, b"", temporary)
    return received


def _write_locally(stream: IO[bytes], block: bytes, temporary: Path) -> None:
    """Write a block, or with an empty block flush to disk; a full disk is not a network error to retry."""
    try:
        if block:
            stream.write(block)
        else:
            stream.flush()
            os.fsync(stream.fileno())
    except OSError as error:
        reason = f"cannot write {temporary} ({error.strerror or error})"
        raise _DownloadFailure(reason, retryable=False) from error


def content_problem(path: Path, document_format: str, settings: FetchSettings) -> str:
    """Why the downloaded bytes cannot be the document (empty string when they can)."""
    if document_format == "pdf":
        return pdf_problem(path, settings.pdf_eof_window)
    try:
        decode_text(path.read_bytes(), path, path.name)
    except InputError as error:
        return f"not usable as text: {error.reason}"
    return ""


def pdf_problem(path: Path, eof_window: int) -> str:
    """A complete PDF starts with its `%PDF-` header and ends with its `%%EOF` marker."""
    size = path.stat().st_size
    with path.open("rb") as stream:
        head = stream.read(16)
        stream.seek(max(0, size - eof_window))
        tail = stream.read()
    if not head.startswith(b"%PDF-"):
        return f"not a PDF (starts with {head[:16]!r})"
    if b"%%EOF" not in tail:
        return f"incomplete PDF: no %%EOF in its last {eof_window} bytes"
    return ""


def install_download(temporary: Path, target: Path, manifest_path: Path, manifest_text: str) -> None:
    """The download in place, then the manifest; if the manifest cannot be written, the old file back."""
    backup = temporary.with_suffix(".previous") if target.exists() else None
    try:
        if backup is not None:
            _preserve(target, backup)
        os.replace(temporary, target)
        try:
            write_file_atomically(manifest_path, manifest_text.encode("utf-8"))
        except BaseException:
            if backup is not None:
                os.replace(backup, target)
            else:
                target.unlink(missing_ok=True)
            raise
    finally:
        if backup is not None:
            backup.unlink(missing_ok=True)


def _preserve(target: Path, backup: Path) -> None:
    # A hard link costs no space and no copying; a file system without links gets a copy.
    try:
        os.link(target, backup)
    except OSError:
        shutil.copy2(target, backup)


_TABLE_HEADER = re.compile(r"^\s*\[")
_SOURCE_HEADER = re.compile(r"^\s*\[\[\s*source\s*\]\]\s*(#.*)?$")
_STRING_VALUE = r"""(?P<value>"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""


def _key_line(key: str) -> re.Pattern[str]:
    return re.compile(rf"^(?P<before>\s*{key}\s*=\s*){_STRING_VALUE}(?P<after>[ \t]*(?:#.*)?)$")


def update_manifest_entry(text: str, file: str, sha256: str, retrieved: str) -> str:
    """The manifest text with only `file`'s `sha256` and `retrieved` values replaced.

    Edits the text rather than re-serialising, so comments, key order and quoting stay byte-identical;
    the result is parsed back and must equal the old manifest with just those two values changed, or
    `ManifestEditError` says why the entry cannot be edited this way.
    """
    lines = [line for line in re.split(r"(?<=\n)", text) if line]
    start, end = _entry_span(lines, file)
    sha_pattern, retrieved_pattern = _key_line("sha256"), _key_line("retrieved")
    (sha_index,) = _lines_matching(lines, start, end, sha_pattern, file, "sha256", allowed=(1,))
    lines[sha_index] = _with_value(lines[sha_index], sha_pattern, sha256)
    found = _lines_matching(lines, start, end, retrieved_pattern, file, "retrieved", allowed=(0, 1))
    if found:
        lines[found[0]] = _with_value(lines[found[0]], retrieved_pattern, retrieved)
    else:
        sha_line = lines[sha_index]
        newline = sha_line[len(sha_line.rstrip("\r\n")) :] or "\n"
        indent = sha_line[: len(sha_line) - len(sha_line.lstrip())]
        lines.insert(sha_index + 1, f'{indent}retrieved = "{retrieved}"{newline}')
    updated = "".join(lines)
    _check_only_entry_changed(text, updated, file, {"sha256": sha256, "retrieved": retrieved})
    return updated


def _entry_span(lines: list[str], file: str) -> tuple[int, int]:
    """The line range of the `[[source]]` table whose `file` is `file`."""
    file_pattern = _key_line("file")
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for index, line in enumerate([*lines, "[end]"]):
        if _TABLE_HEADER.match(line):
            if start is not None:
                spans.append((start, index))
            start = index if _SOURCE_HEADER.match(line.rstrip("\r\n")) else None
    matching = [
        (first, last)
        for first, last in spans
        for line in lines[first:last]
        if (found := file_pattern.match(line.rstrip("\r\n"))) and _toml_string(found["value"]) == file
    ]
    if len(matching) != 1:
        raise ManifestEditError(
            f"the manifest entry of {file} cannot be updated in place ({len(matching)} `file = ` lines found)"
        )
    return matching[0]


def _lines_matching(
    lines: list[str],
    start: int,
    end: int,
    pattern: re.Pattern[str],
    file: str,
    key: str,
    allowed: tuple[int, ...],
) -> list[int]:
    found = [index for index in range(start, end) if pattern.match(lines[index].rstrip("\r\n"))]
    if len(found) not in allowed:
        raise ManifestEditError(
            f'the manifest entry of {file} has {len(found)} `{key} = "…"` lines; '
            "it cannot be updated in place"
        )
    return found


def _with_value(line: str, pattern: re.Pattern[str], value: str) -> str:
    body = line.rstrip("\r\n")
    match = pattern.match(body)
    assert match is not None  # the caller found the line with this pattern
    return f'{match["before"]}"{value}"{match["after"]}{line[len(body) :]}'


def _toml_string(literal: str) -> str:
    return str(tomllib.loads(f"value = {literal}")["value"])


def _check_only_entry_changed(old_text: str, new_text: str, file: str, changes: dict[str, str]) -> None:
    expected = tomllib.loads(old_text)
    for entry in expected.get("source", []):
        if entry.get("file") == file:
            entry.update(changes)
    try:
        actual = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError:
        actual = None
    if actual != expected:
        raise ManifestEditError(
            f"rewriting the manifest entry of {file} in place would change more than "
            "its sha256 and retrieved date"
        )
