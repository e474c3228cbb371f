"""A cap on how far one PDF stream may inflate, enforced where pdfminer (under pdfplumber) inflates it.

A few megabytes of Flate, LZW or run-length data can stand for gigabytes: pdfminer's
`PDFStream.decode` inflates a stream whole (`zlib.decompress`, `lzwdecode`, `rldecode`) and keeps
it while the document is open, so one hostile page could take all the memory there is. Here those
three decoders are replaced, in `pdfminer.pdftypes` only, by versions that stop as soon as their
output passes the cap — output is produced in bounded steps (`decompressobj().decompress(data,
max_length)`), never whole first — and raise `StreamTooLarge`, which pdfplumber and the PDF
readers already turn into one line naming the file (`extract.amif_pdf.open_pdf`).

The cap is one per process (`limit_pdf_streams`), set from `BuildSettings.max_stream_mb` by every
build before it opens a PDF and by every worker task; the default holds until then. pdfminer is
imported only by `install`, which the PDF reader calls when it is imported: setting the cap costs
nothing to a build that reads no PDF.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from io import BytesIO
from types import SimpleNamespace
from typing import Any

DEFAULT_MAX_STREAM_MB = 256.0
_limit = {"bytes": int(DEFAULT_MAX_STREAM_MB * 1024 * 1024)}


class StreamTooLarge(ValueError):
    """A PDF stream inflates past the cap: refused as a possible decompression bomb."""

    def __init__(self) -> None:
        megabytes = _limit["bytes"] / 1024 / 1024
        super().__init__(
            f"a compressed stream inflates past {megabytes:g} MB (--max-stream-mb); "
            "refused as a possible decompression bomb"
        )


def limit_pdf_streams(max_bytes: int) -> None:
    """Cap every PDF stream this process inflates from now on at `max_bytes` (after each filter)."""
    _limit["bytes"] = max_bytes


def _check(size: int) -> None:
    if size > _limit["bytes"]:
        raise StreamTooLarge()


STEP = 16 * 1024 * 1024  # bytes inflated at a time: the most a refused stream holds past the cap


def bounded_decompress(data: bytes) -> bytes:
    """`zlib.decompress(data)`, stopping once the output passes the cap (the excess is never made).

    Inflated a step at a time into one growing buffer: zlib's own output buffer for a large
    `max_length` is made of blocks joined at the end, which would hold twice the cap at once.
    """
    inflater = zlib.decompressobj()
    output = bytearray()
    pending = data
    while pending:
        output += inflater.decompress(pending, STEP)
        _check(len(output))
        pending = inflater.unconsumed_tail
    output += inflater.flush()
    _check(len(output))
    if not inflater.eof:  # as zlib.decompress: pdfminer then tries its reader of damaged streams
        raise zlib.error("Error -5 while decompressing data: incomplete or truncated stream")
    return bytes(output)


class BoundedDecompressor:
    """`zlib.decompressobj()` counting what it gives (pdfminer's reader of damaged streams uses it)."""

    def __init__(self) -> None:
        self._inflater = zlib.decompressobj()
        self._given = 0

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        room = _limit["bytes"] + 1 - self._given
        output = self._inflater.decompress(data, room if max_length == 0 else min(max_length, room))
        self._given += len(output)
        _check(self._given)
        return output

    def flush(self, *args: Any) -> bytes:
        output = self._inflater.flush(*args)
        self._given += len(output)
        _check(self._given)
        return output

    def __getattr__(self, name: str) -> Any:  # eof, unused_data, unconsumed_tail
        return getattr(self._inflater, name)


def bounded_lzwdecode(data: bytes) -> bytes:
    """pdfminer's `lzwdecode`, stopping once the output passes the cap."""
    from pdfminer.lzw import LZWDecoder

    return _joined(LZWDecoder(BytesIO(data)).run())


def bounded_rldecode(data: bytes) -> bytes:
    """RunLengthDecode (PDF 32000-1, 7.4.5), stopping once the output passes the cap."""
    return _joined(_run_length_chunks(data))


def _run_length_chunks(data: bytes) -> Iterator[bytes]:
    position = 0
    while position < len(data):
        length = data[position]
        if length == 128:  # end of data
            return
        if length < 128:
            yield data[position + 1 : position + length + 2]
            position += length + 2
        else:
            yield data[position + 1 : position + 2] * (257 - length)
            position += 2


def _joined(chunks: Iterator[bytes]) -> bytes:
    parts, size = [], 0
    for chunk in chunks:
        size += len(chunk)
        _check(size)
        parts.append(chunk)
    return b"".join(parts)


def install() -> None:
    """Put the bounded decoders in `pdfminer.pdftypes`, in place of the ones it imported."""
    from pdfminer import pdftypes

    pdftypes.zlib = SimpleNamespace(  # type: ignore[assignment]
        decompress=bounded_decompress, decompressobj=BoundedDecompressor, error=zlib.error
    )
    pdftypes.lzwdecode = bounded_lzwdecode
    pdftypes.rldecode = bounded_rldecode
