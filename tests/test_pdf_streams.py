"""The cap on inflated PDF streams: the bounded decoders give pdfminer's bytes, and stop past the cap.

The bombs are synthetic by necessity (`tests/fixtures/bomb_pdf.py`); the real documents must read
exactly as before under the default cap, which every other PDF test checks.
"""

from __future__ import annotations

import random
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from pdfminer.lzw import lzwdecode
from pdfminer.runlength import rldecode

from amif_extract.errors import InputError
from amif_extract.pdf_streams import (
    DEFAULT_MAX_STREAM_MB,
    BoundedDecompressor,
    StreamTooLarge,
    bounded_decompress,
    bounded_lzwdecode,
    bounded_rldecode,
    limit_pdf_streams,
)
from amif_extract.pipeline import BuildSettings, InputDocument, extract_all, extract_files
from amif_extract.sources import sha256_of

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures"))

from bomb_pdf import write_bomb_pdf, zero_bomb

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
