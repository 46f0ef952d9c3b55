"""Matched mentions that are not conditions of their own: a person's name after a title,
a term the Index sends on to the condition written after it, a bare "infection" restating
the infectious disease before it, a curated pattern the note writes in another form.
"""

from __future__ import annotations

from collections.abc import Sequence

from medcoder.codesets.store import Release
from medcoder.coding.lexicon import LexEntry, LexMatch
from medcoder.coding.vocabulary import written_as_is

#: Titles before a name (normalized tokens): the word after one is a person.
PERSON_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "doctor", "prof", "professor"})


def not_as_written(entry: LexEntry, written: str) -> bool:
    """A curated pattern listed "written_as_is" that the note writes in another form."""
    pattern = entry.label.split(" -> ", 1)[0].lower()
    return pattern in written_as_is() and " ".join(written.lower().split()) != pattern


_GENERIC_INFECTION_TERMS = ("infection", "virus")
_GENERIC_INFECTION_CODES = frozenset({"B99.9", "B34.9"})


def restates_infection(match: LexMatch, matches: Sequence[LexMatch], release: Release) -> bool:
    """ "Hepatitis C virus infection", "HCV infection": a bare "infection" (Index
    "Infection" B99.9, "Virus, viral, infection" B34.9) written right after an infectious
    disease or agent (A00-B99) names that same condition, classified by its own Index
    entry (I.A.12: one condition is not coded twice, once NOS)."""
    before = [other for other in matches if other.last + 1 == match.first]
    if not before or not match.entries:
        return False
    for entry in match.entries:
        term = release.term(entry.term_id) if entry.term_id is not None else None
        if (
            entry.kind != "index"
            or term is None
            or entry.label.split(",")[0].strip().lower() not in _GENERIC_INFECTION_TERMS
            or (term.code and term.code not in _GENERIC_INFECTION_CODES)
        ):
            return False
    for entry in before[0].entries:
        term = release.term(entry.term_id) if entry.term_id is not None else None
        code = entry.code or (term.code if term is not None else None)
        if code and "A00" <= code[:3] <= "B99" and code not in _GENERIC_INFECTION_CODES:
            return True
    return False


def qualifies_next(match: LexMatch, matches: Sequence[LexMatch], release: Release) -> bool:
    """Index: "Transient (meaning homeless) (see also condition)". A term the Index sends
    on to the condition, written right before another matched term ("transient tics"),
    qualifies that condition (I.A.16 "see also"); it is not coded on its own."""
    if not any(other.first == match.last + 1 for other in matches):
        return False
    for entry in match.entries:
        if entry.kind != "index" or entry.term_id is None:
            return False
        term = release.term(entry.term_id)
        if term is None or (term.see_also or "").strip().lower() != "condition":
            return False
    return bool(match.entries)
