"""What the FHIR and HL7 v2 readers hand the records importer: plain records in the
schema of a ``medcoder import`` JSONL line, so one validator (``records.importer``) holds
the rules for every format. A Bundle or message is all or nothing: it yields its
documents, or the error that keeps every one of them out."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """One document as a JSONL import line (``data``), with where it came from (``where``,
    e.g. ``Bundle[0].entry[3].resource(DocumentReference)`` or ``message 2``) and where each
    value came from (``fields``: JSONL key to place, e.g. ``dob`` to ``message 2 PID-7``)."""

    data: dict[str, str]
    where: str
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SourceMessage:
    """The documents of one Bundle or HL7 message; ``line``: where it starts in the file."""

    line: int
    documents: tuple[SourceDocument, ...]


class SourceProblem(ValueError):
    """Bad input at a place (a FHIR path, or an HL7 segment and field)."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem
