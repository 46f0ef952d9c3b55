"""ICD-10-CM edits on a claim, read from the release in force on the date of service:
validity, Excludes1 pairs, code first / use additional code, and sequencing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from medcoder.codesets.model import NodeKind
from medcoder.codesets.store import Release
from medcoder.codesets.validate import Validity, validate
from medcoder.edits.claim import Claim, ClaimCode
from medcoder.edits.contract import EditContext, EditRule
from medcoder.edits.findings import EditSpec, Finding, Severity
from medcoder.edits.notes import CodeIndex, names_code, note_groups, note_refs, release_notes
from medcoder.kinds import Setting

VALIDITY = EditSpec(
    "icd10cm-validity.v1",
    "a diagnosis code must be valid for reporting on the date of service: in the release "
    "in force, complete to the highest number of characters (no header), with its 7th "
    "character and placeholder X",
    "ICD-10-CM Guidelines I.A.4-5, I.B.1; the release in force on the date of service",
)
EXCLUDES1 = EditSpec(
    "excludes1.v1",
    "two codes in an Excludes1 relation are never reported together",
    "ICD-10-CM Guidelines I.A.12.a (Excludes1)",
)
CODE_FIRST = EditSpec(
    "code-first.v1",
    "a code with a 'code first' note follows the underlying condition it names; a "
    "manifestation ('in diseases classified elsewhere') is never reported without it",
    "ICD-10-CM Guidelines I.A.13 (etiology/manifestation convention, code first)",
)
USE_ADDITIONAL = EditSpec(
    "use-additional-code.v1",
    "a 'use additional code' note asks for a second code where the record documents it",
    "ICD-10-CM Guidelines I.A.13 (use additional code)",
)
SEQUENCING = EditSpec(
    "first-listed.v1",
    "a manifestation code or an external cause code (V00-Y99) is never the first-listed "
    "or principal diagnosis",
    "ICD-10-CM Guidelines I.A.13 (manifestations) and I.C.20 (external causes)",
)

MANIFESTATION_WORDS = "diseases classified elsewhere"
# Lead-ins that make a "use additional code" note optional: nothing to flag.
_OPTIONAL_WORDS = ("if applicable", "where applicable", "if known", "if desired", "any ")


def is_manifestation(release: Release, code: str) -> bool:
    """Codes titled 'in diseases classified elsewhere' are manifestations (I.A.13)."""
    entry = release.get(code)
    if entry is None:
        return False
    if MANIFESTATION_WORDS in entry.title.lower():
        return True
    return any(
        MANIFESTATION_WORDS in a.title.lower()
        for a in release.ancestors(entry.code)
        if a.kind in (NodeKind.CATEGORY, NodeKind.SUBCATEGORY)
    )


def is_external_cause(code: str) -> bool:
    """Chapter 20, V00-Y99 (I.C.20)."""
    return code[:1] in "VWXY"


def _valid_codes(claim: Claim, release: Release) -> list[ClaimCode]:
    out = []
    for dx in claim.diagnoses:
        entry = release.get(dx.code)
        if entry is not None and entry.billable:
            out.append(dx)
    return out


class ValidityRule:
    """Every diagnosis valid for reporting in the release in force; if not, why and what."""

    name = "icd10cm-validity"
    specs = (VALIDITY,)

    def check(self, claim: Claim, context: EditContext) -> Iterator[Finding]:
        release = context.release
        for dx in claim.diagnoses:
            result = validate(release, dx.code)
            if result.status is Validity.VALID:
                continue
            reason = result.reason
            if result.status is Validity.INVALID:
                reason = _dated_reason(context, dx.code, claim.day_of(dx)) or reason
            fix = (
                f"report {' or '.join(result.suggestions[:3])} instead"
                if result.suggestions
                else "report a code valid in " + release.name
            )
            yield VALIDITY.finding(
                Severity.ERROR, (dx.code,), f"{dx.code}: {reason}", fix, release.name
            )


def _dated_reason(context: EditContext, code: str, day: dt.date) -> str | None:
    """A code missing from the release in force but present in another: deleted (the
    newest earlier release had it), or not yet effective (a later release has it)."""
    infos = [i for i in context.registry.available() if i.name != context.release.name]
    earlier = [i for i in infos if i.effective_to < day]
    later = [i for i in infos if i.effective_from > day]
    for info in reversed(earlier):
        entry = context.registry.open(info.name).get(code)
        if entry is not None and entry.billable:
            return f"deleted: valid in {info.name} (to {info.effective_to}), not in force now"
    for info in later:
        entry = context.registry.open(info.name).get(code)
        if entry is not None and entry.billable:
            return f"not yet effective: valid from {info.effective_from} ({info.name})"
    return None


class Excludes1Rule:
    """Both codes of an Excludes1 pair on one claim (either code's note counts)."""

    name = "excludes1"
    specs = (EXCLUDES1,)

    def check(self, claim: Claim, context: EditContext) -> Iterator[Finding]:
        release = context.release
        codes = _valid_codes(claim, release)
        for i, j in _excludes1_pairs(release, codes):
            first, second = codes[i], codes[j]
            note = _excludes1_note(release, first.code, second.code)
            at = first.code
            if note is None:
                note, at = _excludes1_note(release, second.code, first.code), second.code
            if note is None:
                continue
            other = second.code if at == first.code else first.code
            yield EXCLUDES1.finding(
                Severity.ERROR,
                (first.code, second.code),
                f"{other} is Excludes1 at {at}: {note}",
                f"report only one of {first.code} and {second.code}: keep the code the "
                "documentation supports (both only where the conditions are unrelated, "
                "I.A.12.a exception)",
                release.name,
            )


def _excludes1_pairs(release: Release, codes: list[ClaimCode]) -> list[tuple[int, int]]:
    """The positions (i < j) of the pairs where either code's Excludes1 notes name the
    other, in the order a walk over every pair meets them; found through an index of the
    claim's codes, so the work grows with the codes and the pairs found, not their square."""
    index = CodeIndex([c.code for c in codes])
    pairs: set[tuple[int, int]] = set()
    for position, dx in enumerate(codes):
        for text, _ in release_notes(release).get(dx.code, "excludes1"):
            for other in index.named_by(text):
                if other != position:
                    pairs.add((min(position, other), max(position, other)))
    return sorted(pairs)


def _excludes1_note(release: Release, code: str, other: str) -> str | None:
    for text, _ in release_notes(release).get(code, "excludes1"):
        if names_code(text, other):
            return text
    return None


class CodeFirstRule:
    """'Code first' notes: the named condition listed before; a manifestation not alone."""

    name = "code-first"
    specs = (CODE_FIRST,)

    def check(self, claim: Claim, context: EditContext) -> Iterator[Finding]:
        release = context.release
        codes = _valid_codes(claim, release)
        index = CodeIndex([c.code for c in codes])
        first_at: dict[ClaimCode, int] = {}
        for at, code in enumerate(codes):
            first_at.setdefault(code, at)  # what list.index found, without its scan
        for position, dx in enumerate(codes):
            notes = [text for text, _ in release_notes(release).get(dx.code, "code_first")]
            if not notes:
                continue
            hits = set().union(*(index.named_by(n) for n in notes))
            named = [codes[p] for p in sorted(hits) if codes[p] is not dx]
            after = [c for c in named if first_at[c] > position]
            if named and len(after) == len(named):
                etiology = after[0].code
                yield CODE_FIRST.finding(
                    Severity.ERROR,
                    (dx.code, etiology),
                    f"{dx.code} says code first {etiology}, but it is listed before it",
                    f"sequence {etiology} before {dx.code}",
                    release.name,
                )
            elif not named and position == 0 and is_manifestation(release, dx.code):
                yield CODE_FIRST.finding(
                    Severity.ERROR,
                    (dx.code,),
                    f"{dx.code} is a manifestation code reported without its underlying "
                    f"condition ({_short(notes)})",
                    f"code the underlying condition first, then {dx.code}",
                    release.name,
                )


class UseAdditionalCodeRule:
    """A required 'use additional code' note (one note naming its code, not an 'if
    applicable' list) with none of its codes on the claim: a warning, since only the
    record says whether the condition is documented."""

    name = "use-additional-code"
    specs = (USE_ADDITIONAL,)

    def check(self, claim: Claim, context: EditContext) -> Iterator[Finding]:
        release = context.release
        codes = _valid_codes(claim, release)
        index = CodeIndex([c.code for c in codes])
        for dx in codes:
            notes = release_notes(release).get(dx.code, "use_additional_code")
            # Notes written at the code's own category only: chapter-wide notes are generic.
            own = [text for text, at in notes if at in (None, dx.code[:3])]
            for lead, items in note_groups(own):
                # A lead-in with a list ("code to identify: ...") names what to add if
                # present; a single note naming its code ("code to identify stage of
                # chronic kidney disease (N18.1-N18.6)") is a companion code a coder adds.
                if items != [lead] or any(word in lead.lower() for word in _OPTIONAL_WORDS):
                    continue
                if not any(index.named_by(t) for t in items):
                    if not any(note_refs(t) for t in items):
                        continue  # a note naming no code cannot be checked
                    yield USE_ADDITIONAL.finding(
                        Severity.WARNING,
                        (dx.code,),
                        f"{dx.code}: use additional code "
                        f"{lead.removeprefix('code').strip()} "
                        f"{'; '.join(i for i in items if i != lead)}".rstrip(),
                        f"add the code the note names if the record documents it ({_short(items)})",
                        release.name,
                    )


class SequencingRule:
    """No manifestation or external cause code as first-listed / principal diagnosis."""

    name = "first-listed"
    specs = (SEQUENCING,)

    def check(self, claim: Claim, context: EditContext) -> Iterator[Finding]:
        first = claim.first_listed
        if first is None:
            return
        release = context.release
        role = "principal" if claim.setting is Setting.INPATIENT else "first-listed"
        if is_external_cause(first.code) and release.get(first.code) is not None:
            yield SEQUENCING.finding(
                Severity.ERROR,
                (first.code,),
                f"{first.code} is an external cause code as the {role} diagnosis",
                "list the injury or condition first; external cause codes are secondary (I.C.20)",
                release.name,
            )
        elif is_manifestation(release, first.code):
            yield SEQUENCING.finding(
                Severity.ERROR,
                (first.code,),
                f"{first.code} is a manifestation code as the {role} diagnosis",
                f"list the underlying condition first and {first.code} after it (I.A.13)",
                release.name,
            )


def _short(texts: list[str], limit: int = 3) -> str:
    items = [t for t in texts if not t.rstrip().endswith(":")]
    more = f", +{len(items) - limit} more" if len(items) > limit else ""
    return "; ".join(items[:limit]) + more


DIAGNOSIS_RULES: tuple[EditRule, ...] = (
    ValidityRule(),
    Excludes1Rule(),
    CodeFirstRule(),
    UseAdditionalCodeRule(),
    SequencingRule(),
)
