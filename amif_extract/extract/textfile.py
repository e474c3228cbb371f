"""Reading text extractions: encoding, line endings, and the refusal of what is not text."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from amif_extract.errors import InputError, read_input_bytes
from amif_extract.findings import Finding, SourceLocation


@dataclass
class TextDocument:
    """A text file as lines (1-based line n is ``lines[n - 1]``), with how it was decoded."""

    path: Path
    source_name: str
    lines: list[str]
    encoding: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def decode_text(data: bytes, path: Path, source_name: str) -> tuple[str, str, list[Finding]]:
    """Decode UTF-8 (with or without BOM); fall back to Windows-1252 with a finding.

    Windows-1252 decodes almost any byte string, so binary content is refused first: a NUL byte
    never occurs in a text extraction.
    """
    if not data.strip():
        raise InputError(path, "file is empty")
    if b"\x00" in data[:65536]:
        raise InputError(path, "not a text file (binary content)")
    try:
        return data.decode("utf-8-sig"), "utf-8", []
    except UnicodeDecodeError as error:
        offset = error.start
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise InputError(path, f"neither UTF-8 nor Windows-1252 text (byte {error.start})") from error
    line = data.count(b"\n", 0, offset) + 1
    finding = Finding(
        "decoding_fallback",
        f"invalid UTF-8 at byte {offset}; decoded as Windows-1252",
        SourceLocation(source_name, line=line),
    )
    return text, "cp1252", [finding]


def read_text_document(path: Path, source_name: str | None = None) -> TextDocument:
    """Read a text extraction; CRLF and CR line endings read as LF."""
    name = source_name or path.name
    data = read_input_bytes(path)
    text, encoding, findings = decode_text(data, path, name)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return TextDocument(path, name, lines, encoding, findings)
