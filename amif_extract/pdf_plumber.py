"""pdfplumber's reading of a PDF's pages (pdfminer.six): the reference engine, ``--engine pdfplumber``.

Pages come out as `pdf_text.PdfPage`, each character redrawn on its baseline (`baseline_char`) as the
PDFium engine draws it; pdfminer's streams inflate under the cap of `pdf_streams`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from amif_extract.errors import InputError
from amif_extract.pdf_text import PdfChar, PdfPage, baseline_char, missing_page, sorted_rules


@contextmanager
def open_with_pdfplumber(path: Path) -> Iterator[PlumberReader]:
    import pdfplumber
    from pdfminer.psexceptions import PSException
    from pdfplumber.utils.exceptions import PdfminerException

    from amif_extract.pdf_streams import install as bound_pdf_stream_inflation

    bound_pdf_stream_inflation()
    try:
        pdf = pdfplumber.open(path)
    except Exception as error:  # pdfminer raises many kinds; each becomes a one-line reason
        raise _pdfminer_error(path, error) from error
    try:
        yield PlumberReader(path, pdf)
    except (PdfminerException, PSException, ValueError, KeyError, TypeError) as error:
        if isinstance(error, InputError):
            raise
        raise _pdfminer_error(path, error) from error
    finally:
        pdf.close()


def _pdfminer_error(path: Path, error: Exception) -> InputError:
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSEOF
    from pdfplumber.utils.exceptions import PdfminerException

    cause = error.args[0] if isinstance(error, PdfminerException) and error.args else error
    if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
        return InputError(path, "PDF is encrypted and needs a password")
    if isinstance(cause, PSEOF):
        return InputError(path, "PDF is truncated or damaged (unexpected end of file)")
    if isinstance(cause, PDFSyntaxError):
        return InputError(path, f"PDF is damaged ({cause})")
    return InputError(path, f"PDF cannot be read ({type(cause).__name__}: {cause})")


class PlumberReader:
    def __init__(self, path: Path, pdf: Any) -> None:
        self.path = path
        self.pdf = pdf
        try:
            self.pages = list(pdf.pages)
        except Exception as error:
            raise _pdfminer_error(path, error) from error
        self.page_count = len(self.pages)

    def page(self, number: int) -> PdfPage:
        if not 1 <= number <= self.page_count:
            raise missing_page(self.path.name, number, self.page_count)
        page = self.pages[number - 1]
        try:
            height = float(page.height)
            chars = tuple(_plumber_char(char, height) for char in page.chars)
            rules = sorted_rules(
                (float(edge["top"]), float(edge["x0"]), float(edge["x1"])) for edge in page.horizontal_edges
            )
            return PdfPage(number, float(page.width), height, chars, rules)
        except InputError:
            raise
        except Exception as error:
            raise _pdfminer_error(path=self.path, error=error) from error
        finally:
            page.close()


def _plumber_char(char: dict[str, Any], page_height: float) -> PdfChar:
    """A pdfplumber character redrawn on its baseline (`baseline_char`): its matrix ends at its origin
    and its advance is kept; the font size is what its box's height (or width, turned a quarter)
    has beyond the advance."""
    matrix = tuple(float(v) for v in char["matrix"])
    a, b, c, d = matrix[:4]
    advance = float(char["adv"])
    if abs(d) > 1e-9:
        font_size = (float(char["height"]) - abs(b) * advance) / abs(d)
    elif abs(c) > 1e-9:
        font_size = (float(char["width"]) - abs(a) * advance) / abs(c)
    else:
        font_size = 0.0
    return baseline_char(char["text"], matrix, advance, font_size, page_height)  # type: ignore[arg-type]
