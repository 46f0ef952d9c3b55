"""The pattern rules of de-identification: each finds identifiers in the original text.

A rule is a compiled pattern, the kind of identifier it finds and what replaces it. The
part replaced is the group named ``v`` where the pattern has one (so a label such as
"MRN:" or "daughter" stays and only the value goes), else the whole match. ``deid.scrub``
runs every rule over the same original text and merges what they find, so no rule sees
another's placeholders; every placeholder is bracketed or ``90+``/``NNNXX``, which no rule
matches, so scrubbing twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from medcoder.records.deid_words import (
    CREDENTIAL,
    DATE_CUE,
    FACILITY,
    HOLIDAY,
    ID_LABEL,
    MONTH,
    NAME_CUE,
    NAME_WORD,
    PLACE_CUE,
    RELATION,
    ROLE,
    STATES,
    STREET,
    TITLES,
    WORD_AGE,
)

__all__ = ["RESTRICTED_ZIP3", "RULES", "Rule", "date_placeholder", "zip3"]

# 45 CFR 164.514(b)(2)(i)(B): three-digit ZIP areas with 20,000 people or fewer (Census
# 2000, as listed by HHS) are reported as 000.
RESTRICTED_ZIP3 = frozenset(
    [
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
    ]
)

Replacement = str | Callable[[re.Match[str]], str]


@dataclass(frozen=True, slots=True)
class Rule:
    """One pattern: what it finds (``kind``) and what its value (group ``v`` or ``v2``) becomes."""

    kind: str
    pattern: re.Pattern[str]
    replacement: Replacement

    def spans(self, text: str) -> list[tuple[int, int, str, str]]:
        """(start, end, replacement, kind) of each value the pattern finds in ``text``."""
        found = []
        values = [g for g in self.pattern.groupindex if g in ("v", "v2")]
        for m in self.pattern.finditer(text):
            value = next((g for g in values if m.group(g) is not None), None)
            start, end = m.span(value) if value else m.span()
            if end <= start:
                continue
            r = self.replacement
            found.append((start, end, r if isinstance(r, str) else r(m), self.kind))
        return found


def zip3(code: str) -> str:
    """The Safe Harbor form of a ZIP code: its first three digits, or 000 where restricted."""
    head = code[:3]
    return "000" if head in RESTRICTED_ZIP3 else head


def date_placeholder(year: str | None) -> str:
    """``[DATE yyyy]``, or ``[DATE]`` where there is no four-digit year or it is too old.

    A year more than 89 years back may be a birth year that shows an age over 89
    (45 CFR 164.514(b)(2)(i)(C)), so it goes with the rest of the date.
    """
    if year is None or len(year) != 4 or int(year) <= dt.date.today().year - 90:
        return "[DATE]"
    return f"[DATE {year}]"


def _dated(m: re.Match[str]) -> str:
    return date_placeholder(m.groupdict().get("y"))


def _age(m: re.Match[str]) -> str:
    digits = m.group("v")
    if digits.isdigit() and int(digits) <= 89:
        return digits  # ages up to 89 may stay
    return "90+"


def _zip(m: re.Match[str]) -> str:
    return zip3(m.group("v")) + "XX"


def _c(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)


_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MON_NUM = r"(?:0?[1-9]|1[0-2])"
_ORD = r"(?:st|nd|rd|th)?"
# Between a cue and a name: spaces and at most one line break (a wrapped line, not the
# next heading after a blank line).
_SP = r"(?:[ \t]+\n?[ \t]*|\n[ \t]*)"
# Not a date when a unit or count follows ("2-3 hours", "5-6 years ago", "1/2 tab").
_NOT_UNIT = (
    # A one-letter unit ends where a word, an address or a host name cannot go on: "3/15 x 2"
    # is a dose, "3/15 x@y.org" a date beside an e-mail address.
    r"(?!\s*(?i:times|x(?![A-Za-z@._%+-])|min|minutes?|hours?|hrs?|h(?![\w@.-])|days?|"
    r"d(?![\w@.-])|weeks?|wks?|months?|mos?|"
    r"years?|yrs?|mg|mcg|g(?![\w@.-])|ml|lbs?|pounds|kg|cm|mm|beats|episodes|drinks|cigarettes|packs|"
    r"per\b|a\s+day|tabs?|tablets?|pills|caps|puffs|units|strength|scale|score|murmur|ratio|"
    r"of\s+(?:the|his|her|them)))"
)
_NAMES = rf"{NAME_WORD}(?:[ \t]+(?:[A-Z]\.[ \t]+)?{NAME_WORD}){{0,2}}"
# "90+" is the placeholder of an age over 89, never a value to redact again (idempotence).
_VALUE = (
    r"(?:(?!90\+)(?=[A-Za-z0-9-]*\d)[A-Za-z0-9](?:[A-Za-z0-9]|[-/.](?=[A-Za-z0-9]))*"
    r"|(?-i:[A-Z]{1,4}-)?(?-i:[A-Z]{6,})(?![\w-]))"
)
# A value may go on in upper-case groups after a space ("plate HZT 4471").
_VALUE_MORE = r"(?:\s(?=[A-Z0-9]*\d)[A-Z0-9]{2,}(?![a-z]))?"

RULES: tuple[Rule, ...] = (
    # Contact details and network addresses.
    # Bounded repeats keep every rule linear in the note's length (no backtracking blow-up
    # on a long run of "a-a-a-..." or "1.1.1...").
    Rule("email", _c(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}\b"), "[EMAIL]"),
    Rule(
        "url",
        _c(
            r"\b(?:https?://|www\.)[^\s<>\"')\]]{0,2000}[^\s<>\"')\].,;:!?]"
            r"|(?<![\w.-])[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}\.(?:com|org|net|edu|gov|io|us|info|health)"
            r"/[^\s<>\"')\]]{0,2000}[^\s<>\"')\].,;:!?]",
            re.IGNORECASE,
        ),
        "[URL]",
    ),
    Rule("ip", _c(r"\b(?:\d{1,3}\.){3}\d{1,3}\b"), "[IP]"),
    Rule(
        "ip",
        _c(r"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){2,7}(?::|[0-9A-Fa-f]{1,4})(?:[0-9A-Fa-f:]*)(?![\w:])"),
        "[IP]",
    ),
    Rule(
        "ssn",
        _c(
            r"\b\d{3}-\d{2}-\d{4}\b|\b\d{3}\s\d{2}\s\d{4}\b"
            r"|(?i:\bSSN|social\s+security(?:\s+(?:number|no\.?|#))?)[\s:#]*(?P<v>\d{9})\b"
        ),
        "[SSN]",
    ),
    Rule(
        "phone",
        _c(
            r"(?<![\w/.-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}\b"
            r"|(?<![\w/.-])\d{10}(?![\w/]|\.\d)|(?<![\w/.-])\d{3}-\d{4}\b"
        ),
        "[PHONE]",
    ),
    # A labelled number or code: record, plan, account, licence, vehicle, device, biometric.
    Rule(
        "id",
        _c(
            rf"\b{ID_LABEL}(?:\s*(?:[#:]|is|was|(?i:number|no\.?))\s*)*\s*(?P<v>{_VALUE}{_VALUE_MORE})"
        ),
        "[ID]",
    ),
    # Any code long enough to be an identifier: 7+ digits, or 8+ letters and digits with
    # at least two digits ("1EG4TE5MK73"); ICD-10-PCS codes have seven characters.
    Rule("id", _c(r"(?<![\w.])\d{7,}(?![\w]|\.\d)"), "[ID]"),
    Rule(
        "id",
        _c(
            r"(?<![\w.-])(?=(?:[A-Za-z-]*\d){2})(?=[\dA-Za-z-]*[A-Za-z])"
            r"(?=(?:[A-Za-z0-9]-?){8})(?![\w-]*(?<![A-Za-z])[a-z]{3,}(?![A-Za-z]))"
            r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*(?![\w-])"
        ),
        "[ID]",
    ),
    # Dates, longest forms first; the year stays where Safe Harbor allows it.
    Rule("date", _c(rf"\b(?P<y>\d{{4}})-{_MON_NUM}-{_DAY}\b"), _dated),
    Rule(
        "date",
        _c(rf"\b{_MON_NUM}(?P<s>[/.-]){_DAY}(?P=s)(?P<y>\d{{4}}|\d{{2}})\b(?![/.-]\d)"),
        _dated,
    ),
    Rule(
        "date",
        _c(
            rf"\b(?:(?i:the)\s+)?{_DAY}{_ORD}\s+(?:(?i:of)\s+)?{MONTH}(?:,?\s+(?P<y>\d{{4}}))?(?!\w)"
            rf"|\b{MONTH}\s+{_DAY}{_ORD}\b(?:,?\s+(?P<y2>\d{{4}}))?"
        ),
        lambda m: date_placeholder(m.group("y") or m.group("y2")),
    ),
    Rule("date", _c(rf"\b{MONTH}\s+(?P<y>\d{{4}})\b"), _dated),
    Rule(
        "date",
        _c(
            r"\b(?:January|February|March|April|June|July|August|September|October|November|December)\b"
        ),
        "[DATE]",
    ),
    Rule("date", _c(rf"\b{HOLIDAY}\b"), "[DATE]"),
    Rule("date", _c(rf"\b{_MON_NUM}/(?P<y>\d{{4}})\b"), _dated),
    # A month and day without a year: a date after a cue word ("Seen 3/15"), or where it
    # cannot be a fraction or score (the day above 12, "3/15"), never "5/5" or "7/10".
    Rule(
        "date",
        _c(
            rf"\b{DATE_CUE}\s+(?:(?i:on|of|the)\s+)?(?P<v>{_MON_NUM}[/-]{_DAY})(?![\w/]|\.\d|-\d){_NOT_UNIT}"
            rf"|(?<![\w/.-])(?P<v2>{_MON_NUM}/(?:1[3-9]|2\d|3[01]))(?![\w/]|\.\d)"
            rf"{_NOT_UNIT}"
        ),
        lambda m: "[DATE]",
    ),
    Rule(
        "date",
        _c(
            r"\b(?P<lead>(?i:born(?:\s+in)?|birth\s+year|b\.|DOB:?|YOB:?|year\s+of\s+birth:?))"
            r"\s+(?P<v>\d{4})\b"
        ),
        lambda m: date_placeholder(m.group("v")),
    ),
    # Places: street addresses, facilities, counties, cities by cue or before a state, ZIPs.
    Rule(
        "geo",
        _c(
            rf"\b\d{{1,6}}\s+(?:[NSEW]\.?\s+)?(?:(?:{NAME_WORD}|\d+(?:st|nd|rd|th))\s+){{1,4}}"
            rf"{STREET}\b\.?(?:,?\s+(?:Apt|Apartment|Suite|Ste|Unit|#)\.?\s*#?\w+)?"
        ),
        "[ADDRESS]",
    ),
    Rule(
        "geo",
        _c(
            rf"\b(?:{NAME_WORD}\s+){{1,3}}(?:Street|St\.|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Pike|Highway|Hwy)\b\.?"
        ),
        "[ADDRESS]",
    ),
    Rule("geo", _c(r"\b(?i:P\.?\s?O\.?\s+Box)\s+\d+\b"), "[ADDRESS]"),
    Rule(
        "geo",
        _c(rf"\b(?:(?:St|Saint)\.?\s+)?(?:{NAME_WORD}(?:'s)?\s+){{1,3}}{FACILITY}\b"),
        "[FACILITY]",
    ),
    Rule(
        "geo", _c(rf"\b(?:{NAME_WORD}\s+){{1,2}}(?:County|Parish|Borough|Township)\b"), "[LOCATION]"
    ),
    Rule(
        "geo",
        _c(rf"\b{PLACE_CUE}{_SP}(?P<v>{NAME_WORD}(?:[ \t]+{NAME_WORD}){{0,2}})"),
        "[LOCATION]",
    ),
    Rule(
        "geo",
        _c(rf"(?P<v>\b{NAME_WORD}(?:\s+{NAME_WORD}){{0,2}}),\s+{STATES}\b(?!\s+(?:County|Parish))"),
        "[CITY]",
    ),
    Rule(
        "geo",
        _c(
            rf"(?:\b{STATES}\s+|\b(?i:zip(?:\s*code)?|postal\s+code)\s*[:#]?\s*)"
            r"(?P<v>\d{5})(?:-\d{4})?\b"
        ),
        _zip,
    ),
    # Ages over 89 (45 CFR 164.514(b)(2)(i)(C)), in digits or words.
    Rule(
        "age",
        _c(
            rf"\b(?P<v>\d{{2,3}}|{WORD_AGE})(?:\s*|-)(?i:years?|yrs?|y)(?:\s*|-)(?i:old|o)\b"
            rf"|\b(?P<v2>\d{{2,3}}|{WORD_AGE})\s*(?i:y/o|y\.o\.?|yo|yr)(?!\w)"
        ),
        lambda m: _age_of(m.group("v") or m.group("v2")),
    ),
    Rule("age", _c(rf"\b(?i:aged?:?|age\s+of)\s+(?P<v>\d{{2,3}}|{WORD_AGE})\b(?!\+)"), _age),
    Rule("age", _c(r"\b(?i:in\s+(?:his|her|their)\s+)(?P<v>(?i:90s|nineties|100s))\b"), "90+"),
    # Names after a title, before a credential, after a relation, a role or a cue word.
    # The second name word is never a title ("Dr Aa Dr Bb" is two names, each redacted), and
    # a name ends at a word's end ("Dr AaDr" is no name): else a redaction's own bracket
    # makes a new word boundary and a second scrub finds more (idempotence).
    Rule(
        "name",
        _c(rf"\b{TITLES}\.?{_SP}(?P<v>{NAME_WORD}(?:[ \t]+(?!{TITLES}\b){NAME_WORD})?)\b"),
        "[NAME]",
    ),
    Rule(
        "name",
        _c(rf"\b(?P<v>{NAME_WORD}(?:\s+[A-Z]\.)?\s+{NAME_WORD}),?\s+{CREDENTIAL}\b"),
        "[NAME]",
    ),
    Rule(
        "name",
        _c(rf"\b{RELATION}(?:,|'s|{_SP}is|{_SP}named)?{_SP}(?P<v>{_NAMES})"),
        "[NAME]",
    ),
    Rule(
        "name",
        _c(rf"\b(?P<v>{NAME_WORD}),?\s+(?i:(?:his|her|their|the\s+patient's|pt's)\s+){RELATION}\b"),
        "[NAME]",
    ),
    Rule("name", _c(rf"\b(?P<v>{NAME_WORD})'s{_SP}{RELATION}\b"), "[NAME]"),
    Rule("name", _c(rf"\b{ROLE}:?{_SP}(?P<v>{NAME_WORD}(?:[ \t]+{NAME_WORD})?)"), "[NAME]"),
    Rule("name", _c(rf"\b{NAME_CUE}[ \t]*:?{_SP}(?P<v>{_NAMES})"), "[NAME]"),
    Rule(
        "name",
        _c(rf"\b(?i:patient[ \t]+name|name|patient|pt)[ \t]*:[ \t]*(?P<v>{_NAMES})"),
        "[NAME]",
    ),
    Rule(
        "name",
        _c(rf"\b(?P<v>{NAME_WORD}(?:\s+[A-Z]\.)?\s+{NAME_WORD})(?=,?\s+(?:is|was)\s+an?\s+\d)"),
        "[NAME]",
    ),
)


def _age_of(value: str) -> str:
    return value if value.isdigit() and int(value) <= 89 else "90+"
