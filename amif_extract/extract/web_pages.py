"""Three kinds of web page, told apart by content, read into conventions and narrative projects.

* ``ministry_conventions``: the ministry's page on associations ("en 2022, le ministère …
  finance des activités de l'ASTI, du CLAE, du CEFIS et de Caritas :" and one bullet per
  convention). One ``conventions`` row per organisation of the funding sentence, its domains
  read from its bullet.
* ``convention_summary``: the summary of one convention's planned activities. One
  ``conventions`` row: the organisation of its title, the year the page speaks of, the domains
  (a section that announces "N domaines d'actions :" gives its listed domains, any other section
  its heading's subject) and the communes it names.
* ``iom_project_list``: the IOM France page. One ``narrative_projects`` row per numbered
  project of each status section ("Projets en cours", "Projets achevés"); the number sequence
  tells projects from numbered lists inside a project. Periods go through
  ``amif_extract.normalize.periods``; funders, partners, countries and beneficiaries come from
  general French patterns ("cofinancé par …", "en partenariat avec …", a gazetteer of country
  names, "7.799 personnes").

Every rule reads labels, patterns and structure; nothing here knows a project by its name.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from amif_extract.errors import InputError
from amif_extract.extract.textfile import read_text_document
from amif_extract.findings import Finding, SourceLocation
from amif_extract.normalize.contacts import fold
from amif_extract.normalize.periods import FRENCH_NUMBERS, Period, scan_periods
from amif_extract.records import Row, WebPageExtraction
from amif_extract.textclean import collapse_spaces, join_wrapped_lines, normalise_apostrophes, strip_markup

WEB_PAGE_KINDS: tuple[str, ...] = ("ministry_conventions", "convention_summary", "iom_project_list")

# Country names as French prose writes them; matched without accents or case.
FRENCH_COUNTRY_NAMES: tuple[str, ...] = (
    "Afghanistan", "Afrique du Sud", "Albanie", "Algérie", "Allemagne", "Angola", "Arabie saoudite",
    "Argentine", "Arménie", "Australie", "Autriche", "Azerbaïdjan", "Bangladesh", "Belgique", "Bénin",
    "Biélorussie", "Birmanie", "Bolivie", "Bosnie-Herzégovine", "Brésil", "Bulgarie", "Burkina Faso",
    "Burundi", "Cambodge", "Cameroun", "Canada", "Cap-Vert", "Centrafrique", "Chili", "Chine", "Chypre",
    "Colombie", "Comores", "Congo", "Corée du Sud", "Corée du Nord", "Côte d'Ivoire", "Croatie", "Cuba",
    "Danemark", "Djibouti", "Égypte", "Émirats arabes unis", "Équateur", "Érythrée", "Espagne",
    "Estonie", "États-Unis", "Éthiopie", "Finlande", "France", "Gabon", "Gambie", "Géorgie", "Ghana",
    "Grèce", "Guatemala", "Guinée", "Guinée-Bissau", "Guinée équatoriale", "Haïti", "Honduras",
    "Hongrie", "Inde", "Indonésie", "Irak", "Iraq", "Iran", "Irlande", "Islande", "Israël", "Italie",
    "Jamaïque", "Japon", "Jordanie", "Kazakhstan", "Kenya", "Kosovo", "Koweït", "Kirghizistan", "Laos",
    "Lettonie", "Liban", "Liberia", "Libye", "Liechtenstein", "Lituanie", "Luxembourg", "Macédoine du Nord",
    "Madagascar", "Malaisie", "Malawi", "Mali", "Malte", "Maroc", "Maurice", "Mauritanie", "Mexique",
    "Moldavie", "Monaco", "Mongolie", "Monténégro", "Mozambique", "Namibie", "Népal", "Nicaragua",
    "Niger", "Nigeria", "Norvège", "Nouvelle-Zélande", "Ouganda", "Ouzbékistan", "Pakistan", "Palestine",
    "Panama", "Paraguay", "Pays-Bas", "Pérou", "Philippines", "Pologne", "Portugal", "Qatar",
    "République centrafricaine", "République démocratique du Congo", "République tchèque", "Roumanie",
    "Royaume-Uni", "Russie", "Rwanda", "Salvador", "Sénégal", "Serbie", "Sierra Leone", "Slovaquie",
    "Slovénie", "Somalie", "Soudan", "Soudan du Sud", "Sri Lanka", "Suède", "Suisse", "Syrie",
    "Tadjikistan", "Tanzanie", "Tchad", "Tchéquie", "Thaïlande", "Togo", "Tunisie", "Turkménistan",
    "Turquie", "Ukraine", "Uruguay", "Venezuela", "Viêt Nam", "Vietnam", "Yémen", "Zambie", "Zimbabwe",
)  # fmt: skip

_FLAGS = re.IGNORECASE
_BULLET = re.compile(r"^\s*(?:[-–—•*▪●]|\d+\s*[.)])\s+")
_LIST_BULLET = re.compile(r"^\s*[-–—•*▪●]\s*")
_ITEM_NUMBER = re.compile(r"^\s*(?:\d+\s*[.)]\s*)?")
_NUMBER_WORDS = "|".join(sorted(FRENCH_NUMBERS, key=len, reverse=True))
_COUNT = rf"(?P<count>\d+|{_NUMBER_WORDS})"
_ANNOUNCED_DOMAINS = re.compile(rf"{_COUNT}\s+domaines?\b[^:]*:\s*(?P<list>.*)$", _FLAGS)
_LEADING_ARTICLE = re.compile(
    r"^(?:(?:de\s+la|de\s+l'|du|des|de|d'|à\s+la|à\s+l'|au|aux|la|le|les|l'|un|une)(?:(?<=')\s*|\s+))+(?=\S)",
    _FLAGS,
)
_CLAUSE_BREAK = re.compile(
    r"\s*,?\s+(?:ainsi\s+que|d'une\s+part\s+et|d'autre\s+part\s+et|tout\s+en)\s+|\s+d'autre\s+part\b"
    r"|\s*,\s*dans\s+le\s+cadre\s+d[eu]s?\s+|\s+d'une\s+part\b",
    _FLAGS,
)
_ADVERB = re.compile(r"^(?:notamment|également|aussi|surtout|principalement|en\s+particulier)\s+", _FLAGS)
# Verb forms that open a clause ("intervient", "favorise", "appuie", "cherchant", "impulser");
# nouns of action ("réalisation", "sensibilisation") end otherwise and are kept.
_VERB_WORD = re.compile(r"^[a-zàâçéèêëîïôûù]+(?:ent|ient|ise|ie|ue|e|t|ant|er|ir)$")
_NOUN_ENDINGS = ("ion", "ité", "ment", "age", "ure", "ance", "ence", "isme", "eur", "ique")
_FUNDING_SENTENCE = re.compile(
    r"\ben\s+(?P<year>(?:19|20)\d{2})\b[^.:]*?\bactivités\s+(?P<list>(?:de|d'|du|des)\b[^:.]*)", _FLAGS
)
_CONVENTION_WITH = re.compile(r"convention\s+avec\s+(?:l'|le\s+|la\s+|les\s+)?(?P<org>[A-ZÀ-Þ][\w&'-]*)")
_YEAR_MENTION = re.compile(r"\b(?:en|pour|année)\s+(?P<year>(?:19|20)\d{2})\b", _FLAGS)
_NAME = r"[A-ZÀ-Þ][\w'-]*(?:\s+[A-ZÀ-Þ][\w'-]*)*"
_NAMES = rf"{_NAME}(?:\s*,\s*{_NAME})*(?:\s+et\s+{_NAME})?"
_COMMUNES_OF = re.compile(rf"\bcommunes\s+(?:de|d')\s*(?P<list>{_NAMES})")
_COMMUNES_ARE = re.compile(rf"\bcommunes(?![\w-])[^.;:]{{0,80}}?\bsont\s+(?P<list>{_NAMES})")
_COMMUNE_COUNT = re.compile(rf"{_COUNT}\s+communes\b", _FLAGS)
# "le syndicat intercommunal « De Réidener Kanton » (Mertzig y compris)": a participant of another
# kind named in the same sentence as the communes, quoted or capitalised, with its remark.
_SYNDICATE = re.compile(
    r"\bsyndicats?\s+intercommuna(?:l|ux)\s+(?:«\s*(?P<quoted>[^»]+?)\s*»|(?P<bare>" + _NAME + r"))"
    r"(?:\s*(?P<remark>\([^)]*\)))?"
)
SYNDICATE_KIND = "syndicat intercommunal"
_PURPOSE_TAIL = re.compile(r"\s+(?:au\s+service|à\s+destination|à\s+l'intention)\s+d.*$", _FLAGS)

_STATUS_HEADINGS: dict[str, re.Pattern[str]] = {
    "ongoing": re.compile(r"^projets?\s+(?:en\s+cours|actuels?)\s*:?$", _FLAGS),
    "completed": re.compile(r"^projets?\s+(?:achevés?|terminés?|clôturés?|réalisés?|passés?)\s*:?$", _FLAGS),
}
_NUMBERED_ITEM = re.compile(r"^\s*(?P<number>\d{1,3})\s*\.\s*(?P<rest>.*)$")
_BARE_NUMBER = re.compile(r"^\s*(?P<number>\d{1,3})\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?»)])\s+(?=[A-ZÀ-Þ«])")
_QUOTED = re.compile(r"«\s*(?P<name>[^»]+?)\s*»")
_PROJECT_QUOTED = re.compile(r"\bprojet\s+(?:intitulé\s+)?«\s*(?P<name>[^»]+?)\s*»", _FLAGS)
_PROJECT_NAMED = re.compile(
    r"\ble\s+projet\s+(?:de\s+|d')?(?P<name>.+?)(?=\s+(?:a|ont|est|vise|visait|était|avait|sera)\s|\.?$)",
    _FLAGS,
)
_IN_FRAME_OF = re.compile(
    r"\bdans\s+le\s+cadre\s+(?:du|des|de\s+la|de\s+l'|de|d')\s*(?P<name>[^,.]+)", _FLAGS
)
_DURATION = re.compile(
    rf"(?:d'|pour\s+|sur\s+)une\s+durée(?:\s+\w+)?\s+(?:de|d')\s*(?P<count>\d{{1,3}}|{_NUMBER_WORDS})\s+"
    r"(?P<unit>mois|ans?|années?)\b",
    _FLAGS,
)
# Phrases that introduce a list of names; the list runs to the end of the sentence at most.
_FUNDER_PHRASES = re.compile(
    r"\b(?:co-?financée?s?\s+par|financée?s?\s+par|avec\s+le\s+soutien\s+financier\s+d[eu]s?|grâce\s+à\s+l'aide"
    r"\s+financière\s+d[eu]s?|subventionnée?s?\s+par)\s+",
    _FLAGS,
)
_FUND_NAME = re.compile(r"\b(?P<name>Fonds\s+[Ee]uropéen\s+[^,.;()]+)")
_PARTNER_PHRASES = re.compile(
    r"\b(?:en\s+(?:étroite\s+)?(?:partenariat|collaboration|coopération)\s+avec|coopère\s+avec|"
    r"(?:accord|convention)(?:\s+signée?)?\s+avec|conduite?\s+par)\s+",
    _FLAGS,
)
_LIST_END = re.compile(
    r"\s+en\s+(?:étroite\s+)?(?:partenariat|collaboration|coopération)\s+avec\b"
    r"|\s+(?:et\s+)?avec\s+le\s+soutien\b|\s+en\s+tant\s+que\b|\s+dans\s+le\s+cadre\b|,\s*(?!(?:le|la|les|l'|du|des)\b)(?=[a-zàâçéèêîôû])"
    r"|\s+(?:a|ont|est|sont|était|étaient|avait|sera|seront|assure|assurent)\s",
    _FLAGS,
)
_LIST_SPLIT = re.compile(
    r"\s*,\s*(?=[A-ZÀ-Þ]|l'|le\s|la\s|les\s|du\s|de\s)|\s+et\s+(?:avec\s+)?(?:de\s+)?", _FLAGS
)
_BENEFICIARIES = re.compile(
    r"(?P<count>\d{1,3}(?:[.\u00a0\u202f ]\d{3})+|\d+)\s+"
    r"(?:personnes|bénéficiaires|participants|participantes|réfugiés|migrants|familles)\b",
    _FLAGS,
)
# Lines that end a page's content: the site's footer.
_FOOTER = re.compile(r"copyright|©|all rights reserved|tous droits réservés|dernière mise à jour", _FLAGS)


@dataclass(frozen=True)
class WebPageSettings:
    footer_blank_lines: int = 3  # this many blank lines followed by no heading or item end the content
    max_project_title_words: int = 15  # an item's own first line up to this long is its title
    max_heading_words: int = 14  # a section heading of a summary page is a short line

    def __post_init__(self) -> None:
        for name in ("footer_blank_lines", "max_project_title_words", "max_heading_words"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")


@dataclass(frozen=True)
class PageLine:
    number: int
    text: str


# --- shared text helpers ---------------------------------------------------------------------


def clean_text(text: str) -> str:
    return collapse_spaces(normalise_apostrophes(strip_markup(unicodedata.normalize("NFC", text))))


def page_lines(lines: list[str]) -> list[PageLine]:
    return [PageLine(number, clean_text(text)) for number, text in enumerate(lines, start=1)]


def strip_article(text: str) -> str:
    return _LEADING_ARTICLE.sub("", text.strip()).strip(" .;:,")


def split_enumeration(text: str) -> list[str]:
    """``l'accompagnement des communes, la traduction orale directe et le Guichet`` → three items."""
    parts = [part for part in re.split(r"\s*,\s*", text.strip().rstrip(".")) if part]
    if not parts:
        return []
    last = re.split(r"\s+et\s+(?=(?:le|la|les|l'|du|de|des|d')\b|[A-ZÀ-Þ])", parts[-1], maxsplit=1)
    if len(parts) > 1 or len(last) > 1:
        parts[-1:] = last
    return [item for item in (strip_article(part) for part in parts) if item]


def count_value(text: str) -> int:
    return int(text) if text.isdigit() else FRENCH_NUMBERS[text.lower()]


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return "-".join(word for word in re.split(r"[^a-z0-9]+", ascii_text) if word)


# --- kind detection --------------------------------------------------------------------------


def web_page_kind(text: str) -> str | None:
    """Which of the known page kinds a text is, from its content."""
    lines = [clean_text(line) for line in text.splitlines()]
    has_status = any(pattern.match(line) for line in lines for pattern in _STATUS_HEADINGS.values())
    numbered = sum(1 for line in lines if _NUMBERED_ITEM.match(line) or _BARE_NUMBER.match(line))
    if has_status and numbered >= 3:
        return "iom_project_list"
    convention_bullets = sum(
        1 for line in lines if _BULLET.match(line) and re.search(r"convention\s+avec", line, _FLAGS)
    )
    if convention_bullets >= 1 and any(_FUNDING_SENTENCE.search(line) for line in lines):
        return "ministry_conventions"
    titled = any(_CONVENTION_WITH.search(line) and len(line.split()) <= 14 for line in lines)
    if titled and any(_ANNOUNCED_DOMAINS.search(line) for line in lines):
        return "convention_summary"
    return None


# --- ministry conventions --------------------------------------------------------------------


def funded_organisations(text: str) -> tuple[int, list[str]] | None:
    """Year and organisations of "en 2022, le ministère … finance des activités de l'ASTI, du CLAE …"."""
    match = _FUNDING_SENTENCE.search(text)
    if match is None:
        return None
    names = [strip_article(part) for part in re.split(r"\s*,\s*|\s+et\s+", match["list"])]
    return int(match["year"]), [name for name in names if name]


def domains_from_statement(statement: str, organisation: str) -> tuple[list[str], int | None]:
    """The activity domains a bullet gives for an organisation, and the count it announces.

    "couvre 3 domaines d'activités : a, b et c" lists them; otherwise the clauses after the
    organisation's name, each without its opening verb ("favorise l'accueil …" → "accueil").
    """
    announced = _ANNOUNCED_DOMAINS.search(statement)
    if announced is not None:
        return split_enumeration(announced["list"]), count_value(announced["count"])
    position = statement.find(organisation)
    predicate = statement[position + len(organisation) :] if position >= 0 else statement
    domains: list[str] = []
    for clause in _CLAUSE_BREAK.split(predicate.strip().rstrip(".")):
        clause = strip_article(_strip_opening_verbs(clause))
        if not clause:
            continue
        items = split_enumeration(clause) if "," in clause else [clause]
        domains += items
    return domains, None


def _strip_opening_verbs(clause: str) -> str:
    """Drop the verbs, adverbs and prepositions a clause opens with, keep its object."""
    previous = None
    clause = clause.strip()
    while previous != clause:
        previous = clause
        clause = _ADVERB.sub("", clause)
        clause = re.sub(r"^(?:à|dans|de|sur|pour|en)\s+(?=[a-zàâçéèêîôû])", "", clause)
        words = clause.split(maxsplit=1)
        if len(words) == 2 and _is_verb_form(words[0]):
            clause = words[1]
    return clause


def _is_verb_form(word: str) -> bool:
    lowered = word.lower()
    return bool(_VERB_WORD.match(word)) and not lowered.endswith(_NOUN_ENDINGS) and len(lowered) > 3


def read_ministry_conventions(lines: list[PageLine], source_file: str) -> WebPageExtraction:
    result = WebPageExtraction(source_file, "ministry_conventions")
    funding_line = next((line for line in lines if _FUNDING_SENTENCE.search(line.text)), None)
    funded = funded_organisations(funding_line.text) if funding_line else None
    if funding_line is None or funded is None:
        return result
    year, organisations = funded
    bullets = [line for line in lines if _BULLET.match(line.text) and line.number > funding_line.number]
    for organisation in organisations:
        pattern = re.compile(rf"(?<![\w-]){re.escape(organisation)}(?![\w-])")
        bullet = next((line for line in bullets if pattern.search(line.text)), None)
        where = bullet or funding_line
        location = SourceLocation(source_file, line=where.number)
        domains: list[str] = []
        if bullet is not None:
            statement = _BULLET.sub("", bullet.text)
            domains, announced = domains_from_statement(statement, organisation)
            result.findings += _count_findings(announced, domains, "activity domains", location)
        row = _convention_row(organisation, year, domains, [], source_file, where.number)
        if not domains:
            result.findings.append(
                _missing(location, "conventions", row["convention_id"], "activity_domains")
            )
        result.conventions.append(row)
        result.organisation_mentions.append((organisation, location))
    return result


def _convention_row(
    organisation: str, year: int, domains: list[str], communes: list[str], source_file: str, line: int
) -> Row:
    return {
        "convention_id": f"convention-{_slug(organisation)}-{year}",
        "organisation": organisation,
        "year": year,
        "activity_domains": "; ".join(domains),
        "communes": "; ".join(communes),
        "source_file": source_file,
        "source_line": line,
    }


def _count_findings(
    announced: int | None, items: list[str], what: str, location: SourceLocation
) -> list[Finding]:
    if announced is None or announced == len(items):
        return []
    message = f"the text announces {announced} {what} and lists {len(items)}: {'; '.join(items)}"
    return [Finding("count_mismatch", message, location, value=str(len(items)))]


def _missing(location: SourceLocation, table: str, row_id: str, column: str) -> Finding:
    finding = Finding("missing_value", f"no {column.replace('_', ' ')} found", location, column=column)
    return finding.with_row(table, row_id)


# --- convention summary ----------------------------------------------------------------------


def summary_sections(
    lines: list[PageLine], settings: WebPageSettings
) -> list[tuple[PageLine, list[PageLine]]]:
    """(heading, body lines) per section: a heading is a short stand-alone line without end punctuation."""
    sections: list[tuple[PageLine, list[PageLine]]] = []
    for index, line in enumerate(lines):
        if not line.text:
            continue
        before = lines[index - 1].text if index > 0 else ""
        after = lines[index + 1].text if index + 1 < len(lines) else ""
        is_heading = (
            not before
            and not after
            and len(line.text.split()) <= settings.max_heading_words
            and not re.search(r"[.:;!?,]$", line.text)
            and not _BULLET.match(line.text)
        )
        if is_heading:
            sections.append((line, []))
        elif sections:
            sections[-1][1].append(line)
    return sections


def named_communes(text: str) -> list[str]:
    """Communes named in "les communes … sont A, B et C" and "les communes de D et E", in order."""
    communes: list[str] = []
    for pattern in (_COMMUNES_ARE, _COMMUNES_OF):
        for match in pattern.finditer(text):
            for name in re.split(r"\s*,\s*|\s+et\s+", match["list"]):
                if name and name not in communes:
                    communes.append(name)
    positions = {name: text.find(name) for name in communes}
    return sorted(communes, key=lambda name: positions[name])


def named_syndicates(text: str) -> list[str]:
    """Intercommunal syndicates named beside the communes, with their remark in parentheses.

    ``le syndicat intercommunal « De Réidener Kanton » (Mertzig y compris)`` gives ``De Réidener
    Kanton (Mertzig y compris)``. The row lists them after the communes, each prefixed by its kind,
    so a reader of the ``communes`` column tells them apart.
    """
    names: list[str] = []
    for match in _SYNDICATE.finditer(text):
        name = (match["quoted"] or match["bare"]).strip()
        if match["remark"]:
            name = f"{name} {match['remark']}"
        if name not in names:
            names.append(name)
    return names


def read_convention_summary(
    lines: list[PageLine], source_file: str, settings: WebPageSettings
) -> WebPageExtraction:
    result = WebPageExtraction(source_file, "convention_summary")
    title = next((line for line in lines if _CONVENTION_WITH.search(line.text) and line.text), None)
    text = "\n".join(line.text for line in lines)
    years = Counter(int(match["year"]) for match in _YEAR_MENTION.finditer(text))
    if title is None or not years:
        return result
    organisation = _CONVENTION_WITH.search(title.text)["org"]  # type: ignore[index]
    year = years.most_common(1)[0][0]
    location = SourceLocation(source_file, line=title.number)
    domains: list[str] = []
    for heading, body in summary_sections(lines, settings):
        if heading is title or _CONVENTION_WITH.search(heading.text):
            continue
        listed, announced, where = _announced_list(body)
        if where is not None:
            domains += listed
            result.findings += _count_findings(
                announced, listed, "action domains", SourceLocation(source_file, line=where.number)
            )
        else:
            domains.append(strip_article(_PURPOSE_TAIL.sub("", heading.text)))
    communes = named_communes(text)
    count = _COMMUNE_COUNT.search(text)
    if count is not None:
        result.findings += _count_findings(count_value(count["count"]), communes, "communes", location)
    participants = communes + [f"{SYNDICATE_KIND} {name}" for name in named_syndicates(text)]
    row = _convention_row(organisation, year, domains, participants, source_file, title.number)
    result.conventions.append(row)
    result.organisation_mentions.append((organisation, location))
    return result


def _announced_list(body: list[PageLine]) -> tuple[list[str], int | None, PageLine | None]:
    """The items listed under "… comprend 4 domaines d'actions :" in a section's body."""
    for index, line in enumerate(body):
        announced = _ANNOUNCED_DOMAINS.search(line.text)
        if announced is None:
            continue
        items = []
        for item in body[index + 1 :]:
            if not _LIST_BULLET.match(item.text) and not _NUMBERED_ITEM.match(item.text):
                break
            items.append(_ITEM_NUMBER.sub("", _LIST_BULLET.sub("", item.text)).strip())
        inline = split_enumeration(announced["list"]) if announced["list"].strip() else []
        return inline + items, count_value(announced["count"]), line
    return [], None, None


# --- IOM project list ------------------------------------------------------------------------


@dataclass
class NumberedItem:
    status: str
    number: str
    line: int
    lines: list[PageLine] = field(default_factory=list)
    first_line_is_title: bool = False


def content_lines(lines: list[PageLine], settings: WebPageSettings) -> list[PageLine]:
    """The page up to its footer: a gap of blank lines followed by neither a heading nor an item."""
    end = len(lines)
    blank_run = 0
    for index, line in enumerate(lines):
        if not line.text:
            blank_run += 1
            continue
        starts_something = _status_of(line.text) is not None or _item_start(lines, index) is not None
        if _FOOTER.search(line.text) or (blank_run >= settings.footer_blank_lines and not starts_something):
            end = index
            break
        blank_run = 0
    return lines[:end]


def _status_of(text: str) -> str | None:
    return next((status for status, pattern in _STATUS_HEADINGS.items() if pattern.match(text)), None)


def _item_start(lines: list[PageLine], index: int) -> tuple[str, str, int] | None:
    """(number, rest of the item's first line, index of the line the rest is on), or None.

    The number may sit on its own line (``6.`` then the text; ``9`` then ``. Programme …``).
    """
    text = lines[index].text
    following = next((j for j in range(index + 1, len(lines)) if lines[j].text), None)
    if match := _NUMBERED_ITEM.match(text):
        if match["rest"] or following is None:
            return match["number"], match["rest"], index
        return match["number"], lines[following].text, following
    if (
        (match := _BARE_NUMBER.match(text))
        and following is not None
        and lines[following].text.startswith(".")
    ):
        return match["number"], lines[following].text.lstrip(". "), following
    return None


def numbered_items(lines: list[PageLine], settings: WebPageSettings) -> list[NumberedItem]:
    """The numbered projects of each status section; a number out of sequence is a list inside a project."""
    items: list[NumberedItem] = []
    status: str | None = None
    expected = 1
    index = 0
    lines = content_lines(lines, settings)
    while index < len(lines):
        line = lines[index]
        if (new_status := _status_of(line.text)) is not None:
            status, expected = new_status, 1
            index += 1
            continue
        start = _item_start(lines, index) if status is not None else None
        if start is not None and int(start[0]) == expected:
            assert status is not None
            number, rest, rest_index = start
            item = NumberedItem(status, number, line.number, [PageLine(lines[rest_index].number, rest)])
            next_index = rest_index + 1
            item.first_line_is_title = (
                next_index < len(lines)
                and bool(lines[next_index].text)
                and len(rest.split()) <= settings.max_project_title_words
            )
            items.append(item)
            expected += 1
            index = next_index
            continue
        if items and status is not None and items[-1].status == status:
            items[-1].lines.append(line)
        index += 1
    return items


def paragraphs(lines: list[PageLine]) -> list[str]:
    """Printed paragraphs: wrapped lines joined, a blank line or a list item starting a new one."""
    result: list[list[str]] = []
    starts_new = True
    for line in lines:
        if not line.text:
            starts_new = True
            continue
        if starts_new or _BULLET.match(line.text):
            result.append([])
        result[-1].append(line.text)
        starts_new = False
    return [join_wrapped_lines(paragraph) for paragraph in result]


def first_sentence(text: str) -> str:
    return _SENTENCE_END.split(text, maxsplit=1)[0].strip()


def project_name(item: NumberedItem, body: str) -> str:
    """The project's name: its title line, a quoted name, or the subject of its first sentence."""
    first = item.lines[0].text if item.lines else ""
    if item.first_line_is_title:
        return first.strip(" .")
    sentence = first_sentence(body)
    if sentence.startswith("«") and (quoted := _QUOTED.match(sentence)):
        return quoted["name"]
    if quoted := _PROJECT_QUOTED.search(sentence):
        return quoted["name"]
    if re.match(r"^(?:Programme|Projet)\b", sentence):
        return sentence.rstrip(" .")
    if named := _PROJECT_NAMED.search(sentence):
        return named["name"].strip(" .")
    if framed := _IN_FRAME_OF.search(sentence):
        return framed["name"].strip(" .")
    return sentence.rstrip(" .")


def _mask_parentheses(text: str) -> str:
    """The text with everything inside parentheses blanked, so lists split only outside them."""
    masked, depth = [], 0
    for char in text:
        depth += char == "("
        masked.append("_" if depth > 0 and char not in "()" else char)
        depth -= char == ")" and depth > 0
    return "".join(masked)


def listed_names(text: str) -> list[str]:
    """Names in "A, B et C" up to where the list ends (sentence end, a verb, a clause, a purpose)."""
    masked = _mask_parentheses(text)
    sentence_end = re.search(r"\.(?:\s|$)", masked)
    end = _LIST_END.search(masked[: sentence_end.start()] if sentence_end else masked)
    stop = end.start() if end else (sentence_end.start() if sentence_end else len(text))
    first_comma = masked.find(",", 0, stop)
    if first_comma >= 0 and not re.search(r"\s+et\s+", masked[first_comma:stop]):
        # "A, B et C" ends its list with "et"; a comma without one closes a one-name list.
        stop = first_comma
    names, start = [], 0
    for separator in _LIST_SPLIT.finditer(masked[:stop]):
        names.append(text[start : separator.start()])
        start = separator.end()
    names.append(text[start:stop])
    return [name for name in (strip_article(part) for part in names) if name]


def _names_after(phrases: re.Pattern[str], text: str) -> list[str]:
    """Every name listed after one of the phrases; lists may hold another phrase ("conduite par A en
    partenariat avec B")."""
    names: list[str] = []
    for match in phrases.finditer(text):
        names += listed_names(text[match.end() :])
    return names


def _unique(names: list[str]) -> list[str]:
    """Names in order without repeats; a name that starts another one already kept is a repeat."""
    result: list[str] = []
    for name in names:
        key = fold(name)
        if not any(fold(kept).startswith(key) for kept in result):
            result.append(name)
    return result


def project_funders(text: str) -> list[str]:
    funders = _names_after(_FUNDER_PHRASES, text)
    funders += [match["name"].strip() for match in _FUND_NAME.finditer(text)]
    return _unique(funders)


def project_partners(text: str) -> list[str]:
    return _unique(_names_after(_PARTNER_PHRASES, text))


def _country_pattern() -> re.Pattern[str]:
    names = sorted({fold(name) for name in FRENCH_COUNTRY_NAMES}, key=len, reverse=True)
    alternation = "|".join(re.escape(name).replace(r"\ ", r"\s+").replace(r"\-", r"[-\s]") for name in names)
    return re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])")


_COUNTRIES = _country_pattern()
_COUNTRY_BY_FOLD = {fold(name): name for name in FRENCH_COUNTRY_NAMES}


def project_countries(text: str) -> list[str]:
    """Country names the text mentions, in order of first mention, as the gazetteer spells them."""
    found: list[str] = []
    for match in _COUNTRIES.finditer(fold(text)):
        key = re.sub(r"[\s-]+", lambda m: "-" if "-" in m[0] else " ", match[0])
        name = _COUNTRY_BY_FOLD.get(key) or _COUNTRY_BY_FOLD.get(key.replace(" ", "-"), match[0])
        if name not in found:
            found.append(name)
    return found


def project_beneficiaries(text: str) -> int | None:
    """The first head-count of people the text gives ("7.799 personnes" → 7799)."""
    match = _BENEFICIARIES.search(text)
    return int(re.sub(r"\D", "", match["count"])) if match else None


def project_period(text: str) -> tuple[Period | None, list[str]]:
    """The project's period, and the period phrases that could not be read.

    A range or a start with a duration wins; else the earliest open start ("Depuis juin
    2008"). A single year or month ("En 2011") dates an event of the project, not its span.
    """
    scan = scan_periods(text)
    rejected = [error.text for error in scan.rejected]
    spans = [period for period in scan.periods if not _is_point_in_time(period)]
    closed = [period for period in spans if period.end is not None]
    if closed:
        return closed[0], rejected
    return (spans[0] if spans else None), rejected


def _is_point_in_time(period: Period) -> bool:
    return bool(re.match(r"^(?:en|pendant|durant|au\s+cours|courant)\b", period.text, _FLAGS))


def stated_duration(text: str) -> tuple[int, str] | None:
    """Months and phrase of "d'une durée de 24 mois" / "pour une durée de deux ans"."""
    match = _DURATION.search(text)
    if match is None:
        return None
    months = count_value(match["count"])
    return (months if match["unit"].lower() == "mois" else 12 * months), match[0]


def _whole_months(start: date, end: date) -> int | None:
    """Months a period covers when it runs from a month's first day to a month's last day."""
    next_day = date.fromordinal(end.toordinal() + 1)
    if start.day != 1 or next_day.day != 1:
        return None
    return (next_day.year - start.year) * 12 + next_day.month - start.month


def read_iom_projects(
    lines: list[PageLine], source_file: str, settings: WebPageSettings
) -> WebPageExtraction:
    result = WebPageExtraction(source_file, "iom_project_list")
    for item in numbered_items(lines, settings):
        row, findings = _project_row(item, source_file)
        result.narrative_projects.append(row)
        result.findings += findings
    return result


def _project_row(item: NumberedItem, source_file: str) -> tuple[Row, list[Finding]]:
    body_paragraphs = paragraphs(item.lines[1:] if item.first_line_is_title else item.lines)
    body = "\n".join(body_paragraphs)
    full_text = "\n".join(paragraphs(item.lines))
    project_id = f"iom-{item.status}-{int(item.number):02d}"
    location = SourceLocation(source_file, line=item.line)
    findings: list[Finding] = []
    period, rejected = project_period(full_text)
    for phrase in rejected:
        finding = Finding(
            "unparsable_value",
            f"period not readable: {phrase!r}",
            location,
            column="start_date",
            value=phrase,
        )
        findings.append(finding.with_row("narrative_projects", project_id))
    duration = stated_duration(full_text)
    months = period.duration_months if period else None
    if months is None and period is not None and period.end is not None:
        months = _whole_months(period.start, period.end)
    if months is None and duration is not None:
        months = duration[0]
    date_text = period.text if period else (duration[1] if duration else "")
    if period is None:
        findings.append(_missing(location, "narrative_projects", project_id, "start_date"))
    beneficiaries = project_beneficiaries(full_text)
    row: Row = {
        "project_id": project_id,
        "status": item.status,
        "number": item.number,
        "name": project_name(item, " ".join(body_paragraphs) if not item.first_line_is_title else full_text),
        "start_date": period.start if period else None,
        "end_date": period.end if period else None,
        "date_precision": period.start_precision if period else "",
        "duration_months": months,
        "date_text": date_text,
        "funders": "; ".join(project_funders(full_text)),
        "countries": "; ".join(project_countries(full_text)),
        "partners": "; ".join(project_partners(full_text)),
        "beneficiaries": beneficiaries,
        "description": body,
        "source_file": source_file,
        "source_line": item.line,
    }
    return row, findings


# --- entry point -----------------------------------------------------------------------------


def extract_web_page(
    path: Path, source_name: str | None = None, settings: WebPageSettings | None = None
) -> WebPageExtraction:
    """The conventions or narrative projects of one of the known web pages, told apart by content."""
    settings = settings or WebPageSettings()
    document = read_text_document(path, source_name)
    kind = web_page_kind(document.text)
    if kind is None:
        raise InputError(path, f"not one of the known web pages ({', '.join(WEB_PAGE_KINDS)})")
    lines = page_lines(document.lines)
    if kind == "ministry_conventions":
        result = read_ministry_conventions(lines, document.source_name)
    elif kind == "convention_summary":
        result = read_convention_summary(lines, document.source_name, settings)
    else:
        result = read_iom_projects(lines, document.source_name, settings)
    result.findings = list(document.findings) + result.findings
    return result
