"""Index codes checked against the release's own Tabular List (Guidelines I.A, I.B.1)."""

from __future__ import annotations

import pytest

from medcoder.codesets import resolve
from medcoder.codesets.codes import compact
from medcoder.codesets.model import IndexBook, NodeKind, TabularNode
from medcoder.codesets.resolve import IndexCodeResolver
from medcoder.codesets.tabular import CodeRow, code_rows


@pytest.fixture(scope="module")
def mini_resolver(mini_code_rows: tuple[CodeRow, ...]) -> IndexCodeResolver:
    return IndexCodeResolver(mini_code_rows)


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("A00.0", ("A00.0", resolve.OK)),
        (" a000 ", ("A00.0", resolve.OK)),
        ("S00.00XA", ("S00.00XA", resolve.OK)),
        # valid up to the 7th character, which depends on the encounter
        ("S00.00", ("S00.00", resolve.NEEDS_7TH)),
        ("S72.001", ("S72.001", resolve.NEEDS_7TH)),
        ("T36.0X1", ("T36.0X1", resolve.NEEDS_7TH)),
        # printed with '-': the coder finishes it in the Tabular
        ("A01.0-", ("A01.0", resolve.INCOMPLETE)),
        ("B10.-", ("B10", resolve.INCOMPLETE)),
        # a header printed as if complete: the only 'unspecified' child fits
        ("A00", ("A00.9", resolve.EXPANDED_RESOLVED)),
        ("A01.0", ("A01.00", resolve.EXPANDED_RESOLVED)),
        # two specific children, none unspecified: the coder chooses
        ("B10.0", ("B10.0", resolve.EXPANDED_AMBIGUOUS)),
        ("S00.0", ("S00.0", resolve.EXPANDED_AMBIGUOUS)),
        ("Z99.99", (None, resolve.DELETED)),
        ("see Neoplasm, by site", (None, resolve.UNPARSED)),
        ("--", (None, resolve.NONE)),
        ("-", (None, resolve.NONE)),
        ("  ", (None, resolve.NONE)),
    ],
)
def test_mini_statuses(
    mini_resolver: IndexCodeResolver, printed: str, expected: tuple[str | None, str]
) -> None:
    assert mini_resolver.resolve(printed) == expected


def _rows(*specs: tuple[str, str, str | None]) -> list[CodeRow]:
    """Code rows from (code, title, parent) triples under one chapter and section."""
    nodes = [
        TabularNode("21", NodeKind.CHAPTER, "Factors influencing health status", None),
        TabularNode("Z40-Z53", NodeKind.SECTION, "Encounters for other specific care", "21"),
    ]
    parents = {parent for _, _, parent in specs}
    for code, title, parent in specs:
        if len(code) == 3:
            kind = NodeKind.CATEGORY
        else:
            kind = NodeKind.SUBCATEGORY if code in parents else NodeKind.CODE
        nodes.append(TabularNode(code, kind, title, parent or "Z40-Z53"))
    return list(code_rows(nodes))


def test_only_billable_descendant_is_chosen() -> None:
    resolver = IndexCodeResolver(
        _rows(
            ("Z44", "Encounter for fitting of external prosthetic device", None),
            ("Z44.2", "Encounter for fitting of artificial eye", "Z44"),
            ("Z44.20", "Encounter for fitting of artificial eye, both", "Z44.2"),
        )
    )
    assert resolver.resolve("Z44.2") == ("Z44.20", resolve.EXPANDED_RESOLVED)
    assert resolver.resolve("Z44") == ("Z44.20", resolve.EXPANDED_RESOLVED)


def test_deeper_unspecified_code_is_not_chosen() -> None:
    """Q99.8 'other specified' must not become Q99.819 (resolve.py's own example)."""
    resolver = IndexCodeResolver(
        _rows(
            ("Q99", "Other chromosome abnormalities", None),
            ("Q99.8", "Other specified chromosome abnormalities", "Q99"),
            ("Q99.81", "Chromosome mosaicism", "Q99.8"),
            ("Q99.811", "Chromosome mosaicism, X", "Q99.81"),
            ("Q99.819", "Chromosome mosaicism, unspecified", "Q99.81"),
            ("Q99.89", "Other specified chromosome abnormalities, other", "Q99.8"),
        )
    )
    assert resolver.resolve("Q99.8") == ("Q99.8", resolve.EXPANDED_AMBIGUOUS)
    assert resolver.resolve("Q99.81") == ("Q99.819", resolve.EXPANDED_RESOLVED)


# --- the FY2025 index against the FY2026 Tabular --------------------------------------


@pytest.fixture(scope="module")
def resolver_2026(code_rows_2026: tuple[CodeRow, ...]) -> IndexCodeResolver:
    return IndexCodeResolver(code_rows_2026)


def test_full_index_codes_all_resolve(
    resolver_2026: IndexCodeResolver,
    code_rows_2026: tuple[CodeRow, ...],
    index_csv_2025: IndexBook,
) -> None:
    rows = {r.code: r for r in code_rows_2026}
    printed = {e.code for e in index_csv_2025.entries if e.code}
    statuses: dict[str, set[str]] = {}
    for text in printed:
        code, status = resolver_2026.resolve(text)
        statuses.setdefault(status, set()).add(text)
        if status == resolve.OK:
            assert code is not None and rows[code].billable
        if status == resolve.EXPANDED_RESOLVED:
            assert code is not None and rows[code].billable
            assert compact(code).startswith(compact(text))
    # every code the FY2025 index prints is still in the FY2026 Tabular
    assert set(statuses) == {
        resolve.OK,
        resolve.NEEDS_7TH,
        resolve.INCOMPLETE,
        resolve.EXPANDED_RESOLVED,
        resolve.EXPANDED_AMBIGUOUS,
    }
    assert len(statuses[resolve.OK]) > len(printed) // 2


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("E11.22", ("E11.22", resolve.OK)),
        ("E11.9", ("E11.9", resolve.OK)),
        ("C79.8-", ("C79.8", resolve.INCOMPLETE)),
        ("T39.1X1", ("T39.1X1", resolve.NEEDS_7TH)),
        ("Q99.8", ("Q99.8", resolve.EXPANDED_AMBIGUOUS)),
        ("--", (None, resolve.NONE)),
    ],
)
def test_full_examples(
    resolver_2026: IndexCodeResolver, printed: str, expected: tuple[str | None, str]
) -> None:
    assert resolver_2026.resolve(printed) == expected


def test_full_drug_table_cells_need_a_seventh_character(
    resolver_2026: IndexCodeResolver, drug_2025: IndexBook
) -> None:
    statuses = {resolver_2026.resolve(text)[1] for e in drug_2025.entries for _, text in e.cells}
    assert statuses == {resolve.NEEDS_7TH, resolve.NONE}
