"""Contact blocks as the practice sheets print them: people, phones, e-mails and web sites.

A contact block is a run of short lines under a "Contact(s)" heading::

    Mesures de pratique de la langue        <- what the person is the contact for (role)
    Bach Pitt - ASI asbl                    <- the person, then their organisation
    Tél : 43 83 33 -33
    E-Mail: pitt.bach@asti.lu
    www.ast.lu

Reading is three plain steps: ``classify_contact_line`` says what each line is (phone, e-mail,
web site or text), ``group_contact_lines`` cuts the block into one group per contact (a text line
after a phone, e-mail or web site starts the next contact), and ``contacts_from_group`` names the
parts of a group. A group with neither a way to reach someone nor a person's name is a note
("Une brochure de présentation existe."), handed back to the caller as text.

Phones are read by the ``phonenumbers`` library (default region LU) into E.164; e-mails are
checked for their shape and lower-cased; web sites get a scheme. The printed form of each is kept
beside the normalised one, and a value that cannot be read is a finding, never an exception.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

import phonenumbers

from amif_extract.findings import Finding, SourceLocation

DEFAULT_PHONE_REGION = "LU"

LineKind = Literal["phone", "email", "website", "text"]

_PHONE_LABEL = re.compile(
    r"^(?:t[ée]l(?:[ée]phone)?|tel|gsm|mobile|portable|fax|hotline)\.?\s*(?:\s|:|$)\s*:?\s*", re.IGNORECASE
)
_EMAIL_LABEL = re.compile(r"^(?:e\s*-?\s*mail|courriel|mail)\s*(?:\s|:|$)\s*:?\s*", re.IGNORECASE)
_WEBSITE_LABEL = re.compile(r"^(?:site(?:\s+(?:web|internet))?|web)\s*:\s*", re.IGNORECASE)
_EMAIL_SHAPE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_URL = re.compile(r"(?:https?://|www\.)[^\s,;]+", re.IGNORECASE)
# Several values printed in one cell: "691-964447 / 44743-501", "23 69 21 ou 661 266 601".
_VALUE_SEPARATOR = re.compile(r"\s+/\s+|\s*;\s*|\s+ou\s+|\s*,\s+|\s+et\s+", re.IGNORECASE)
_EMAIL_SEPARATOR = re.compile(r"\s*[/;,]\s*|\s+")
# A spaced dash separates a name from a role or an organisation ("Bach Pitt - ASI asbl"); a dash
# glued to the name ("Paul Estgen- secrétaire") only before a job title, since hyphenated words
# wrap that way too ("Integratiouns- a Sozialkohäsiouns-Zenter"); a dash inside a word never.
_SPACED_DASH = re.compile(r"\s+[-\u2013\u2014]\s+")
_GLUED_DASH = re.compile(r"(?<=\w)[-\u2013\u2014]\s+")
_NAME_SEPARATOR = re.compile(r"\s*/\s*")
_NAME_TOKEN = re.compile(r"^[A-ZÀ-ÖØ-Þ][A-Za-zÀ-ÖØ-öø-ÿ'’.\-]*$")
_ADDRESS = re.compile(r"^(?:\d+[a-z]?\s*,|[A-Z]-\d{4}\b|B\.?P\.?\s*\d|\d{4}\s+[A-Z])")

# Words that make a line an organisation rather than a person's name.
ORGANISATION_WORDS: frozenset[str] = frozenset(
    {
        "asbl", "service", "services", "commune", "ville", "office", "agence", "association",
        "fondation", "centre", "ministere", "syndicat", "commission", "croix-rouge", "caritas",
        "lycee", "ecole", "administration", "departement", "institut", "federation", "projet",
        "programme", "club", "foyer", "maison", "conseil", "direction", "groupe", "reseau",
    }
)  # fmt: skip
# First words of a job title ("Directeur de l'Agence …", "Chargé à l'intégration …").
ROLE_WORDS: frozenset[str] = frozenset(
    {
        "directeur", "directrice", "president", "presidente", "charge", "chargee", "coordinateur",
        "coordinatrice", "responsable", "secretaire", "assistant", "assistante", "conseiller",
        "conseillere", "educateur", "educatrice", "enseignant", "enseignante", "tresorier",
        "tresoriere", "chef", "gestionnaire", "animateur", "animatrice", "delegue", "deleguee",
        "membre", "echevin", "echevine", "bourgmestre", "agent", "referent", "referente",
        "benevole", "collaborateur", "collaboratrice", "travailleur", "travailleuse",
    }
)  # fmt: skip


@dataclass(frozen=True)
class ContactLine:
    """One printed line of a contact block and where it was read."""

    text: str
    location: SourceLocation


@dataclass(frozen=True)
class ClassifiedLine:
    kind: LineKind
    value: str  # the line without its label ("Tél :", "E-mail:")
    line: ContactLine


@dataclass
class Contact:
    """One contact person (or an organisation's general contact when no person is named)."""

    name: str = ""
    role: str = ""
    organisation: str = ""
    address: str = ""
    phone_raw: str = ""
    phone: str = ""  # E.164, "; "-joined when several numbers are printed
    email_raw: str = ""
    email: str = ""
    website_raw: str = ""
    website: str = ""
    location: SourceLocation = field(default_factory=lambda: SourceLocation(""))


@dataclass
class ContactBlock:
    """What a contact block holds: the contacts, the lines that are notes, and the findings."""

    contacts: list[Contact]
    notes: list[ContactLine]
    findings: list[Finding]


def fold(text: str) -> str:
    """Lower case without accents, for comparing words whatever their spelling."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def classify_contact_line(line: ContactLine) -> ClassifiedLine:
    """Phone, e-mail or web-site line (by label or by shape), or plain text."""
    text = line.text.strip()
    if match := _PHONE_LABEL.match(text):
        return ClassifiedLine("phone", text[match.end() :].strip(), line)
    if match := _EMAIL_LABEL.match(text):
        return ClassifiedLine("email", text[match.end() :].strip(), line)
    if _only_emails(text):
        return ClassifiedLine("email", text, line)
    if match := _WEBSITE_LABEL.match(text):
        return ClassifiedLine("website", text[match.end() :].strip(), line)
    if _only_urls(text):
        return ClassifiedLine("website", text, line)
    return ClassifiedLine("text", text, line)


def _only_emails(text: str) -> bool:
    parts = [part for part in _EMAIL_SEPARATOR.split(text) if part]
    return bool(parts) and all(_EMAIL_SHAPE.fullmatch(part) for part in parts)


def _only_urls(text: str) -> bool:
    parts = [part for part in re.split(r"\s+", text) if part]
    return bool(parts) and all(_URL.fullmatch(part) for part in parts)


def group_contact_lines(lines: list[ClassifiedLine]) -> list[list[ClassifiedLine]]:
    """One group per contact: text after a way of reaching someone, or a second e-mail, starts the next."""
    groups: list[list[ClassifiedLine]] = []
    for line in lines:
        current = groups[-1] if groups else None
        if current is None or _starts_new_group(current, line):
            groups.append([line])
        else:
            current.append(line)
    return groups


def _starts_new_group(group: list[ClassifiedLine], line: ClassifiedLine) -> bool:
    kinds = {member.kind for member in group}
    if line.kind == "text":
        return bool(kinds - {"text"})
    if line.kind in ("phone", "email"):
        return line.kind in kinds
    return False


def looks_like_person_name(text: str) -> bool:
    """Two to four capitalised words, not all in capitals, none an organisation word.

    ``Glod Georges``, ``CHEUNG Sing-Loon`` and ``Sandy FOURNELLE`` are names; ``Agence du
    Bénévolat`` (a lower-case word), ``LE GOUVERNEMENT`` (all capitals), ``Service Egalité des
    Chances`` (an organisation word) and ``Facebook : Escher Sport`` (a colon) are not.
    """
    tokens = text.split()
    if not 2 <= len(tokens) <= 4:
        return False
    if not all(_NAME_TOKEN.match(token) for token in tokens):
        return False
    if not any(any(char.islower() for char in token) for token in tokens):
        return False
    return not any(fold(token).strip(".") in ORGANISATION_WORDS for token in tokens)


def split_person_line(text: str) -> tuple[list[str], str] | None:
    """The names a line starts with and what follows the dash: ``Bach Pitt - ASI asbl``.

    ``Sylvain Besch/Frédéric Mertz - CEFIS asbl`` gives two names. None when the line does not
    start with a person's name.
    """
    parts = _SPACED_DASH.split(text, maxsplit=1)
    if len(parts) == 1:
        glued = _GLUED_DASH.split(text, maxsplit=1)
        if len(glued) == 2 and fold(glued[1].split()[0]).strip(".,;") in ROLE_WORDS:
            parts = glued
    names = [name for name in _NAME_SEPARATOR.split(parts[0].strip()) if name]
    if not names or not all(looks_like_person_name(name) for name in names):
        return None
    descriptor = parts[1].strip() if len(parts) > 1 else ""
    return names, descriptor


def looks_like_role(text: str) -> bool:
    """A job title: starts with a role word, or with a lower-case word ("enseignante")."""
    words = text.split()
    if not words:
        return False
    first = fold(words[0]).strip(".,:;")
    if first in ORGANISATION_WORDS:
        return False
    return first in ROLE_WORDS or words[0][0].islower()


def looks_like_address(text: str) -> bool:
    return bool(_ADDRESS.match(text.strip()))


def read_phone_numbers(raw: str, region: str = DEFAULT_PHONE_REGION) -> tuple[list[str], list[str]]:
    """E.164 numbers of every number printed in ``raw``, and the parts that are not valid numbers."""
    numbers: list[str] = []
    unreadable: list[str] = []
    for part in _VALUE_SEPARATOR.split(raw):
        part = part.strip()
        if not part:
            continue
        number = _phone_number(part, region)
        if number is None:
            unreadable.append(part)
        elif number not in numbers:
            numbers.append(number)
    return numbers, unreadable


def _phone_number(text: str, region: str) -> str | None:
    if not any(char.isdigit() for char in text):
        return None
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def read_emails(raw: str) -> tuple[list[str], list[str]]:
    """Lower-cased e-mail addresses printed in ``raw``, and the parts that are not e-mails."""
    emails: list[str] = []
    invalid: list[str] = []
    for part in _EMAIL_SEPARATOR.split(raw.strip()):
        part = part.strip().rstrip(".")
        if not part:
            continue
        if _EMAIL_SHAPE.fullmatch(part):
            emails.append(part.lower())
        else:
            invalid.append(part)
    return emails, invalid


def normalise_website(raw: str) -> str:
    """``www.AIS.lu/`` → ``https://www.ais.lu/``: a scheme, and the host in lower case."""
    url = raw.strip().rstrip(".,;")
    if not re.match(r"^https?://", url, re.IGNORECASE):
        url = "https://" + url
    scheme, _, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}{slash}{path}"


def read_contact_block(lines: list[ContactLine], region: str = DEFAULT_PHONE_REGION) -> ContactBlock:
    """Every contact of a block, the notes among its lines, and a finding per unreadable value."""
    classified = [classify_contact_line(line) for line in lines if line.text.strip()]
    contacts: list[Contact] = []
    notes: list[ContactLine] = []
    findings: list[Finding] = []
    for group in group_contact_lines(classified):
        if not _is_contact(group):
            notes.extend(member.line for member in group)
            continue
        group_contacts, group_findings = contacts_from_group(group, region)
        contacts.extend(group_contacts)
        findings.extend(group_findings)
    return ContactBlock(contacts, notes, findings)


def _is_contact(group: list[ClassifiedLine]) -> bool:
    if any(member.kind != "text" for member in group):
        return True
    return any(split_person_line(member.value) is not None for member in group)


def contacts_from_group(group: list[ClassifiedLine], region: str) -> tuple[list[Contact], list[Finding]]:
    """The contact(s) of one group: one per person named (``A / B`` names two), else one."""
    location = group[0].line.location
    texts = [member.value for member in group if member.kind == "text"]
    names, described = _names_and_descriptions(texts)
    findings: list[Finding] = []
    phone_raw = " / ".join(member.value for member in group if member.kind == "phone")
    phones: list[str] = []
    for member in group:
        if member.kind == "phone":
            numbers, unreadable = read_phone_numbers(member.value, region)
            phones += numbers
            findings += [
                _value_finding("invalid_phone", "not a valid phone number", part, member)
                for part in unreadable
            ]
    email_raw = " / ".join(member.value for member in group if member.kind == "email")
    emails: list[str] = []
    for member in group:
        if member.kind == "email":
            found, invalid = read_emails(member.value)
            emails += found
            findings += [
                _value_finding("invalid_email", "not an e-mail address", part, member) for part in invalid
            ]
    website_raw = "; ".join(member.value for member in group if member.kind == "website")
    websites = [normalise_website(url) for url in _URL.findall(website_raw)] or (
        [normalise_website(website_raw)] if website_raw else []
    )
    base = Contact(
        role=described["role"],
        organisation=described["organisation"],
        address=described["address"],
        phone_raw=phone_raw,
        phone="; ".join(phones),
        email_raw=email_raw,
        email="; ".join(emails),
        website_raw=website_raw,
        website="; ".join(websites),
        location=location,
    )
    if len(names) <= 1:
        base.name = names[0] if names else ""
        return [base], findings
    return _one_contact_per_name(base, names, phones, emails), findings


def _names_and_descriptions(texts: list[str]) -> tuple[list[str], dict[str, str]]:
    """Split a group's text lines into the person line, and role, organisation and address lines.

    Lines before the person's name say what the person is the contact for (a role, unless they
    name an organisation); lines after it are an address, a role or an organisation.
    """
    names: list[str] = []
    parts: dict[str, list[str]] = {"role": [], "organisation": [], "address": []}
    person_lines = [split_person_line(text) for text in texts]
    for index, text in enumerate(texts):
        person = person_lines[index] if not names else None
        if person is not None:
            names, descriptor = person
            if descriptor:
                parts["role" if looks_like_role(descriptor) else "organisation"].append(descriptor)
        elif looks_like_address(text):
            parts["address"].append(text)
        elif looks_like_role(text) or (
            not names and not _names_organisation(text) and any(later for later in person_lines[index + 1 :])
        ):
            parts["role"].append(text)
        else:
            parts["organisation"].append(text)
    described = {
        "role": "; ".join(parts["role"]),
        "organisation": "; ".join(parts["organisation"]),
        "address": ", ".join(parts["address"]),
    }
    return names, described


def _names_organisation(text: str) -> bool:
    return any(fold(word).strip(".,:;()") in ORGANISATION_WORDS for word in text.split())


def _one_contact_per_name(
    base: Contact, names: list[str], phones: list[str], emails: list[str]
) -> list[Contact]:
    """``A / B`` with ``tel A / tel B`` and ``mail A / mail B``: paired by position when the counts match."""
    contacts = []
    for index, name in enumerate(names):
        contact = Contact(**{**base.__dict__, "name": name})
        if len(phones) == len(names):
            contact.phone = phones[index]
        if len(emails) == len(names):
            contact.email = emails[index]
        contacts.append(contact)
    return contacts


def _value_finding(code: str, reason: str, value: str, member: ClassifiedLine) -> Finding:
    return Finding(
        code,
        f"{reason}: {value!r} (printed {member.line.text!r})",
        member.line.location,
        value=value,
        context=member.line.text,
    )


# A phone printed in any grouping: an optional +352 / (+352) / 00352 prefix, then 6 to 12 digits
# in groups joined by single spaces, dots, dashes or slashes.
_PHONE_CANDIDATE = re.compile(
    r"(?<![\w.,/+])(?<!\d )(?:\(?\+\d{1,3}\)?[\s.]*|00\d{2,3}[\s.]*)?\d{2,8}"
    r"(?:(?:[ .\-/\u2013]| [\-\u2013] | [\-\u2013])\d{1,8}){0,5}(?!\w|[.,/]\d)"
)
_DATE_LIKE = re.compile(
    r"^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$|^(?:19|20)\d{2}(?:\s*[-/\u2013]\s*(?:19|20)?\d{2})?$"
)


def printed_contact_values(text: str, region: str = DEFAULT_PHONE_REGION) -> list[str]:
    """The e-mail addresses, web addresses and phone numbers a line prints, recognised by form.

    A phone is a run of digit groups (with an optional country prefix) that ``phonenumbers`` reads
    as a valid number, at least six digits long and not shaped like a date or a year span: a line
    of prose that quotes ``2018-2019`` or ``01.01.2023`` prints no phone.
    """
    values = _EMAIL_SHAPE.findall(text) + _URL.findall(text)
    for match in _PHONE_CANDIDATE.finditer(text):
        candidate = match.group().strip()
        digits = sum(char.isdigit() for char in candidate)
        if digits < 6 or _DATE_LIKE.match(candidate):
            continue
        if _phone_number(candidate, region) is not None:
            values.append(candidate)
    return values
