"""Present-on-admission (POA) proposals for the diagnoses of an inpatient stay.

ICD-10-CM Official Guidelines, Appendix I: every diagnosis of an inpatient claim carries
a POA indicator: Y (present at the time of the order for inpatient admission, conditions
arising in the emergency department or observation included), N (arose during the
stay), U (the documentation does not say: the coder queries the provider), W (the
provider cannot clinically determine it) or 1 (the code is on the exempt list).

The proposer runs after every diagnosis stage, on the coded diagnoses. For each code it
gathers the code's mentions in the note (its evidence spans, the mentions the guideline
rules set aside because another section assessed them, and the same words written
elsewhere, unless ConText reads them as negated, family or hypothetical), reads each
mention's sentence and section in the parsed note (never splitting the text again), and
decides in this order: the exempt list; an explicit statement ("not present on
admission", "unable to determine whether present on admission"); documentation at
admission (chief complaint, HPI, admission diagnosis, "presented with", "admitted for",
the emergency department); onset during the stay ("hospital day 3", "postoperatively",
"developed" in the hospital course, hospital-acquired, a fall in hospital); a chronic
condition; a congenital condition; else U. Every proposal quotes the sentence that
decided it and names a versioned rule.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from medcoder.coding.poa_lists import CodeRanges, chronic_list, exempt_list
from medcoder.kinds import PoaIndicator
from medcoder.nlp.note import ParsedNote
from medcoder.nlp.sections import Section, SectionKind
from medcoder.nlp.text import Sentence
from medcoder.results import CodeAssignment, DroppedCandidate, Evidence, PoaProposal, RuleApplied

APPENDIX_I = "ICD-10-CM Official Guidelines, Appendix I"


def _rule(name: str, part: str, detail: str) -> RuleApplied:
    return RuleApplied(name, f"{APPENDIX_I} ({part})", detail)


EXEMPT = _rule("poa-exempt.v1", "POA exempt list", "code on the POA exempt list: report 1")
STATED = _rule(
    "poa-stated.v1", "POA explanation", "the provider states whether present on admission"
)
UNDETERMINED = _rule(
    "poa-clinically-undetermined.v1", "W: clinically undetermined",
    "the provider cannot clinically determine whether present on admission",
)  # fmt: skip
ON_ADMISSION = _rule(
    "poa-stated-on-admission.v1", "condition present at the time of admission",
    "documented at admission (chief complaint, HPI, admission diagnosis, ED)",
)  # fmt: skip
DURING_STAY = _rule(
    "poa-developed-during-stay.v1", "condition not present at the time of admission",
    "onset documented during the stay",
)  # fmt: skip
# Guidelines Section II: the principal diagnosis is the condition "chiefly responsible
# for occasioning the admission", so it was there when the patient was admitted.
PRINCIPAL = _rule(
    "poa-principal-diagnosis.v1", "condition present at the time of admission",
    "principal diagnosis (Guidelines II) with no onset during the stay documented",
)  # fmt: skip
CHRONIC = _rule(
    "poa-chronic.v1", "chronic condition",
    "chronic condition: Y even when diagnosed after admission",
)  # fmt: skip
CONGENITAL = _rule(
    "poa-congenital.v1", "congenital conditions and anomalies",
    "congenital conditions are always present on admission",
)  # fmt: skip
UNDOCUMENTED = _rule(
    "poa-undocumented.v1", "U: documentation insufficient",
    "no documentation of onset: query the provider",
)  # fmt: skip

# Mentions the guideline rules dropped for what they say, not for where they stand.
_NOT_MENTIONS = frozenset(
    {"negated.v1", "family-history.v1", "hypothetical.v1", "history-of.v1", "personal-history.v1"}
)
_MAX_MENTIONS = 24  # per code: the words of a common condition may recur all over a note

_NUMBER = r"(?:#\s*)?(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)"
_NOT_POA_RE = re.compile(
    r"\bnot\s+(?:been\s+)?(?:present|poa)\s+(?:on|at)\s+(?:the\s+time\s+of\s+)?admission"
    r"|\bnot\s+present\s+on\s+arrival\b",
    re.IGNORECASE,
)
_WAS_POA_RE = re.compile(
    r"\bpresent\s+(?:on|at)\s+(?:the\s+time\s+of\s+)?admission\b|\bPOA\b", re.IGNORECASE
)
_UNDETERMINED_RE = re.compile(
    r"\b(?:unable|cannot|can\s*not|could\s+not|not\s+able)\s+to\s+(?:clinically\s+)?"
    r"(?:determine|say|tell)\b[^.;]{0,80}\b(?:admission|admitted|poa)\b"
    r"|\bclinically\s+undetermined\b",
    re.IGNORECASE,
)
# Appendix I: what was present when the inpatient order was written (ED included).
_ADMISSION_RE = re.compile(
    r"\b(?:presented|presents|presenting|came\s+in|comes\s+in|brought\s+in|admitted|"
    r"readmitted|transferred|arrived)\b[^.;]{0,60}?\b(?:with|for|from|because)\b"
    r"|\b(?:on|at|upon)\s+(?:the\s+time\s+of\s+)?(?:admission|arrival|presentation)\b"
    r"|\bin\s+the\s+(?:ED|ER|emergency\s+(?:department|room))\b"
    r"|\b(?:ED|emergency\s+department)\s+course\b|\bprior\s+to\s+(?:admission|arrival)\b"
    r"|\breason\s+for\s+admission\b|\badmitting\s+diagnos[ie]s\b"
    r"|\b(?:referred|transferred|sent)\s+to\s+(?:our|this)\s+"
    r"(?:center|centre|hospital|institution|unit|department|service)\b",
    re.IGNORECASE,
)
_DURING_STAY_RE = re.compile(
    rf"\bhospital\s+day\s*{_NUMBER}\b|\bHD\s*{_NUMBER}\b|\bPOD\s*{_NUMBER}\b"
    rf"|\bon\s+(?:the\s+)?(?:post-?operative\s+|hospital\s+)?day\s*{_NUMBER}\b"
    r"|\bon\s+the\s+(?:second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\s+"
    r"(?:hospital\s+)?day\b|\bday\s+\d+\s+of\s+(?:the|this|her|his)\s+"
    r"(?:stay|admission|hospitalization)\b"
    r"|\bpost-?\s?operative(?:ly)?\b|\bafter\s+(?:the\s+)?(?:surgery|operation|procedure)\b"
    r"|\bhospital[- ]acquired\b|\bnosocomial\b|\bin-?hospital\b"
    r"|\b(?:during|later\s+in|over\s+the\s+course\s+of)\s+(?:the|this|her|his)\s+"
    r"(?:hospital\s+)?(?:stay|admission|hospitalization|hospital\s+course)\b"
    r"|\bwhile\s+(?:an\s+)?(?:in-?patient|hospitalized|admitted|in\s+the\s+hospital|"
    r"on\s+the\s+(?:floor|unit|ward))\b|\bsubsequently\s+developed\b|\bcomplicated\s+by\b",
    re.IGNORECASE,
)
# "Three months after surgery", "two years postoperatively": long after, not this stay.
_LONG_AFTER_RE = re.compile(r"\b(?:weeks?|months?|years?)\s+(?:after|post)?\W*$", re.IGNORECASE)
# In the hospital course, "developed" / "occurred" is onset during the stay; in the HPI
# it is the story before admission ("developed fever three days ago").
_COURSE_ONSET_RE = re.compile(r"\b(?:developed|occurred|new(?:ly)?\s+noted)\b", re.IGNORECASE)
_ADMISSION_HEADING_RE = re.compile(r"admi|emergency|\bED\b|\bER\b", re.IGNORECASE)
_AT_ADMISSION_SECTIONS = frozenset({SectionKind.CHIEF_COMPLAINT, SectionKind.HPI})
_CONGENITAL_RE = re.compile(r"\b(?:congenital|hereditary|inborn)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Mention:
    """One place the note documents the condition: the words, their sentence, section."""

    start: int
    end: int
    sentence: Sentence
    section: Section


class PoaProposer:
    """Adds a POA proposal to every diagnosis of an inpatient result; other settings pass
    through untouched. Holds only the two lists, read on first use: no per-note state."""

    name = "poa"

    def __init__(self, exempt: CodeRanges | None = None, chronic: CodeRanges | None = None) -> None:
        self._exempt = exempt
        self._chronic = chronic

    @property
    def exempt(self) -> CodeRanges:
        return self._exempt or exempt_list()

    @property
    def chronic(self) -> CodeRanges:
        return self._chronic or chronic_list()

    def __call__(
        self,
        note: ParsedNote,
        diagnoses: tuple[CodeAssignment, ...],
        dropped: Sequence[DroppedCandidate] = (),
    ) -> tuple[CodeAssignment, ...]:
        if not note.document.setting.is_inpatient:
            return diagnoses
        lowered = note.text.lower()  # once per note: every code looks its words up in it
        return tuple(
            replace(c, poa=self.propose(note, c, dropped, principal=n == 0, lowered=lowered))
            for n, c in enumerate(diagnoses)
        )

    def propose(
        self,
        note: ParsedNote,
        code: CodeAssignment,
        dropped: Sequence[DroppedCandidate] = (),
        *,
        principal: bool = False,
        lowered: str | None = None,
    ) -> PoaProposal:
        """The POA indicator of one diagnosis, with the sentence and rule that decided it
        (``principal``: the code is the principal diagnosis of the stay; ``lowered``: the
        note's text in lower case, when the caller has it)."""
        first = code.evidence[:1]
        exempt = self.exempt.find(code.code)
        if exempt is not None:
            reason = f"exempt list: {exempt.label} {exempt.title}"
            return PoaProposal(PoaIndicator.EXEMPT, 0.99, reason, first, EXEMPT)
        if lowered is None:
            lowered = note.text.lower()
        mentions = find_mentions(note, code, dropped, lowered)
        decided = _decide(note, mentions)
        if decided is not None:
            return decided
        if principal:
            reason = "principal diagnosis: the condition that occasioned the admission"
            return PoaProposal(PoaIndicator.YES, 0.8, reason, first, PRINCIPAL)
        chronic = self.chronic.find(code.code)
        if chronic is not None:
            reason = f"chronic condition ({chronic.label} {chronic.title}): present by default"
            return PoaProposal(PoaIndicator.YES, 0.75, reason, first, CHRONIC)
        if code.code.startswith("Q") or _CONGENITAL_RE.search(code.title):
            return PoaProposal(PoaIndicator.YES, 0.9, "congenital condition", first, CONGENITAL)
        return PoaProposal(
            PoaIndicator.UNKNOWN, 0.3,
            "no documentation of when the condition began: query the provider",
            first, UNDOCUMENTED,
        )  # fmt: skip


def _decide(note: ParsedNote, mentions: Sequence[Mention]) -> PoaProposal | None:
    """Explicit statements first, then documentation at admission, then onset during the
    stay: a condition documented when the patient came in was present, even if it is
    later said to worsen (Appendix I: conditions present at admission that worsen are Y)."""
    admitted: Mention | None = None
    in_stay: Mention | None = None
    for m in mentions:
        text = m.sentence.text
        if _UNDETERMINED_RE.search(text):
            return _proposal(note, m, PoaIndicator.CLINICALLY_UNDETERMINED, 0.9,
                             "provider unable to determine whether present on admission",
                             UNDETERMINED)  # fmt: skip
        if _NOT_POA_RE.search(text):
            return _proposal(note, m, PoaIndicator.NO, 0.95,
                             "stated not present on admission", STATED)  # fmt: skip
        if _WAS_POA_RE.search(text):
            return _proposal(note, m, PoaIndicator.YES, 0.95,
                             "stated present on admission", STATED)  # fmt: skip
        clue = _nearest_clue(m)
        if clue == "admission" and admitted is None:
            admitted = m
        elif clue == "stay" and in_stay is None:
            in_stay = m
    if admitted is not None:
        where = admitted.section.heading or str(admitted.section.kind)
        return _proposal(note, admitted, PoaIndicator.YES, 0.9,
                         f"documented at admission ({where})", ON_ADMISSION)  # fmt: skip
    if in_stay is not None:
        return _proposal(note, in_stay, PoaIndicator.NO, 0.85,
                         "developed during the stay", DURING_STAY)  # fmt: skip
    return None


def _nearest_clue(m: Mention) -> str | None:
    """'admission', 'stay' or None: the clue of the mention's sentence nearest the
    mention ("admitted with pneumonia; on day 2 developed AF": pneumonia at admission, AF
    during the stay). A mention in the chief complaint, HPI or an admission diagnosis
    heading is at admission whatever its sentence says."""
    section = m.section
    if section.kind in _AT_ADMISSION_SECTIONS or (
        section.heading and _ADMISSION_HEADING_RE.search(section.heading)
    ):
        return "admission"
    clues: list[tuple[int, int, str]] = []  # distance, order (stay first on ties), kind
    base = m.sentence.start
    patterns = [(_DURING_STAY_RE, "stay"), (_ADMISSION_RE, "admission")]
    if section.kind is SectionKind.HOSPITAL_COURSE:
        patterns.append((_COURSE_ONSET_RE, "stay"))
    for pattern, kind in patterns:
        for found in pattern.finditer(m.sentence.text):
            if kind == "stay" and _LONG_AFTER_RE.search(m.sentence.text[: found.start()]):
                continue
            start, end = base + found.start(), base + found.end()
            distance = max(0, start - m.end, m.start - end)
            clues.append((distance, 0 if kind == "stay" else 1, kind))
    if clues:
        return min(clues)[2]
    if section.kind is SectionKind.PAST_MEDICAL_HISTORY:
        return "admission"  # documented as a pre-existing condition
    return None


def _proposal(
    note: ParsedNote,
    m: Mention,
    indicator: PoaIndicator,
    confidence: float,
    reason: str,
    rule: RuleApplied,
) -> PoaProposal:
    sentence = m.sentence
    text = note.text[sentence.start : sentence.end]
    start = sentence.start + len(text) - len(text.lstrip())
    end = sentence.start + len(text.rstrip())
    quote = Evidence(start, end, note.text[start:end], str(m.section.kind))
    return PoaProposal(indicator, confidence, reason, (quote,), rule)


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"  # what the regex \\w is


def _written_at(text: str, lowered: str, words: str) -> list[tuple[int, int]]:
    """Where ``words`` (lower case) stand in ``text`` as whole words, any case;
    ``lowered`` is ``text.lower()``, searched directly where it keeps every offset."""
    if len(lowered) != len(text):  # a character whose lower case is longer ("İ")
        pattern = re.compile(rf"(?<!\w){re.escape(words)}(?!\w)", re.IGNORECASE)
        return [(m.start(), m.end()) for m in pattern.finditer(text)]
    out: list[tuple[int, int]] = []
    at = lowered.find(words)
    while at >= 0:
        end = at + len(words)
        if (at == 0 or not _is_word(text[at - 1])) and (
            end == len(text) or not _is_word(text[end])
        ):
            out.append((at, end))
        at = lowered.find(words, at + 1)
    return out


def find_mentions(
    note: ParsedNote,
    code: CodeAssignment,
    dropped: Sequence[DroppedCandidate] = (),
    lowered: str | None = None,
) -> list[Mention]:
    """The code's mentions in document order: its evidence, its mentions set aside by the
    scope rules, and its evidence words written elsewhere (not negated, family or
    hypothetical by ConText)."""
    spans: set[tuple[int, int]] = {(e.start, e.end) for e in code.evidence}
    # A mention coded to the same category is the same condition written another way
    # ("cellulitis" L03.90 in the HPI, "cellulitis of left lower limb" L03.116 at discharge).
    spans.update(
        (d.evidence.start, d.evidence.end)
        for d in dropped
        if d.code is not None
        and d.code[:3] == code.code[:3]
        and d.evidence is not None
        and d.rule.rule not in _NOT_MENTIONS
    )
    written = {e.text.strip().lower() for e in code.evidence if len(e.text.strip()) >= 3}
    written.update(_head_phrase(text) for text in list(written))
    written.discard("")
    found: list[tuple[int, int]] = []
    for words in sorted(written):
        found.extend(_written_at(note.text, lowered or note.text.lower(), words))
    mentions: list[Mention] = []
    for start, end in sorted(spans | set(found))[: _MAX_MENTIONS * 2]:
        placed = _place(note, start)
        if placed is None:
            continue
        section, sentence = placed
        if (start, end) not in spans:
            (assertion,) = note.assertions(sentence, [(start, end)], str(section.kind))
            if assertion.negated or assertion.family or assertion.hypothetical:
                continue
        mentions.append(Mention(start, end, sentence, section))
        if len(mentions) >= _MAX_MENTIONS:
            break
    return mentions


_HEAD_END_RE = re.compile(r"\s+(?:of|with|without|due|in|on|to|from)\s+|[,;:(]")
_GENERIC_LEAD = frozenset(
    {"acute", "chronic", "type", "left", "right", "bilateral", "unspecified", "other",
     "history", "stage", "primary", "secondary", "severe", "mild", "moderate", "old"}
)  # fmt: skip


def _head_phrase(written: str) -> str:
    """The words of a discharge-diagnosis phrase before its first "of" / "with" / comma,
    when they are two or more and do not open with a modifier: "pressure ulcer of sacral
    region, stage 2" is written "stage 2 pressure ulcer of the sacrum" in the course."""
    head = _HEAD_END_RE.split(written, maxsplit=1)[0].strip()
    words = head.split()
    if head == written or len(words) < 2 or words[0] in _GENERIC_LEAD:
        return ""
    return head


def _place(note: ParsedNote, offset: int) -> tuple[Section, Sentence] | None:
    """The section and sentence of the parsed note that hold ``offset``."""
    for section in note.body_sections:
        if section.body_start <= offset < section.end:
            for sentence in note.section_sentences(section):
                if sentence.start <= offset < sentence.end:
                    return section, sentence
            return None
    return None
