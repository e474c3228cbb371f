"""The two PDF engines read the real documents alike, and `pdf_text` groups as pdfplumber does.

PDFium (the default) and pdfplumber (the reference) must give the same words, lines and rules on
every page, and a whole build the same bytes; a difference names the page and the word. The
generated next editions are held to the same in `test_amif_pdf_editions.py` and
`test_sheets_editions.py`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pdfplumber
import pytest

from amif_extract.errors import InputError
from amif_extract.pdf_engine import ENGINES, open_pdf
from amif_extract.pdf_text import PdfChar, PdfPage, steady_round, text_lines_from_chars, words_from_chars

ROOT = Path(__file__).resolve().parents[1]
AMIF_PDF = ROOT / "raw" / "amif_projets_cofinances.pdf"
BROCHURE_PDF = ROOT / "raw" / "assises_integration_locale_fiches.pdf"
# PDFium keeps positions in float32, pdfminer in float64: 734.65 is 734.6500244 or 734.6499999.
BOX_TOLERANCE = 0.001


def read_pages(path: Path, engine: str) -> list[PdfPage]:
    with open_pdf(path, engine) as reader:
        return [reader.page(number) for number in range(1, reader.page_count + 1)]


@pytest.fixture(scope="module", params=[AMIF_PDF, BROCHURE_PDF], ids=["amif", "brochure"])
def both_engines(request: pytest.FixtureRequest) -> tuple[list[PdfPage], list[PdfPage]]:
    path = request.param
    return read_pages(path, "pdfium"), read_pages(path, "pdfplumber")


def word_differences(pdfium: PdfPage, plumber: PdfPage) -> Iterator[str]:
    words = words_from_chars(pdfium.chars)
    reference = words_from_chars(plumber.chars)
    if len(words) != len(reference):
        yield f"page {pdfium.number}: {len(words)} words instead of {len(reference)}"
    for index, (word, expected) in enumerate(zip(words, reference, strict=False)):
        boxes = zip(
            (word.x0, word.x1, word.top, word.bottom),
            (expected.x0, expected.x1, expected.top, expected.bottom),
            strict=True,
        )
        if word.text != expected.text or word.size != expected.size:
            where = f"page {pdfium.number}, word {index}"
            yield f"{where}: {word.text!r} ({word.size}) for {expected.text!r} ({expected.size})"
        elif any(abs(got - want) > BOX_TOLERANCE for got, want in boxes):
            yield f"page {pdfium.number}, word {index} {word.text!r}: box {word} for {expected}"


def test_both_engines_give_the_same_words_on_every_page(
    both_engines: tuple[list[PdfPage], list[PdfPage]],
) -> None:
    pdfium, plumber = both_engines
    assert len(pdfium) == len(plumber)
    assert [list(word_differences(a, b)) for a, b in zip(pdfium, plumber, strict=True)] == [[]] * len(pdfium)


def test_both_engines_give_the_same_lines_and_rules(
    both_engines: tuple[list[PdfPage], list[PdfPage]],
) -> None:
    pdfium, plumber = both_engines
    for a, b in zip(pdfium, plumber, strict=True):
        lines = [(line.text, line.size) for line in text_lines_from_chars(a.chars)]
        assert lines == [(line.text, line.size) for line in text_lines_from_chars(b.chars)], (
            f"page {a.number}"
        )
        rules = [(steady_round(r.top, 2), steady_round(r.x0, 2), steady_round(r.x1, 2)) for r in a.rules]
        assert rules == [
            (steady_round(r.top, 2), steady_round(r.x0, 2), steady_round(r.x1, 2)) for r in b.rules
        ]
        assert (a.width, a.height) == pytest.approx((b.width, b.height), abs=BOX_TOLERANCE)


def test_the_documents_counts_as_read() -> None:
    """The real values: 13 + 48 pages, 8086 and 13704 words, the list's 355 distinct rules."""
    amif, brochure = read_pages(AMIF_PDF, "pdfium"), read_pages(BROCHURE_PDF, "pdfium")
    assert (len(amif), len(brochure)) == (13, 48)
    assert sum(len(words_from_chars(page.chars)) for page in amif) == 8086
    assert sum(len(words_from_chars(page.chars)) for page in brochure) == 13704
    assert sum(len(page.rules) for page in amif) == 355 and not any(page.rules for page in brochure)
    first = words_from_chars(amif[1].chars)[0]
    assert (first.text, first.x0, first.top, first.size) == (
        "Projet",
        pytest.approx(135.0),
        pytest.approx(45.301, abs=1e-3),
        9.0,
    )


@pytest.mark.parametrize("path", [AMIF_PDF, BROCHURE_PDF], ids=["amif", "brochure"])
def test_words_and_lines_are_pdfplumbers_own(path: Path) -> None:
    """`pdf_text` over pdfplumber's characters gives pdfplumber's `extract_words` and
    `extract_text_lines`; words as a multiset, since pdfplumber starts a new run of characters (so
    orders its words differently) where the noise of its arithmetic makes 9.0 a 8.999999999999998."""
    with pdfplumber.open(path) as pdf, open_pdf(path, "pdfplumber") as reader:
        for page in pdf.pages:
            ours = reader.page(page.page_number)
            theirs = page.extract_words(x_tolerance=3, y_tolerance=3, extra_attrs=["size"])
            expected = Counter((w["text"], w["x0"], w["x1"], w["top"], w["bottom"]) for w in theirs)
            words = Counter((w.text, w.x0, w.x1, w.top, w.bottom) for w in words_from_chars(ours.chars))
            assert words == expected, f"page {page.page_number}"
            lines = [
                (line["text"], line["x0"], line["x1"], line["top"]) for line in page.extract_text_lines()
            ]
            assert [
                (line.text, line.x0, line.x1, line.top) for line in text_lines_from_chars(ours.chars)
            ] == lines


@pytest.mark.parametrize("engine", ENGINES)
def test_a_broken_pdf_is_one_input_error_naming_it_with_either_engine(engine: str, tmp_path: Path) -> None:
    truncated = tmp_path / "liste.pdf"
    truncated.write_bytes(AMIF_PDF.read_bytes()[:2000])
    with pytest.raises(InputError) as caught, open_pdf(truncated, engine) as reader:
        reader.page(1)
    assert caught.value.path == str(truncated)
    assert caught.value.reason.startswith("PDF is")


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown PDF engine 'mupdf': choose one of pdfium, pdfplumber"):
        open_pdf(AMIF_PDF, "mupdf").__enter__()


def test_a_build_with_the_reference_engine_writes_the_same_bytes(
    raw_dir: Path, serial_output_files: dict[str, bytes], tmp_path: Path
) -> None:
    """Every output file of raw/ (tables, findings, report, data package) read by pdfplumber is the
    same bytes as the default build's (PDFium)."""
    from amif_extract.build_records import BuildSettings
    from amif_extract.pdf_engine import selected_engine, use_engine
    from amif_extract.pipeline import build, output_files

    engine = selected_engine()
    try:
        reference = output_files(
            build(raw_dir, BuildSettings(workers=1, engine="pdfplumber", cache_dir=tmp_path))
        )
    finally:
        use_engine(engine)
    assert selected_engine() == "pdfium"
    differing = [name for name in serial_output_files if reference.get(name) != serial_output_files[name]]
    assert differing == [] and set(reference) == set(serial_output_files)


def test_kind_detection_and_extraction_parse_each_page_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The brochure is tried as the AMIF list (3 pages), then as a brochure (10 pages), then read
    whole (48): each of its pages is parsed once."""
    from amif_extract import pdf_engine, pdf_pdfium
    from amif_extract.build_records import BuildSettings
    from amif_extract.pipeline import named_documents
    from amif_extract.registry import extract_document

    parsed: list[int] = []
    original = pdf_pdfium.PdfiumReader.page

    def counting(reader: object, number: int) -> PdfPage:
        parsed.append(number)
        return original(reader, number)  # type: ignore[arg-type]

    monkeypatch.setattr(pdf_pdfium.PdfiumReader, "page", counting)
    pdf_engine._RECENT.clear()
    settings = BuildSettings(workers=1, use_cache=False)
    [document] = named_documents([BROCHURE_PDF], settings)
    assert (document.kind, sorted(set(parsed))) == ("practice_sheets", list(range(1, 11)))
    extraction = extract_document(document, settings)
    assert len(extraction.payload.sheets) == 24
    assert sorted(parsed) == list(range(1, 49))


def test_threads_reading_pdfs_at_once_read_them_as_one_thread_does() -> None:
    """PDFium is not thread-safe: threads of one process (a Dask worker's) take turns with it."""
    from concurrent.futures import ThreadPoolExecutor

    from amif_extract.extract.amif_pdf import extract_amif_pdf

    alone = extract_amif_pdf(AMIF_PDF).rows
    with ThreadPoolExecutor(max_workers=3) as pool:
        readings = list(pool.map(lambda _: extract_amif_pdf(AMIF_PDF).rows, range(3)))
    assert len(alone) == 38 and readings == [alone] * 3


def test_a_ligature_reads_as_its_letters() -> None:
    chars = [PdfChar(t, x, x + 4, 10.0, 19.0, 9.0, True) for t, x in (("e", 0.0), ("ﬃ", 4.0), ("e", 8.0))]
    assert [(w.text, w.x0, w.x1) for w in words_from_chars(chars)] == [("effie", 0.0, 12.0)]
