"""`amif-extract fetch` against a local HTTP server on 127.0.0.1, on a copy of raw/.

The server is started by the `server` fixture (port 0, loopback only) and serves what each test sets
for a path: the real documents of raw/, a new edition made from them, or a broken response (404, cut
body, stalled, HTML instead of a PDF). Broken responses are synthetic: the real documents are fine.
"""

from __future__ import annotations

import datetime
import hashlib
import http.server
import re
import shutil
import threading
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from amif_extract.cli import app
from amif_extract.errors import InputError
from amif_extract.fetch import (
    FetchReport,
    FetchSettings,
    ManifestEditError,
    SourceFetch,
    fetch_sources,
    update_manifest_entry,
)
from amif_extract.sources import load_manifest, verify_source

AMIF_PDF = "amif_projets_cofinances.pdf"
AMIF_PDF_SHA256 = "b6f0a63d2c3242e5b7fc56224bd9b43b7d260d9653e1512154cab1b7bf2379d0"
ASTI_TXT = "asti_convention_2021.txt"
ASTI_TXT_SHA256 = "1a3b601e0fd7d6179aee01df1c8169843d634ccac7b25da0187bb31e190e8cd8"
OIM_TXT = "oim_france_projets.txt"
FETCH_DAY = datetime.date(2027, 1, 15)
# Short limits keep the failing cases fast; a local server answers well within them.
FAST = FetchSettings(timeout_s=2.0, retries=1, backoff_s=0.01)

Respond = Callable[[http.server.BaseHTTPRequestHandler], None]


@dataclass
class LocalServer:
    """Routes map a path to its responses, one per request; the last one repeats."""

    base_url: str
    release: threading.Event
    routes: dict[str, list[Respond]] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)

    def serve(self, path: str, *responses: Respond) -> str:
        self.routes[path] = list(responses)
        return self.base_url + path


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A client that timed out leaves a broken pipe behind; that is the test's point, not an error."""


def _handler_for(state: LocalServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.hits[self.path] += 1
            responses = state.routes.get(self.path)
            if not responses:
                self.send_error(404)
                return
            respond = responses.pop(0) if len(responses) > 1 else responses[0]
            respond(self)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalServer]:
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    state = LocalServer(base_url="", release=threading.Event())
    httpd = _QuietServer(("127.0.0.1", 0), _handler_for(state))
    state.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()  # lets stalled handlers end, so server_close can join them
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def body(data: bytes, status: int = 200, announce_length: bool = True, **headers: str) -> Respond:
    def respond(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        if announce_length:
            handler.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            handler.send_header(name.replace("_", "-"), value)
        handler.end_headers()
        handler.wfile.write(data)

    return respond


def cut_short(data: bytes, announced: int) -> Respond:
    """Announces `announced` bytes, sends `data`, closes the connection (HTTP/1.0 closes after a reply)."""

    def respond(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(announced))
        handler.end_headers()
        handler.wfile.write(data)
        handler.close_connection = True

    return respond


def stall(release: threading.Event, after: Respond | None = None) -> Respond:
    """Sends nothing, or what `after` sends but without closing, until the test ends."""

    def respond(handler: http.server.BaseHTTPRequestHandler) -> None:
        if after is not None:
            after(handler)
            handler.wfile.flush()
        release.wait(timeout=5)

    return respond


def redirect(location: str) -> Respond:
    def respond(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return respond


@pytest.fixture
def raw_copy(raw_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "raw"
    shutil.copytree(raw_dir, copy)
    return copy


def set_entry(raw: Path, file: str, key: str, value: str) -> None:
    """Set one key of one manifest entry in the copy (the real manifest has every url empty)."""
    manifest = raw / "sources.toml"
    blocks = manifest.read_text(encoding="utf-8").split("[[source]]")
    for index, block in enumerate(blocks):
        if f'file = "{file}"\n' in block:
            blocks[index] = re.sub(rf'(?m)^{key} = ".*"$', f'{key} = "{value}"', block)
    manifest.write_text("[[source]]".join(blocks), encoding="utf-8")


def point(raw: Path, urls: dict[str, str]) -> None:
    for file, url in urls.items():
        set_entry(raw, file, "url", url)


def snapshot(raw: Path) -> dict[str, bytes]:
    """Every file under raw/, hidden ones included, so a leftover temporary file shows up."""
    return {
        str(path.relative_to(raw)): path.read_bytes() for path in sorted(raw.rglob("*")) if path.is_file()
    }


def entry(raw: Path, file: str) -> dict[str, str]:
    data = tomllib.loads((raw / "sources.toml").read_text(encoding="utf-8"))
    return next(source for source in data["source"] if source["file"] == file)


def only_result(report: FetchReport, file: str) -> SourceFetch:
    return next(result for result in report.results if result.file == file)


def test_new_edition_replaces_file_and_records_sha256_and_date(server: LocalServer, raw_copy: Path) -> None:
    old_text = (raw_copy / ASTI_TXT).read_bytes()
    new_edition = old_text + "\nMise à jour : nouvelle convention 2022.\n".encode()
    point(raw_copy, {ASTI_TXT: server.serve("/asti.txt", body(new_edition))})
    manifest_before = (raw_copy / "sources.toml").read_text(encoding="utf-8")

    report = fetch_sources(raw_copy, FAST, retrieved_on=FETCH_DAY)

    result = only_result(report, ASTI_TXT)
    new_sha256 = hashlib.sha256(new_edition).hexdigest()
    assert (result.status, result.old_sha256, result.new_sha256) == ("changed", ASTI_TXT_SHA256, new_sha256)
    assert (raw_copy / ASTI_TXT).read_bytes() == new_edition
    assert "Guichet Info-Migrants" in (raw_copy / ASTI_TXT).read_text(encoding="utf-8")
    expected_manifest = manifest_before.replace(
        f'sha256 = "{ASTI_TXT_SHA256}"\nretrieved = "2026-11-23"',
        f'sha256 = "{new_sha256}"\nretrieved = "2027-01-15"',
    )
    assert (raw_copy / "sources.toml").read_text(encoding="utf-8") == expected_manifest
    assert expected_manifest != manifest_before
    manifest = load_manifest(raw_copy)
    updated = next(source for source in manifest.sources if source.file == ASTI_TXT)
    assert verify_source(updated, manifest, max_bytes=10**6) == (raw_copy / ASTI_TXT).resolve()
    assert report.ok
    assert [r.status for r in report.results].count("skipped") == 6


def test_unchanged_edition_rewrites_nothing(server: LocalServer, raw_copy: Path) -> None:
    pdf = (raw_copy / AMIF_PDF).read_bytes()
    point(raw_copy, {AMIF_PDF: server.serve("/amif.pdf", body(pdf, Content_Type="application/pdf"))})
    before = snapshot(raw_copy)
    stats = {name: (raw_copy / name).stat() for name in (AMIF_PDF, "sources.toml")}

    report = fetch_sources(raw_copy, FAST, retrieved_on=FETCH_DAY)

    result = only_result(report, AMIF_PDF)
    assert (result.status, result.new_sha256, result.message) == ("unchanged", AMIF_PDF_SHA256, "")
    assert snapshot(raw_copy) == before
    for name, stat in stats.items():
        after = (raw_copy / name).stat()
        assert (after.st_ino, after.st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)
    assert entry(raw_copy, AMIF_PDF)["retrieved"] == "2026-11-23"


def test_one_failure_leaves_its_source_alone_and_the_others_proceed(
    server: LocalServer, raw_copy: Path
) -> None:
    new_edition = (raw_copy / OIM_TXT).read_bytes().replace(b"OIM", b"OIM (Organisation internationale)")
    pdf_url = server.base_url + "/gone.pdf"  # no route: 404
    point(raw_copy, {AMIF_PDF: pdf_url, OIM_TXT: server.serve("/oim.txt", body(new_edition))})
    pdf_before = (raw_copy / AMIF_PDF).read_bytes()

    report = fetch_sources(raw_copy, FAST, retrieved_on=FETCH_DAY)

    failed = only_result(report, AMIF_PDF)
    assert failed.status == "failed"
    assert failed.message == "HTTP 404 Not Found (1 attempt)"
    assert failed.describe() == f"failed    {AMIF_PDF}: from {pdf_url}: HTTP 404 Not Found (1 attempt)"
    assert server.hits["/gone.pdf"] == 1  # a 404 is not asked again
    assert (raw_copy / AMIF_PDF).read_bytes() == pdf_before
    assert entry(raw_copy, AMIF_PDF)["sha256"] == AMIF_PDF_SHA256
    assert only_result(report, OIM_TXT).status == "changed"
    assert (raw_copy / OIM_TXT).read_bytes() == new_edition
    assert entry(raw_copy, OIM_TXT)["sha256"] == hashlib.sha256(new_edition).hexdigest()
    assert not report.ok
    assert report.summary() == "7 source(s): 1 changed, 0 unchanged, 1 failed, 5 skipped"


def test_truncated_download_leaves_raw_byte_identical(server: LocalServer, raw_copy: Path) -> None:
    pdf = (raw_copy / AMIF_PDF).read_bytes()
    point(raw_copy, {AMIF_PDF: server.serve("/amif.pdf", cut_short(pdf[:5000], announced=len(pdf)))})
    before = snapshot(raw_copy)

    report = fetch_sources(raw_copy, FAST, retrieved_on=FETCH_DAY)

    result = only_result(report, AMIF_PDF)
    assert result.status == "failed"
    assert result.message == f"truncated: got 5000 of {len(pdf)} bytes (2 attempts)"
    assert server.hits["/amif.pdf"] == 2  # a cut download is retried
    assert snapshot(raw_copy) == before  # manifest included, and no temporary file left


def test_stalled_server_times_out_after_retries(server: LocalServer, raw_copy: Path) -> None:
    """Synthetic: one server never answers, the other stops sending halfway through the body."""
    text = (raw_copy / OIM_TXT).read_bytes()
    point(
        raw_copy,
        {
            ASTI_TXT: server.serve("/silent.txt", stall(server.release)),
            OIM_TXT: server.serve(
                "/halfway.txt", stall(server.release, after=cut_short(text[:100], len(text)))
            ),
        },
    )
    before = snapshot(raw_copy)
    settings = FetchSettings(timeout_s=0.2, retries=2, backoff_s=0.01)

    started = time.monotonic()
    report = fetch_sources(raw_copy, settings, only=[OIM_TXT, ASTI_TXT])
    elapsed = time.monotonic() - started

    assert [result.file for result in report.results] == [ASTI_TXT, OIM_TXT]  # in manifest order
    for result in report.results:
        assert (result.status, result.attempts) == ("failed", 3)
        assert result.message == "timed out after 0.2 s (3 attempts)"
    assert server.hits == Counter({"/silent.txt": 3, "/halfway.txt": 3})
    assert elapsed < 4
    assert snapshot(raw_copy) == before


def test_html_page_for_a_pdf_source_is_refused(server: LocalServer, raw_copy: Path) -> None:
    page = b"<!DOCTYPE html><html><body>Page introuvable</body></html>"
    point(raw_copy, {AMIF_PDF: server.serve("/amif.pdf", body(page, Content_Type="text/html"))})
    before = snapshot(raw_copy)

    result = only_result(fetch_sources(raw_copy, FAST), AMIF_PDF)

    assert result.status == "failed"
    assert (result.message, result.attempts) == ("not a PDF (starts with b'<!DOCTYPE html><')", 1)
    assert server.hits["/amif.pdf"] == 1
    assert snapshot(raw_copy) == before


def test_pdf_cut_without_content_length_is_refused(server: LocalServer, raw_copy: Path) -> None:
    """Synthetic: a server that announces no length and closes early; only the missing %%EOF tells."""
    pdf = (raw_copy / AMIF_PDF).read_bytes()
    assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-1024:]
    point(raw_copy, {AMIF_PDF: server.serve("/amif.pdf", body(pdf[: len(pdf) // 2], announce_length=False))})
    before = snapshot(raw_copy)

    result = only_result(fetch_sources(raw_copy, FAST), AMIF_PDF)

    assert (result.status, result.message) == ("failed", "incomplete PDF: no %%EOF in its last 1024 bytes")
    assert snapshot(raw_copy) == before


def test_server_error_is_retried_then_succeeds(server: LocalServer, raw_copy: Path) -> None:
    new_edition = (raw_copy / ASTI_TXT).read_bytes() + b"\n2023\n"
    point(raw_copy, {ASTI_TXT: server.serve("/asti.txt", body(b"busy", status=503), body(new_edition))})

    result = only_result(fetch_sources(raw_copy, FAST, retrieved_on=FETCH_DAY), ASTI_TXT)

    assert (result.status, result.attempts) == ("changed", 2)
    assert (raw_copy / ASTI_TXT).read_bytes() == new_edition
    assert entry(raw_copy, ASTI_TXT)["retrieved"] == "2027-01-15"


def test_text_in_windows_1252_is_accepted_and_binary_refused(server: LocalServer, raw_copy: Path) -> None:
    """Synthetic bodies: a Windows-1252 edition (valid, as the build reads it) and binary junk."""
    cp1252 = (raw_copy / ASTI_TXT).read_text(encoding="utf-8").encode("cp1252", errors="replace")
    point(
        raw_copy,
        {
            ASTI_TXT: server.serve("/asti.txt", body(cp1252)),
            OIM_TXT: server.serve("/oim.txt", body(b"\x1f\x8b\x08\x00\x00\x00binary")),
        },
    )

    report = fetch_sources(raw_copy, FAST)

    assert only_result(report, ASTI_TXT).status == "changed"
    refused = only_result(report, OIM_TXT)
    assert (refused.status, refused.message) == (
        "failed",
        "not usable as text: not a text file (binary content)",
    )


def test_compressed_response_and_oversized_download_are_refused(server: LocalServer, raw_copy: Path) -> None:
    """Synthetic: a gzip-encoded reply (the bytes would not be the document) and a size limit."""
    text = (raw_copy / ASTI_TXT).read_bytes() + b"\n"
    point(
        raw_copy,
        {
            ASTI_TXT: server.serve("/asti.txt", body(text, Content_Encoding="gzip")),
            OIM_TXT: server.serve("/oim.txt", body(b"x" * 5000, announce_length=False)),
        },
    )
    before = snapshot(raw_copy)

    report = fetch_sources(raw_copy, FetchSettings(timeout_s=2.0, retries=0, max_bytes=4096))

    assert only_result(report, ASTI_TXT).message == "the server sent gzip-encoded content (1 attempt)"
    assert only_result(report, OIM_TXT).message == "download exceeds the limit of 4096 bytes (1 attempt)"
    assert snapshot(raw_copy) == before


def test_redirect_away_from_http_is_refused(server: LocalServer, raw_copy: Path) -> None:
    point(
        raw_copy,
        {
            ASTI_TXT: server.serve("/asti.txt", redirect("ftp://127.0.0.1/asti.txt")),
            OIM_TXT: server.serve("/oim.txt", redirect("file:///etc/passwd")),
        },
    )
    before = snapshot(raw_copy)

    report = fetch_sources(raw_copy, FAST)

    to_ftp, to_file = only_result(report, ASTI_TXT), only_result(report, OIM_TXT)
    assert (
        to_ftp.message
        == "redirected to 'ftp://127.0.0.1/asti.txt', which is not an http(s) address (1 attempt)"
    )
    # urllib refuses this one itself, before asking the redirect handler.
    assert (
        to_file.message
        == "HTTP 302 Found - Redirection to url 'file:///etc/passwd' is not allowed (1 attempt)"
    )
    assert snapshot(raw_copy) == before


def test_unsafe_url_or_path_stops_before_any_download(server: LocalServer, raw_copy: Path) -> None:
    point(raw_copy, {ASTI_TXT: server.serve("/asti.txt", body(b"new")), OIM_TXT: "file:///etc/passwd"})
    with pytest.raises(InputError, match="only http\\(s\\) addresses are fetched"):
        fetch_sources(raw_copy, FAST)

    point(raw_copy, {OIM_TXT: server.base_url + "/oim.txt"})
    set_entry(raw_copy, OIM_TXT, "file", "../outside.txt")
    with pytest.raises(InputError, match="leaves raw/"):
        fetch_sources(raw_copy, FAST)
    assert sum(server.hits.values()) == 0


def test_unknown_only_name_and_missing_manifest_are_input_errors(raw_copy: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=re.escape("lists no source 'nouveau.pdf'")):
        fetch_sources(raw_copy, FAST, only=["nouveau.pdf"])
    with pytest.raises(InputError, match="manifest not found"):
        fetch_sources(tmp_path / "empty", FAST)


def test_manifest_write_failure_puts_the_old_file_back(
    server: LocalServer, raw_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    point(raw_copy, {ASTI_TXT: server.serve("/asti.txt", body(b"Nouvelle page ASTI\n"))})
    before = snapshot(raw_copy)

    def disk_full(path: Path, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("amif_extract.fetch.write_file_atomically", disk_full)
    result = only_result(fetch_sources(raw_copy, FAST), ASTI_TXT)

    assert result.status == "failed"
    assert "No space left on device" in result.message
    assert snapshot(raw_copy) == before


def test_temporary_files_of_a_killed_fetch_are_removed(server: LocalServer, raw_copy: Path) -> None:
    """Synthetic leftover: what a fetch killed mid-download would leave next to its target."""
    (raw_copy / f".{ASTI_TXT}.fetch-x1y2z3.part").write_bytes(b"half a download")
    point(raw_copy, {ASTI_TXT: server.serve("/asti.txt", body((raw_copy / ASTI_TXT).read_bytes()))})

    result = only_result(fetch_sources(raw_copy, FAST), ASTI_TXT)

    assert result.status == "unchanged"
    assert not list(raw_copy.glob(".*"))


def test_update_manifest_entry_keeps_every_other_byte() -> None:
    """Synthetic manifest: CRLF line ends, comments, a trailing comment and an entry without `retrieved`."""
    text = (
        '# header comment\r\n\r\n[[source]]\r\nfile = "a.pdf"\r\nkind = "amif_table"\r\n'
        "sha256 = \"aaa\"  # checked by build\r\nretrieved = '2020-01-01'\r\n\r\n"
        '[[source]]\r\nfile = "b.txt"\r\nsha256 = "bbb"\r\n'
    )
    first = update_manifest_entry(text, "a.pdf", "f" * 64, "2027-01-15")
    assert first == text.replace(
        "sha256 = \"aaa\"  # checked by build\r\nretrieved = '2020-01-01'",
        f'sha256 = "{"f" * 64}"  # checked by build\r\nretrieved = "2027-01-15"',
    )
    second = update_manifest_entry(first, "b.txt", "e" * 64, "2027-01-15")
    assert second == first.replace(
        'sha256 = "bbb"\r\n', f'sha256 = "{"e" * 64}"\r\nretrieved = "2027-01-15"\r\n'
    )
    with pytest.raises(ManifestEditError, match="0 `file = ` lines"):
        update_manifest_entry(text, "c.pdf", "0" * 64, "2027-01-15")
    inline = 'source = [{ file = "a.pdf", sha256 = "aaa" }]\n'
    with pytest.raises(ManifestEditError):
        update_manifest_entry(inline, "a.pdf", "0" * 64, "2027-01-15")


def test_settings_say_which_value_is_wrong() -> None:
    with pytest.raises(ValueError, match="timeout_s must be positive"):
        FetchSettings(timeout_s=0)
    with pytest.raises(ValueError, match="retries must be 0 or more"):
        FetchSettings(retries=-1)
    with pytest.raises(ValueError, match="max_bytes must be positive"):
        FetchSettings(max_bytes=0)
    with pytest.raises(ValueError, match="total_timeout_s"):
        FetchSettings(timeout_s=60, total_timeout_s=10)


runner = CliRunner()


def test_cli_fetch_exit_codes(server: LocalServer, raw_copy: Path, tmp_path: Path) -> None:
    new_edition = (raw_copy / ASTI_TXT).read_bytes() + b"\nCLI\n"
    pdf = (raw_copy / AMIF_PDF).read_bytes()
    point(
        raw_copy,
        {
            ASTI_TXT: server.serve("/asti.txt", body(new_edition)),
            AMIF_PDF: server.serve("/amif.pdf", body(pdf)),
        },
    )
    options = ["--raw", str(raw_copy), "--timeout", "2", "--retries", "0"]

    done = runner.invoke(app, ["fetch", *options])
    assert done.exit_code == 0, done.output
    assert (
        f"unchanged {AMIF_PDF}: sha256 {AMIF_PDF_SHA256[:12]}… from {server.base_url}/amif.pdf" in done.stdout
    )
    assert f"changed   {ASTI_TXT}: sha256 {ASTI_TXT_SHA256[:12]}… → " in done.stdout
    assert done.stdout.strip().endswith("fetched 7 source(s): 1 changed, 1 unchanged, 0 failed, 5 skipped")
    assert entry(raw_copy, ASTI_TXT)["retrieved"] == datetime.date.today().isoformat()

    server.serve("/amif.pdf", body(b"", status=500))
    failed = runner.invoke(app, ["fetch", *options])
    assert failed.exit_code == 1
    assert f"failed    {AMIF_PDF}: from {server.base_url}/amif.pdf: HTTP 500" in failed.stderr
    assert f"unchanged {ASTI_TXT}" in failed.stdout
    assert (raw_copy / AMIF_PDF).read_bytes() == pdf

    quiet = runner.invoke(app, ["--quiet", "fetch", *options, "--only", ASTI_TXT])
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")

    for arguments, message in (
        (["fetch", "--raw", str(tmp_path / "nowhere")], "nowhere/sources.toml missing"),
        (["fetch", *options, "--only", "nouveau.pdf"], "lists no source 'nouveau.pdf'"),
        (["fetch", "--raw", str(raw_copy), "--timeout", "0"], "timeout_s must be positive"),
    ):
        refused = runner.invoke(app, arguments)
        assert refused.exit_code == 2, arguments
        assert message in refused.stderr
