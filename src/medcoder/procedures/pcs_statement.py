"""What one sentence of an inpatient note documents for the ICD-10-PCS stage besides the
procedure words (anatomy, approaches, devices, sides), and the statement-level rules:
imaging of listed regions (B3.2a), a negation of a test's findings, an inspection
integral to a definitive procedure (B3.11a), a side written elsewhere in the note."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from medcoder.codesets.pcs.model import PcsTable
from medcoder.nlp.assertion import Assertion
from medcoder.nlp.note import ParsedNote
from medcoder.nlp.text import tokens_between
from medcoder.procedures.pcs_axes import AxisChoice
from medcoder.procedures.pcs_body_part import BodyPartChoice, Mention, choose_body_part
from medcoder.procedures.pcs_labels import atom_cached, label_atoms, same_organ
from medcoder.procedures.pcs_lexicon import Lexicon
from medcoder.procedures.pcs_rules import DIAGNOSTIC_SECTIONS, Candidates, negates_the_test
from medcoder.procedures.pcs_vocabulary import PhraseIndex, ProcedureEntry
from medcoder.results import DroppedCandidate, ProcedureAssignment, RuleApplied

IMAGING = "B"  # section character
_SIDE_REACH = 40  # characters read on each side of an organ's word for its side
RULE_INSPECTION = RuleApplied(
    "pcs-inspection-integral.v1", "ICD-10-PCS Guidelines B3.11a",
    "inspection to reach a procedure's objective is not coded separately",
)  # fmt: skip
SIDE_WORDS = {"right": "right", "left": "left", "bilateral": "bilateral",
               "bilaterally": "bilateral", "both": "both"}  # fmt: skip


class NoteText:
    """The whole note; its words are read only around an organ a statement needs the side
    of (a side written elsewhere), never the whole note tokenized."""

    def __init__(self, note: ParsedNote) -> None:
        self.parsed = note
        self.text = note.text
        self._lowered: str | None = None

    @property
    def lowered(self) -> str:
        if self._lowered is None:
            self._lowered = self.text.lower()
        return self._lowered

    def side_of(self, phrases: Sequence[tuple[str, ...]]) -> str | None:
        """ "right" or "left" when every mention of the organ that carries a side says the
        same one ("left renal mass" ... "nephrectomy"), else None."""
        text, lowered, sides = self.text, self.lowered, set[str]()
        firsts = {p[0] for p in phrases}
        # A normalized word keeps its first letters ("kidneys" -> "kidney"): only the
        # stretches around them are tokenized.
        heads = sorted({w[:3] for w in firsts if w})
        if not heads:
            return None
        pattern = re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, heads)) + ")")
        done = -1
        for hit in pattern.finditer(lowered):
            if hit.start() < done:
                continue
            low = lowered.rfind(" ", 0, max(0, hit.start() - _SIDE_REACH)) + 1
            high = lowered.find(" ", min(len(text), hit.end() + _SIDE_REACH))
            high = len(text) if high < 0 else high
            done = high
            window = lowered[low:high]
            if "right" not in window and "left" not in window:
                continue  # no side near this word: nothing to read
            norms = [t.norm for t in tokens_between(text, low, high)]
            for k, word in enumerate(norms):
                if word not in firsts:
                    continue
                for phrase in phrases:
                    if tuple(norms[k : k + len(phrase)]) == phrase:
                        near = (
                            norms[max(0, k - 3) : k] + norms[k + len(phrase) : k + len(phrase) + 2]
                        )
                        sides.update(w for w in near if w in ("right", "left"))
        return next(iter(sides)) if len(sides) == 1 else None


@dataclass(frozen=True, slots=True)
class Statement:
    """What one sentence documents besides the procedure words."""

    mentions: list[tuple[int, int, tuple[str, ...], str]]  # token span, atoms, text
    approaches: list[tuple[int, str, str]]  # token, label, words
    devices: list[tuple[int, str, str]]
    sides: frozenset[str]
    norm_text: str
    said: frozenset[str]  # the sentence's words
    norms: tuple[str, ...]
    raw: str = ""  # the sentence's text (amounts: "for 3 days", "6 MeV")


def listed_regions(
    choice: BodyPartChoice, tables: Candidates, statement: Statement, i: int,
    prefer_bilateral: bool,
) -> list[BodyPartChoice]:  # fmt: skip
    """Imaging of several regions written as one list before the modality ("chest and
    abdominal x-rays", "cranial, thoracic and abdominal CT"): each listed region that the
    chosen value does not cover is its own code (Guidelines B3.2a: the same procedure on
    different body parts), unless one value of the table names them together."""
    by_end = {b: (a, atoms, words) for a, b, atoms, words in statement.mentions}
    listed, cursor = [], i
    while True:
        found = by_end.get(cursor)
        if found is None and cursor > 0 and statement.norms[cursor - 1] in ("and", "or"):
            found = by_end.get(cursor - 1)
        if found is None:
            break
        listed.append(found)
        cursor = found[0]
    if len(listed) < 2:
        return []
    covered = set(label_atoms(choice.value.label)[0])
    out: list[BodyPartChoice] = []
    for _, atoms, words in reversed(listed):
        if any(same_organ(a, c) or a in c for a in atoms for c in covered):
            continue
        other = choose_body_part(tables, [Mention(atoms, 0, words)], (), statement.sides,
                                 prefer_bilateral)  # fmt: skip
        if other is None:
            continue
        parts = label_atoms(other.value.label)[0]
        if parts <= covered:
            continue
        covered |= parts
        out.append(other)
    return out


def negates(assertion: Assertion, entry: ProcedureEntry, text: str, start: int) -> bool:
    """A negation word before the procedure words; before a test (imaging, nuclear
    medicine, measurement) only one that negates the test, not the findings read on it."""
    section = (entry.code or entry.table or entry.section or "")[:1]
    return any(
        t.category == "NEGATED_EXISTENCE"
        and t.start < start
        and (section not in DIAGNOSTIC_SECTIONS or negates_the_test(text, t.end, start))
        for t in assertion.triggers
    )


def trigger_before(assertion: Assertion, category: str, start: int) -> bool:
    """Whether a trigger of ``category`` stands before the procedure words."""
    return any(t.category == category and t.start < start for t in assertion.triggers)


def side_from_note(choice: BodyPartChoice, lexicon: Lexicon, note: NoteText) -> BodyPartChoice:
    """A paired body part with no side in its statement takes the side the note gives the
    same organ elsewhere, when it gives only one."""
    atoms, _ = label_atoms(choice.value.label)
    phrases = tuple(p for a in atoms for p in lexicon.anatomy_phrases.get(a, ()))
    side = note.side_of(phrases) if phrases else None
    if side is None:
        return choice
    for row in choice.table.rows:
        for value in row.values(4):
            if label_atoms(value.label) == (atoms, side):
                words = f"{choice.evidence}; {side} side from elsewhere in the note"
                return BodyPartChoice(choice.table, value, choice.score, False, words)
    return choice


def any_between(hits: list[int], start: int, end: int) -> bool:
    i = bisect_left(hits, start)
    return i < len(hits) and hits[i] < end


def labels_found(index: PhraseIndex, norms: list[str]) -> list[tuple[int, str, str]]:
    return [(i, str(v), " ".join(norms[i:j])) for i, j, v in index.find(norms)]


def nearest(found: list[tuple[int, str, str]], at: int) -> list[tuple[str, str]]:
    return [(label, words) for _, label, words in sorted(found, key=lambda f: abs(f[0] - at))]


def with_labels(
    documented: dict[int, list[tuple[str, str]]], table: PcsTable, statement: Statement
) -> dict[int, list[tuple[str, str]]]:
    """Add any axis label the sentence spells out ("transesophageal", "intermittent",
    "allogeneic", "high"), a device's label without its kind word ("internal fixation" for
    Internal Fixation Device)."""
    out = {p: list(v) for p, v in documented.items()}
    for position, label, key in _axis_keys(table):
        if f" {key} " in statement.norm_text:
            out.setdefault(position, []).append((label, key))
    return out


_AXIS_KEYS: dict[int, tuple[PcsTable, tuple[tuple[int, str, str], ...]]] = {}


def _axis_keys(table: PcsTable) -> tuple[tuple[int, str, str], ...]:
    """(position, label, words) of the table's characters 5-7, read once per table."""
    found = _AXIS_KEYS.get(id(table))
    if found is not None and found[0] is table:
        return found[1]
    keys = []
    for position in (5, 6, 7):
        for row in table.rows:
            for v in row.values(position):
                key = atom_cached(v.label)
                if key.endswith(" device") and key.count(" ") > 1:
                    key = key[: -len(" device")]
                if len(key) >= 3:
                    keys.append((position, v.label, key))
    if len(_AXIS_KEYS) > 4096:
        _AXIS_KEYS.clear()
    _AXIS_KEYS[id(table)] = (table, tuple(keys))
    return tuple(keys)


def describe(table: PcsTable, choice: AxisChoice) -> str:
    how = choice.how + (f" '{choice.words}'" if choice.words else "")
    axis = table.axis_title(choice.position).lower()
    return f"{axis} {choice.value.code} {choice.value.label} ({how})"


def drop_integral_inspections(
    found: list[tuple[ProcedureEntry, ProcedureAssignment]], dropped: list[DroppedCandidate]
) -> list[ProcedureAssignment]:
    """An inspection beside a definitive procedure of the same statement (colonoscopy with
    biopsy, nephrectomy by laparotomy) is integral to it (B3.11a): it gives the
    approach, not a code."""
    definitive = {a.code[0] for e, a in found if not e.inspection}
    out = []
    for entry, assignment in found:
        if entry.inspection and assignment.code[0] in definitive:
            dropped.append(DroppedCandidate(assignment.code, assignment.evidence[0].text,
                                            "inspection integral to the procedure",
                                            RULE_INSPECTION, assignment.evidence[0]))  # fmt: skip
            continue
        out.append(assignment)
    return out
