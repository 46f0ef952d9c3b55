"""The one contract every coding stage keeps.

A stage reads the parsed note (:class:`~medcoder.nlp.note.ParsedNote`: sections,
sentences, tokens and ConText, read once) and the code sets in force for its date
(:class:`~medcoder.codesets.in_force.CodeSetsInForce`), and returns what it found as
:class:`~medcoder.results.StageFindings`. The pipeline (``medcoder.pipeline``) runs the
stages in order, the way spaCy's ``Language.__call__`` runs its components over one
``Doc``; a stage that builds on an earlier one (external causes need the injuries the
diagnosis stage coded, I.C.20) reads the findings so far, never another stage's
internals. Stages hold no per-note state, so one pipeline codes many notes at once.
"""

from __future__ import annotations

from typing import Protocol

from medcoder.codesets.in_force import CodeSetsInForce
from medcoder.nlp.note import ParsedNote
from medcoder.results import StageFindings


class Stage(Protocol):
    """One step of coding: diagnoses, external causes, E/M, ICD-10-PCS, HCPCS or CPT."""

    @property
    def name(self) -> str:
        """Short name shown in traces and benchmarks (``diagnoses``, ``icd10pcs``...)."""
        ...

    def __call__(
        self, note: ParsedNote, code_sets: CodeSetsInForce, so_far: StageFindings
    ) -> StageFindings:
        """What this stage finds in ``note``; ``so_far`` holds the earlier stages' findings."""
        ...
