"""Typed, frozen records that the loaders produce and the release store serves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class NodeKind(StrEnum):
    CHAPTER = "chapter"
    SECTION = "section"
    CATEGORY = "category"  # three characters
    SUBCATEGORY = "subcategory"  # a header below the category, not billable
    CODE = "code"  # billable (valid for reporting)


class NoteKind(StrEnum):
    """Tabular instructional notes, named as `codes show --format json` reports them."""

    INCLUDES = "includes"
    INCLUSION_TERMS = "inclusion_terms"
    EXCLUDES1 = "excludes1"
    EXCLUDES2 = "excludes2"
    CODE_FIRST = "code_first"
    USE_ADDITIONAL_CODE = "use_additional_code"
    CODE_ALSO = "code_also"
    NOTES = "notes"


# XML element -> note kind (ICD-10-CM Tabular XML schema, element names as CMS spells them).
XML_NOTE_KINDS: dict[str, NoteKind] = {
    "includes": NoteKind.INCLUDES,
    "inclusionTerm": NoteKind.INCLUSION_TERMS,
    "excludes1": NoteKind.EXCLUDES1,
    "excludes2": NoteKind.EXCLUDES2,
    "codeFirst": NoteKind.CODE_FIRST,
    "useAdditionalCode": NoteKind.USE_ADDITIONAL_CODE,
    "codeAlso": NoteKind.CODE_ALSO,
    "notes": NoteKind.NOTES,
}

# ICD-10-CM Guidelines I.A.12-13 and the Tabular conventions: notes at a category or
# chapter apply to every code below it. Inclusion terms describe the node they sit
# under only, so they are not inherited.
INHERITED_NOTE_KINDS = frozenset(NoteKind) - {NoteKind.INCLUSION_TERMS}


@dataclass(frozen=True, slots=True)
class Note:
    kind: NoteKind
    text: str


@dataclass(frozen=True, slots=True)
class TabularNode:
    """One chapter, section or ``diag`` of the Tabular List, with the notes written at it."""

    code: str  # chapter number, section range (A00-A09) or dotted code
    kind: NodeKind
    title: str
    parent: str | None
    notes: tuple[Note, ...] = ()
    seven_chr: tuple[tuple[str, str], ...] = ()  # (character, meaning) defined at this node
    seven_chr_note: str | None = None


@dataclass(frozen=True, slots=True)
class TabularList:
    version: str
    nodes: tuple[TabularNode, ...]


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One main term or subterm of an index or table, in document order."""

    id: int  # 1-based position in the book
    parent_id: int | None
    level: int  # 0 = main term, 1.. = subterm depth
    title: str  # without the nonessential modifiers
    nonessential: tuple[str, ...] = ()  # "(mellitus) (sugar)" -> ("mellitus", "sugar")
    code: str | None = None  # as printed: may end with "-" (incomplete)
    manifestation: str | None = None  # the code printed in brackets: code it second
    see: str | None = None
    see_also: str | None = None
    cells: tuple[tuple[int, str], ...] = ()  # neoplasm / drug table columns (col, code)


class BookKind(StrEnum):
    INDEX = "index"  # Alphabetic Index to Diseases and Injuries
    EXTERNAL_CAUSE = "eindex"
    NEOPLASM = "neoplasm"
    DRUG = "drug"


@dataclass(frozen=True, slots=True)
class IndexBook:
    kind: BookKind
    version: str
    headings: tuple[str, ...]  # table column headings (col 1 first); empty for the index
    entries: tuple[IndexEntry, ...]


@dataclass(frozen=True, slots=True)
class OrderRecord:
    """One line of the official ``icd10cm_order_YYYY.txt`` file."""

    order: int
    code: str  # dotted
    billable: bool
    short_title: str
    long_title: str


@dataclass(frozen=True, slots=True)
class SourceFile:
    role: str  # tabular, index, neoplasm, drug, eindex, order, code_list
    path: str
    sha256: str
    fiscal_year: int | None = None


@dataclass(frozen=True, slots=True)
class ReleaseInfo:
    """A built, immutable release of one code system."""

    name: str  # e.g. icd10cm-2026-04
    system: str  # icd10cm
    fiscal_year: int
    effective_from: date
    effective_to: date
    sources: tuple[SourceFile, ...]
    loader_version: str
    built_at: str
    index_fiscal_year: int | None = None  # None: no Alphabetic Index in this release
    embedded: bool = False
    notes: tuple[str, ...] = ()
    stats: dict[str, int] = field(default_factory=dict)

    def covers(self, day: date) -> bool:
        return self.effective_from <= day <= self.effective_to
