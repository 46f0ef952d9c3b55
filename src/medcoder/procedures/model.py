"""The contract every procedure stage keeps (E/M, ICD-10-PCS, HCPCS, CPT)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from medcoder.nlp.document import ClinicalDocument
from medcoder.nlp.sections import Section
from medcoder.results import ProcedureFindings


class ProcedureCoder(Protocol):
    """A stage that codes one procedure system from a document and its sections.

    Stages are independent and read only the document and its sections; the engine runs
    them after the diagnoses and numbers their codes in one sequence, in stage order.
    """

    def code_procedures(
        self, document: ClinicalDocument, sections: Sequence[Section]
    ) -> ProcedureFindings: ...
