"""Reading text extractions: encoding, line endings, and the refusal of what is not text."""

from __future__ import annotations

import codecs
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
    """Decode UTF-8 (with or without BOM) or UTF-16 with its BOM; else Windows-1252 with a finding.

    Windows-1252 decodes almost any byte string, so binary content is refused first: a NUL byte
    never occurs in a text extraction, except as half of a UTF-16 character.
    """
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise InputError(path, "UTF-32 text is not read; save it as UTF-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_utf16(data, path), "utf-16", []
    if not data.strip():
        raise InputError(path, "file is empty")
    if b"\x00" in data[:65536]:
        if _looks_like_utf16(data[:65536]):
            raise InputError(path, "UTF-16 text without a byte-order mark; save it as UTF-8 or with the mark")
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


def _decode_utf16(data: bytes, path: Path) -> str:
    try:
        text = data.decode("utf-16")  # the BOM gives the byte order and is dropped
    except UnicodeDecodeError as error:
        raise InputError(path, f"UTF-16 text (byte-order mark) broken at byte {error.start}") from error
    if not text.strip():
        raise InputError(path, "file is empty")
    if "\x00" in text:
        raise InputError(path, "not a text file (UTF-16 byte-order mark, then binary content)")
    return text


def _looks_like_utf16(head: bytes) -> bool:
    """Latin text in UTF-16 has a NUL in every other byte: nearly all on even or all on odd offsets."""
    even, odd = head[0::2].count(0), head[1::2].count(0)
    return max(even, odd) > 0.4 * (len(head) // 2) and min(even, odd) < 0.05 * (len(head) // 2)


def read_text_document(path: Path, source_name: str | None = None) -> TextDocument:
    """Read a text extraction; CRLF and CR line endings read as LF."""
    name = source_name or path.name
    data = read_input_bytes(path)
    text, encoding, findings = decode_text(data, path, name)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return TextDocument(path, name, lines, encoding, findings)
