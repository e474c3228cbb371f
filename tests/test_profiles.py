"""Document profiles: labels as data, compared folded, a malformed file named with its field."""

from __future__ import annotations

from pathlib import Path

import pytest

from amif_extract.errors import InputError
from amif_extract.profiles import fold_label, load_profile, read_profile


def test_fold_label_ignores_case_accents_colon_and_plural_mark() -> None:
    assert fold_label("Résumé du projet :") == "resume du projet"
    assert fold_label("Contact(s)") == "contact"
    assert fold_label("  PERSONNE(S)  DE   CONTACT:") == "personne de contact"


def test_packaged_amif_profile_names_the_carrier_synonyms() -> None:
    profile = load_profile("amif_table")
    assert profile.field_of("Bénéficiaire :") == "carrier"
    assert profile.field_of("porteur du projet") == "carrier"
    assert profile.field_of("Titre") is None


def test_split_label_takes_the_longest_spelling_at_a_word_boundary() -> None:
    profile = load_profile("amif_table")
    assert profile.split_label("Résumé du projet: Cours de langue") == ("summary", "Cours de langue")
    assert profile.split_label("Résumé : Cours") == ("summary", "Cours")
    assert profile.split_label("Résumés annuels") is None
    assert profile.split_label("Mode de sélection : appel 2023", ["procedure"]) == ("procedure", "appel 2023")
    assert profile.split_label("Mode de sélection : appel", ["carrier"]) is None


def test_a_dataset_profile_wins_over_the_packaged_one(tmp_path: Path) -> None:
    (tmp_path / "amif_table.toml").write_text('[labels.carrier]\nspellings = ["Maître d\'ouvrage"]\n')
    profile = load_profile("amif_table", tmp_path)
    assert profile.field_of("Maître d’ouvrage :") == "carrier"
    assert profile.field_of("Bénéficiaire") is None
    assert profile.origin == str(tmp_path / "amif_table.toml")


def test_a_spelling_listed_for_two_fields_is_refused_with_both_names() -> None:
    data = b'[labels.a]\nspellings = ["Contact"]\n[labels.b]\nspellings = ["contact :"]\n'
    with pytest.raises(InputError, match=r"both 'a' and 'b'"):
        read_profile("x", data, "x.toml")


def test_a_malformed_profile_names_its_file_and_field() -> None:
    with pytest.raises(InputError, match=r"x.toml: label 'a': 'spellings' must be"):
        read_profile("x", b"[labels.a]\nspellings = []\n", "x.toml")
    with pytest.raises(InputError, match=r"x.toml: profile is not valid TOML"):
        read_profile("x", b"[labels", "x.toml")
