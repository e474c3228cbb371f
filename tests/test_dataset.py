"""A dataset folder is the unit: everything a build reads or writes resolves from one root.

The issue's "done when" cases without a wheel: the CLI run with `--project` (or from inside the folder,
or with $AMIF_EXTRACT_PROJECT) on a copy of this checkout's dataset reads that copy's steward files and
writes into that copy only, never into the package's files.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import tomllib
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, RAW, copy_dataset
from typer.testing import CliRunner

import amif_extract
from amif_extract.acknowledge import ACKNOWLEDGEMENT_COLUMNS, load_acknowledgements
from amif_extract.build_records import BuildSettings
from amif_extract.cli import app
from amif_extract.dataset import PROJECT_ENV, add_source, init_dataset, open_dataset
from amif_extract.errors import InputError
from amif_extract.organisations import REVIEW_COLUMNS, default_authority_path, load_authority
from amif_extract.pipeline import output_files
from amif_extract.sources import load_manifest, read_manifest
from amif_extract.write import with_outputs_record

AMIF_TEXT = "amif_projets_cofinances.txt"
STEWARD_FILES = ("acknowledged_findings.csv", "organisations.csv", "organisation_rejections.csv")
# A name of the committed review queue and the organisation a steward could decide it is.
DUDELANGE_SERVICE = "Service à l'égalité des chances entre femmes et hommes"
DUDELANGE_SERVICE_ID = "commune-dudelange-egalite-chances"

runner = CliRunner()


def invoke(*arguments: str | Path):
    return runner.invoke(app, [str(argument) for argument in arguments])


def one_line(text: str) -> str:
    return " ".join(text.split())


def checkout_steward_bytes() -> dict[str, bytes]:
    return {name: (PROJECT_ROOT / "schemas" / name).read_bytes() for name in STEWARD_FILES}


@pytest.fixture(scope="module")
def dataset_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of this checkout's dataset folder, committed outputs included; tests copy it again to edit."""
    return copy_dataset(tmp_path_factory.mktemp("dataset") / "copy")


@pytest.fixture
def edited_copy(dataset_copy: Path, tmp_path: Path) -> Path:
    target = tmp_path / "edited"
    shutil.copytree(dataset_copy, target)
    return target


# ---------------------------------------------------------------- what is a dataset


def test_a_folder_that_is_not_a_dataset_is_one_line_naming_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "sources.toml").write_text("", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        open_dataset(tmp_path)
    assert str(refused.value) == (
        f"{tmp_path}: not a dataset folder: schemas/acknowledged_findings.csv, schemas/organisations.csv"
        " missing (`amif-extract init DIR` makes one)"
    )
    with pytest.raises(InputError, match="dataset folder not found"):
        open_dataset(tmp_path / "nowhere")


@pytest.mark.parametrize(
    "command",
    [
        ("build",),
        ("check",),
        ("fetch",),
        ("review", "apply", "decisions.csv"),
        ("sources", "add", "liste.pdf", "--kind", "amif_table"),
    ],
)
def test_every_dataset_command_refuses_a_folder_that_is_not_one(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    result = invoke(*command, "--project", tmp_path)
    assert result.exit_code == 2, result.output
    assert one_line(result.stderr) == (
        f"error: {tmp_path}: not a dataset folder: raw/sources.toml, schemas/acknowledged_findings.csv,"
        " schemas/organisations.csv missing (`amif-extract init DIR` makes one)"
    )


def test_help_shows_the_project_not_the_install_location() -> None:
    package_home = str(Path(amif_extract.__file__).resolve().parent.parent)
    for command in (
        ("build",),
        ("check",),
        ("fetch",),
        ("review", "apply"),
        ("sources", "add"),
        ("extract",),
    ):
        text = invoke(*command, "--help").stdout
        assert "--project" in text, command
        assert package_home not in text and "site-packages" not in text, command
    assert "PROJECT/schemas/acknowledged_findings.csv" in one_line(invoke("build", "--help").stdout)


# ---------------------------------------------------------------- the checkout copied elsewhere


def test_check_passes_on_a_copy_of_the_dataset_run_from_anywhere(dataset_copy: Path) -> None:
    result = invoke("--quiet", "check", "--project", dataset_copy, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["passed"] is True and data["acknowledged"] >= 2
    assert data["normalized"] == str(dataset_copy / "normalized")


def test_emptying_the_copys_acknowledgements_fails_its_check_only(edited_copy: Path) -> None:
    (edited_copy / "schemas" / "acknowledged_findings.csv").write_text(
        ",".join(ACKNOWLEDGEMENT_COLUMNS) + "\n", encoding="utf-8"
    )
    result = invoke("--quiet", "check", "--project", edited_copy, "--format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["acknowledged"] == 0 and len(data["unacknowledged_errors"]) >= 2
    assert load_acknowledgements(PROJECT_ROOT / "schemas" / "acknowledged_findings.csv")


def test_check_in_another_checkout_reads_that_checkouts_files(
    edited_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's case: with one install, `check` in checkout B after an acknowledgement was deleted
    there must fail, by the working folder or by $AMIF_EXTRACT_PROJECT."""
    acknowledgements = edited_copy / "schemas" / "acknowledged_findings.csv"
    lines = acknowledgements.read_text(encoding="utf-8").splitlines(keepends=True)
    acknowledgements.write_text("".join(lines[:-1]), encoding="utf-8")
    monkeypatch.chdir(edited_copy)
    assert invoke("--quiet", "check").exit_code == 1
    monkeypatch.chdir(PROJECT_ROOT)
    assert invoke("--quiet", "check").exit_code == 0
    monkeypatch.setenv(PROJECT_ENV, str(edited_copy))
    assert invoke("--quiet", "check").exit_code == 1


def test_review_apply_changes_the_projects_files_only(edited_copy: Path, tmp_path: Path) -> None:
    before = checkout_steward_bytes()
    queue = edited_copy / "normalized" / "review" / "organisation_matches.csv"
    rows = list(csv.DictReader(queue.open(encoding="utf-8", newline="")))
    assert DUDELANGE_SERVICE in {row["cleaned"] for row in rows}, (
        "the committed queue no longer has this name"
    )
    for row in rows:
        row["decision"] = DUDELANGE_SERVICE_ID if row["cleaned"] == DUDELANGE_SERVICE else ""
    decisions = tmp_path / "decisions.csv"
    with decisions.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, REVIEW_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    result = invoke("review", "apply", decisions, "--project", edited_copy)

    assert result.exit_code == 0, result.output
    authority = edited_copy / "schemas" / "organisations.csv"
    assert f"{authority}: 1 alias(es)" in one_line(result.stdout)
    assert DUDELANGE_SERVICE in load_authority(authority).by_id[DUDELANGE_SERVICE_ID].aliases
    assert checkout_steward_bytes() == before
    assert (
        DUDELANGE_SERVICE not in load_authority(default_authority_path()).by_id[DUDELANGE_SERVICE_ID].aliases
    )
    # The next check of the copy sees the steward's decision: the queue and the tables are stale.
    checked = invoke("--quiet", "check", "--project", edited_copy, "--format", "json")
    stale = {difference["file"] for difference in json.loads(checked.stdout)["output_differences"]}
    assert checked.exit_code == 1 and str(edited_copy / "normalized/review/organisation_matches.csv") in stale


# ---------------------------------------------------------------- one build path


def test_the_library_build_is_byte_identical_to_the_cli_build(dataset_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("--quiet", "build", "--project", dataset_copy, "--out", out)
    assert result.exit_code == 0, result.output
    # What a write puts in a folder: the output files and the record of them. The folder given as a
    # string, as the README's example gives ".".
    built = amif_extract.build(str(dataset_copy), BuildSettings(workers=1))
    files = with_outputs_record(output_files(built))
    written = {
        path.relative_to(out).as_posix(): path.read_bytes() for path in out.rglob("*") if path.is_file()
    }
    assert files == written
    committed = PROJECT_ROOT / "normalized"
    assert files == {name: (committed / name).read_bytes() for name in files}


def test_extract_in_a_dataset_uses_its_steward_files(dataset_copy: Path, tmp_path: Path, monkeypatch) -> None:
    """The same document through `extract` inside the dataset and outside any: acknowledgements apply
    only where there is a dataset to take them from."""
    document = dataset_copy / "raw" / AMIF_TEXT
    monkeypatch.chdir(dataset_copy)
    inside = invoke("--quiet", "extract", document, "--out", tmp_path / "inside")
    monkeypatch.chdir(tmp_path)
    outside = invoke("--quiet", "extract", document, "--out", tmp_path / "outside")
    assert (inside.exit_code, outside.exit_code) == (0, 0), inside.output + outside.output

    def acknowledged(folder: str) -> int:
        report = json.loads((tmp_path / folder / "validation_report.json").read_text(encoding="utf-8"))
        return sum(1 for finding in report["findings"] if finding["acknowledged"])

    assert acknowledged("inside") >= 2
    assert acknowledged("outside") == 0


# ---------------------------------------------------------------- a new dataset


def test_init_makes_a_dataset_folder_with_the_packaged_defaults(tmp_path: Path) -> None:
    folder = tmp_path / "new"
    result = invoke("init", folder)
    assert result.exit_code == 0, result.output
    dataset = open_dataset(folder)
    assert read_manifest(dataset.raw).sources == ()
    assert load_acknowledgements(dataset.acknowledgements) == []
    assert dataset.authority.read_bytes() == default_authority_path().read_bytes()
    assert dataset.rejections.is_file()
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "schemas/organisations.csv" in readme and "amif-extract sources add" in readme
    assert sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()) == [
        "README.md",
        "raw/sources.toml",
        "schemas/acknowledged_findings.csv",
        "schemas/organisation_rejections.csv",
        "schemas/organisations.csv",
    ]
    built = invoke("build", "--project", folder)
    assert built.exit_code == 2
    assert "lists no [[source]] entries (add one with `amif-extract sources add`)" in one_line(built.stderr)
    again = invoke("init", folder)
    assert again.exit_code == 2 and "not an empty folder" in again.stderr


def test_sources_add_records_a_document_that_builds(tmp_path: Path) -> None:
    folder = init_dataset(tmp_path / "new").root
    result = invoke(
        "sources",
        "add",
        RAW / AMIF_TEXT,
        "--kind",
        "amif_table",
        "--url",
        "https://example.org/a b.txt",
        "--project",
        folder,
    )
    assert result.exit_code == 0, result.output
    digest = hashlib.sha256((RAW / AMIF_TEXT).read_bytes()).hexdigest()
    assert (folder / "raw" / AMIF_TEXT).read_bytes() == (RAW / AMIF_TEXT).read_bytes()
    [source] = load_manifest(folder / "raw").sources
    assert (source.file, source.kind, source.format, source.sha256) == (
        AMIF_TEXT,
        "amif_table",
        "text",
        digest,
    )
    assert source.url == "https://example.org/a b.txt"
    manifest_text = (folder / "raw" / "sources.toml").read_text(encoding="utf-8")
    assert manifest_text.startswith("# Source documents of the dataset.")
    assert f'sha256 = "{digest}"' in manifest_text.splitlines()

    built = invoke("--quiet", "build", "--project", folder, "--workers", "1")
    assert built.exit_code == 0, built.output
    projects = (folder / "normalized" / "amif_projects.csv").read_text(encoding="utf-8")
    assert "Ateliers autour de la naissance" in projects


def test_sources_add_refuses_a_wrong_kind_a_duplicate_and_a_clashing_file(tmp_path: Path) -> None:
    dataset = init_dataset(tmp_path / "new")
    manifest = dataset.manifest.read_bytes()
    with pytest.raises(InputError, match="the content is of kind amif_table, not practice_sheets"):
        add_source(dataset, RAW / AMIF_TEXT, "practice_sheets")
    with pytest.raises(InputError, match="unknown kind 'poster'"):
        add_source(dataset, RAW / AMIF_TEXT, "poster")
    assert dataset.manifest.read_bytes() == manifest and not (dataset.raw / AMIF_TEXT).exists()

    add_source(dataset, RAW / AMIF_TEXT, "amif_table")
    with pytest.raises(InputError, match=f"already lists {AMIF_TEXT}"):
        add_source(dataset, RAW / AMIF_TEXT, "amif_table")
    other = tmp_path / "asti_convention_2021.txt"
    other.write_bytes((RAW / "asti_convention_2021.txt").read_bytes() + b"\n")
    (dataset.raw / other.name).write_bytes(b"an older file of the same name")
    with pytest.raises(InputError, match="a different file of this name is already in raw/"):
        add_source(dataset, other, "web_page")
    result = invoke("sources", "add", RAW / AMIF_TEXT, "--kind", "amif_table", "--project", dataset.root)
    assert result.exit_code == 2 and f"already lists {AMIF_TEXT}" in result.stderr


def test_sources_add_keeps_the_manifests_comments_and_entries(edited_copy: Path) -> None:
    """On this checkout's manifest: a document already in raw/ is recorded in place, nothing else moves."""
    dataset = open_dataset(edited_copy)
    before = dataset.manifest.read_text(encoding="utf-8")
    extra = dataset.raw / "asti_2021_copy.txt"
    shutil.copyfile(RAW / "asti_convention_2021.txt", extra)
    source = add_source(dataset, extra, "web_page")
    after = dataset.manifest.read_text(encoding="utf-8")
    assert after.startswith(before)
    parsed = tomllib.loads(after)["source"]
    assert parsed[:-1] == tomllib.loads(before)["source"]
    assert parsed[-1] == {
        "file": "asti_2021_copy.txt",
        "kind": "web_page",
        "format": "text",
        "document": "asti_2021_copy",
        "origin": "",
        "url": "",
        "sha256": source.sha256,
        "retrieved": "",
    }


def test_review_apply_with_an_authority_named_outright_needs_no_dataset(
    dataset_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    authority = tmp_path / "organisations.csv"
    shutil.copyfile(dataset_copy / "schemas" / "organisations.csv", authority)
    decisions = tmp_path / "decisions.csv"
    shutil.copyfile(dataset_copy / "normalized" / "review" / "organisation_matches.csv", decisions)
    monkeypatch.chdir(tmp_path)
    result = invoke("review", "apply", decisions, "--authority", authority)
    assert result.exit_code == 0, result.output
    assert one_line(result.stdout).startswith(f"{authority}: nothing to change; 0 already applied")
