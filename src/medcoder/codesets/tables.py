"""The Neoplasm Table and the Table of Drugs and Chemicals.

ICD-10-CM Guidelines I.C.2 (neoplasms: the table is entered by site, then the column
for the behavior) and I.C.19.e (drugs: the column is the intent; adverse effect and
underdosing have their own columns). A ``--`` cell means no code applies.
"""

from __future__ import annotations

from dataclasses import dataclass

from medcoder.codesets.index_books import Term
from medcoder.codesets.index_walk import IndexNavigator, IndexStep, split_path
from medcoder.codesets.store import Release
from medcoder.codesets.text import norm_term
from medcoder.errors import InvalidInputError, MissingComponentError

# Column numbers as the official XML's indexHeading numbers them (col 1 is the term).
NEOPLASM_COLUMNS = {
    "malignant-primary": 2,
    "malignant-secondary": 3,
    "in-situ": 4,
    "benign": 5,
    "uncertain": 6,
    "unspecified": 7,
}
DRUG_COLUMNS = {
    "poisoning-accidental": 2,
    "poisoning-intentional": 3,
    "poisoning-assault": 4,
    "poisoning-undetermined": 5,
    "adverse-effect": 6,
    "underdosing": 7,
}


@dataclass(frozen=True, slots=True)
class TableResult:
    query: str
    table: str  # neoplasm or drug
    column: str
    release: str
    steps: tuple[IndexStep, ...]
    printed: str | None  # the cell as printed ("C34.9-", "--")
    code: str | None  # verified in this release's Tabular
    resolution: str | None
    row: dict[str, str]  # every column of the row, for display
    see: str | None = None
    unmatched: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return ", ".join(s.title for s in self.steps)


def _column(table: str, column: str) -> int:
    columns = NEOPLASM_COLUMNS if table == "neoplasm" else DRUG_COLUMNS
    if column not in columns:
        raise InvalidInputError(
            f"unknown {table} column {column!r}",
            hint=f"choose one of: {', '.join(columns)}",
        )
    return columns[column]


def _row_step(release: Release, term: Term) -> IndexStep:
    return IndexStep(
        term.id, term.level, term.title, term.nonessential, term.code, term.resolved,
        term.resolution, term.see, term.see_also,
    )  # fmt: skip


def lookup_table(release: Release, table: str, query: str, column: str) -> TableResult:
    """Find the row for a site or substance, then the cell for the behavior or intent."""
    col = _column(table, column)
    if table not in release.books():
        raise MissingComponentError(
            f"{release.name} has no {table} table",
            hint="build a release with the table XML: `medcoder setup --data DIR`",
        )
    navigator = IndexNavigator.for_release(release)
    segments = split_path(query)
    if table == "neoplasm":
        # The table is one main term ("Neoplasm, neoplastic"); a query names the site.
        mains = release.main_terms("neoplasm")
        first = norm_term(segments[0]) if segments else ""
        if segments and first not in {"neoplasm", "neoplastic", "neoplasm neoplastic"}:
            segments = [mains[0].title, *segments] if mains else segments
    result = navigator.walk_segments(query, segments, table)
    steps = list(result.steps)
    if not steps or (table == "neoplasm" and len(steps) == 1 and len(segments) > 1):
        # Not under the expected parent: the site or substance nested elsewhere.
        wanted = norm_term(segments[-1]) if segments else ""
        named = release.terms_named(table, wanted)
        if named:
            steps = [_row_step(release, t) for t in release.chain(named[0])]
            result = type(result)(query, table, release.name, steps=tuple(steps))
    headings = release.books()[table]
    if not steps:
        return TableResult(query, table, column, release.name, (), None, None, None, {},
                           unmatched=result.unmatched)  # fmt: skip
    last = steps[-1]
    cells = release.cells(last.term_id)
    printed, resolved, resolution = cells.get(col, (None, None, None))
    row = {
        (headings[c - 1] if c - 1 < len(headings) else str(c)): value
        for c, (value, _, _) in sorted(cells.items())
    }
    return TableResult(
        query, table, column, release.name, tuple(steps), printed, resolved, resolution, row,
        see=last.see, unmatched=result.unmatched,
    )  # fmt: skip
