"""PDFium's reading of a PDF's pages (pypdfium2, BSD-3-Clause / Apache-2.0): the default engine.

Pages come out as `pdf_text.PdfPage`, as pdfminer would draw them (see `docs/performance.md`, "PDF
engines"): a character's box from its origin, matrix, advance and font size (`baseline_char`), not
PDFium's own boxes; positions moved on by the widths the file prints where PDFium cut them to whole
thousandths of an em; characters in the content stream's order; PDFium's generated line breaks
dropped, its generated spaces kept as word breaks, its line-end hyphen (U+0002) a hyphen again, and
a code without Unicode read ``(cid:N)``. Every stream is measured before PDFium opens the file: it
inflates them whole, with no cap of ours.
"""

from __future__ import annotations

import ctypes
import functools
import io
import itertools
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amif_extract.errors import InputError, read_input_bytes
from amif_extract.pdf_streams import StreamTooLarge, check_stream_sizes
from amif_extract.pdf_text import Matrix, PdfChar, PdfPage, baseline_char, missing_page, sorted_rules

# PDFium's error codes (fpdfview.h), as one-line reasons.
_PDFIUM_REASONS = {
    2: "PDF cannot be read (file not found or could not be opened)",
    3: "PDF is damaged (not in PDF format or corrupted)",
    4: "PDF is encrypted and needs a password",
    5: "PDF is encrypted with an unsupported security scheme",
    6: "PDF is damaged (page not found or content error)",
}
_LINE_END_HYPHENS = {0x02, 0xFFFE}


def _pdfium_error(path: Path, error: Exception) -> InputError:
    code = getattr(error, "err_code", None)
    if code == 3 and not _ends_like_a_pdf(path):
        return InputError(path, "PDF is truncated or damaged (unexpected end of file)")
    reason = _PDFIUM_REASONS.get(code) if isinstance(code, int) else None
    return InputError(path, reason or f"PDF is damaged ({error})")


def _ends_like_a_pdf(path: Path) -> bool:
    """Whether the file ends with an end-of-file marker, as a PDF cut short does not."""
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - 1024))
            return b"%%EOF" in handle.read()
    except OSError:
        return False


@contextmanager
def open_with_pdfium(path: Path) -> Iterator[PdfiumReader]:
    """PDFium inflates streams whole, with no cap of ours: the file's streams are measured first
    (`pdf_streams.check_stream_sizes`), and a possible decompression bomb is refused before it opens."""
    import pypdfium2 as pdfium

    data = read_input_bytes(path)
    try:
        check_stream_sizes(data)
    except StreamTooLarge as error:
        raise InputError(path, str(error)) from error
    with _ONE_THREAD_AT_A_TIME:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as error:
            raise _pdfium_error(path, error) from error
        try:
            yield PdfiumReader(path, document, data)
        except pdfium.PdfiumError as error:
            raise _pdfium_error(path, error) from error
        finally:
            document.close()


# PDFium is not thread-safe: a process (a Dask worker running several threads, a library user's
# threads) reads one PDF at a time with it; processes run side by side.
_ONE_THREAD_AT_A_TIME = threading.RLock()


# Per font, by the name the file gives it (/BaseFont): a character's width in thousandths of an em.
FontWidths = dict[str, dict[int, float]]
_SUBSET_TAG = re.compile(r"^[A-Z]{6}\+")


class _PrintedWidths:
    """The widths a PDF's fonts print (/Widths, /W), read with pdfminer (the fonts only, not the pages'
    text), by page. PDFium keeps a width as whole thousandths of an em, so 695.8 is 695, and its
    positions drift along a line set in a font whose widths have decimals (as reportlab's do): up
    to a point in a long line. A file pdfminer cannot parse keeps PDFium's widths."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._pages: list[Any] | None = None
        self._fonts: dict[Any, dict[int, float]] = {}
        self._manager: Any = None

    def of_page(self, number: int) -> FontWidths:
        try:
            return self._read(number)
        except Exception:  # pdfminer may refuse what PDFium reads: the cut widths then stand
            return {}

    def _read(self, number: int) -> FontWidths:
        from pdfminer.pdfinterp import PDFResourceManager
        from pdfminer.pdftypes import resolve1
        from pdfminer.psparser import literal_name

        if self._pages is None:
            self._pages = _pdfminer_pages(self.data)
            self._manager = PDFResourceManager()
        resources = resolve1(self._pages[number - 1].resources) or {}
        widths: FontWidths = {}
        for reference in (resolve1(resources.get("Font")) or {}).values():
            spec = resolve1(reference)
            objid = getattr(reference, "objid", None)
            key = objid or id(spec)
            if key not in self._fonts:
                self._fonts[key] = _unicode_widths(self._manager.get_font(objid, spec))
            # PDFium names a font without its subset tag ("AAAAAA+"); subsets of one font share widths.
            name = _SUBSET_TAG.sub("", literal_name(spec.get("BaseFont", "")))
            widths.setdefault(name, {}).update(self._fonts[key])
        return widths


def _pdfminer_pages(data: bytes) -> list[Any]:
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    from amif_extract.pdf_streams import install as bound_pdf_stream_inflation

    bound_pdf_stream_inflation()
    return list(PDFPage.create_pages(PDFDocument(PDFParser(io.BytesIO(data)))))


def _unicode_widths(font: Any) -> dict[int, float]:
    """A pdfminer font's widths in thousandths of an em, by the one character each code prints: the
    widths pdfminer places characters by, its fallbacks included (a standard font's code its
    metrics lack, such as Helvetica's euro, is as wide as the font's default width, often 0)."""
    codes = {code for code in font.widths if isinstance(code, int)}
    if not font.is_multibyte():
        codes.update(range(256))
    widths: dict[int, float] = {}
    for code in sorted(codes):
        try:
            text = font.to_unichr(code)
        except Exception:  # no Unicode for this code: PDFium reads it as "(cid:N)", width cut or not
            continue
        if len(text) == 1:
            widths.setdefault(ord(text), float(font.char_width(code)) * 1000.0)
    return widths


class PdfiumReader:
    def __init__(self, path: Path, document: Any, data: bytes) -> None:
        self.path = path
        self.document = document
        self.page_count = len(document)
        self.printed_widths = _PrintedWidths(data)

    def page(self, number: int) -> PdfPage:
        if not 1 <= number <= self.page_count:
            raise missing_page(self.path.name, number, self.page_count)
        page = self.document[number - 1]
        try:
            device, width, height = _pdfium_page_space(page)
            chars = _pdfium_chars(page, device, height, self.printed_widths.of_page(number))
            rules = sorted_rules(_pdfium_rules(page, _multiply(device, _flip(height))))
        finally:
            page.close()
        return PdfPage(number, width, height, chars, rules)


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    """`m` then `n`, as PDF matrices compose."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _flip(height: float) -> Matrix:
    """From pdfminer's page space (y up) to pdfplumber's (y down from the top)."""
    return (1.0, 0.0, 0.0, -1.0, 0.0, height)


def _pdfium_page_space(page: Any) -> tuple[Matrix, float, float]:
    """pdfminer's matrix from PDF user space to its page space (the media box's corner at the origin,
    the page's /Rotate applied), and the page's width and height there."""
    x0, y0, x1, y1 = (float(v) for v in page.get_mediabox())
    rotation = page.get_rotation() % 360
    device: Matrix = {
        90: (0.0, -1.0, 1.0, 0.0, -y0, x1),
        180: (-1.0, 0.0, 0.0, -1.0, x1, y1),
        270: (0.0, 1.0, -1.0, 0.0, y1, -x0),
    }.get(rotation, (1.0, 0.0, 0.0, 1.0, -x0, -y0))
    width, height = (y1 - y0, x1 - x0) if rotation in (90, 270) else (x1 - x0, y1 - y0)
    return device, width, height


def _pdfium_chars(page: Any, device: Matrix, height: float, widths: FontWidths) -> tuple[PdfChar, ...]:
    """The page's characters in the order its content stream draws them, as pdfminer lists them.

    PDFium's text page mostly keeps that order but moves a few characters (a symbol font's arrow,
    a closing quote) next to the line it places them on; the order decides pdfplumber's runs of
    equal font size, so characters are put back in the order of their text objects.
    """
    import pypdfium2.raw as raw

    stream_order = {key: index for index, key in enumerate(_text_object_keys(raw, page))}
    textpage = page.get_textpage()
    try:
        chars, objects = _read_pdfium_chars(raw, textpage.raw, device, height, widths)
    finally:
        textpage.close()
    order = [stream_order.get(obj, -1) for obj in objects]
    if any(later < earlier for earlier, later in itertools.pairwise(order)):
        return tuple(char for _, char in sorted(zip(order, chars, strict=True), key=lambda pair: pair[0]))
    return tuple(chars)


def _text_object_keys(raw: Any, page: Any) -> Iterator[int]:
    """The addresses of the page's text objects, in stream order, forms' contents in place."""

    def walk(objects: list[Any]) -> Iterator[int]:
        for obj in objects:
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == _TEXT:
                yield ctypes.cast(obj, ctypes.c_void_p).value or 0
            elif kind == _FORM:
                yield from walk(
                    [raw.FPDFFormObj_GetObject(obj, i) for i in range(raw.FPDFFormObj_CountObjects(obj))]
                )

    yield from walk([raw.FPDFPage_GetObject(page.raw, i) for i in range(raw.FPDFPage_CountObjects(page.raw))])


def _foreign(raw: Any, name: str, restype: Any, *argtypes: Any) -> Any:
    """PDFium's function `name` returning plain integers (addresses as ints), not ctypes pointers:
    a pointer result costs a cast per call, and this loop makes several calls per character."""
    address = ctypes.cast(getattr(raw, name), ctypes.c_void_p).value or 0
    return ctypes.CFUNCTYPE(restype, *argtypes)(address)


class _PdfiumText:
    """PDFium's functions the character loop calls, made once per process."""

    def __init__(self, raw: Any) -> None:
        void_p, c_int, c_double_p = ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_double)
        float_p = ctypes.POINTER(ctypes.c_float)
        self.text_object = _foreign(raw, "FPDFText_GetTextObject", void_p, void_p, c_int)
        self.map_error = _foreign(raw, "FPDFText_HasUnicodeMapError", c_int, void_p, c_int)
        self.origin = _foreign(raw, "FPDFText_GetCharOrigin", c_int, void_p, c_int, c_double_p, c_double_p)
        self.unicode = _foreign(raw, "FPDFText_GetUnicode", ctypes.c_uint, void_p, c_int)
        self.count = _foreign(raw, "FPDFText_CountChars", c_int, void_p)
        self.text = _foreign(
            raw, "FPDFText_GetText", c_int, void_p, c_int, c_int, ctypes.POINTER(ctypes.c_ushort)
        )
        self.matrix = _foreign(raw, "FPDFText_GetMatrix", c_int, void_p, c_int, ctypes.POINTER(raw.FS_MATRIX))
        self.font_size = _foreign(raw, "FPDFTextObj_GetFontSize", c_int, void_p, float_p)
        self.font = _foreign(raw, "FPDFTextObj_GetFont", void_p, void_p)
        self.glyph_width = _foreign(
            raw, "FPDFFont_GetGlyphWidth", c_int, void_p, ctypes.c_uint, ctypes.c_float, float_p
        )
        self.font_name = _foreign(
            raw, "FPDFFont_GetBaseFontName", ctypes.c_size_t, void_p, ctypes.c_char_p, ctypes.c_size_t
        )
        self.loose_box = _foreign(
            raw, "FPDFText_GetLooseCharBox", c_int, void_p, c_int, ctypes.POINTER(raw.FS_RECTF)
        )
        self.raw = raw


@functools.lru_cache(maxsize=1)
def _pdfium_text() -> _PdfiumText:
    import pypdfium2.raw as raw

    return _PdfiumText(raw)


def _codes(api: _PdfiumText, textpage: int, count: int) -> list[int]:
    """Each character's code (UTF-16 read whole; one call per character if the page has a character
    outside the Basic Multilingual Plane, whose two halves would shift the indexes)."""
    buffer = (ctypes.c_ushort * (count + 1))()
    api.text(textpage, 0, count, buffer)
    codes = list(buffer[:count])
    if any(0xD800 <= code <= 0xDFFF for code in codes):
        return [api.unicode(textpage, index) for index in range(count)]
    return codes


def _read_pdfium_chars(
    raw: Any, textpage_handle: Any, device: Matrix, height: float, printed: FontWidths
) -> tuple[list[PdfChar], list[int]]:
    """The characters in PDFium's order, and the address of each one's text object; a space PDFium
    generated between two text objects is kept as a word break (it stands for a real space PDFium
    set apart), line breaks it generated are not.

    PDFium places a character after the ones before it in its text object by their widths cut to
    whole thousandths of an em; each is moved on by what the cut took from them (`printed`, the
    widths the file prints), so positions are the file's, as pdfminer computes them.
    """
    api = _pdfium_text()
    textpage = ctypes.cast(textpage_handle, ctypes.c_void_p).value or 0
    count = api.count(textpage)
    codes = _codes(api, textpage, count)
    origin_x, origin_y = ctypes.c_double(), ctypes.c_double()
    x_ref, y_ref = ctypes.byref(origin_x), ctypes.byref(origin_y)
    text_object, origin = api.text_object, api.origin
    objects: dict[int, _TextObject] = {}
    glyphs: dict[int, dict[int, tuple[str, float, float]]] = {}  # per font, per code
    drift: dict[int, float] = {}  # per text object: what the cut widths took so far, per point of size
    da, db, dc, dd, de, df = device
    chars: list[PdfChar] = []
    owners: list[int] = []
    new_char = tuple.__new__  # PdfChar's own __new__ is a Python function: too slow per character
    current, entry, drifted = None, None, 0.0
    font_glyphs: dict[int, tuple[str, float, float]] = {}
    for index in range(count):
        obj = text_object(textpage, index)
        code = codes[index]
        if obj is None:  # generated by PDFium
            if code == 0x20 and chars:
                chars.append(chars[-1]._replace(text=" ", x0=chars[-1].x1))
                owners.append(owners[-1])
            continue
        if obj != current:  # characters of one text object come together: its values are kept at hand
            if current is not None:
                drift[current] = drifted
            current, drifted = obj, drift.get(obj, 0.0)
            entry = objects.get(obj) or _text_object_entry(api, textpage, index, obj, device, objects)
            a, size, level, text_a, text_b = entry.a, entry.size, entry.level, entry.text_a, entry.text_b
            glyph_height, rounded = entry.height, entry.rounded
            font_glyphs = glyphs.setdefault(entry.font, {})
        assert entry is not None
        # What a character code of a font reads and how wide it is are asked of PDFium once.
        text, width, cut = font_glyphs.get(code) or _glyph(
            api, textpage, index, entry, code, printed, font_glyphs
        )
        origin(textpage, index, x_ref, y_ref)
        shift = drifted * size
        x, y = origin_x.value + shift * text_a, origin_y.value + shift * text_b
        drifted += cut
        e, f = da * x + dc * y + de, db * x + dd * y + df
        if level:  # the common case, `baseline_char` worked out for text set level
            bottom = height - f
            right = e + a * width * size
            chars.append(new_char(PdfChar, (text, e, right, bottom - glyph_height, bottom, rounded, True)))
        else:
            matrix = (a, entry.b, entry.c, entry.d, e, f)
            chars.append(baseline_char(text, matrix, width * size, size, height))
        owners.append(obj)
    return chars, owners


@dataclass(frozen=True)
class _TextObject:
    a: float  # its matrix into pdfminer's page space
    b: float
    c: float
    d: float
    text_a: float  # the direction its text advances in, in PDF user space
    text_b: float
    size: float
    font: int
    font_name: str

    @functools.cached_property
    def level(self) -> bool:
        """Upright text set level: no rotation, no mirror, no skew."""
        return self.b == 0 and self.c == 0 and self.a > 0 and self.d > 0

    @functools.cached_property
    def height(self) -> float:
        return self.d * self.size

    @functools.cached_property
    def rounded(self) -> float:
        return round(self.height, 3)


def _glyph(
    api: _PdfiumText,
    textpage: int,
    index: int,
    entry: _TextObject,
    code: int,
    printed: FontWidths,
    cache: dict[int, tuple[str, float, float]],
) -> tuple[str, float, float]:
    """What a character reads, its advance per point of font size as the file prints it, and what
    PDFium's cut width lacks of it; kept (in `cache`, its font's) for every character of its font
    with its code."""
    key = code
    if api.map_error(textpage, index):
        text = f"(cid:{code})"
    elif code in _LINE_END_HYPHENS:
        text, code = "-", 0x2D
    else:
        text = chr(code)
    cut = _advance(api, textpage, index, entry.font, code, entry.a, entry.size)
    width = printed.get(entry.font_name, {}).get(code)
    glyph = (text, cut, 0.0) if width is None else (text, width / 1000.0, width / 1000.0 - cut)
    cache[key] = glyph
    return glyph


def _text_object_entry(
    api: _PdfiumText, textpage: int, index: int, obj: int, device: Matrix, objects: dict[int, _TextObject]
) -> _TextObject:
    """A text object's matrix, font size and font, kept for its characters."""
    matrix = api.raw.FS_MATRIX()
    api.matrix(textpage, index, ctypes.byref(matrix))
    size = ctypes.c_float()
    api.font_size(obj, ctypes.byref(size))
    a, b, c, d, _, _ = _multiply((matrix.a, matrix.b, matrix.c, matrix.d, 0.0, 0.0), device)
    font = api.font(obj) or 0
    entry = _TextObject(
        a, b, c, d, float(matrix.a), float(matrix.b), float(size.value), font, _font_name(api, font)
    )
    objects[obj] = entry
    return entry


def _font_name(api: _PdfiumText, font: int) -> str:
    if not font:
        return ""
    buffer = ctypes.create_string_buffer(256)
    length = api.font_name(font, buffer, len(buffer))
    return buffer.value.decode("latin-1") if 0 < length <= len(buffer) else ""


def _advance(
    api: _PdfiumText, textpage: int, index: int, font: int, code: int, a: float, size: float
) -> float:
    """A character's advance per point of font size: the font's width for it, or, when the font
    cannot give one, the width of PDFium's loose box (which spans the advance)."""
    width = ctypes.c_float()
    if font and api.glyph_width(font, code, 1000.0, ctypes.byref(width)):
        return float(width.value) / 1000.0
    box = api.raw.FS_RECTF()
    api.loose_box(textpage, index, ctypes.byref(box))
    return (box.right - box.left) / (a * size) if a and size else 0.0


_TEXT, _PATH, _FORM = 1, 2, 5  # FPDF_PAGEOBJ_TEXT, FPDF_PAGEOBJ_PATH, FPDF_PAGEOBJ_FORM
_MOVETO, _BEZIERTO = 2, 1  # FPDF_SEGMENT_MOVETO, FPDF_SEGMENT_BEZIERTO


def _pdfium_rules(page: Any, to_page: Matrix) -> Iterator[tuple[float, float, float]]:
    import pypdfium2.raw as raw

    count = raw.FPDFPage_CountObjects(page.raw)
    objects = [raw.FPDFPage_GetObject(page.raw, i) for i in range(count)]
    yield from _rules_of_objects(raw, objects, to_page)


def _object_matrix(raw: Any, obj: Any) -> Matrix:
    m = raw.FS_MATRIX()
    raw.FPDFPageObj_GetMatrix(obj, m)
    return (float(m.a), float(m.b), float(m.c), float(m.d), float(m.e), float(m.f))


def _rules_of_objects(raw: Any, objects: list[Any], to_page: Matrix) -> Iterator[tuple[float, float, float]]:
    for obj in objects:
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == _FORM:
            inner = _multiply(_object_matrix(raw, obj), to_page)
            children = [raw.FPDFFormObj_GetObject(obj, i) for i in range(raw.FPDFFormObj_CountObjects(obj))]
            yield from _rules_of_objects(raw, children, inner)
        elif kind == _PATH and _is_painted(raw, obj):
            matrix = _multiply(_object_matrix(raw, obj), to_page)
            for subpath in _subpaths(raw, obj):
                points = [_apply(matrix, x, y) for x, y in subpath]
                yield from _horizontal_edges(points)


def _is_painted(raw: Any, obj: Any) -> bool:
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if not raw.FPDFPath_GetDrawMode(obj, fill, stroke):
        return True
    return bool(fill.value or stroke.value)


def _subpaths(raw: Any, obj: Any) -> list[list[tuple[float, float]]]:
    """Each subpath's points as pdfminer keeps them: the end point of every segment (a Bézier's
    control points left out) and, for a closed subpath, its start point again."""
    subpaths: list[list[tuple[float, float]]] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    bezier_points = 0
    for index in range(raw.FPDFPath_CountSegments(obj)):
        segment = raw.FPDFPath_GetPathSegment(obj, index)
        raw.FPDFPathSegment_GetPoint(segment, x, y)
        kind = raw.FPDFPathSegment_GetType(segment)
        point = (float(x.value), float(y.value))
        if kind == _MOVETO or not subpaths:
            subpaths.append([point])
            bezier_points = 0
        elif kind == _BEZIERTO:
            bezier_points += 1
            if bezier_points % 3 == 0:  # PDFium gives a curve as three points: two controls, its end
                subpaths[-1].append(point)
        else:
            subpaths[-1].append(point)
        if raw.FPDFPathSegment_GetClose(segment):
            subpaths[-1].append(subpaths[-1][0])
    return subpaths


def _horizontal_edges(points: list[tuple[float, float]]) -> Iterator[tuple[float, float, float]]:
    """pdfplumber's horizontal edges of one subpath: a rectangle's top and bottom, else every
    segment between consecutive points that is level (pdfminer's line, rectangle and curve)."""
    if len(points) > 3 and points[-1] == points[0] and points[-2] == points[0]:
        points = points[:-1]  # a redundant line back to the start before closing
    if len(points) == 5 and points[0] == points[4] and _is_rectangle(points):
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        yield min(ys), min(xs), max(xs)
        yield max(ys), min(xs), max(xs)
        return
    if len(points) in (2, 3) and (len(points) == 2 or points[2] == points[0]):
        points = points[:2]  # a single line (closed or not)
    for (xa, ya), (xb, yb) in itertools.pairwise(points):
        if ya == yb:
            yield ya, min(xa, xb), max(xa, xb)


def _is_rectangle(points: list[tuple[float, float]]) -> bool:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points[:4]
    return (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (
        y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0
    )
