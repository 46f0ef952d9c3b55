"""Scrubbing note text for the de-identified export (HIPAA Safe Harbor, 45 CFR 164.514(b)(2)).

``scrub`` replaces the Safe Harbor identifiers that turn up in clinical notes with bracketed
placeholders: names (the patient's and attending's own, titled names such as "Dr. Jones",
"Firstname Lastname is a 62-year-old", signatures ending in a credential), dates (any
format; the year is kept, as the structured export keeps it), phone and fax numbers,
emails, URLs, IP addresses, SSNs, record / account numbers, street addresses, cities
followed by a state, and ZIP codes (cut to the first three digits, or ``000`` for the
three-digit areas under 20,000 people). Ages over 89 become ``90+``.

Why regular expressions and not philter-lite: philter-lite 0.6.0 downloads and installs
from the index, but it tags parts of speech with NLTK, whose tagger data is fetched from
the internet at first use; offline it stops with ``LookupError: Resource
averaged_perceptron_tagger not found``, and it would add a 5 MB word list to load. The
rules here are plain, typed, fast, and err on the side of removing too much: a run of
seven or more digits goes as a possible record number, any capitalised word after a
title goes as a name. Output of ``scrub`` is stable under ``scrub`` (idempotent), since no
placeholder matches a rule.

This is a safety net for text, not a guarantee: Safe Harbor also requires that the
covered entity has no actual knowledge that what remains could identify the patient.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = ["RESTRICTED_ZIP3", "PatientIdentifiers", "scrub", "zip3"]

# 45 CFR 164.514(b)(2)(i)(B): three-digit ZIP areas with 20,000 people or fewer (Census
# 2000, as listed by HHS) are reported as 000.
RESTRICTED_ZIP3 = frozenset(
    {
        "036",
        "059",
        "063",
        "102",
        "203",
        "556",
        "692",
        "790",
        "821",
        "823",
        "830",
        "831",
        "878",
        "879",
        "884",
        "890",
        "893",
    }
)

_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"  # noqa: E501
_TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Doctor|Prof|Professor|Nurse)"
_NAME_WORD = r"[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?"
_CREDENTIAL = r"(?:MD|DO|NP|PA-C|PA|RN|APRN|CNM|DPM|PharmD|PhD)"
_STREET = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|"
    r"Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Trail|Trl)"
)
_STATES = (
    r"(?:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|"
    r"NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR)"
)


@dataclass(frozen=True, slots=True)
class PatientIdentifiers:
    """What the record itself knows about whom the note is about."""

    names: tuple[str, ...] = ()  # the patient's name, the attending's, ...
    mrns: tuple[str, ...] = ()


def zip3(code: str) -> str:
    """The Safe Harbor form of a ZIP code: its first three digits, or 000 where restricted."""
    head = code[:3]
    return "000" if head in RESTRICTED_ZIP3 else head


def _year(text: str) -> str | None:
    if len(text) == 4:
        return text
    return None  # a two-digit year is not worth guessing a century for


def _date(year: str | None) -> str:
    # A year more than 89 years back may be a birth year that shows an age over 89
    # (45 CFR 164.514(b)(2)(i)(C)), so it goes with the rest of the date.
    if year is None or int(year) <= dt.date.today().year - 90:
        return "[DATE]"
    return f"[DATE {year}]"


def _age(match: re.Match[str]) -> str:
    group = "age" if match.groupdict().get("age") is not None else "age2"
    age = int(match.group(group))
    if age <= 89:
        return match.group(0)
    start, end = match.span(group)
    offset = match.start()
    whole = match.group(0)
    return whole[: start - offset] + "90+" + whole[end - offset :]


Replacement = str | Callable[[re.Match[str]], str]

# In order: each rule sees the text the rules before it left. Contact details and
# numbers go first so that their digits are not read as dates or ages.
_RULES: tuple[tuple[re.Pattern[str], Replacement], ...] = (
    (re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"), "[EMAIL]"),
    (re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]*[^\s<>\"')\].,;:!?]", re.IGNORECASE), "[URL]"),
    (re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b"), "[IP]"),
    (
        re.compile(r"\b\d{3}-\d{2}-\d{4}\b|\b(?i:SSN|social security(?: number)?)[:#\s]*\d{9}\b"),
        "[SSN]",
    ),
    (
        re.compile(r"(?<![\w/-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}\b"),
        "[PHONE]",
    ),
    (
        re.compile(
            r"\b(?i:MRN|MR#|medical record(?: number| no\.?)?|acct|account(?: number| no\.?)?|"
            r"member id|policy(?: number| no\.?)?|health plan id|license(?: number| no\.?)?|"
            r"DEA|NPI)(?P<sep>\s*(?:#|:|is)?\s*)[A-Z0-9][A-Z0-9-]{3,}\b"
        ),
        lambda m: m.group(0)[: m.start("sep") - m.start()] + m.group("sep") + "[ID]",
    ),
    # Dates, longest forms first.
    (
        re.compile(r"\b(?P<y>\d{4})-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12]\d|3[01])\b"),
        lambda m: _date(m.group("y")),
    ),
    (
        re.compile(r"\b(?:0?[1-9]|1[0-2])[/.-](?:0?[1-9]|[12]\d|3[01])[/.-](?P<y>\d{4}|\d{2})\b"),
        lambda m: _date(_year(m.group("y"))),
    ),
    (
        re.compile(
            rf"\b{_MONTH}\s+(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?(?:,?\s+(?P<y>\d{{4}}))?\b"
        ),
        lambda m: _date(m.group("y")),
    ),
    (
        re.compile(
            rf"\b(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+(?P<y>\d{{4}}))?(?!\w)"
        ),
        lambda m: _date(m.group("y")),
    ),
    (re.compile(rf"\b{_MONTH}\s+(?P<y>\d{{4}})\b"), lambda m: _date(m.group("y"))),
    (
        re.compile(r"\b(?:0?[1-9]|1[0-2])/(?P<y>\d{4})\b"),
        lambda m: _date(m.group("y")),
    ),
    (
        re.compile(
            r"\b(?P<lead>(?i:born(?:\s+in)?|birth\s+year|b\.|DOB:?|YOB:?))\s+(?P<y>\d{4})\b"
        ),
        lambda m: f"{m.group('lead')} {_date(m.group('y'))}",
    ),
    # Places: street addresses, "City, ST 12345", labelled ZIP codes.
    (
        re.compile(
            rf"\b\d{{1,6}}\s+(?:[NSEW]\.?\s+)?(?:(?:{_NAME_WORD}|\d+(?:st|nd|rd|th))\s+){{1,4}}"
            rf"{_STREET}\b\.?(?:,?\s+(?:Apt|Apartment|Suite|Ste|Unit|#)\.?\s*#?\w+)?"
        ),
        "[ADDRESS]",
    ),
    (re.compile(r"\b(?i:P\.?O\.? Box)\s+\d+\b"), "[ADDRESS]"),
    (
        re.compile(
            rf"\b{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}},\s+(?P<st>{_STATES})"
            r"\s+(?P<zip>\d{5})(?:-\d{4})?\b"
        ),
        lambda m: f"[CITY], {m.group('st')} {zip3(m.group('zip'))}XX",
    ),
    (
        re.compile(
            rf"(?<=\[ADDRESS\],\s){_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}}(?=,\s+{_STATES}\b)"
        ),
        "[CITY]",
    ),
    (
        re.compile(
            rf"(?:\b{_STATES}\s+|\b(?i:zip(?:\s*code)?)\s*:?\s*)(?P<zip>\d{{5}})(?:-\d{{4}})?\b"
        ),
        lambda m: m.group(0)[: m.start("zip") - m.start()] + zip3(m.group("zip")) + "XX",
    ),
    # Ages over 89 (45 CFR 164.514(b)(2)(i)(C)).
    (
        re.compile(
            r"\b(?P<age>\d{2,3})(?:\s*|-)(?:years?|yrs?|y)(?:\s*|-)(?:old|o)\b"
            r"|\b(?P<age2>\d{2,3})\s*(?:y/o|y\.o\.?|yo)(?!\w)"
        ),
        _age,
    ),
    (re.compile(r"\b(?i:aged?:?)\s+(?P<age>\d{2,3})\b(?!\+)"), _age),
    # Names after a title, before a credential, or introducing the patient.
    (
        re.compile(rf"\b(?P<title>{_TITLES})\.?\s+{_NAME_WORD}(?:\s+{_NAME_WORD})?"),
        lambda m: f"{m.group('title')}. [NAME]",
    ),
    (re.compile(rf"\b{_NAME_WORD}(?:\s+[A-Z]\.)?\s+{_NAME_WORD},?\s+{_CREDENTIAL}\b"), "[NAME]"),
    (
        re.compile(
            rf"\b{_NAME_WORD}(?:\s+[A-Z]\.)?\s+{_NAME_WORD}(?=,?\s+(?:is|was)\s+an?\s+(?:\d|90\+))"
        ),
        "[NAME]",
    ),
    (
        re.compile(
            r"\b(?P<label>(?i:patient(?:\s+name)?|name|seen by|signed by|attending|"
            r"provider|referred by))\s*:\s*"
            rf"(?!{_TITLES}\b){_NAME_WORD}(?:,?\s+{_NAME_WORD}){{0,2}}"
        ),
        lambda m: m.group(0)[: m.end("label") - m.start()] + ": [NAME]",
    ),
    # Anything left that looks like a record number.
    (re.compile(r"(?<!\d)(?<!\d\.)\d{7,}(?!\d|\.\d)"), "[ID]"),
)


def _literal(values: Iterable[str], *, parts: bool) -> re.Pattern[str] | None:
    words: set[str] = set()
    for value in values:
        value = value.strip()
        if not value:
            continue
        words.add(value)
        if parts:
            words.update(p for p in re.split(r"[\s,]+", value) if len(p.strip(".")) >= 2)
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def scrub(text: str, who: PatientIdentifiers | None = None) -> str:
    """``text`` without the Safe Harbor identifiers; clinical wording is left as it was."""
    who = who or PatientIdentifiers()
    mrn = _literal(who.mrns, parts=False)
    if mrn is not None:
        text = mrn.sub("[MRN]", text)
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    names = _literal(who.names, parts=True)
    if names is not None:
        text = names.sub("[NAME]", text)
    return text
