"""A cap on how far one PDF stream may inflate, held against both PDF engines.

A few megabytes of Flate, LZW or run-length data can stand for gigabytes, and a PDF reader
inflates a stream whole before it reads it: one hostile page could take all the memory there is.
`StreamTooLarge` refuses a file as soon as one of its streams inflates past the cap; the PDF
readers turn it into one line naming the file (`extract.amif_pdf.open_pdf`), exit 2.

Two defences, one per engine, sharing the decoders below, which give their output in bounded steps
(`decompressobj().decompress(data, max_length)` for Flate), never whole first:

- **pdfminer (under pdfplumber), while it reads.** `PDFStream.decode` inflates with
  `zlib.decompress`, `lzwdecode` and `rldecode`; `install` puts in their place, in
  `pdfminer.pdftypes` only, versions that stop as soon as their output passes the cap.
- **PDFium (pypdfium2), before it opens the file.** PDFium inflates inside C with no cap we can
  set, so `check_stream_sizes` reads the file's raw bytes first and inflates every stream in it as
  PDFium would, counting what comes out and keeping none of it. Only a refusal raises: a damaged
  stream is counted up to the damage and left for PDFium to report.

The scan sees every stream keyword in the file, whatever refers to it: content streams, fonts,
images, cross-reference streams and object streams (the objects packed in an object stream are not
streams, so inflating the object stream itself covers them), old revisions too. For each it reads
the dictionary before the keyword as PDFium's parser does and follows its /Filter:

- FlateDecode, LZWDecode and RunLengthDecode (Fl, LZW, RL) are inflated a step at a time and their
  output counted, after each filter of an array, as pdfminer's decoders are;
- ASCII85Decode and ASCIIHexDecode (A85, AHx) shrink their input, but a Flate stream may be
  written as their text, so they are decoded too (streaming, as PDFium does) and what follows
  them counted;
- Crypt passes its data on; any other filter (DCT, JPX, JBIG2, CCITT) ends the chain: PDFium
  allows them last only, and they give an image's pixels, bounded by its declared size.

Whatever the dictionary says, a stream's data is also tried as Flate alone: zlib refuses data that
is not Flate within its first bytes, so this costs nothing, and a Flate bomb is found even where the
dictionary cannot be read (or is read otherwise than PDFium reads it). A stream's data runs to
its /Length when that is a number followed by `endstream`, as PDFium checks; otherwise (a
reference, a missing or wrong length) to the end of the file: decoding more input never gives less
output, and each decoder stops at its own end of data. DecodeParms is read for LZW's EarlyChange
only; a predictor never makes data larger, so the size before it is the one that counts.

Fast: no filter can grow its input more than a known factor (Flate 1032, the most deflate allows;
LZW 4096 bytes a code of 9 bits or more; run-length 64; ASCII85 4), so a stream whose data is too
short to pass the cap even so is not inflated at all, and data that does not start as zlib does is
not tried as Flate. Under the default cap no stream with less than about 250 KB of data is inflated
(a stream whose data runs to the end of the file counts all of it: in a file under 250 KB, none).

Not covered: an encrypted file's streams are inflated after decryption, which the scan cannot do;
their data reads as damaged and passes. A caller that opens encrypted files with PDFium should
refuse them or read them with pdfminer, whose decoders are bounded. And the scan reads dictionaries
as PDFium does for files as PDF writers make them; a file written to be read one way by the scan and
another by PDFium could still hide an LZW, run-length or chained bomb behind its dictionary (a
Flate one only behind a /Length the two read differently).

The cap is one per process (`limit_pdf_streams`), set from `BuildSettings.max_stream_mb` by every
build before it opens a PDF and by every worker task; the default holds until then. pdfminer is
imported only by `install`, which the pdfplumber reader calls when it is imported: setting the cap
costs nothing to a build that reads no PDF, and the scan needs no pdfminer.
"""

from __future__ import annotations

import binascii
import re
import zlib
from collections.abc import Iterable, Iterator
from io import BytesIO
from types import SimpleNamespace
from typing import Any, NamedTuple

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


STEP = 16 * 1024 * 1024  # bytes inflated at a time for pdfminer: the most a refused stream holds past the cap
SCAN_STEP = 1024 * 1024  # bytes inflated at a time by the scan, which keeps none of them
INPUT_STEP = 64 * 1024  # compressed bytes given to a decoder at a time


# ----------------------------------------------------------------- decoders giving bounded steps

_Piece = bytes | memoryview  # a step of a decoder's input or output


def _pieces(data: _Piece) -> Iterator[memoryview]:
    view = memoryview(data)
    for start in range(0, len(view), INPUT_STEP):
        yield view[start : start + INPUT_STEP]


def _counted(pieces: Iterable[_Piece]) -> Iterator[_Piece]:
    """The pieces, unchanged, until together they pass the cap."""
    size = 0
    for piece in pieces:
        size += len(piece)
        _check(size)
        yield piece


def _inflated(pieces: Iterable[_Piece], step: int) -> Iterator[bytes]:
    """Flate output at most `step` bytes at a time, as `zlib.decompress` would give it whole.

    Stops at the end of the zlib stream (what follows is ignored); raises `zlib.error` for damaged
    data, and once the input is spent if the zlib stream is incomplete.
    """
    inflater = zlib.decompressobj()
    for piece in pieces:
        pending: _Piece = piece
        while pending and not inflater.eof:
            yield inflater.decompress(pending, step)
            pending = inflater.unconsumed_tail
        if inflater.eof:
            return
    while output := inflater.decompress(b"", step):  # what zlib still holds back
        yield output
    if not inflater.eof:
        raise zlib.error("Error -5 while decompressing data: incomplete or truncated stream")


def _run_length_decoded(pieces: Iterable[_Piece], step: int) -> Iterator[bytes]:
    """RunLengthDecode (PDF 32000-1, 7.4.5) at most about `step` bytes at a time.

    A run cut short by the end of the data is filled with zeros to its stated length, as PDFium does.
    """
    pending, output = b"", bytearray()
    for piece in pieces:
        data, position = pending + bytes(piece), 0
        while position < len(data):
            length = data[position]
            if length == 128:  # end of data
                yield bytes(output)
                return
            end = position + (length + 2 if length < 128 else 2)
            if end > len(data):
                break
            if length < 128:
                output += data[position + 1 : end]
            else:
                output += data[position + 1 : end] * (257 - length)
            position = end
            if len(output) >= step:
                yield bytes(output)
                output = bytearray()
        pending = data[position:]
    if pending:  # a run cut short (a repeat run has no byte left): filled to its stated length
        length, given = pending[0], pending[1:]
        output += given + bytes((length + 1 if length < 128 else 257 - length) - len(given))
    yield bytes(output)


class _LzwTable:
    """PDFium's LZW string table (`CLZWDecoder`): codes 258 and up as (prefix code, last byte).

    An entry's string is kept once its prefix is known. A damaged stream can give an entry whose
    prefix is a code past the table; PDFium reads such a string anew each time it is used (the
    prefix may be in the table by then), and so does `string_of`.
    """

    MOST_BYTES = 4000  # PDFium's decode stack: no code gives more

    def __init__(self, early_change: bool) -> None:
        self.early = int(early_change)
        self.clear()

    def clear(self) -> None:
        self.prefixes: list[int] = []
        self.last_bytes: list[int] = []
        self.strings: list[bytes | None] = []
        self.width = 9

    def string_of(self, code: int) -> bytes:
        tail = bytearray()
        while 0 <= code - 258 < len(self.prefixes) and len(tail) < self.MOST_BYTES:
            known = self.strings[code - 258]
            if known is not None:
                return (known + tail[::-1])[-self.MOST_BYTES :]
            tail.append(self.last_bytes[code - 258])
            code = self.prefixes[code - 258]
        head = bytes([code & 0xFF]) if len(tail) < self.MOST_BYTES else b""
        return head + tail[::-1]

    def add(self, prefix: int, last_byte: int) -> None:
        size = len(self.prefixes)
        if size + self.early == 4094:
            return
        known = prefix < 258 or (prefix - 258 < size and self.strings[prefix - 258] is not None)
        string = (self.string_of(prefix) + bytes([last_byte]))[-self.MOST_BYTES :] if known else None
        self.prefixes.append(prefix)
        self.last_bytes.append(last_byte)
        self.strings.append(string)
        self.width = {254: 10, 766: 11, 1790: 12}.get(size + 1 + self.early, self.width)


def _lzw_decoded(pieces: Iterable[_Piece], early_change: bool, step: int) -> Iterator[bytes]:
    """LZWDecode as PDFium reads it, at most about `step` bytes at a time; stops at its end code (257).

    PDFium's reading of damaged codes is kept (a code past the table repeats the previous string),
    since data PDFium reads on through can still be a bomb.
    """
    table = _LzwTable(early_change)
    previous, first_byte = -1, 0
    bits = bit_count = 0
    output = bytearray()
    for piece in pieces:
        for byte in bytes(piece):
            bits, bit_count = (bits << 8) | byte, bit_count + 8
            while bit_count >= table.width:
                bit_count -= table.width
                code, bits = bits >> bit_count, bits & ((1 << bit_count) - 1)
                if code == 256:
                    table.clear()
                    previous = -1
                    continue
                if code == 257 or (code > 257 and previous < 0):
                    yield bytes(output)
                    return
                if code < 256:
                    output.append(code)
                    first_byte = code
                    if previous >= 0:
                        table.add(previous, code)
                    previous = code
                    continue
                if code - 258 >= len(table.prefixes):  # the code being made: previous string + its first byte
                    string = (table.string_of(previous) + bytes([first_byte]))[-table.MOST_BYTES :]
                else:
                    string = table.string_of(code)
                output += string
                first_byte = string[0]
                if previous - 258 >= len(table.prefixes):  # PDFium stops after a code past the table
                    yield bytes(output)
                    return
                table.add(previous, first_byte)
                previous = code
                if len(output) >= step:
                    yield bytes(output)
                    output = bytearray()
        yield bytes(output)
        output = bytearray()


_ASCII85_SPACE = frozenset(b"\t\n\r ")


def _ascii85_decoded(pieces: Iterable[_Piece]) -> Iterator[bytes]:
    """ASCII85Decode as PDFium reads it: up to its first character that is not base-85 (`~>` ends it)."""
    group = digits = 0
    for piece in pieces:
        output = bytearray()
        for char in bytes(piece):
            if char in _ASCII85_SPACE:
                continue
            if char == 0x7A:  # z: four zero bytes
                output += bytes(4)
                group = digits = 0
                continue
            if not 0x21 <= char <= 0x75:
                yield bytes(output) + _last_ascii85_group(group, digits)
                return
            group, digits = (group * 85 + char - 33) & 0xFFFFFFFF, digits + 1
            if digits == 5:
                output += group.to_bytes(4, "big")
                group = digits = 0
        yield bytes(output)
    yield _last_ascii85_group(group, digits)


def _last_ascii85_group(group: int, digits: int) -> bytes:
    if digits == 0:
        return b""
    for _ in range(digits, 5):
        group = (group * 85 + 84) & 0xFFFFFFFF
    return group.to_bytes(4, "big")[: digits - 1]


_NOT_HEX = re.compile(rb"[^0-9A-Fa-f]+")


def _ascii_hex_decoded(pieces: Iterable[_Piece]) -> Iterator[bytes]:
    """ASCIIHexDecode as PDFium reads it: other characters skipped, `>` ends it, an odd digit is `d0`."""
    odd = b""
    for piece in pieces:
        text = bytes(piece)
        end = text.find(b">")
        digits = odd + _NOT_HEX.sub(b"", text if end < 0 else text[:end])
        even = len(digits) - len(digits) % 2
        yield binascii.unhexlify(digits[:even])
        odd = digits[even:]
        if end >= 0:
            break
    if odd:
        yield binascii.unhexlify(odd + b"0")


# ----------------------------------------------------------------- pdfminer: decoders swapped


def bounded_decompress(data: bytes) -> bytes:
    """`zlib.decompress(data)`, stopping once the output passes the cap (the excess is never made).

    Inflated a step at a time into one growing buffer: zlib's own output buffer for a large
    `max_length` is made of blocks joined at the end, which would hold twice the cap at once.
    Raises `zlib.error` as `zlib.decompress` does: pdfminer then tries its reader of damaged streams.
    """
    output = bytearray()
    for piece in _counted(_inflated(_pieces(data), STEP)):
        output += piece
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

    return b"".join(_counted(LZWDecoder(BytesIO(data)).run()))


def bounded_rldecode(data: bytes) -> bytes:
    """RunLengthDecode (PDF 32000-1, 7.4.5), stopping once the output passes the cap.

    A run cut short by the end of the data is filled with zeros, as PDFium does (pdfminer's own
    decoder raises there).
    """
    return b"".join(_counted(_run_length_decoded([data], STEP)))


def install() -> None:
    """Put the bounded decoders in `pdfminer.pdftypes`, in place of the ones it imported."""
    from pdfminer import pdftypes

    pdftypes.zlib = SimpleNamespace(  # type: ignore[assignment]
        decompress=bounded_decompress, decompressobj=BoundedDecompressor, error=zlib.error
    )
    pdftypes.lzwdecode = bounded_lzwdecode
    pdftypes.rldecode = bounded_rldecode


# ---------------------------------------------------------- PDFium: a raw scan before it opens a file


def check_stream_sizes(data: bytes) -> None:
    """Raise `StreamTooLarge` if a stream of the PDF file `data` inflates past the cap; else nothing.

    Every stream of the file is inflated as PDFium would inflate it, in bounded steps whose output
    is counted and dropped (see the module's docstring). Damaged streams, and files that are no PDF
    at all, pass: PDFium reports those itself.
    """
    objects = _ObjectIndex(data)
    floor = 0
    for keyword in _stream_keywords(data):
        dictionary = _stream_dictionary(data, keyword, floor)
        floor = keyword
        start = _next_line(data, keyword + len(b"stream"))
        end = _data_end(data, start, dictionary)
        for chain in _filter_chains(dictionary, objects):
            if chain[0].name == "Fl" and not _starts_zlib(data, start):
                continue  # zlib refuses it at once: nothing inflates
            if _growth_bound(end - start, chain) > _limit["bytes"]:
                _count(memoryview(data)[start:end], chain)


class _Stage(NamedTuple):
    """One filter of a stream's chain, by its short name (`Fl`, `LZW`, `RL`, `A85`, `AHx`, `Crypt`)."""

    name: str
    early_change: bool = True  # LZW only


_FLATE = (_Stage("Fl"),)
_LONG_NAMES = {
    "Fl": "FlateDecode",
    "LZW": "LZWDecode",
    "RL": "RunLengthDecode",
    "A85": "ASCII85Decode",
    "AHx": "ASCIIHexDecode",
    "Crypt": "Crypt",
}
_FILTERS = {name: short for short, long in _LONG_NAMES.items() for name in (short, long)}
# The most one filter makes of n bytes: n × factor + extra.
_GROWTH = {
    "Fl": (1032, 1032),  # deflate's limit: 258 bytes from a 2-bit length and distance pair
    "LZW": (3641, 4096),  # a code of 9 bits or more gives at most 4096 bytes (PDFium: 4000)
    "RL": (64, 128),  # 2 bytes give 128; a run cut short at the end is filled to 128
    "A85": (4, 4),  # "z" gives 4 zero bytes
    "AHx": (1, 1),
    "Crypt": (1, 0),
}


def _starts_zlib(data: bytes, start: int) -> bool:
    """Whether a zlib stream can start at `start` (RFC 1950): deflate, check bits right, no dictionary."""
    if start + 2 > len(data):
        return False
    method, flags = data[start], data[start + 1]
    return method & 0x0F == 8 and method >> 4 <= 7 and (method << 8 | flags) % 31 == 0 and not flags & 0x20


def _growth_bound(size: int, chain: tuple[_Stage, ...]) -> int:
    """The most any filter of `chain` can give from `size` bytes of data."""
    most = size
    for stage in chain:
        factor, extra = _GROWTH[stage.name]
        size = size * factor + extra
        most = max(most, size)
    return most


def _count(data: memoryview, chain: tuple[_Stage, ...]) -> None:
    pieces: Iterable[_Piece] = _pieces(data)
    for stage in chain:
        pieces = _counted(_decoded(pieces, stage))
    for _ in pieces:
        pass


def _decoded(pieces: Iterable[_Piece], stage: _Stage) -> Iterator[_Piece]:
    if stage.name == "Fl":
        return _until_damaged(_inflated(pieces, SCAN_STEP))
    if stage.name == "LZW":
        return _lzw_decoded(pieces, stage.early_change, SCAN_STEP)
    if stage.name == "RL":
        return _run_length_decoded(pieces, SCAN_STEP)
    if stage.name == "A85":
        return _ascii85_decoded(pieces)
    if stage.name == "AHx":
        return _ascii_hex_decoded(pieces)
    return iter(pieces)  # Crypt: decrypted by PDFium elsewhere


def _until_damaged(pieces: Iterator[bytes]) -> Iterator[bytes]:
    """What Flate gives before its data turns out damaged: PDFium keeps that much and goes on."""
    try:
        yield from pieces
    except zlib.error:
        return


def _filter_chains(dictionary: dict[str, object] | None, objects: _ObjectIndex) -> list[tuple[_Stage, ...]]:
    """The chains to count a stream's data through: its own, and Flate alone whatever it declares."""
    declared = _declared_chains(dictionary, objects) if dictionary is not None else []
    return [*declared, _FLATE] if all(chain[:1] != _FLATE for chain in declared) else declared


def _declared_chains(dictionary: dict[str, object], objects: _ObjectIndex) -> list[tuple[_Stage, ...]]:
    """The /Filter chain as PDFium follows it; an LZW's EarlyChange that cannot be read gives two."""
    filters = objects.resolve(dictionary.get("Filter"))
    parameters = objects.resolve(dictionary.get("DecodeParms"))
    if isinstance(filters, list):
        each = [objects.resolve(item) for item in parameters] if isinstance(parameters, list) else []
        steps = [
            (objects.resolve(name), each[index] if index < len(each) else None)
            for index, name in enumerate(filters)
        ]
    elif isinstance(filters, str) or filters is _UNKNOWN:
        steps = [(filters, parameters)]
    else:  # no /Filter, or not a name: PDFium decodes nothing
        return []
    chains: list[tuple[_Stage, ...]] = [()]
    for name, step_parameters in steps:
        short = "Fl" if name is _UNKNOWN else _FILTERS.get(name) if isinstance(name, str) else None
        if short is None:  # an image's codec, or no filter PDFium knows: the chain ends
            break
        early = _early_change(step_parameters, objects)
        variants = [True] if short != "LZW" else [True, False] if early is None else [early]
        chains = [(*chain, _Stage(short, variant)) for chain in chains for variant in variants]
    return [chain for chain in chains if chain]


def _early_change(parameters: object, objects: _ObjectIndex) -> bool | None:
    """LZW's /EarlyChange (default 1), or None where it cannot be read."""
    if parameters is None:
        return True
    if not isinstance(parameters, dict):
        return None
    value = objects.resolve(parameters.get("EarlyChange", 1))
    return bool(value) if isinstance(value, int) else None


# -- finding the streams


_SPACE = b"\x00\t\n\x0c\r "
_DELIMITERS = b"()<>[]{}/%"
_REGULAR = rb"[^\x00\t\n\x0c\r ()<>\[\]{}/%]"
_SKIPPED = rb"(?:[\x00\t\n\x0c\r ]++|%[^\r\n]*+)*+"  # white space and comments
_WORD = re.compile(_SKIPPED + rb"(/" + _REGULAR + rb"*+|<<|>>|[()<>\[\]{}]|" + _REGULAR + rb"++)")
_NUMBER = re.compile(rb"[0-9+.\-]+")
_ENDSTREAM_AFTER = re.compile(rb"(?:\r\n|\r|\n)?" + _SKIPPED + rb"endstream")
_LINE_END = re.compile(rb"\r\n?|\n")
_STRING_MARK = re.compile(rb"[()\\]")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_SEPARATOR = rb"(?:[\x00\t\n\x0c\r ]|%[^\r\n]*+)++"
_HEADER = re.compile(
    rb"(?<!%s)([0-9]++)%s([0-9]++)%sobj(?!%s)" % (_REGULAR, _SEPARATOR, _SEPARATOR, _REGULAR)
)
_HEADER_TRIES = 4  # object headers tried, nearest first, for a stream's dictionary
_DEEPEST = 64  # nesting PDFium reads


def _is_word_at(data: bytes, start: int, end: int) -> bool:
    """Whether data[start:end] is a whole word: no regular character right before or after it."""
    before = data[start - 1] if start > 0 else 0x20
    after = data[end] if end < len(data) else 0x20
    return all(char in _SPACE or char in _DELIMITERS for char in (before, after))


def _stream_keywords(data: bytes) -> Iterator[int]:
    """Where the word `stream` stands (not `endstream`): each may open a stream's data."""
    position = data.find(b"stream")
    while position >= 0:
        if _is_word_at(data, position, position + 6):
            yield position
        position = data.find(b"stream", position + 6)


def _next_line(data: bytes, position: int) -> int:
    """Where a stream's data starts: after the end of the keyword's line, as PDFium's `ToNextLine`."""
    line_end = _LINE_END.search(data, position)
    return line_end.end() if line_end else len(data)


def _data_end(data: bytes, start: int, dictionary: dict[str, object] | None) -> int:
    """The end of a stream's data: at its /Length when PDFium would take it, else the end of the file."""
    length = dictionary.get("Length") if dictionary is not None else None
    if (
        type(length) is int
        and 0 <= length < len(data) - start
        and _ENDSTREAM_AFTER.match(data, start + length)
    ):
        return start + length
    return len(data)


def _stream_dictionary(data: bytes, keyword: int, floor: int) -> dict[str, object] | None:
    """The dictionary read from the nearest object header (`obj`) before `keyword` that reads up to it."""
    limit = keyword
    for _ in range(_HEADER_TRIES):
        header = data.rfind(b"obj", floor, limit)
        while header >= 0 and not _is_word_at(data, header, header + 3):
            header = data.rfind(b"obj", floor, header)
        if header < 0:
            return None
        value, end = _read_object(data, header + 3, keyword)
        word = _WORD.match(data, end, keyword + 6)
        if isinstance(value, dict) and word is not None and word.start(1) == keyword:
            return value
        limit = header
    return None


# -- reading objects as PDFium's parser does (`CPDF_SyntaxParser::GetObjectBodyInternal`)


class _Ref(NamedTuple):
    number: int
    generation: int


_NOTHING = object()  # where PDFium's parser reads no object
_UNKNOWN = object()  # a reference to an object the raw file does not show (packed in an object stream)


def _read_object(data: bytes, position: int, limit: int, depth: int = 0) -> tuple[object, int]:
    """The object at `position`, and where it ends; nothing is read at or past `limit`.

    Names are `str` (with #xx escapes decoded), numbers `int` or `float`, strings `bytes` (not
    decoded: never needed here), arrays `list`, dictionaries `dict` (a repeated key: the last wins),
    references `_Ref`; `_NOTHING` where PDFium's parser gives no object.
    """
    match = _WORD.match(data, position, limit)
    if match is None or depth > _DEEPEST:
        return _NOTHING, limit
    word, end = match[1], match.end()
    if _NUMBER.fullmatch(word):
        return _number_or_reference(data, word, end, limit)
    if word in (b"true", b"false"):
        return word == b"true", end
    if word == b"null":
        return None, end
    if word == b"(":
        return b"", _string_end(data, end, limit)
    if word == b"<":
        close = data.find(b">", end, limit)
        return b"", limit if close < 0 else close + 1
    if word == b"[":
        return _read_array(data, end, limit, depth)
    if word.startswith(b"/"):
        return _name(word), end
    if word == b"<<":
        return _read_dictionary(data, end, limit, depth)
    return _NOTHING, position if word == b">>" else end


def _number_or_reference(data: bytes, word: bytes, end: int, limit: int) -> tuple[object, int]:
    second = _WORD.match(data, end, limit)
    third = _WORD.match(data, second.end(), limit) if second and _NUMBER.fullmatch(second[1]) else None
    if second and third and third[1] == b"R" and word.isdigit() and second[1].isdigit():
        return _Ref(int(word), int(second[1])), third.end()
    try:
        return (int(word) if word.isdigit() else float(word)), end
    except ValueError:
        return 0, end


def _read_array(data: bytes, position: int, limit: int, depth: int) -> tuple[list[object], int]:
    items: list[object] = []
    while True:  # PDFium's array ends at the first word that is no object (`]` among them)
        item, position = _read_object(data, position, limit, depth + 1)
        if item is _NOTHING:
            return items, position
        items.append(item)


def _read_dictionary(data: bytes, position: int, limit: int, depth: int) -> tuple[object, int]:
    entries: dict[str, object] = {}
    while True:
        match = _WORD.match(data, position, limit)
        if match is None:
            return _NOTHING, limit
        word = match[1]
        if word == b">>":
            return entries, match.end()
        if word == b"endobj":
            return entries, position
        position = match.end()
        if not word.startswith(b"/"):  # PDFium passes over a word where a key should be
            continue
        value, position = _read_object(data, position, limit, depth + 1)
        if value is not _NOTHING and len(word) > 1:
            entries[_name(word)] = value


def _string_end(data: bytes, position: int, limit: int) -> int:
    """Where a literal string opened just before `position` ends: at its balancing `)`."""
    depth = 0
    while mark := _STRING_MARK.search(data, position, limit):
        char, position = data[mark.start()], mark.end()
        if char == 0x5C:  # backslash: the next character is escaped
            position += 1
        elif char == 0x28:
            depth += 1
        elif depth == 0:
            return position
        else:
            depth -= 1
    return limit


def _name(word: bytes) -> str:
    if b"#" not in word:
        return word[1:].decode("latin-1")
    return _NAME_ESCAPE.sub(lambda escape: bytes([int(escape[1], 16)]), word[1:]).decode("latin-1")


class _ObjectIndex:
    """Indirect objects as written in the raw file, found when a reference needs one."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._headers: dict[_Ref, int] | None = None

    def resolve(self, value: object) -> object:
        """`value`, or the object it refers to (its last definition in the file), or `_UNKNOWN`."""
        if not isinstance(value, _Ref):
            return value
        if self._headers is None:
            self._headers = {
                _Ref(int(match[1]), int(match[2])): match.end() for match in _HEADER.finditer(self._data)
            }
        header_end = self._headers.get(value)
        if header_end is None:
            return _UNKNOWN
        referred, _ = _read_object(self._data, header_end, len(self._data))
        return _UNKNOWN if referred is _NOTHING or isinstance(referred, _Ref) else referred
