"""Specificity across categories: the Index's default beside a subterm of the same main term.

ICD-10-CM Guidelines I.B.1 / IV.B (code to the highest specificity documented): a main
term's own code is its default, what "Anemia" or "Pneumonia" alone classifies to
(D64.9, J18.9). Where the note also documents a kind the Index lists under that main
term ("Anemia, iron deficiency" D50.9; "Pneumonia, aspiration" J69.0), the default and
the specific code name one condition and the default is not reported; the specific
code may sit in another category (D50 beside D64), which a same-category rule misses.

Read off the release's Index: no list of pairs. Also here: an unspecified code beside a
more specific one of its own parent, and Excludes1 pairs (I.A.12.a).
"""

from __future__ import annotations

import re

from medcoder.codesets.codes import compact
from medcoder.codesets.model import NoteKind
from medcoder.codesets.store import Release
from medcoder.codesets.text import norm_term
from medcoder.coding.candidate import Candidate
from medcoder.coding.candidate import dropped as _drop
from medcoder.coding.instructions import note_refers_to
from medcoder.results import DroppedCandidate, RuleApplied

_MEMO_KEY = "main_term_subcodes"
LESS_SPECIFIC = RuleApplied(
    "specificity.v1",
    "ICD-10-CM Guidelines I.B.1 / IV.B",
    "a more specific code of the same category is reported",
)
EXCLUDES1 = RuleApplied(
    "excludes1.v1",
    "ICD-10-CM Guidelines I.A.12.a (Excludes1)",
    "Excludes1 with a code already reported: the two are never coded together",
)


def _subterm_codes(release: Release, main_term: str) -> tuple[str | None, frozenset[str]]:
    """The code of the Index main term written ``main_term`` (its default) and the codes
    printed or resolved at any of its subterms (compact form); memoized per release."""
    memo = release.memo.setdefault(_MEMO_KEY, {})
    assert isinstance(memo, dict)
    key = norm_term(main_term)
    if key in memo:
        found: tuple[str | None, frozenset[str]] = memo[key]
        return found
    default: str | None = None
    codes: set[str] = set()
    for term in release.main_terms("index", key):
        if term.see:
            continue
        default = default or term.resolved or term.code
        stack = [term.id]
        while stack:
            for sub in release.subterms(stack.pop()):
                for code in (sub.code, sub.resolved):
                    if code:
                        codes.add(compact(code).rstrip("-"))
                stack.append(sub.id)
    result = (default, frozenset(codes))
    memo[key] = result
    return result


def _under(code: str, codes: frozenset[str]) -> bool:
    """``code`` is one the Index prints at a subterm, less only its 7th character and
    placeholder X: a subterm printed as a whole category (T81.4-) is not the same
    condition as every code of it (a wound infection is not postprocedural sepsis)."""
    flat = compact(code)
    if flat in codes:
        return True
    return len(flat) == 7 and flat[:6].rstrip("X") in codes


def index_default_beside_subterm(release: Release, reported: dict[str, str]) -> dict[str, str]:
    """``reported``: code -> the Index path it was found by. Returns the codes to drop,
    each with the more specific code it gives way to: a code found at a main term alone
    (its default) beside another code that the same main term lists at a subterm."""
    out: dict[str, str] = {}
    for code, path in reported.items():
        if not path or "," in path or path.startswith(("Tabular", "Table", "External")):
            continue
        entry = release.get(code)
        if entry is None or not ("unspecified" in entry.title.lower() or code.endswith(".9")):
            continue
        default, subcodes = _subterm_codes(release, path)
        if default is None or compact(default).rstrip("-") not in compact(code):
            continue  # not the main term's own code
        for other in reported:
            if other == code or other in out or not _under(other, subcodes - {compact(code)}):
                continue
            if _chapter(code) != _chapter(other):
                continue  # another chapter classifies another condition (T81.4- wound
                # infection beside sepsis A41.9); a symptom beside a disease the Index
                # names under it ("Fever, Malta" A23.9) is the integral-symptom rule's
                # (I.B.5), which reads the sentence, not this one
            if _chapter(code) == "C" or _contrary(entry.title, (release.get(other) or entry).title):
                continue  # a primary beside its metastasis; acute beside chronic (I.B.8)
            if _paired(release, code, other):
                continue  # the Tabular asks for both
            out[code] = other
            break
    return out


def _chapter(code: str) -> str:
    """The Tabular chapter a code is in, as its letter (D and H hold two chapters each:
    D00-D49 neoplasms / D50-D89 blood; H00-H59 eye / H60-H95 ear)."""
    letter = code[:1]
    if letter in ("C",):
        return "C"  # C00-D49 neoplasms
    if letter == "D":
        return "C" if code[1:3] < "50" else "D"
    if letter == "H":
        return "H" if code[1:3] < "60" else "H60"
    return letter


_CONTRARY = ({"acute"}, {"chronic"}), ({"primary"}, {"secondary"})


def _contrary(title: str, other: str) -> bool:
    """The default's title says acute and the other's chronic (or the reverse): the
    Index's default names one acuity (Sinusitis: chronic J32.9), and acute and chronic
    forms documented together are both coded (I.B.8)."""
    mine, theirs = set(title.lower().split()), set(other.lower().split())
    return any((a & mine and b & theirs) or (b & mine and a & theirs) for a, b in _CONTRARY)


def _paired(release: Release, code: str, other: str) -> bool:
    """I.A.13: a "use additional code" or "code first" note of either code names the
    other: the two are reported together, one does not replace the other."""
    kinds = (NoteKind.USE_ADDITIONAL_CODE, NoteKind.CODE_FIRST, NoteKind.CODE_ALSO)
    for holder, named in ((other, code), (code, other)):
        notes = release.notes(holder)
        if any(note_refers_to(n.text, named) for kind in kinds for n in notes.get(kind, [])):
            return True
    return False


def less_specific(release: Release, by_code: dict[str, list[Candidate]]) -> list[DroppedCandidate]:
    """Drop an unspecified code when a more specific one under the same parent is reported
    (E11.9 beside E11.65, E87.20 beside E87.22), never for another condition of the
    category (acidosis E87.20 stays beside hypokalemia E87.6)."""
    dropped: list[DroppedCandidate] = []
    for code in list(by_code):
        parent = code[:-1].rstrip(".")
        others = [o for o in by_code if o != code and o.startswith(parent)]
        entry = release.get(code)
        if not others or entry is None:
            continue
        unspecific = "unspecified" in entry.title.lower() or code.endswith(".9")
        more_specific = [
            o for o in others if "unspecified" not in (release.get(o) or entry).title.lower()
        ]
        if unspecific and more_specific:
            for c in by_code.pop(code):
                dropped.append(_drop(c, LESS_SPECIFIC, f"{code} dropped for {more_specific[0]}"))
    # Across categories, from the Index: a main term's default beside a code the same
    # main term lists at a subterm (Anemia D64.9 beside Anemia, iron deficiency D50.9).
    paths = {code: sources[0].index_path for code, sources in by_code.items()}
    for code, other in index_default_beside_subterm(release, paths).items():
        for c in by_code.pop(code):
            dropped.append(_drop(c, LESS_SPECIFIC, f"{code} (the Index's default for "
                                 f"{paths[code]}) dropped for {other}"))  # fmt: skip
    return dropped


def excludes1(
    release: Release, by_code: dict[str, list[Candidate]], order: list[str]
) -> list[DroppedCandidate]:
    """I.A.12.a: two codes in an Excludes1 relation are not reported together.

    The code listed later goes, except where the note sits at a sign or symptom (R00-R99)
    and names a definitive diagnosis: the symptom is the one integral to the diagnosis
    (I.B.5; hypoxemia R09.02 excludes respiratory failure J96.-, and with acute
    respiratory failure with hypoxia J96.01 it is R09.02 that is not coded)."""
    dropped: list[DroppedCandidate] = []
    for code in list(order):
        if code not in by_code:
            continue
        notes = release.notes(code).get("excludes1", [])  # type: ignore[call-overload]
        for note in notes:
            for other in list(by_code):
                if code not in by_code:
                    break
                if other == code or not note_refers_to(note.text, other):
                    continue
                if _yields(release, code, other):
                    for c in by_code.pop(code):
                        dropped.append(
                            _drop(c, EXCLUDES1, f"{code} is Excludes1 with {other}, the more "
                                  f"specific code it gives way to: {note.text}")
                        )  # fmt: skip
                elif order.index(other) > order.index(code):
                    for c in by_code.pop(other):
                        dropped.append(
                            _drop(c, EXCLUDES1, f"{other} is Excludes1 at {code}: {note.text}")
                        )
    return dropped


def _yields(release: Release, code: str, other: str) -> bool:
    """In an Excludes1 pair, does ``code`` (the one holding the note) give way to
    ``other``: a symptom to a definitive diagnosis (I.B.5), an unspecified code to one
    that names the same thing more narrowly (I.B.1 / IV.B: R52 beside R10.30)."""
    if code.startswith("R") != other.startswith("R"):
        return code.startswith("R")
    mine, theirs = release.get(code), release.get(other)
    if mine is None or theirs is None:
        return False
    # The other names the same thing more narrowly: "Pain, unspecified" within "Lower
    # abdominal pain, unspecified".
    own = set(re.findall(r"[a-z]+", mine.title.lower())) - {"unspecified", "nos"}
    narrower = set(re.findall(r"[a-z]+", theirs.title.lower()))
    return "unspecified" in mine.title.lower() and own < narrower
