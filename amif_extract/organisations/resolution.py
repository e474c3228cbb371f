"""Resolution: one printed name to an organisation of the authority, or to a review status."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from amif_extract.organisations.authority import Authority, default_authority, joined_pairs, strong_words
from amif_extract.organisations.keys import (
    UNIT_WORDS,
    acronym_key,
    clean_name,
    comparison_key,
    comparison_words,
    split_acronym,
    split_parts,
)
from amif_extract.organisations.records import (
    DEFAULT_SETTINGS,
    REVIEW_CANDIDATES,
    Match,
    MatchSettings,
    MatchStatus,
)

# --- Resolution -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scored:
    """An organisation's best comparison with a printed name; ``covered``: every word has a counterpart."""

    org_id: str
    score: float
    covered: bool


def resolve_organisation(
    name: str, authority: Authority | None = None, settings: MatchSettings = DEFAULT_SETTINGS
) -> Match:
    """Resolve one printed name to the authority file: ``auto`` (merged), ``review`` or ``unresolved``.

    Order: exact name or alias; one-word acronym (several organisations sharing it → review); parts of
    ``Parent – Service`` names; word-by-word fuzzy comparison. A trailing ``(ACRONYM)`` must agree with
    the organisation found, else the name goes to review.
    """
    authority = authority if authority is not None else default_authority()
    return resolve_cleaned(clean_name(name), authority, settings, split=True)


def resolve_cleaned(cleaned: str, authority: Authority, settings: MatchSettings, *, split: bool) -> Match:
    base, acronym = split_acronym(cleaned)
    for key in (comparison_key(cleaned), comparison_key(base)):
        if key in authority._name_index:
            return _confirm_acronym(
                authority._name_index[key], 100.0, acronym, cleaned, base, authority, settings
            )
    if not strong_words(comparison_words(cleaned)):  # nothing but "Luxembourg" or function words
        return Match(None, None, 0.0, "unresolved", (), cleaned)
    by_acronym = _match_acronym(cleaned, authority)
    if by_acronym is not None:
        return by_acronym
    if split:
        parts = split_parts(cleaned)
        if len(parts) > 1:
            from_parts = _match_parts(cleaned, parts, authority, settings)
            if from_parts is not None:
                return from_parts
    return _match_fuzzy(cleaned, base, acronym, authority, settings)


def _auto(org_id: str, score: float, cleaned: str, authority: Authority) -> Match:
    return Match(
        org_id, authority.by_id[org_id].name, round(score, 1), "auto", ((org_id, round(score, 1)),), cleaned
    )


def _uncertain(
    candidates: Sequence[tuple[str, float]],
    cleaned: str,
    settings: MatchSettings,
    *,
    review: bool | None = None,
) -> Match:
    """A review or unresolved match with its best candidates (best first, ties by id)."""
    best: dict[str, float] = {}
    for org_id, score in candidates:
        best[org_id] = max(best.get(org_id, 0.0), round(score, 1))
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
    top = ranked[0][1] if ranked else 0.0
    # Candidates named by the structure of the name (parts, acronyms) are shown whatever their score.
    explicit = review is not None
    status: MatchStatus = "review" if (review if explicit else top >= settings.review_score) else "unresolved"
    shown = [item for item in ranked if explicit or item[1] >= settings.candidate_score]
    return Match(None, None, top, status, tuple(shown[:REVIEW_CANDIDATES]), cleaned)


def _acronym_owners(acronym: str, authority: Authority) -> tuple[str, ...]:
    key = acronym_key(acronym)
    if key is None:
        return ()
    owners = set(authority._acronym_index.get(key, ()))
    if key in authority._name_index:
        owners.add(authority._name_index[key])
    return tuple(sorted(owners))


def _confirm_acronym(
    org_id: str,
    score: float,
    acronym: str | None,
    cleaned: str,
    base: str,
    authority: Authority,
    settings: MatchSettings,
) -> Match:
    """A printed ``(ACRONYM)`` naming another organisation, or unlike the found one's, sends to review."""
    if acronym is None:
        return _auto(org_id, score, cleaned, authority)
    owners = _acronym_owners(acronym, authority)
    org = authority.by_id[org_id]
    if org_id in owners or (not owners and not org.acronym):
        return _auto(org_id, score, cleaned, authority)
    scored = {item.org_id: item.score for item in _score_organisations(base, authority, settings)}
    others = [(owner, scored.get(owner, 0.0)) for owner in owners]
    return _uncertain([(org_id, score), *others], cleaned, settings, review=True)


def _match_acronym(cleaned: str, authority: Authority) -> Match | None:
    """A one-word name that is an acronym: merged when one organisation has it, reviewed when several do."""
    key = acronym_key(cleaned)
    owners = authority._acronym_index.get(key, ()) if key else ()
    if len(owners) == 1:
        return _auto(owners[0], 100.0, cleaned, authority)
    if len(owners) > 1:
        return Match(
            None,
            None,
            100.0,
            "review",
            tuple((owner, 100.0) for owner in owners[:REVIEW_CANDIDATES]),
            cleaned,
        )
    return None


def _as_chain(org_ids: Iterable[str], authority: Authority) -> list[str] | None:
    """The ids deepest first if each is an ancestor of the one before it, else None."""
    unique = sorted(set(org_ids), key=lambda org_id: (-len(authority.ancestors(org_id)), org_id))
    for deeper, higher in itertools.pairwise(unique):
        if higher not in authority.ancestors(deeper):
            return None
    return unique


def _match_parts(
    cleaned: str, parts: Sequence[str], authority: Authority, settings: MatchSettings
) -> Match | None:
    """``Parent – Service`` and ``ACRONYM - Name``: the parts must agree, or name a service of the parent.

    Parts that resolve to one organisation, or to an organisation and its ancestors, give the deepest of
    them; a shared acronym agrees with the part that names one of its owners (``Coopération Nord-Sud -
    CNS``). A part that does not resolve is looked for among the services of the resolved organisation;
    if none fits, the name goes to review with that organisation as candidate. None when no part resolves.
    """
    matches = [resolve_cleaned(part, authority, settings, split=False) for part in parts]
    resolved = [match for match in matches if match.status == "auto" and match.org_id]
    if not resolved:
        return None
    scores = {match.org_id: match.score for match in resolved if match.org_id}
    chain = _as_chain(scores, authority)
    if chain is None:
        return _uncertain(list(scores.items()), cleaned, settings, review=True)
    deepest = chain[0]
    leftovers = [
        part
        for part, match in zip(parts, matches, strict=True)
        if match.status != "auto" and not set(_acronym_owners(part, authority)) & set(chain)
    ]
    if not leftovers:
        return _auto(deepest, min(scores.values()), cleaned, authority)
    service = _match_service(leftovers, deepest, authority, settings)
    if service is not None:
        return _auto(service[0], min(service[1], *scores.values()), cleaned, authority)
    others = [candidate for match in matches if match.status != "auto" for candidate in match.candidates]
    return _uncertain([(deepest, scores[deepest]), *others], cleaned, settings, review=True)


def _match_service(
    leftovers: Sequence[str], parent_id: str, authority: Authority, settings: MatchSettings
) -> tuple[str, float] | None:
    """The one service of ``parent_id`` every leftover part names, compared without unit or parent words."""
    parent_words = authority._vocabularies[parent_id]
    found: set[str] = set()
    scores: list[float] = []
    for part in leftovers:
        words = _reduce(comparison_words(part), parent_words)
        best = _best_service(words, parent_id, parent_words, authority, settings)
        if best is None:
            return None
        found.add(best[0])
        scores.append(best[1])
    return (found.pop(), min(scores)) if len(found) == 1 else None


def _reduce(words: Iterable[str], parent_words: frozenset[str]) -> tuple[str, ...]:
    return tuple(word for word in strong_words(words) if word not in UNIT_WORDS and word not in parent_words)


def _best_service(
    words: tuple[str, ...],
    parent_id: str,
    parent_words: frozenset[str],
    authority: Authority,
    settings: MatchSettings,
) -> tuple[str, float] | None:
    if not words:
        return None
    similarity = _similarity_table(words, authority, settings)
    ranked: list[_Scored] = []
    for service in authority.descendants(parent_id):
        for choice in authority._choices:
            if choice.org_id != service:
                continue
            choice_words = _reduce(choice.words, parent_words)
            if choice_words:
                ranked.append(
                    _compare(service, words, frozenset(choice_words), choice_words, similarity, settings)
                )
    return _decide(ranked, authority, settings)


def _decide(
    ranked: Sequence[_Scored], authority: Authority, settings: MatchSettings
) -> tuple[str, float] | None:
    """The best covered organisation if it reaches ``auto_score`` and leads unrelated ones by the margin."""
    best_by_org: dict[str, _Scored] = {}
    for item in ranked:
        current = best_by_org.get(item.org_id)
        if current is None or (item.covered, item.score) > (current.covered, current.score):
            best_by_org[item.org_id] = item
    covered = sorted(
        (item for item in best_by_org.values() if item.covered), key=lambda item: (-item.score, item.org_id)
    )
    if not covered or covered[0].score < settings.auto_score:
        return None
    best = covered[0]
    rivals = [
        item.score
        for item in best_by_org.values()
        if item.org_id != best.org_id and not authority.related(item.org_id, best.org_id)
    ]
    if rivals and best.score - max(rivals) < settings.auto_margin:
        return None
    return best.org_id, best.score


def _match_fuzzy(
    cleaned: str, base: str, acronym: str | None, authority: Authority, settings: MatchSettings
) -> Match:
    scored = _score_organisations(base, authority, settings)
    decided = _decide(scored, authority, settings)
    if decided is not None:
        return _confirm_acronym(decided[0], decided[1], acronym, cleaned, base, authority, settings)
    return _uncertain([(item.org_id, item.score) for item in scored], cleaned, settings)


def _similarity_table(
    words: Sequence[str], authority: Authority, settings: MatchSettings
) -> dict[str, dict[str, float]]:
    """For each printed word (and adjacent pair), its fuzz.ratio with every authority word resembling it."""
    table: dict[str, dict[str, float]] = {}
    for word in (*words, *joined_pairs(words)):
        if word in table:
            continue
        hits = process.extract(word, authority._vocabulary, scorer=fuzz.ratio, limit=None, score_cutoff=50)
        table[word] = {
            other: score
            for other, score, _ in hits
            if other == word or min(len(word), len(other)) > settings.exact_word_length
        }
    return table


def _coverage(words: Sequence[str], best: Callable[[str], float]) -> list[float]:
    """Each word's similarity with its best counterpart; two adjacent words may equal one run-together.

    Run-together words must be spelt exactly: a fuzzy pair would let a short extra word hide in a
    long one (``interculturelles`` + ``sociales`` against ``interculturelles`` scores 80).
    """
    coverage = [best(word) for word in words]
    for position, joined in enumerate(joined_pairs(words)):
        if best(joined) == 100.0:
            coverage[position] = coverage[position + 1] = 100.0
    return coverage


def _compare(
    org_id: str,
    words: tuple[str, ...],
    vocabulary: frozenset[str],
    choice_words: tuple[str, ...],
    similarity: Mapping[str, Mapping[str, float]],
    settings: MatchSettings,
) -> _Scored:
    """Printed words against the organisation's vocabulary, the choice's words against the printed words."""

    def in_vocabulary(word: str) -> float:
        row = similarity.get(word, {})
        return max((row.get(other, 0.0) for other in vocabulary), default=0.0)

    def in_printed(word: str) -> float:
        return max((similarity[printed].get(word, 0.0) for printed in words), default=0.0)

    printed = _coverage(words, in_vocabulary)
    chosen = _coverage(choice_words, in_printed)
    weights = [len(word) for word in (*words, *choice_words)]
    # A word without a counterpart adds nothing, however many letters it shares with some other word.
    values = [value if value >= settings.word_similarity else 0.0 for value in (*printed, *chosen)]
    score = sum(weight * value for weight, value in zip(weights, values, strict=True)) / sum(weights)
    return _Scored(org_id, score, min(values) > 0)


def _score_organisations(text: str, authority: Authority, settings: MatchSettings) -> list[_Scored]:
    """Every organisation's best comparison with the name, best first (ties by id)."""
    words = strong_words(comparison_words(text))
    if not words:
        return []
    similarity = _similarity_table(words, authority, settings)
    best: dict[str, _Scored] = {}
    for choice in authority._choices:
        scored = _compare(
            choice.org_id, words, authority._vocabularies[choice.org_id], choice.words, similarity, settings
        )
        current = best.get(choice.org_id)
        if current is None or (scored.covered, scored.score) > (current.covered, current.score):
            best[choice.org_id] = scored
    return sorted(best.values(), key=lambda item: (-item.score, item.org_id))
