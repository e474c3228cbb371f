"""`amif-extract review apply`: a steward's filled review queue goes into a copy of the authority file."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from amif_extract.cli import app
from amif_extract.organisations import (
    REJECTIONS_FILE,
    REVIEW_COLUMNS,
    default_authority_path,
    load_authority,
    resolve_organisation,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REVIEW_QUEUE = PROJECT_ROOT / "normalized" / "review" / "organisation_matches.csv"

runner = CliRunner()

# Decisions a steward could take on names of the committed queue (cleaned name -> decision, new_kind).
DUDELANGE_SERVICE = "Service à l'égalité des chances entre femmes et hommes"
DECISIONS = {
    DUDELANGE_SERVICE: ("commune-dudelange-egalite-chances", ""),
    "Collège échevinal": ("reject", ""),
    "Commission consultative communale à l'intégration": ("new", "public_body"),
}


@pytest.fixture
def authority_copy(tmp_path: Path) -> Path:
    """The committed authority and rejections files, copied: the real schemas/ files are never touched."""
    folder = tmp_path / "schemas"
    folder.mkdir()
    shutil.copyfile(default_authority_path(), folder / "organisations.csv")
    shutil.copyfile(default_authority_path().with_name(REJECTIONS_FILE), folder / REJECTIONS_FILE)
    return folder / "organisations.csv"


def filled_queue(path: Path, decisions: dict[str, tuple[str, str]]) -> Path:
    """The build's real review queue with the `decision` (and `new_kind`) column filled for some names."""
    rows = list(csv.DictReader(REVIEW_QUEUE.open(encoding="utf-8", newline="")))
    assert set(decisions) <= {row["cleaned"] for row in rows}, "the committed queue no longer has these names"
    for row in rows:
        row["decision"], row["new_kind"] = decisions.get(row["cleaned"], ("", ""))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, REVIEW_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_apply_adds_an_alias_that_the_next_resolution_uses(authority_copy: Path, tmp_path: Path) -> None:
    assert resolve_organisation(DUDELANGE_SERVICE, load_authority(authority_copy)).status == "review"
    decisions = filled_queue(tmp_path / "decisions.csv", DECISIONS)

    result = runner.invoke(app, ["review", "apply", str(decisions), "--authority", str(authority_copy)])

    assert result.exit_code == 0, result.output
    assert f"alias added to commune-dudelange-egalite-chances: {DUDELANGE_SERVICE}" in result.stdout
    assert "organisation added: commission-consultative-communale-integration" in result.stdout
    assert "rejection added: Collège échevinal" in result.stdout
    assert "1 alias(es), 1 organisation(s), 1 rejection(s) added" in result.stdout
    updated = load_authority(authority_copy)
    match = resolve_organisation(DUDELANGE_SERVICE, updated)
    assert (match.status, match.org_id) == ("auto", "commune-dudelange-egalite-chances")
    assert updated.by_id["commission-consultative-communale-integration"].kind == "public_body"
    assert updated.is_rejected("Collège échevinal")


def test_applying_twice_changes_nothing_the_second_time(authority_copy: Path, tmp_path: Path) -> None:
    decisions = filled_queue(tmp_path / "decisions.csv", DECISIONS)
    arguments = ["review", "apply", str(decisions), "--authority", str(authority_copy)]
    rejections = authority_copy.with_name(REJECTIONS_FILE)
    assert runner.invoke(app, arguments).exit_code == 0
    after_first = (authority_copy.read_bytes(), rejections.read_bytes())

    second = runner.invoke(app, arguments)

    assert second.exit_code == 0, second.output
    assert "nothing to change; 3 already applied" in second.stdout
    assert (authority_copy.read_bytes(), rejections.read_bytes()) == after_first


def test_unknown_org_id_exits_2_naming_the_line(authority_copy: Path, tmp_path: Path) -> None:
    decisions = filled_queue(tmp_path / "decisions.csv", {DUDELANGE_SERVICE: ("commune-dudelang", "")})
    line = 2 + [row["cleaned"] for row in csv.DictReader(decisions.open(encoding="utf-8"))].index(
        DUDELANGE_SERVICE
    )
    before = authority_copy.read_bytes()

    result = runner.invoke(app, ["review", "apply", str(decisions), "--authority", str(authority_copy)])

    assert result.exit_code == 2
    message = f"error: {decisions}, line {line}: decision 'commune-dudelang' is not an org_id"
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1
    assert authority_copy.read_bytes() == before


def test_missing_decisions_file_exits_2(authority_copy: Path, tmp_path: Path) -> None:
    missing = tmp_path / "decisions.csv"
    result = runner.invoke(app, ["review", "apply", str(missing), "--authority", str(authority_copy)])
    assert result.exit_code == 2
    assert result.stderr == f"error: {missing}: file not found\n"
