"""External cause codes reported with an injury: how it happened and what the patient was doing.

ICD-10-CM Guidelines I.C.20: an external cause code may be used with any code in
S00-T88 that is an injury; assign the cause (V00-X58 and the Y codes of assault and
undetermined intent) and, once, the place (Y92), the activity (Y93) and the status
(Y99: work for pay, military, volunteer, leisure; I.C.20.k) at the initial encounter.
The 7th character follows the injury's encounter. Codes come from the Index to External
Causes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from medcoder.codesets.in_force import CodeSetsInForce
from medcoder.codesets.model import NoteKind
from medcoder.codesets.store import Release
from medcoder.coding.instructions import note_refers_to
from medcoder.coding.lexicon import external_cause_lexicon_for
from medcoder.coding.select import CodeSelector, IndexChoice, context_words, selector_for
from medcoder.kinds import CodeSystem
from medcoder.nlp.note import ParsedNote
from medcoder.nlp.sections import FINDING_SECTIONS, SectionKind
from medcoder.nlp.text import Token, tokenize
from medcoder.results import CodeAssignment, Evidence, RuleApplied, StageFindings

EXTERNAL_CAUSE = RuleApplied(
    "external-cause.v1",
    "ICD-10-CM Guidelines I.C.20.a",
    "external cause of the injury (cause, then activity), from the Index to External Causes",
)
# Injuries that take external cause codes: S00-T34 and T66-T88 (poisonings T36-T65
# carry the intent in their own code).
_INJURY_RE = re.compile(r"^(S|T[0-2]|T3[0-4]|T6[6-9]|T[78])")
_CAUSE_OR_ACTIVITY_RE = re.compile(r"^(V|W|X|Y[0-3]|Y93\.(?!9$))")
_SKIPPED = {str(k) for k in FINDING_SECTIONS} | {str(SectionKind.FAMILY_HISTORY)}
# The activity is the one the patient was doing when hurt: it is taken from a sentence
# that tells the injury ("was golfing and hurt his back"), not from a social history
# line about the sports the patient plays.
_INJURY_WORDS = frozenset(
    {"hurt", "injured", "injuring", "sustained", "fell", "fall", "twisted", "twist", "pop",
     "landed", "sprained", "struck", "hit", "slipped", "tripped", "onset", "began",
     "started", "collided", "rolled", "caught"}
)  # fmt: skip
_ACTIVITY_SKIPPED = _SKIPPED | {str(SectionKind.SOCIAL_HISTORY)}
_CODE_REF_RE = re.compile(r"\(([VWXY][0-9A-Z.]{2,7})-?\)")
# Words of an Excludes1 note that do not tell one cause from another.
_GENERIC = frozenset(
    {"due", "to", "from", "on", "in", "of", "or", "and", "the", "with", "without", "other",
     "nos", "by", "against", "same", "level", "involving", "fall", "falling", "accident",
     "accidental", "person", "injured", "unspecified", "object"}
)  # fmt: skip
# "A heavy crate fell onto her foot": the thing that fell is not the patient, so the
# Index's "Fall, falling, object - see Struck by, object, falling" (W20.8) is the
# mechanism, not an unspecified fall (W19 only when nothing more is documented).
_PERSON_NOUNS = (
    r"patient|pt|man|woman|boy|girl|child|kid|toddler|infant|baby|son|daughter|husband|"
    r"wife|mother|father|person|gentleman|lady|he|she|they|i|we"
)
_OBJECT_FELL_RE = re.compile(
    r"\b(?:a|an|the|some|heavy|large|his|her|their)\s+(?:[a-z-]+\s+){0,2}"
    rf"(?!(?:{_PERSON_NOUNS})\b)[a-z-]+\s+(?:fell|dropped|toppled|tipped\s+over|came\s+down)"
    r"(?:\s+(?:off|from)(?:\s+[a-z-]+){1,3}?)?\s+(?:on|onto|upon|on\s+to|across)\b",
    re.IGNORECASE,
)
_FALLING_OBJECT = "Fall, falling, object"
# I.C.20.k: the status (Y99) where the note documents it, never Y99.9 for a status not
# stated. Civilian work for pay Y99.0, military Y99.1, volunteer Y99.2, leisure and
# other Y99.8 (hobby, recreation or sport not for pay, student activity).
_STATUS = (
    ("Y99.1", re.compile(r"\b(?:on\s+active\s+duty|military\s+(?:duty|service|training))\b", re.I)),
    ("Y99.2", re.compile(r"\bvolunteer(?:ing|ed|s)?\b", re.I)),
    ("Y99.0", re.compile(
        r"\b(?:at\s+work|while\s+(?:at\s+)?work(?:ing)?|on\s+the\s+job|work[- ]related|"
        r"at\s+(?:his|her|their)\s+(?:job|workplace)|(?:during|working)\s+(?:his|her|their)\s+"
        r"(?:paid\s+)?(?:shift|work\s*day)|workers'?\s+comp\w*)\b", re.I)),
    ("Y99.8", re.compile(
        r"\b(?:for\s+fun|recreational(?:ly)?|leisure|as\s+a\s+hobby|on\s+vacation|"
        r"pick-?up\s+game)\b", re.I)),
)  # fmt: skip


def is_injury(code: str) -> bool:
    return bool(_INJURY_RE.match(code))


class ExternalCauseStage:
    """V00-Y38 and Y93 codes for the injuries the diagnosis stage coded (I.C.20).

    Voluntary unless a state or payer requires them; on by default because coders report
    them (on the ACI dev set, turning them on moved full-code micro F1 from 0.618 to 0.622
    and category F1 from 0.750 to 0.757). They are numbered after the diagnoses so far.
    """

    name = "external_causes"

    def __init__(self, cache_dir: Path | None = None) -> None:
        """``cache_dir``: where each release's external-cause lexicon is cached between
        runs (built again, about 0.3 s, where there is none)."""
        self.cache_dir = cache_dir

    def __call__(
        self, note: ParsedNote, code_sets: CodeSetsInForce, so_far: StageFindings
    ) -> StageFindings:
        injuries = [c for c in so_far.diagnoses if is_injury(c.code)]
        release = code_sets.icd10cm
        found = external_causes(
            note, release, injuries, len(so_far.diagnoses) + 1, cache_dir=self.cache_dir
        )
        return StageFindings(diagnoses=tuple(found))


def external_causes(
    note: ParsedNote,
    release: Release,
    injuries: Iterable[CodeAssignment],
    first_sequence: int,
    *,
    cache_dir: Path | None = None,
) -> list[CodeAssignment]:
    """The first documented cause and the first activity, coded for the injury."""
    injury_list = list(injuries)
    if not injury_list or "eindex" not in release.books():
        return []
    lexicon = external_cause_lexicon_for(release, cache_dir)
    selector = selector_for(release)
    text = note.text
    seventh = injury_list[0].code[-1] if len(injury_list[0].code.replace(".", "")) == 7 else "A"
    found: dict[str, tuple[str, Evidence, str, list[str]]] = {}  # kind -> code, evidence, path
    cause_words: frozenset[str] = frozenset()  # the words of the sentence that tells the cause
    # Only under the note's own headings: a note without sections tells no injury story.
    for section in note.sections:
        if str(section.kind) in _SKIPPED:
            continue
        for sentence in note.section_sentences(section):
            matches = lexicon.match_words(*note.content(sentence))
            if not matches:
                continue
            tokens = note.tokens(sentence)
            spans = [(tokens[m.first].start, tokens[m.last].end) for m in matches]
            assertions = note.assertions(sentence, spans, str(section.kind))
            words = frozenset(t.norm for t in tokens)
            tells_injury = (
                bool(words & _INJURY_WORDS) and str(section.kind) not in _ACTIVITY_SKIPPED
            )
            for match, (start, end), assertion in zip(matches, spans, assertions, strict=True):
                if assertion.negated or assertion.hypothetical or assertion.family:
                    continue
                if assertion.historical:
                    continue  # "she used to play soccer": not how this injury happened
                context = frozenset({"initial"} if seventh == "A" else {"subsequent"})
                for entry in match.entries:
                    if entry.term_id is None:
                        continue
                    choice = selector.refine(entry.term_id, words)
                    if choice.path and choice.path[0].title == "Fall, falling":
                        choice = _falling_object(selector, choice, note.text, tokens)
                    if choice.code is None:
                        continue
                    codes, checks = selector.complete(choice.code, context)
                    if not codes:
                        continue
                    codes, checks = _excludes1_redirect(release, selector, codes, checks,
                                                        words, context)  # fmt: skip
                    if codes[0].startswith("X58"):
                        continue  # "Fracture (circumstances unknown)": the injury's own word
                    kind = "activity" if codes[0].startswith("Y93") else "cause"
                    if kind == "activity" and not (tells_injury and seventh == "A"):
                        continue  # I.C.20.c: told with the injury, initial encounter only
                    # Causes are V00-Y38; the place (Y92) is read below from the cause's
                    # sentence, the status (Y99) below from the sentences telling the
                    # injury; "activity, unspecified" (Y93.9) says nothing.
                    if not _CAUSE_OR_ACTIVITY_RE.match(codes[0]):
                        continue  # another reading of the words may be the activity
                    if kind in found and not (
                        kind == "cause"
                        and _unspecified_fall(found[kind][0])
                        and not _unspecified_fall(codes[0])
                    ):
                        continue  # fmt: skip
                    evidence = Evidence(start, end, text[start:end], str(section.kind))
                    found[kind] = (codes[0], evidence, selector.path_label(choice.path), checks)
                    if kind == "cause":
                        cause_words = context_words(_located(tokens))
                    break
            if _settled(found):
                break
        if _settled(found):
            break
    if "cause" in found and seventh == "A":
        place = _place_of_occurrence(selector, cause_words)
        if place is not None and not any(
            note_refers_to(n.text, found["cause"][0])
            for n in release.notes(place[0]).get(NoteKind.EXCLUDES1, [])
        ):  # I.A.12.a: a transport vehicle is not the place of a transport accident (V00-V99)
            evidence = found["cause"][1]
            found["place"] = (place[0], evidence, place[1], [])
    if ("cause" in found or "activity" in found) and seventh == "A":
        # I.C.20.k: never without another external cause code; initial encounter only
        status = _status(note, release, (found.get("cause") or found["activity"])[1])
        if status is not None:
            found["status"] = status
    out: list[CodeAssignment] = []
    for kind in ("cause", "place", "activity", "status"):
        if kind not in found:
            continue
        code, evidence, path, checks = found[kind]
        found_entry = release.get(code)
        out.append(
            CodeAssignment(
                code=code,
                title=found_entry.title if found_entry else "",
                system=CodeSystem.ICD10CM,
                release=release.name,
                sequence=first_sequence + len(out),
                # 6 of 12 external cause codes reported on the ACI dev set were right
                confidence=0.5,
                evidence=(evidence,),
                index_path=f"External causes: {path}",
                tabular_checks=tuple(checks),
                rules=(EXTERNAL_CAUSE,),
            )
        )
    return out


_LOCATIVE = frozenset(
    {"at", "in", "on", "inside", "outside", "near", "into", "onto", "off", "from", "down",
     "across", "around", "along", "behind", "under", "over", "of", "through"}
)  # fmt: skip
_LOCATED_SPAN = 3  # words after a preposition that may name the place


def _located(tokens: Sequence[Token]) -> list[Token]:
    """The words of a sentence that follow a place preposition ("in the school gym",
    "on the sidewalk"): a place is read from these only, so a surname (Hill) or a
    finding elsewhere in the sentence is not taken for where it happened."""
    out: list[Token] = []
    left = 0
    for token in tokens:
        if token.norm in _LOCATIVE:
            left = _LOCATED_SPAN
            continue
        if left:
            out.append(token)
            left -= 1
    return out


def _place_of_occurrence(selector: CodeSelector, words: frozenset[str]) -> tuple[str, str] | None:
    """I.C.20.c: the place of occurrence (Y92), once, at the initial encounter, from the
    words of the sentence that tells how the injury happened ("on the sidewalk",
    "in the school gym"); a "see" subterm ("house - see residence") is followed. Not
    reported where the place is not documented (Y92.9 is not used)."""
    start = selector.navigator.walk("Place of occurrence", "eindex", suggest=False)
    if not start.steps or start.unmatched:
        return None
    choice = selector.refine(start.steps[-1].term_id, words)
    path = selector.path_label(choice.path)
    last = choice.path[-1] if choice.path else None
    if choice.depth and last is not None and last.see:
        followed = selector.navigator.walk(last.see, "eindex", suggest=False)
        if followed.steps and not followed.unmatched:
            choice = selector.refine(followed.steps[-1].term_id, words)
            code = choice.code or next((s.code for s in reversed(followed.steps) if s.code), None)
            choice = type(choice)(code, choice.path, choice.depth + 1)
            path = f"{path}, see {selector.path_label(choice.path)}"
    if choice.code is None or choice.depth == 0:
        return None
    codes, _ = selector.complete(choice.code, frozenset())
    if not codes or not codes[0].startswith("Y92") or codes[0] == "Y92.9":
        return None
    return codes[0], path


def _status(
    note: ParsedNote, release: Release, evidence: Evidence
) -> tuple[str, Evidence, str, list[str]] | None:
    """I.C.20.k: the external cause status, once, with the cause at the initial
    encounter, where the sections that tell the injury (not the social history: "works
    at a bank" is not how this injury happened) document it; Y99.9 is never assigned."""
    for section in note.sections:
        if str(section.kind) in _ACTIVITY_SKIPPED:
            continue
        for sentence in note.section_sentences(section):
            words = frozenset(t.norm for t in note.tokens(sentence))
            if not (words & _INJURY_WORDS or sentence.start <= evidence.start < sentence.end):
                continue
            for code, pattern in _STATUS:
                m = pattern.search(sentence.text)
                entry = release.get(code)
                if m and entry is not None and entry.billable:
                    start = sentence.start + m.start()
                    said = Evidence(start, start + len(m.group()), m.group(), str(section.kind))
                    return code, said, f"Status, {entry.title}", []
    return None


def _falling_object(
    selector: CodeSelector, choice: IndexChoice, text: str, tokens: Sequence[Token]
) -> IndexChoice:
    """A fall whose sentence says an object fell on the patient: the Index's "Fall,
    falling, object" and its see reference (Struck by, object, falling: W20.8)."""
    if not tokens or not _OBJECT_FELL_RE.search(text[tokens[0].start : tokens[-1].end]):
        return choice
    walked = selector.navigator.walk(_FALLING_OBJECT, "eindex", suggest=False)
    if not walked.steps or walked.unmatched or walked.code is None:
        return choice
    path = tuple(t for t in (selector.release.term(s.term_id) for s in walked.steps) if t)
    return IndexChoice(walked.code, path, len(path))


def _unspecified_fall(code: str) -> bool:
    """W19 "unspecified fall": replaced by the mechanism where the note tells it further
    on ("she fell ... she had slipped on the wet floor": W01), I.C.20 / I.B.1-3."""
    return code.startswith("W19")


def _settled(found: dict[str, tuple[str, Evidence, str, list[str]]]) -> bool:
    return len(found) == 2 and not _unspecified_fall(found["cause"][0])


def _excludes1_redirect(
    release: Release,
    selector: CodeSelector,
    codes: list[str],
    checks: list[str],
    words: frozenset[str],
    context: frozenset[str],
) -> tuple[list[str], list[str]]:
    """Follow an Excludes1 note of the chosen cause when the sentence says what the note
    sets apart: "slipped and fell on ice" is W00 (ice and snow), which W01 excludes.

    ICD-10-CM Guidelines I.A.12.a: an Excludes1 code is never reported with the code
    that excludes it; a coder codes the one the documentation supports.
    """
    chosen = release.get(codes[0])
    own = set(_note_words(chosen.title)) if chosen is not None else set()
    for note in release.notes(codes[0]).get(NoteKind.EXCLUDES1, []):
        found = _CODE_REF_RE.search(note.text)
        if found is None:
            continue
        distinctive = set(_note_words(note.text[: found.start()])) - own - _GENERIC
        if distinctive and distinctive & words:
            redirected, more = selector.complete(found.group(1), context)
            if redirected:
                detail = f"Excludes1 of {codes[0]} ({note.text}) followed"
                return redirected, [*checks, detail, *more]
    return codes, checks


def _note_words(text: str) -> list[str]:
    return [t.norm for t in tokenize(text, 0) if t.norm.isalpha()]
