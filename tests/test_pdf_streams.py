"""The cap on inflated PDF streams: the bounded decoders give pdfminer's bytes, and stop past the cap;
the raw scan made before PDFium opens a file counts every stream's size exactly, and refuses past it.

The bombs and the filter chains are synthetic by necessity (`tests/fixtures/bomb_pdf.py`): the real
documents use Flate only. They must read exactly as before under the default cap, which every other
PDF test checks, and the scan must measure their largest stream to the byte.
"""

from __future__ import annotations

import base64
import binascii
import random
import sys
import tracemalloc
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from pdfminer.lzw import lzwdecode
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFStream
from pdfminer.runlength import rldecode

from amif_extract.errors import InputError
from amif_extract.pdf_streams import (
    DEFAULT_MAX_STREAM_MB,
    BoundedDecompressor,
    StreamTooLarge,
    bounded_decompress,
    bounded_lzwdecode,
    bounded_rldecode,
    check_stream_sizes,
    limit_pdf_streams,
)
from amif_extract.pipeline import BuildSettings, InputDocument, extract_all, extract_files
from amif_extract.sources import sha256_of

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures"))

from bomb_pdf import lzw_encode, pdf_file, stream_object, write_bomb_pdf, zero_bomb

MB = 1024 * 1024


@pytest.fixture
def cap_of_one_mb() -> Iterator[None]:
    limit_pdf_streams(MB)
    yield
    limit_pdf_streams(int(DEFAULT_MAX_STREAM_MB * MB))


def test_the_bomb_fixture_is_a_valid_stream_of_zeros() -> None:
    assert zlib.decompress(zero_bomb(3 * MB)) == bytes(3 * MB)
    assert zlib.decompress(zero_bomb(1000)) == bytes(1000)


def test_flate_under_the_cap_gives_zlibs_bytes_and_its_errors(raw_dir: Path) -> None:
    data = (raw_dir / "amif_projets_cofinances.txt").read_bytes() * 50
    assert bounded_decompress(zlib.compress(data)) == data
    assert bounded_decompress(zlib.compress(data) + b"trailing junk") == data  # as zlib.decompress
    with pytest.raises(zlib.error, match="incomplete or truncated"):
        bounded_decompress(zlib.compress(data)[:-10])
    with pytest.raises(zlib.error):
        bounded_decompress(b"not zlib at all")


@pytest.mark.usefixtures("cap_of_one_mb")
def test_flate_past_the_cap_is_refused() -> None:
    assert bounded_decompress(zero_bomb(MB)) == bytes(MB)
    with pytest.raises(StreamTooLarge, match=r"inflates past 1 MB \(--max-stream-mb\)"):
        bounded_decompress(zero_bomb(2 * MB))


@pytest.mark.usefixtures("cap_of_one_mb")
def test_the_reader_of_damaged_streams_counts_too() -> None:
    """pdfminer feeds a stream with a bad checksum to `zlib.decompressobj()` byte by byte."""
    inflater = BoundedDecompressor()
    bomb = zero_bomb(2 * MB)
    with pytest.raises(StreamTooLarge):
        for start in range(0, len(bomb), 64):
            inflater.decompress(bomb[start : start + 64])
    whole = BoundedDecompressor()
    assert whole.decompress(zero_bomb(MB)) + whole.flush() == bytes(MB)
    assert whole.eof


def test_run_length_gives_pdfminers_bytes() -> None:
    generator = random.Random(17)
    for _ in range(200):
        runs = bytearray()
        for _ in range(generator.randrange(1, 20)):
            length = generator.choice([generator.randrange(0, 128), generator.randrange(129, 256)])
            count = length + 1 if length < 128 else 1
            runs += bytes([length]) + bytes(generator.randrange(256) for _ in range(count))
        encoded = bytes(runs) + b"\x80"
        assert bounded_rldecode(encoded) == rldecode(encoded)


@pytest.mark.usefixtures("cap_of_one_mb")
def test_run_length_past_the_cap_is_refused() -> None:
    repeat_128 = b"\x81\x00" * (MB // 128 + 1) + b"\x80"  # each pair: one byte, 128 times
    with pytest.raises(StreamTooLarge):
        bounded_rldecode(repeat_128)


def test_lzw_gives_pdfminers_bytes_and_stops_past_the_cap() -> None:
    """The example of PDF 32000-1, 7.4.4.2: these nine bytes are "-----A---B"."""
    encoded = bytes([0x80, 0x0B, 0x60, 0x50, 0x22, 0x0C, 0x0C, 0x85, 0x01])
    assert bounded_lzwdecode(encoded) == lzwdecode(encoded) == b"-----A---B"
    limit_pdf_streams(5)
    try:
        with pytest.raises(StreamTooLarge):
            bounded_lzwdecode(encoded)
    finally:
        limit_pdf_streams(int(DEFAULT_MAX_STREAM_MB * MB))


def bomb_document(path: Path) -> InputDocument:
    """The bomb as the manifest would list it (an AMIF list): read with no kind detection first."""
    return InputDocument(path, path.name, "amif_table", "pdf", sha256_of(path))


@pytest.mark.parametrize("workers", [1, 2])
def test_a_pdf_whose_stream_inflates_past_max_stream_mb_is_an_input_error_naming_it(
    raw_dir: Path, tmp_path: Path, workers: int
) -> None:
    """An 8 MB bomb against a 1 MB cap, in this process and on a pool (beside a real web page)."""
    bomb = bomb_document(write_bomb_pdf(tmp_path / "bombe.pdf", 8 * MB))
    page = raw_dir / "asti_convention_2021.txt"
    documents = [bomb, InputDocument(page, page.name, "web_page", "text", sha256_of(page))]
    settings = BuildSettings(max_stream_mb=1, workers=workers, use_cache=False)
    with pytest.raises(InputError) as caught:
        extract_all(documents, settings)
    assert caught.value.path == str(bomb.path)
    assert "inflates past 1 MB (--max-stream-mb)" in caught.value.reason
    # The same page inflating to 64 KB passes the cap (then is refused as a page without a table).
    small = bomb_document(write_bomb_pdf(tmp_path / "petite.pdf", 64 * 1024))
    with pytest.raises(InputError) as under:
        extract_all([small], settings)
    assert "no AMIF table" in under.value.reason


@pytest.mark.usefixtures("cap_of_one_mb")
def test_kind_detection_reads_under_the_cap_too(tmp_path: Path) -> None:
    """`extract` opens a PDF to recognise its kind before anything else: the cap holds there."""
    bomb = write_bomb_pdf(tmp_path / "bombe.pdf", 8 * MB)
    with pytest.raises(InputError) as caught:
        extract_files([bomb], BuildSettings(max_stream_mb=1, workers=1, use_cache=False))
    assert caught.value.path == str(bomb)
    assert "inflates past 1 MB (--max-stream-mb)" in caught.value.reason


def test_max_stream_mb_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_stream_mb must be positive"):
        BuildSettings(max_stream_mb=0)


# ------------------------------------------------------------------------------ the raw scan before PDFium


@pytest.fixture
def cap() -> Iterator[object]:
    """`cap(n)` sets the cap to n bytes for this test."""
    yield limit_pdf_streams
    limit_pdf_streams(int(DEFAULT_MAX_STREAM_MB * MB))


def passes_exactly_at(pdf: bytes, size: int) -> bool:
    """Whether the scan lets `pdf` through under a cap of `size` bytes and refuses it one byte lower."""
    limit_pdf_streams(size)
    check_stream_sizes(pdf)
    limit_pdf_streams(size - 1)
    try:
        check_stream_sizes(pdf)
    except StreamTooLarge:
        return True
    return False


def largest_stream(path: Path) -> int:
    """The largest inflated stream of a real PDF, measured without the scan: pdfminer's objects, zlib."""
    with path.open("rb") as file:
        document = PDFDocument(PDFParser(file))
        streams = [document.getobj(objid) for xref in document.xrefs for objid in xref.get_objids()]
        return max(len(zlib.decompress(s.rawdata)) for s in streams if isinstance(s, PDFStream))


@pytest.mark.parametrize("name", ["amif_projets_cofinances.pdf", "assises_integration_locale_fiches.pdf"])
@pytest.mark.usefixtures("cap")
def test_the_scan_passes_the_real_pdfs_and_measures_their_largest_stream_to_the_byte(
    raw_dir: Path, name: str
) -> None:
    pdf = (raw_dir / name).read_bytes()
    check_stream_sizes(pdf)  # the default cap
    largest = largest_stream(raw_dir / name)
    assert 20_000 < largest < 30_000  # a page's content stream
    assert passes_exactly_at(pdf, largest)


@pytest.mark.usefixtures("cap")
def test_the_scan_refuses_the_bomb_fixture_past_the_cap_and_holds_no_more_than_a_step(tmp_path: Path) -> None:
    bomb = write_bomb_pdf(tmp_path / "bombe.pdf", 8 * MB).read_bytes()
    check_stream_sizes(bomb)  # 8 MB, under the default 256 MB
    limit_pdf_streams(MB)
    with pytest.raises(StreamTooLarge, match=r"inflates past 1 MB \(--max-stream-mb\)"):
        check_stream_sizes(bomb)
    # 1.5 GB against the default cap: refused at 256 MB, a step of 1 MB held at a time.
    limit_pdf_streams(int(DEFAULT_MAX_STREAM_MB * MB))
    huge = write_bomb_pdf(tmp_path / "enorme.pdf", 1536 * MB).read_bytes()
    tracemalloc.start()
    try:
        with pytest.raises(StreamTooLarge, match="inflates past 256 MB"):
            check_stream_sizes(huge)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * MB, peak


TEXT = (Path(__file__).resolve().parents[1] / "raw" / "amif_projets_cofinances.txt").read_bytes()


def with_stream(entries: bytes, data: bytes, *, length: bytes | None = None) -> bytes:
    return pdf_file([stream_object(entries, data, length=length)])


@pytest.mark.usefixtures("cap")
def test_a_chain_of_filters_is_followed_and_counted_after_each_filter() -> None:
    """Flate behind ASCIIHex (with line breaks) or ASCII85, Flate twice; full names and abbreviations."""
    text = TEXT * 20
    deflated = zlib.compress(text, 9)
    hex_digits = binascii.hexlify(deflated)
    hex_lines = b"\n".join(hex_digits[i : i + 64] for i in range(0, len(hex_digits), 64))
    chains = [
        (b"/Filter [/ASCIIHexDecode /FlateDecode]", hex_lines + b">"),
        (b"/Filter [/AHx /Fl]", hex_digits + b">"),
        (b"/Filter [/ASCII85Decode /FlateDecode]", base64.a85encode(deflated) + b"~>"),
        (b"/Filter [/FlateDecode /FlateDecode]", zlib.compress(deflated, 9)),
    ]
    for entries, data in chains:
        assert passes_exactly_at(with_stream(entries, data), len(text)), entries
    # ASCII85 alone: "z" for each group of four zero bytes, and a last group of fewer than four bytes.
    with_zeros = TEXT + bytes(400_000) + b"fi"
    assert len(with_zeros) % 4 != 0
    ascii85 = with_stream(b"/Filter /A85", base64.a85encode(with_zeros, wrapcol=72) + b"~>")
    assert passes_exactly_at(ascii85, len(with_zeros))
    # The cap holds after each filter: here the first one's output passes a cap the second's does not.
    twice = with_stream(b"/Filter [/FlateDecode /FlateDecode]", zlib.compress(zlib.compress(bytes(MB))))
    assert passes_exactly_at(twice, MB)
    ahx_then_nothing = with_stream(b"/Filter [/FlateDecode /ASCIIHexDecode]", zlib.compress(b"41" * MB))
    assert passes_exactly_at(ahx_then_nothing, 2 * MB)


@pytest.mark.usefixtures("cap")
def test_lzw_and_run_length_streams_are_measured_as_pdfium_reads_them() -> None:
    assert passes_exactly_at(with_stream(b"/Filter /LZWDecode", lzw_encode(TEXT)), len(TEXT))
    named_twice = b"/Filter /DCTDecode /Filter /LZWDecode"  # PDFium keeps the last
    assert passes_exactly_at(with_stream(named_twice, lzw_encode(TEXT)), len(TEXT))
    early_change_0 = b"/Filter /LZW /DecodeParms << /EarlyChange 0 >>"
    assert passes_exactly_at(with_stream(early_change_0, lzw_encode(TEXT, early_change=0)), len(TEXT))
    in_an_array = b"/Filter [/LZWDecode /FlateDecode] /DecodeParms [<< /EarlyChange 0 >> null]"
    deflated = zlib.compress(TEXT * 4, 9)
    assert passes_exactly_at(with_stream(in_an_array, lzw_encode(deflated, early_change=0)), 4 * len(TEXT))
    literal_runs = b"".join(
        bytes([len(TEXT[i : i + 128]) - 1]) + TEXT[i : i + 128] for i in range(0, len(TEXT), 128)
    )
    run_length = literal_runs + b"\x81\x00" * 10_000 + b"\x80"  # then 10,000 runs of 128 zero bytes
    assert passes_exactly_at(with_stream(b"/Filter /RunLengthDecode", run_length), len(TEXT) + 1_280_000)


@pytest.mark.usefixtures("cap")
def test_a_bomb_in_an_object_stream_is_refused() -> None:
    """Objects packed in an object stream are inflated with it: the object stream itself is counted."""
    packed = b"5 0 << /Padding (" + bytes(8 * MB) + b") >>"
    object_stream = stream_object(
        b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", zlib.compress(packed, 9)
    )
    pdf = pdf_file([stream_object(b"", b"BT ET"), object_stream])
    check_stream_sizes(pdf)
    limit_pdf_streams(MB)
    with pytest.raises(StreamTooLarge):
        check_stream_sizes(pdf)


@pytest.mark.usefixtures("cap")
def test_a_bomb_is_found_whatever_its_length_or_dictionary_says() -> None:
    """No /Length, a reference, a wrong one; a dictionary that names another filter, or cannot be read."""
    bomb = zero_bomb(8 * MB)
    pdfs = [
        with_stream(b"/Filter /FlateDecode", bomb, length=b""),
        with_stream(b"/Filter /FlateDecode", bomb, length=b"/Length 9 0 R"),
        with_stream(b"/Filter /FlateDecode", bomb, length=b"/Length 10"),
        with_stream(b"/Filter /DCTDecode", bomb),
        with_stream(b"/Filter 9 0 R", bomb),  # an object nowhere in the file: packed in an object stream
        pdf_file([b"<< /Filter /FlateDecode (unbalanced >>\nstream\n" + bomb + b"\nendstream"]),
    ]
    limit_pdf_streams(MB)
    for number, pdf in enumerate(pdfs):
        with pytest.raises(StreamTooLarge):
            check_stream_sizes(pdf)
            pytest.fail(f"PDF {number} passed")


@pytest.mark.usefixtures("cap")
def test_a_filter_given_by_reference_is_followed() -> None:
    deflated = zlib.compress(TEXT, 9)
    hex_then_flate = pdf_file(
        [stream_object(b"/Filter 5 0 R", binascii.hexlify(deflated) + b">"), b"[/AHx 6 0 R]", b"/FlateDecode"]
    )
    assert passes_exactly_at(hex_then_flate, len(TEXT))


@pytest.mark.usefixtures("cap")
def test_damaged_streams_and_uncompressed_data_pass_the_scan() -> None:
    """PDFium reports damage itself: a stream is counted up to its damage, never refused for it."""
    bomb = bytearray(zero_bomb(8 * MB))
    bomb[200:300] = bytes(range(100))  # inside the first megabyte's deflate block
    damaged = [
        with_stream(b"/Filter /FlateDecode", bytes(bomb)),
        with_stream(b"/Filter /FlateDecode", b"not zlib at all" * 1000),
        with_stream(b"/Filter /FlateDecode", zero_bomb(MB // 2)[:-100]),  # truncated
        with_stream(b"/Filter /LZWDecode", bytes(range(256)) * 100),
        with_stream(b"/Filter /ASCII85Decode", b"\xff" * 10_000),
        with_stream(b"", bytes(3 * MB)),  # no filter: nothing inflates
        b"not a PDF at all",
    ]
    with pytest.raises(zlib.error):
        zlib.decompress(bytes(bomb))
    limit_pdf_streams(MB)
    for pdf in damaged:
        check_stream_sizes(pdf)


IMAGE_PAGE = b"/Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>"
LZW_TEXT = lzw_encode(TEXT)
AGREEING_CHAINS = {
    "LZW": (b"/Filter /LZWDecode", LZW_TEXT),
    "LZW, EarlyChange 0": (
        b"/Filter /LZW /DecodeParms << /EarlyChange 0 >>",
        lzw_encode(TEXT, early_change=0),
    ),
    "LZW, damaged": (b"/Filter /LZWDecode", LZW_TEXT[:3000] + bytes(range(256)) * 8 + LZW_TEXT[3000:]),
    "run-length, cut short": (b"/Filter /RunLengthDecode", b"\x02ab\x85z" * 1000 + b"\x7f" + TEXT[:20]),
    "ASCII85, stopped by a NUL": (
        b"/Filter /A85",
        base64.a85encode(TEXT[:999]) + b"\x00" + base64.a85encode(TEXT),
    ),
    "ASCII85, overflowing": (b"/Filter /ASCII85Decode", b"uuuuu" * 100 + b"~>"),
    "ASCIIHex, with other characters": (b"/Filter /AHx", b"4x1 4g2\n43" * 100 + b"3>"),
    "ASCII85, LZW, run-length": (
        b"/Filter [/A85 /LZW /RL]",
        base64.a85encode(lzw_encode(b"\x02abc\x85z" * 3000)) + b"~>",
    ),
    "Flate, Flate": (b"/Filter [/Fl /Fl]", zlib.compress(zlib.compress(TEXT * 10))),
}


@pytest.mark.parametrize("name", AGREEING_CHAINS)
@pytest.mark.usefixtures("cap")
def test_the_scan_counts_what_pdfium_decodes(name: str) -> None:
    """An image's data after all its filters, as PDFium gives it (`FPDFImageObj_GetImageDataDecoded`).

    Needs pypdfium2 (the engine the scan guards): skipped without it.
    """
    pdfium = pytest.importorskip("pypdfium2")
    entries, data = AGREEING_CHAINS[name]
    image = b"/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8 "
    content = stream_object(b"", b"q 100 0 0 100 0 0 cm /Im0 Do Q")
    pdf = pdf_file([content, stream_object(image + entries, data)]).replace(
        b"/Resources << >> /Contents 4 0 R >>", IMAGE_PAGE
    )
    [image_object] = [
        obj for obj in pdfium.PdfDocument(pdf)[0].get_objects() if obj.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE
    ]
    decoded = pdfium.raw.FPDFImageObj_GetImageDataDecoded(image_object.raw, None, 0)
    assert decoded > 100
    assert passes_exactly_at(pdf, decoded)
