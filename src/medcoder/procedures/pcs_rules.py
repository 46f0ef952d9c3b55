"""Root-operation tie-breakers of the ICD-10-PCS Guidelines that depend on the statement's
other words, applied to the candidate tables of a procedure word.

- B3.8: Resection when all of a body part is cut out, Excision when a portion is
  ("partial nephrectomy", "wedge resection"): an -ectomy word that names Resection
  moves to the Excision tables of the same body system when the statement says portion.
- Extirpation ("taking or cutting out solid matter from a body part", Definitions):
  "removal" / "extraction" of a stone, clot or foreign body is Extirpation, not Excision
  or Extraction of the body part.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from medcoder.codesets.pcs.model import PcsTable
from medcoder.procedures.pcs_body_part import BodyPartValue
from medcoder.results import RuleApplied

RULE_PORTION = RuleApplied(
    "pcs-excision-portion.v1", "ICD-10-PCS Guidelines B3.8",
    "a portion of the body part cut out: Excision, not Resection",
)  # fmt: skip
RULE_MATTER = RuleApplied(
    "pcs-extirpation-matter.v1", "ICD-10-PCS Definitions (Extirpation)",
    "solid matter taken out of a body part: Extirpation",
)  # fmt: skip
# The Definitions' own words for Excision: "a portion of a body part".
PORTION_WORDS = frozenset({"partial", "portion", "part", "wedge", "segmental", "segment",
                           "subtotal", "hemi"})  # fmt: skip
RESECTION, EXCISION, EXTRACTION, EXTIRPATION = "T", "B", "D", "C"

Candidates = tuple[tuple[PcsTable, tuple[BodyPartValue, ...]], ...]


def retarget(
    tables: Candidates,
    said: frozenset[str],
    matter: frozenset[tuple[str, ...]],
    norms: Sequence[str],
    everything: dict[str, tuple[PcsTable, tuple[BodyPartValue, ...]]],
) -> tuple[Candidates, RuleApplied | None]:
    """The candidate tables after the statement's words are weighed, and the rule used."""
    if not tables or tables[0][0].prefix[0] != "0":
        return tables, None
    kinds = {t.prefix[2] for t, _ in tables}
    if kinds == {RESECTION} and said & PORTION_WORDS:
        moved = _same_systems(tables, EXCISION, everything)
        return (moved, RULE_PORTION) if moved else (tables, None)
    if kinds <= {EXCISION, EXTRACTION} and _says_matter(norms, matter):
        moved = _same_systems(tables, EXTIRPATION, everything)
        return (moved, RULE_MATTER) if moved else (tables, None)
    return tables, None


def _same_systems(
    tables: Candidates, operation: str,
    everything: dict[str, tuple[PcsTable, tuple[BodyPartValue, ...]]],
) -> Candidates:  # fmt: skip
    prefixes = dict.fromkeys(t.prefix[:2] + operation for t, _ in tables)
    return tuple(everything[p] for p in prefixes if p in everything)


def _says_matter(norms: Sequence[str], matter: frozenset[tuple[str, ...]]) -> bool:
    for k in range(len(norms)):
        for phrase in matter:
            if tuple(norms[k : k + len(phrase)]) == phrase:
                return True
    return False


# "Thrombolysis was not given", "CT was never performed": the procedure itself not done
# (a negation after the words is otherwise about the findings: "x-ray was not remarkable").
_NOT_DONE = re.compile(
    r"\s+(?:was|were|is|are|has been|have been|had been|could|can|will)?\s*(?:not|never)\s+"
    r"(?:be\s+)?(?:given|performed|done|administered|started|obtained|undertaken|"
    r"carried out|attempted|indicated|required|needed)\b",
    re.IGNORECASE,
)


def said_not_done(text: str, end: int) -> bool:
    """Whether the words right after a procedure (ending at ``end``) say it was not done."""
    return _NOT_DONE.match(text, end) is not None


# Sections whose procedures are tests read for findings: Imaging (B), Nuclear Medicine (C),
# Measurement and Monitoring (4) (ICD-10-PCS Tables, section character).
DIAGNOSTIC_SECTIONS = frozenset("BC4")
NEGATION_REACH = 24  # characters between a negation word and the test it negates
# "detected on chest x-ray", "in the abdominal CT", "with color Doppler": the test is the
# place a finding was (not) seen, so the test was done.
_FINDING_PLACE = re.compile(
    r"\b(?:on|in|at|by|with|from|during)\s+(?:the\s+|a\s+|an\s+|this\s+|that\s+|his\s+|her\s+)?"
    r"(?:[a-z-]+\s+){0,3}$"
)


def negates_the_test(text: str, trigger_end: int, start: int) -> bool:
    """Whether a negation word ending at ``trigger_end`` negates the diagnostic test whose
    words start at ``start`` ("no ultrasound was done", "neither MRI nor CT"), rather than
    the findings the test was read for ("no metastases were detected on chest x-ray",
    "in the abdominal ultrasound no pathological findings were observed")."""
    if trigger_end > start:  # the negation follows the test's words: about its findings
        return False
    between = text[trigger_end:start].lower()
    if _FINDING_PLACE.search(between):
        return False
    return len(between) <= NEGATION_REACH
