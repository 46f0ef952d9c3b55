"""A condition mention turned into a code, before the guideline rules run."""

from __future__ import annotations

from dataclasses import dataclass

from medcoder.results import DroppedCandidate, Evidence, RuleApplied


@dataclass(frozen=True, slots=True)
class Candidate:
    """One condition mention turned into a code, before the guideline rules run."""

    code: str
    title: str
    evidence: Evidence
    index_path: str  # main term, subterms (or Tabular title) it was found by
    source: str  # index | curated | tabular
    tabular_checks: tuple[str, ...]
    section: str
    negated: bool = False
    uncertain: bool = False
    historical: bool = False
    family: bool = False
    hypothetical: bool = False
    assertion_triggers: tuple[str, ...] = ()
    depth: int = 0  # index subterm levels matched beyond the mention itself
    sentence: int = 0  # index of the sentence in the note
    problem_line: bool = False  # a short problem heading in the assessment ("Kidney stones.")
    history_code: str | None = None  # the personal-history Z code if the condition is past
    history_path: str = ""
    rules: tuple[RuleApplied, ...] = ()


def dropped(c: Candidate, rule: RuleApplied, reason: str | None = None) -> DroppedCandidate:
    """The candidate left out by ``rule``, with the reason (the rule's own by default)."""
    return DroppedCandidate(c.code, c.evidence.text, reason or rule.detail, rule, c.evidence)
