"""Scrubbing note text for the de-identified export (HIPAA Safe Harbor, 45 CFR 164.514(b)(2)).

``scrub`` replaces identifiers in clinical notes with bracketed placeholders, in two
ways, philter-style:

- what the record itself knows: the patient's and attending's names (each part, any
  case, possessives), the MRN in every written form (with or without its separators,
  without leading zeros) and the date of birth;
- pattern rules (``deid_rules``) for the 18 Safe Harbor kinds that text can carry:
  names after a title, relation, role or cue word and before a credential; streets,
  facilities, counties, cities after a cue or before a state, ZIP codes (cut to three
  digits, ``000`` where restricted); all elements of dates but the year, in any format,
  with or without the year, holidays; ages over 89 in digits or words; phone and fax
  numbers; emails; SSNs; any labelled record, plan, account, licence, certificate,
  vehicle, plate, device, serial or biometric number; URLs; IP addresses; and any long
  code of letters and digits. A name found once goes wherever else it is written.

Why rules and not a library: philter-lite needs NLTK tagger data fetched at first use;
Presidio's analyzer runs offline with a spaCy model from PyPI but needs 500 MB of
packages, and on the synthetic set missed the member ids, serials, plates and ages in
words that the rules are there for (README, "De-identified export"). The measured
recall and precision are in the README; the evaluation set is
``tests/records/deid_cases``.

This is a safety net for text, not a guarantee: Safe Harbor also requires that the
covered entity has no actual knowledge that what remains could identify the patient.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from medcoder.records.deid_rules import RESTRICTED_ZIP3, RULES, date_placeholder, zip3
from medcoder.records.deid_words import CLINICAL_CODES, EPONYMS, NOT_A_NAME

__all__ = ["RESTRICTED_ZIP3", "PatientIdentifiers", "Redaction", "redactions", "scrub", "zip3"]

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass(frozen=True, slots=True)
class PatientIdentifiers:
    """What the record itself knows about whom the note is about."""

    names: tuple[str, ...] = ()  # the patient's name, the attending's, ...
    mrns: tuple[str, ...] = ()
    dob: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Redaction:
    """One span of the original text and what replaces it."""

    start: int
    end: int
    replacement: str
    kind: str


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-]|'\w\w)", re.IGNORECASE)


def _name_parts(names: Iterable[str]) -> list[str]:
    parts: set[str] = set()
    for name in names:
        for part in re.split(r"[\s,]+", name.strip()):
            part = part.strip(".")
            if len(part) >= 2 and part not in EPONYMS:
                parts.add(part)
                parts.update(p for p in part.split("-") if len(p) >= 2)
    return sorted(parts, key=len, reverse=True)


def _mrn_forms(mrns: Iterable[str]) -> list[str]:
    forms = []
    for mrn in mrns:
        chars = re.sub(r"[^A-Za-z0-9]", "", mrn)
        if len(chars) < 4:
            continue
        forms.append(r"[\s.-]?".join(re.escape(c) for c in chars))
        digits = chars.lstrip("0")
        head = re.match(r"[A-Za-z]*", chars)
        tail = chars[head.end() :].lstrip("0") if head else digits
        if len(tail) >= 5 and tail != chars:
            forms.append(re.escape(tail))  # the number without its letters or zeros
    return forms


def _dob_forms(dob: dt.date) -> list[str]:
    m, d, y = dob.month, dob.day, dob.year
    month = _MONTHS[m - 1]
    forms = [
        f"0?{m}[/.-]0?{d}[/.-](?:{y}|{y % 100:02d})",
        f"{y}-{m:02d}-{d:02d}",
        f"{month[:3]}[a-z]*\\.?\\s+0?{d}(?:st|nd|rd|th)?,?\\s+{y}",
        f"0?{d}(?:st|nd|rd|th)?\\s+(?:of\\s+)?{month[:3]}[a-z]*\\.?,?\\s+{y}",
    ]
    return forms


def _known(who: PatientIdentifiers, text: str) -> list[Redaction]:
    found = []
    if who.mrns and (forms := _mrn_forms(who.mrns)):
        found += [
            Redaction(*m.span(), "[MRN]", "mrn") for m in _words("|".join(forms)).finditer(text)
        ]
    if who.dob is not None:
        pattern = _words("|".join(_dob_forms(who.dob)))
        found += [
            Redaction(*m.span(), date_placeholder(str(who.dob.year)), "date")
            for m in pattern.finditer(text)
        ]
    if parts := _name_parts(who.names):
        pattern = re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, parts))})(?!\w)", re.IGNORECASE)
        found += [Redaction(*m.span(), "[NAME]", "name") for m in pattern.finditer(text)]
    return found


def _clean_name(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span of a found name without leading or trailing words that are not names."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[start:end])]
    kept: list[tuple[int, int]] = []
    for ws, we in words:
        word = text[start + ws : start + we].strip(",.")
        if word in NOT_A_NAME or word in EPONYMS or word.removesuffix("'s") in EPONYMS:
            if kept:
                break
            continue
        kept.append((ws, we))
    if not kept:
        return None
    return start + kept[0][0], start + kept[-1][1]


def redactions(text: str, who: PatientIdentifiers | None = None) -> list[Redaction]:
    """Every identifier found in ``text``, as non-overlapping spans in text order."""
    found = _known(who or PatientIdentifiers(), text)
    names: set[str] = set()
    for rule in RULES:
        for start, end, replacement, kind in rule.spans(text):
            if kind == "name" or (kind == "geo" and replacement == "[LOCATION]"):
                span = _clean_name(text, start, end)
                if span is None:
                    continue
                start, end = span
                if kind == "name":
                    names.update(
                        w for w in re.findall(r"[A-Za-z'-]+", text[start:end]) if len(w) > 2
                    )
            if kind == "id" and text[start:end] in CLINICAL_CODES:
                continue
            if text[start:end] != replacement:
                found.append(Redaction(start, end, replacement, kind))
    # A name found once goes wherever else it is written (philter's propagation).
    names -= NOT_A_NAME | EPONYMS
    if names:
        pattern = re.compile(rf"(?<![\w-])(?:{'|'.join(map(re.escape, sorted(names)))})(?![\w-])")
        found += [Redaction(*m.span(), "[NAME]", "name") for m in pattern.finditer(text)]
    return _merge(found)


def _merge(found: list[Redaction]) -> list[Redaction]:
    """Overlapping finds as one span, replaced by the longest find's placeholder."""
    merged: list[Redaction] = []
    for r in sorted(found, key=lambda r: (r.start, -r.end)):
        if merged and r.start < merged[-1].end:
            last = merged[-1]
            if r.end > last.end:
                longest = last if last.end - last.start >= r.end - r.start else r
                merged[-1] = Redaction(last.start, r.end, _placeholder(longest), longest.kind)
            continue
        merged.append(r)
    return merged


def _placeholder(r: Redaction) -> str:
    # A partial replacement ("90+", "432XX") of a span now wider than it is a placeholder.
    return r.replacement if r.replacement.startswith("[") else f"[{r.kind.upper()}]"


def scrub(text: str, who: PatientIdentifiers | None = None) -> str:
    """``text`` without the Safe Harbor identifiers; clinical wording is left as it was."""
    out = []
    pos = 0
    for r in redactions(text, who):
        out.append(text[pos : r.start])
        out.append(r.replacement)
        pos = r.end
    out.append(text[pos:])
    return "".join(out)
