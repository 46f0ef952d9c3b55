"""Where an office note says what the E/M stage needs: the assessment and plan, the
problems listed there, the patient status, the total time, and whether it is a visit."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from medcoder.kinds import Setting
from medcoder.nlp.document import ClinicalDocument
from medcoder.nlp.sections import Section, SectionKind
from medcoder.nlp.text import split_sentences
from medcoder.procedures.phrases import Hit, PhraseIndex
from medcoder.results import Evidence

ASSESSMENT_KINDS = frozenset({SectionKind.ASSESSMENT, SectionKind.DIAGNOSES})
PLAN_KINDS = frozenset({SectionKind.PLAN, SectionKind.INSTRUCTIONS})
VISIT_KINDS = frozenset(
    {SectionKind.CHIEF_COMPLAINT, SectionKind.HPI, SectionKind.REVIEW_OF_SYSTEMS,
     SectionKind.PHYSICAL_EXAM, SectionKind.VITALS}
)  # fmt: skip
# History lists and medication lists name conditions and drugs that were not addressed.
HISTORY_KINDS = frozenset(
    {SectionKind.PAST_MEDICAL_HISTORY, SectionKind.PAST_SURGICAL_HISTORY,
     SectionKind.FAMILY_HISTORY, SectionKind.SOCIAL_HISTORY, SectionKind.MEDICATIONS,
     SectionKind.ALLERGIES, SectionKind.REVIEW_OF_SYSTEMS}
)  # fmt: skip
# SOAP letters ("A:", "P:", "A/P:") that the section finder does not treat as headings.
# A newline first (the note is searched with one put in front) lets ``re`` jump from
# newline to newline instead of trying "^" at every character.
_SOAP_RE = re.compile(r"\n[ \t]*(A/P|A&P|[SOAP])[ \t]*:")
_HASH_PROBLEM_RE = re.compile(r"^[ \t]*#\s*\d+[ \t]+\S[^\n]*", re.MULTILINE)
_ITEM_RE = re.compile(r"[ \t]*(?:#\s*\d+|\d{1,2}[.)]|[-•*])[ \t]+")
_HEADLINE_CHARS = 300  # "HOSPITAL DAY 3 PROGRESS NOTE", "OPERATIVE REPORT": at the top
# Total time on the date of the encounter: "I spent a total of 42 minutes ...",
# "Total time: 15 minutes", "Total time on the date of service was 65 minutes".
_TIME_ANCHOR_RE = re.compile(
    r"(?<![a-z])(?:total(?:\s+[a-z']+){0,3}?\s+time|time\s+spent|(?:i|we|provider|physician)"
    r"\s+spent|spent\s+a\s+total|face[- ]to[- ]face|^[ \t]*time[ \t]*:)",
    re.MULTILINE,
)
_MINUTES_RE = re.compile(
    r"(\d{1,3})(?:\s*(?:-|–|to)\s*\d{1,3})?\s*(minutes?|mins?|hours?|hrs?)(?![a-z])"
)


def lower_text(text: str) -> str:
    """Lower case with the same length (offsets stay valid for every character)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


@dataclass(frozen=True, slots=True)
class Region:
    """A stretch of the note read for the E/M elements, with the section it lies in."""

    start: int
    end: int
    section: str


def _soap_marks(text: str) -> list[tuple[int, int, str]]:
    """(label start, body start, letter) of each SOAP label at the start of a line."""
    if not any(label in text for label in ("A:", "P:", "A/P", "A&P", "S:", "O:")):
        return []  # most notes: no regex at all
    return [(m.start(1) - 1, m.end() - 1, m.group(1)) for m in _SOAP_RE.finditer("\n" + text)]


def _soap_regions(text: str, sections: Sequence[Section], letters: set[str]) -> list[Region]:
    marks = _soap_marks(text)
    if not marks:
        return []
    starts = sorted({s.start for s in sections} | {m[0] for m in marks} | {len(text)})
    out = []
    for start, body, letter in marks:
        if letter in letters:
            end = next(s for s in starts if s > start)
            out.append(Region(body, end, "assessment" if "A" in letter else "plan"))
    return out


def assessment_regions(text: str, ix: PhraseIndex, sections: Sequence[Section]) -> list[Region]:
    """Where the problems addressed are written: assessment / impression / diagnoses
    sections, SOAP "A:" and "A/P:", "#1 ..." problem lines; in a narrative note, from
    "my assessment is ..." on."""
    out = [Region(s.body_start, s.end, str(s.kind)) for s in sections if s.kind in ASSESSMENT_KINDS]
    out += _soap_regions(text, sections, {"A", "A/P", "A&P"})
    if "#" in text:
        out += [Region(m.start(), m.end(), "assessment") for m in _HASH_PROBLEM_RE.finditer(text)]
    if not out:
        found = ix.search("visit.narrative_assessment")
        if found is not None:
            start = max(text.rfind(".", 0, found.start), text.rfind("\n", 0, found.start))
            out.append(Region(start + 1, len(text), "assessment"))
    return sorted(out, key=lambda r: r.start)


def plan_regions(text: str, sections: Sequence[Section]) -> list[Region]:
    """The plan: plan / instructions sections and SOAP "P:"."""
    out = [Region(s.body_start, s.end, str(s.kind)) for s in sections if s.kind in PLAN_KINDS]
    return out + _soap_regions(text, sections, {"P"})


@dataclass(frozen=True, slots=True)
class Entry:
    """One problem entry: a numbered / bulleted item with its lines, or one sentence."""

    start: int
    end: int
    section: str
    item: bool  # written as a list item ("1.", "#2", "-")
    first: bool  # the first entry of its region


def problem_entries(text: str, regions: Sequence[Region]) -> list[Entry]:
    """The assessment split into problem entries: a list item runs on over the lines under
    it until a blank line or the next item; other lines are split into sentences."""
    entries: list[Entry] = []
    for region in regions:
        before = len(entries)
        item: list[int] | None = None  # [start, end] of the open list item
        pos = region.start
        for line in text[region.start : region.end].splitlines(keepends=True):
            line_start, pos = pos, pos + len(line)
            stripped = line.strip()
            if not stripped:
                _close(entries, item, region, before)
                item = None
                continue
            marker = _ITEM_RE.match(line)
            if marker is not None:
                _close(entries, item, region, before)
                item = [line_start + marker.end(), line_start + len(line.rstrip())]
            elif item is not None:
                item[1] = line_start + len(line.rstrip())
            else:
                for sentence in split_sentences(text, line_start, line_start + len(line)):
                    entries.append(
                        Entry(sentence.start, sentence.end, region.section, False,
                              len(entries) == before)
                    )  # fmt: skip
        _close(entries, item, region, before)
    return entries


def _close(entries: list[Entry], item: list[int] | None, region: Region, before: int) -> None:
    if item is not None and item[1] > item[0]:
        entries.append(Entry(item[0], item[1], region.section, True, len(entries) == before))


_STOPS = ("\n", ". ", "? ", "! ")


def sentence_around(lowered: str, start: int, end: int, region: Region) -> tuple[int, int]:
    """The sentence (or line) of the region that holds ``lowered[start:end]``.

    Cheaper than splitting every sentence: the stage looks its phrases up in the whole
    region first and reads the sentence only around what it found."""
    low, high = region.start, region.end
    for stop in _STOPS:
        k = lowered.rfind(stop, low, start)
        if k >= 0:
            low = k + len(stop)
        k = lowered.find(stop, end, high)
        if k >= 0:
            high = k + 1
    while low < high and lowered[low].isspace():
        low += 1
    while high > low and lowered[high - 1].isspace():
        high -= 1
    return low, high


_NEVER_RE = re.compile(r"\b(?:never|not|no one|nobody|none)\b")
# "new to the dermatology clinic", "new to our cardiology practice": the phrase list names
# the plain forms; a specialty between the words says the same (CPT: new to the group's
# specialty).
_NEW_TO_RE = re.compile(
    r"\bnew\s+to\s+(?:our|the|this)\s+(?:[a-z/-]+\s+){1,2}(?:practice|clinic|office|group)\b"
)


def patient_status(
    document: ClinicalDocument, ix: PhraseIndex
) -> tuple[str, Evidence | None, bool]:
    """New or established, from the flag, else from the note; the flag wins.

    Returns (status, evidence, assumed). "Established patient" written out wins over
    every other cue; then "new patient" / "establish care"; then "returns", "last seen",
    "follow-up of"; with no cue the visit is taken as established and marked assumed.
    """
    if document.patient_status is not None:
        return str(document.patient_status), None, False
    new = ix.search("patient_status.new")
    if new is None:
        found = _NEW_TO_RE.search(document.text.lower())
        if found is not None:
            new = Hit(found.start(), found.end(), found.group())
    established = ix.search("patient_status.established")
    explicit = next(
        (h for h in ix.finditer("patient_status.established") if h.text.startswith("est")), None
    )  # "established patient" / "est pt" written out
    # CPT new/established definition: a patient seen within 3 years by a physician of
    # the same specialty in the same group is established even on the first visit "with
    # me" ("followed by Dr. Kim in our group"); "never seen in our group" is no such cue.
    group = next(
        (
            h
            for h in ix.finditer("patient_status.same_group")
            if not _NEVER_RE.search(document.text[max(0, h.start - 60) : h.start].lower())
        ),
        None,
    )
    chosen: Hit | None
    if explicit is not None:
        chosen, status = explicit, "established"
    elif group is not None:
        chosen, status = group, "established"
    elif new is not None:
        chosen, status = new, "new"
    else:
        chosen, status = established, "established"
    if chosen is None:
        return "established", None, True
    span = Evidence(chosen.start, chosen.end, document.text[chosen.start : chosen.end],
                    "patient status")  # fmt: skip
    return status, span, False


def total_time(text: str, lowered: str) -> tuple[int, Evidence] | None:
    """The documented total time on the date of the encounter, in minutes.

    Only a statement of the clinician's time counts ("I spent", "total time", "time
    spent") on the same line as the minutes; durations of symptoms or activities
    ("walks 45 minutes daily") never do. A range ("30-39 minutes") counts at its lower end.
    """
    best: tuple[int, Evidence] | None = None
    # Cheap tests first: every anchor holds "spent", "total" or "time" followed by ":" or
    # "spent", or "face".
    if not any(word in lowered for word in ("spent", "total", "time:", "time :", "face")):
        return None
    for found in _MINUTES_RE.finditer(lowered):
        if found.start() and lowered[found.start() - 1] in "0123456789.":
            continue  # "2.5 hours", "1234 minutes"
        line_start = lowered.rfind("\n", 0, found.start()) + 1
        line_end = lowered.find("\n", found.end())
        line_end = len(lowered) if line_end < 0 else line_end
        low = max(line_start, found.start() - 160)
        anchor = _TIME_ANCHOR_RE.search(lowered, low, min(line_end, found.end() + 40))
        if anchor is None:
            continue
        minutes = int(found.group(1)) * (60 if found.group(2).startswith(("hour", "hr")) else 1)
        start, stop = min(anchor.start(), found.start()), max(anchor.end(), found.end())
        if best is None or minutes > best[0]:
            best = (minutes, Evidence(start, stop, text[start:stop], "time statement"))
    return best


def visit_kind(
    document: ClinicalDocument, ix: PhraseIndex, sections: Sequence[Section], has_assessment: bool
) -> tuple[str, str]:
    """("office" | "staff" | "not_office" | "no_visit", why).

    Only office and other outpatient visits get a level here: an inpatient note, an
    operative report, a hospital progress note or a discharge summary does not; nor does
    text without the shape of a visit (history or exam, and an assessment)."""
    if document.setting is Setting.INPATIENT:
        return "no_visit", "inpatient setting"
    found = ix.search("visit.not_office", 0, _HEADLINE_CHARS)
    if found is not None:
        return "not_office", f"the note is not an office visit ({found.text!r})"
    if any(s.kind is SectionKind.HOSPITAL_COURSE for s in sections):
        return "not_office", "the note has a hospital course"
    if ix.search("visit.staff_only", 0, 200) and not has_assessment:
        return "staff", "a clinical staff visit"
    text = document.text
    if any(s.kind in VISIT_KINDS for s in sections) or _soap_marks(text):
        return "office", "history/exam" + (" and assessment" if has_assessment else "")
    found = ix.search("visit.not_office_narrative")
    if found is not None:
        # Read as a whole, a case report or a hospital story is not one office visit.
        return "not_office", f"a case report or hospital narrative ({found.text!r})"
    if ix.search("visit.narrative_visit"):
        return "office", "a narrative visit note"
    # A paragraph with no headings is read whole: a coder levels any office
    # documentation handed to them (issue 13); what it lacks lowers the confidence.
    return "office", "visit documentation without headings, read as a whole"
