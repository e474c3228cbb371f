"""Organisations: authority file, resolution of printed names, review queue and stewards' decisions."""

from __future__ import annotations

import csv
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from amif_extract.errors import InputError
from amif_extract.findings import FINDING_CODES, SourceLocation
from amif_extract.organisations import (
    AUTHORITY_COLUMNS,
    DEFAULT_SETTINGS,
    REJECTIONS_FILE,
    REVIEW_COLUMNS,
    Authority,
    MatchSettings,
    Organisation,
    ReviewDecisionError,
    apply_review_decisions,
    clean_name,
    comparison_key,
    default_authority_path,
    evaluate_resolution,
    format_authority,
    format_rejections,
    load_authority,
    organisation_findings,
    resolve_many,
    resolve_organisation,
    write_review_queue,
)

VARIANTS = Path(__file__).parent / "data" / "organisation_variants.csv"
# Measured on the variant set with the default settings: 0.966 (docs/organisations.md); a small margin.
MINIMUM_RECALL = 0.94

# The carriers of the AMIF list, cleaned, and the organisation each one is.
AMIF_CARRIERS = {
    "Initiativ Liewensufank": "initiativ-liewensufank",
    "Jesuit Refugee Service Luxembourg (JRS)": "jrs-luxembourg",
    "Coopération Nord-Sud a.s.b.l.": "cns-cooperation-nord-sud",
    "Mir wëllen iech ons Heemecht weisen asbl": "mir-wellen-iech-ons-heemecht-weisen",
    "SINGA": "singa-luxembourg",
    "Coopération Nord-Sud (CNS)": "cns-cooperation-nord-sud",
    "Femmes en détresse": "femmes-en-detresse",
    "Passerell asbl": "passerell",
    "Alupse": "alupse",
    "Office national de l'accueil": "ona",
    "Direction de l'immigration": "direction-immigration",
    "Programmes d'Aide et de Développement destinés aux Enfants du Monde (PADEM)": "padem",
    "Luxembourg multi-LEARN Institute asbl": "luxembourg-multi-learn-institute",
    "Organisation internationale pour les Migrations (OIM)": "oim",
    "Association Luxembourgeoise pour le Dialogue interculturel (ALDIC)": "aldic",
    "Croix-Rouge luxembourgeoise – Service LISKO": "croix-rouge-lisko",
    "One People ASBL": "one-people",
    "Excellenec for Integration and Development (EFID)": "efid",
    "LISER": "liser",
    "CLAE services - Centre de Liaison, d'Information et d'Aide pour les Associations issues de "
    "l'Immigration au Luxembourg": "clae",
    "Association de soutien aux Travailleurs immigrés a.s.b.l. (ASTI)": "asti",
    "Organisation Internationale pour les Migrations (OIM)": "oim",
}

_CARRIER_LABEL = re.compile(r"Porteur du projet\s*:\s*(?P<rest>.*)")
_PROCEDURE = re.compile(r"\s*-?\s*Procédure\b.*")


def printed_carriers(text: str) -> list[tuple[int, str]]:
    """Each 'Porteur du projet' cell of the AMIF text as printed: first tab cell, up to the procedure line."""
    lines = text.split("\n")
    found = []
    for number, line in enumerate(lines, start=1):
        label = _CARRIER_LABEL.search(line.split("\t")[0])
        if label is None:
            continue
        parts = [_PROCEDURE.sub("", label["rest"])]
        if "Procédure" not in label["rest"]:
            for following in lines[number : number + 6]:
                cell = following.split("\t")[0]
                if "Procédure" in following:
                    if "Procédure" in cell:
                        parts.append(_PROCEDURE.sub("", cell))
                    break
                if cell.strip():
                    parts.append(cell)
        found.append((number, "\n".join(part.rstrip() for part in parts if part.strip())))
    return found


def labelled_variants() -> list[tuple[str, str | None, str]]:
    with VARIANTS.open(encoding="utf-8", newline="") as handle:
        return [
            (row["name"], None if row["expected_org_id"] == "NONE" else row["expected_org_id"], row["group"])
            for row in csv.DictReader(handle)
        ]


@pytest.fixture(scope="module")
def authority() -> Authority:
    return load_authority()


@pytest.fixture
def authority_copy(tmp_path: Path) -> Path:
    """A writable copy of the packaged authority file and its rejections file."""
    target = tmp_path / "schemas" / "organisations.csv"
    target.parent.mkdir()
    shutil.copy(default_authority_path(), target)
    shutil.copy(default_authority_path().with_name(REJECTIONS_FILE), target.with_name(REJECTIONS_FILE))
    return target


# --- The names of the issue and of the AMIF list --------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "org_id"),
    [
        ("Organisation internationale pour les Migrations (OIM)", "oim"),
        ("Organisation Internationale pour les Migrations", "oim"),
        ("IOM", "oim"),
        ("OIM", "oim"),
        ("Coopération Nord-Sud a.s.b.l.", "cns-cooperation-nord-sud"),
        ("Coopération Nord-Sud (CNS)", "cns-cooperation-nord-sud"),
        ("Association de soutien aux Travailleurs immigrés a.s.b.l. (ASTI)", "asti"),
        ("ASTI", "asti"),
        ("Excellenec for Integration and Development (EFID)", "efid"),
        ("Croix-Rouge luxembourgeoise – Service LISKO", "croix-rouge-lisko"),
        ("<u>Coopération</u>\nNord-Sud a.s.b.l.", "cns-cooperation-nord-sud"),
    ],
)
def test_issue_variants_resolve_automatically(authority: Authority, printed: str, org_id: str) -> None:
    match = resolve_organisation(printed, authority)
    assert (match.status, match.org_id) == ("auto", org_id)
    assert match.name == authority.by_id[org_id].name
    assert match.candidates[0][0] == org_id


def test_service_with_parent_resolves_to_the_service_entry(authority: Authority) -> None:
    match = resolve_organisation(
        "<u>Croix-Rouge</u> <u>luxembourgeoise</u> – <u>Service LISKO</u>", authority
    )
    assert match.org_id == "croix-rouge-lisko"
    assert authority.by_id["croix-rouge-lisko"].parent_id == "croix-rouge"
    assert match.query == "Croix-Rouge luxembourgeoise – Service LISKO"


def test_typo_carrier_is_merged_by_the_fuzzy_step_not_by_an_alias(authority: Authority) -> None:
    assert "Excellenec" not in " ".join(authority.by_id["efid"].names)
    match = resolve_organisation("Excellenec for Integration and Development (EFID)", authority)
    assert match.status == "auto" and 90 <= match.score < 100


def test_every_amif_carrier_resolves_automatically(raw_dir: Path, authority: Authority) -> None:
    carriers = printed_carriers((raw_dir / "amif_projets_cofinances.txt").read_text(encoding="utf-8"))
    assert len(carriers) == 36
    assert carriers[1] == (37, "<u>Jesuit Refugee</u>\nService Luxembourg (JRS)")
    assert {clean_name(printed) for _, printed in carriers} == set(AMIF_CARRIERS)
    for line, printed in carriers:
        match = resolve_organisation(printed, authority)
        assert (match.status, match.org_id) == ("auto", AMIF_CARRIERS[match.query]), (line, printed)


def test_amif_carriers_resolve_once_per_distinct_name(raw_dir: Path, authority: Authority) -> None:
    carriers = printed_carriers((raw_dir / "amif_projets_cofinances.txt").read_text(encoding="utf-8"))
    names = [
        (printed, SourceLocation("amif_projets_cofinances.txt", line=line)) for line, printed in carriers
    ]
    matches, review = resolve_many(names, authority)
    assert review == []
    assert len(matches) == len({printed for _, printed in carriers})
    oim = {printed for printed, match in matches.items() if match.org_id == "oim"}
    assert "Organisation\ninternationale pour les Migrations\n<u>(OIM)</u>" in oim and len(oim) == 5


# --- Look-alikes ------------------------------------------------------------------------------------


def test_bare_cns_is_ambiguous_and_goes_to_review(authority: Authority) -> None:
    match = resolve_organisation("CNS", authority)
    assert (match.status, match.org_id) == ("review", None)
    assert {org_id for org_id, _ in match.candidates} == {
        "cns-cooperation-nord-sud",
        "cns-caisse-nationale-de-sante",
    }


@pytest.mark.parametrize(
    ("printed", "must_not_be"),
    [
        ("Caisse nationale de santé (CNS)", "cns-cooperation-nord-sud"),
        ("Caritas Europa", "caritas-luxembourg"),
        ("Caritas Luxembourg", "caritas-europa"),
        ("Passerelle Formation", "passerell"),
        ("Passerell asbl", "passerelle-formation"),
        ("ONE", "ona"),
        ("Office national de l'enfance", "ona"),
        ("ONA", "one"),
        ("LISEL", "liser"),
        ("Croix-Rouge française", "croix-rouge"),
        ("Organisation internationale du Travail (OIT)", "oim"),
        ("Ville d'Esch-sur-Sûre", "commune-esch-sur-alzette"),
        ("Agence immobilière sociale du Canton Rédange", "ais"),
    ],
)
def test_look_alikes_do_not_merge(authority: Authority, printed: str, must_not_be: str) -> None:
    assert resolve_organisation(printed, authority).org_id != must_not_be


def test_acronym_naming_another_organisation_sends_to_review(authority: Authority) -> None:
    """Synthetic: no document prints a name with someone else's acronym."""
    match = resolve_organisation("Coopération Nord-Sud (ONA)", authority)
    assert match.status == "review"
    assert [org_id for org_id, _ in match.candidates] == ["cns-cooperation-nord-sud", "ona"]


@pytest.mark.parametrize(
    ("printed", "org_id"),
    [
        ("Coopération Nord-Sud – CNS", "cns-cooperation-nord-sud"),
        ("CNS - Caisse nationale de santé", "cns-caisse-nationale-de-sante"),
    ],
)
def test_shared_acronym_agrees_with_the_part_naming_its_owner(
    authority: Authority, printed: str, org_id: str
) -> None:
    """Synthetic: the documents print ``(CNS)`` in parentheses only; a dash is the other common layout."""
    assert resolve_organisation(printed, authority).org_id == org_id
    assert resolve_organisation("ONA – Coopération Nord-Sud", authority).status == "review"


def test_unknown_service_of_a_known_parent_goes_to_review_with_the_parent(authority: Authority) -> None:
    """Synthetic: the documents name no service the authority lacks; a one-row-short authority stands in."""
    without_lisko = Authority(
        tuple(org for org in authority.organisations if org.org_id != "croix-rouge-lisko")
    )
    match = resolve_organisation("Croix-Rouge luxembourgeoise – Service LISKO", without_lisko)
    assert (match.status, match.org_id) == ("review", None)
    assert match.candidates[0] == ("croix-rouge", 100.0)


def test_parent_and_service_in_one_sheet_heading(authority: Authority) -> None:
    match = resolve_organisation("Service à l'Égalité des Chances - Commune de Differdange", authority)
    assert match.org_id == "commune-differdange-egalite-chances"
    bare = resolve_organisation("Service à l'Égalité des Chances", authority)
    assert bare.status == "review"
    assert bare.candidates[0][0] in {
        "commune-differdange-egalite-chances",
        "commune-esch-sur-alzette-egalite-chances",
    }


# --- Measured precision and recall ---------------------------------------------------------------------


def test_variant_set_is_large_and_labelled_with_known_ids(authority: Authority) -> None:
    variants = labelled_variants()
    assert len(variants) >= 80
    assert sum(group == "lookalike" for _, _, group in variants) >= 20
    assert {expected for _, expected, _ in variants if expected} <= set(authority.by_id)


def test_automatic_matches_are_all_right_and_recall_holds(authority: Authority) -> None:
    evaluation = evaluate_resolution(
        [(name, expected) for name, expected, _ in labelled_variants()], authority
    )
    assert evaluation.wrong_auto == ()
    assert evaluation.precision == 1.0
    assert evaluation.recall >= MINIMUM_RECALL, evaluation.missed


@pytest.mark.parametrize(
    ("looser", "wrong_merge"),
    [
        (
            replace(DEFAULT_SETTINGS, word_similarity=75.0),
            ("Ministère des Affaires étrangères italien", None, "ministere-affaires-etrangeres-mali"),
        ),
        (
            replace(DEFAULT_SETTINGS, exact_word_length=2),
            ("Ville d'Esch-sur-Sûre", None, "commune-esch-sur-alzette"),
        ),
    ],
)
def test_looser_settings_make_the_wrong_merges_the_sweep_found(
    authority: Authority, looser: MatchSettings, wrong_merge: tuple[str, None, str]
) -> None:
    """The reasons for word_similarity 85 and exact_word_length 5 (docs/organisations.md)."""
    labelled = [(name, expected) for name, expected, _ in labelled_variants()]
    assert evaluate_resolution(labelled, authority, looser).wrong_auto == (wrong_merge,)


def test_settings_validate_themselves() -> None:
    with pytest.raises(ValueError, match="review_score"):
        MatchSettings(review_score=95.0)
    with pytest.raises(ValueError, match="word_similarity"):
        MatchSettings(word_similarity=120.0)


# --- Review queue and findings -------------------------------------------------------------------------


def _fiche_names(raw_dir: Path) -> list[tuple[str, SourceLocation]]:
    """Names as printed in the practice sheets, located by the line that prints them."""
    lines = (raw_dir / "assises_integration_locale_fiches.txt").read_text(encoding="utf-8").split("\n")
    wanted = [
        "Agence Immobilière Sociale & Office Social commune de Larochette",
        "Service à l'Égalité des Chances",
        "SCHLESSER Jean-Pierre, CROUGHS Geoffrey",
        "HESPERANGE",
    ]
    found = []
    for number, line in enumerate(lines, start=1):
        for name in wanted:
            if line.endswith(name):
                found.append((name, SourceLocation("assises_integration_locale_fiches.txt", line=number)))
    return found


def _cns_in_summaries() -> list[tuple[str, SourceLocation]]:
    return [("CNS", SourceLocation("amif_projets_cofinances.txt", line=line)) for line in (108, 106)]


def test_review_items_carry_every_place_the_name_was_seen(raw_dir: Path, authority: Authority) -> None:
    # The AMIF list prints the bare acronym CNS in a project summary, on lines 106 and 108.
    names = [*_fiche_names(raw_dir), *_cns_in_summaries()]
    matches, items = resolve_many(names, authority)
    assert matches["HESPERANGE"].org_id == "commune-hesperange"
    by_name = {item.match.query: item for item in items}
    assert set(by_name) == {
        "CNS",
        "Agence Immobilière Sociale & Office Social commune de Larochette",
        "Service à l'Égalité des Chances",
        "SCHLESSER Jean-Pierre, CROUGHS Geoffrey",
    }
    assert [location.line for location in by_name["CNS"].seen_in] == [106, 108]
    assert by_name["Service à l'Égalité des Chances"].seen_in[0].line == 436
    assert by_name["SCHLESSER Jean-Pierre, CROUGHS Geoffrey"].match.status == "unresolved"


def test_review_queue_bytes_are_deterministic(raw_dir: Path, authority: Authority, tmp_path: Path) -> None:
    names = [*_fiche_names(raw_dir), *_cns_in_summaries()]
    _, items = resolve_many(names, authority)
    _, reversed_items = resolve_many(list(reversed(names)), authority)
    first, second = tmp_path / "a" / "organisation_matches.csv", tmp_path / "b" / "organisation_matches.csv"
    write_review_queue(items, first)
    write_review_queue(list(reversed(reversed_items)), second)
    assert first.read_bytes() == second.read_bytes()
    rows = list(csv.DictReader(first.open(encoding="utf-8", newline="")))
    assert tuple(rows[0]) == REVIEW_COLUMNS
    cns = next(row for row in rows if row["cleaned"] == "CNS")
    assert cns["status"] == "review" and cns["score"] == "100.0"
    assert cns["candidate_1_id"] == "cns-caisse-nationale-de-sante"
    assert cns["candidate_2_name"] == "Coopération Nord-Sud"
    assert cns["seen_in"] == "amif_projets_cofinances.txt:106; amif_projets_cofinances.txt:108"
    assert cns["decision"] == cns["new_org_id"] == cns["new_kind"] == ""
    assert [row["status"] for row in rows] == sorted(
        (row["status"] for row in rows), key=["review", "unresolved"].index
    )
    assert [path.name for path in first.parent.iterdir()] == ["organisation_matches.csv"]  # no temporary left


def test_findings_give_score_candidate_and_location(raw_dir: Path, authority: Authority) -> None:
    _, items = resolve_many([*_fiche_names(raw_dir), *_cns_in_summaries()], authority)
    findings = organisation_findings(items)
    assert {finding.code for finding in findings} == {"organisation_review", "organisation_unresolved"}
    assert {finding.code for finding in findings} <= set(FINDING_CODES)
    egalite = next(finding for finding in findings if finding.location.line == 436)
    assert egalite.code == "organisation_review" and egalite.severity == "warning"
    assert "egalite-chances" in egalite.message and "score" in egalite.message
    assert egalite.location.file == "assises_integration_locale_fiches.txt"
    cns = [finding for finding in findings if finding.value == "CNS"]
    assert [finding.location.line for finding in cns] == [106, 108]
    assert "is ambiguous: cns-caisse-nationale-de-sante" in cns[0].message
    assert "or cns-cooperation-nord-sud (Coopération Nord-Sud, score 100.0)" in cns[0].message


# --- Stewards' decisions ---------------------------------------------------------------------------------


def _decided_queue(path: Path, authority: Authority, decisions: dict[str, tuple[str, str, str]]) -> Path:
    """A review queue for the given names, filled in as a steward would (decision, new_org_id, new_kind)."""
    names = [(name, SourceLocation("assises_integration_locale_fiches.txt", line=1)) for name in decisions]
    _, items = resolve_many(names, authority)
    write_review_queue(items, path)
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    for row in rows:
        row["decision"], row["new_org_id"], row["new_kind"] = decisions[row["cleaned"]]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, REVIEW_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_applying_decisions_twice_changes_nothing_the_second_time(
    authority_copy: Path, tmp_path: Path
) -> None:
    decisions = {
        "Haut Commissariat aux Réfugiés": ("hcr", "", ""),
        "Centre Barblé": ("new", "centre-barble", "public_body"),
        "SCHLESSER Jean-Pierre, CROUGHS Geoffrey": ("reject", "", ""),
        "Service à l'Égalité des Chances": ("", "", ""),
    }
    queue = _decided_queue(tmp_path / "decisions.csv", load_authority(authority_copy), decisions)
    first = apply_review_decisions(queue, authority_copy)
    assert first.added_aliases == (("hcr", "Haut Commissariat aux Réfugiés"),)
    assert first.added_organisations == ("centre-barble",)
    assert first.added_rejections == ("SCHLESSER Jean-Pierre, CROUGHS Geoffrey",)
    assert first.skipped == 1
    after_first = (authority_copy.read_bytes(), authority_copy.with_name(REJECTIONS_FILE).read_bytes())

    second = apply_review_decisions(queue, authority_copy)
    assert not second.changed and second.already_applied == 3
    assert (
        authority_copy.read_bytes(),
        authority_copy.with_name(REJECTIONS_FILE).read_bytes(),
    ) == after_first

    updated = load_authority(authority_copy)
    assert resolve_organisation("Haut Commissariat aux Réfugiés", updated).org_id == "hcr"
    assert updated.by_id["centre-barble"].kind == "public_body"
    rejected = ("SCHLESSER Jean-Pierre, CROUGHS Geoffrey", SourceLocation("x.txt", line=3))
    assert resolve_many([rejected], updated)[1] == []


def test_unknown_org_id_names_the_line_and_leaves_the_authority_untouched(
    authority_copy: Path, tmp_path: Path
) -> None:
    decisions = {
        "Haut Commissariat aux Réfugiés": ("hcr", "", ""),
        "Service à l'Égalité des Chances": ("egalite-des-chances", "", ""),
    }
    queue = _decided_queue(tmp_path / "decisions.csv", load_authority(authority_copy), decisions)
    before = authority_copy.read_bytes()
    rows = list(csv.DictReader(queue.open(encoding="utf-8", newline="")))
    line = 2 + [row["cleaned"] for row in rows].index("Service à l'Égalité des Chances")
    with pytest.raises(
        ReviewDecisionError, match=rf"decisions\.csv, line {line}: decision 'egalite-des-chances'"
    ):
        apply_review_decisions(queue, authority_copy)
    assert authority_copy.read_bytes() == before


def test_new_organisation_needs_a_known_kind(authority_copy: Path, tmp_path: Path) -> None:
    queue = _decided_queue(
        tmp_path / "decisions.csv", load_authority(authority_copy), {"Centre Barblé": ("new", "", "club")}
    )
    with pytest.raises(ReviewDecisionError, match="line 2: new_kind 'club'"):
        apply_review_decisions(queue, authority_copy)


# --- The authority file -------------------------------------------------------------------------------


def test_committed_authority_file_is_canonical(authority: Authority) -> None:
    path = default_authority_path()
    assert path.read_text(encoding="utf-8") == format_authority(authority.organisations)
    rejections = path.with_name(REJECTIONS_FILE)
    assert rejections.read_text(encoding="utf-8") == format_rejections(authority.rejections)
    ids = [org.org_id for org in authority.organisations]
    assert ids == sorted(ids)
    assert authority.by_id["oim"].name == "Organisation internationale pour les migrations"
    assert authority.by_id["croix-rouge-lisko"].acronym == "LISKO"
    assert comparison_key("Coopération Nord-Sud a.s.b.l.") == comparison_key("COOPERATION NORD SUD ASBL")


def _authority_text(*rows: str) -> str:
    return ",".join(AUTHORITY_COLUMNS) + "\n" + "\n".join(rows) + "\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            _authority_text("asti,ASTI,,association,,,", "asti,ASTI bis,,association,,,"),
            "line 3: duplicate org_id 'asti'",
        ),
        (
            _authority_text("asti,ASTI,,association,,,", "lisko,LISKO,,service,croix-rouge,,"),
            "line 3: unknown parent_id",
        ),
        (_authority_text("asti,,,association,,,"), "line 2: organisation 'asti' has an empty name"),
        (_authority_text("asti,ASTI,,club,,,"), "line 2: unknown kind 'club'"),
        (_authority_text("Asti,ASTI,,association,,,"), "line 2: org_id 'Asti' is not a slug"),
        (
            _authority_text("a,Passerell,,association,,,", "b,Passerell asbl,,association,,,"),
            "line 3: name or alias",
        ),
        (_authority_text("a,Agence,,service,,,"), "line 2: 'a' is a service without a parent_id"),
        (_authority_text("a,A,,association,,,"), "line 2: name or alias 'A' of 'a' has no comparable word"),
        ("org_id,name\nasti,ASTI\n", "line 1: missing columns acronym, kind, parent_id, aliases, note"),
        ("", "file is empty"),
    ],
)
def test_broken_authority_file_names_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    """Synthetic broken files: the committed one is valid."""
    path = tmp_path / "organisations.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(message)) as error:
        load_authority(path)
    assert str(error.value).startswith(str(path))


def test_missing_authority_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        load_authority(tmp_path / "organisations.csv")


def test_authority_built_in_memory_validates_too() -> None:
    with pytest.raises(InputError, match="unknown parent_id 'nowhere'"):
        Authority((Organisation("lisko", "LISKO", kind="service", parent_id="nowhere"),))
