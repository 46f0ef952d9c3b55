"""What the Tabular conventions imply: billable codes and 7th-character expansion
(ICD-10-CM Guidelines I.A.4, I.A.5, I.B.1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcoder.codesets.codes import compact
from medcoder.codesets.loaders.order_file import load_order_file
from medcoder.codesets.model import NodeKind, OrderRecord, TabularList
from medcoder.codesets.tabular import CodeRow, order_rows


def _by_code(rows: tuple[CodeRow, ...] | list[CodeRow]) -> dict[str, CodeRow]:
    return {r.code: r for r in rows}


def _as_code_list(rows: tuple[CodeRow, ...]) -> list[str]:
    """Rows as simple-icd-10-cm lists them: a one-category section B10-B10 is just B10."""
    out = []
    for row in rows:
        first, _, last = row.code.partition("-")
        out.append(first if first == last else row.code)
    return out


# --- the mini fixture -----------------------------------------------------------------


def test_mini_billable_flags(mini_code_rows: tuple[CodeRow, ...]) -> None:
    rows = _by_code(mini_code_rows)
    billable = {"A00.0", "A00.1", "A00.9", "A01.00", "A01.01", "A01.09", "B10.01", "B10.09"}
    not_billable = {"1", "A00-A09", "A00", "A01", "A01.0", "B10-B10", "B10", "B10.0", "19"}
    # codes of a category with 7th characters are reportable only with one
    not_billable |= {"S00", "S00.0", "S00.00", "S72.001", "T36.0X", "T36.0X1"}
    assert all(rows[c].billable for c in billable)
    assert not any(rows[c].billable for c in not_billable)
    originals = [r for r in mini_code_rows if not r.expansion]
    assert {r.code for r in originals if r.billable} == billable


def test_mini_rows_keep_the_nodes(
    mini_tabular: TabularList, mini_code_rows: tuple[CodeRow, ...]
) -> None:
    originals = [r for r in mini_code_rows if not r.expansion]
    assert [(r.code, r.kind, r.title, r.parent) for r in originals] == [
        (n.code, n.kind, n.title, n.parent) for n in mini_tabular.nodes
    ]


def test_mini_expansion_pads_with_placeholder(mini_code_rows: tuple[CodeRow, ...]) -> None:
    codes = [r.code for r in mini_code_rows]
    at = codes.index("S00.00")
    assert codes[at : at + 5] == ["S00.00", "S00.00XA", "S00.00XD", "S00.00XS", "S00.03"]
    initial = _by_code(mini_code_rows)["S00.00XA"]
    assert initial == CodeRow(
        code="S00.00XA",
        kind=NodeKind.CODE,
        title="Unspecified superficial injury of scalp, initial encounter",
        parent="S00.00",
        billable=True,
        seven_chr_from="S00",
        expansion=True,
    )


def test_mini_expansion_of_six_character_codes(mini_code_rows: tuple[CodeRow, ...]) -> None:
    rows = _by_code(mini_code_rows)
    expanded = [r.code for r in mini_code_rows if r.parent == "S72.001" and r.expansion]
    assert expanded == ["S72.001A", "S72.001B", "S72.001D", "S72.001S"]
    assert rows["S72.001A"].title.endswith("initial encounter for closed fracture")
    assert rows["T36.0X1A"].billable and rows["T36.0X1A"].seven_chr_from == "T36"
    # a placeholder subcategory is a header, never expanded itself
    assert not any(r.parent == "T36.0X" and r.expansion for r in mini_code_rows)


def test_mini_seven_chr_source_is_inherited(mini_code_rows: tuple[CodeRow, ...]) -> None:
    rows = _by_code(mini_code_rows)
    assert rows["S00"].seven_chr_from == "S00"
    assert rows["S00.0"].seven_chr_from == "S00"
    assert rows["S72.001"].seven_chr_from == "S72"
    assert rows["A01.00"].seven_chr_from is None
    assert rows["S00-S09"].seven_chr_from is None


def test_mini_every_expansion_is_a_seven_character_code(
    mini_code_rows: tuple[CodeRow, ...],
) -> None:
    for row in mini_code_rows:
        if row.expansion:
            assert len(compact(row.code)) == 7
            assert row.billable and row.kind is NodeKind.CODE
            assert row.parent is not None and compact(row.code).startswith(compact(row.parent))


def test_mini_s06_death_codes_take_the_seventh_character_a(
    mini_code_rows: tuple[CodeRow, ...],
) -> None:
    rows = _by_code(mini_code_rows)
    assert {"S06.1X0A", "S06.1X0D", "S06.1X0S", "S06.1X7A"} <= rows.keys()


def test_mini_s06_death_codes_have_no_d_or_s(mini_code_rows: tuple[CodeRow, ...]) -> None:
    rows = _by_code(mini_code_rows)
    assert "S06.1X7D" not in rows
    assert "S06.1X7S" not in rows


# --- order rows -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def mini_order_rows(icd10cm_fixtures: Path) -> list[CodeRow]:
    return list(order_rows(load_order_file(icd10cm_fixtures / "order_mini.txt")))


def test_order_rows_kinds_and_parents(mini_order_rows: list[CodeRow]) -> None:
    rows = _by_code(mini_order_rows)
    assert (rows["A00"].kind, rows["A00"].parent, rows["A00"].billable) == (
        NodeKind.CATEGORY,
        None,
        False,
    )
    assert (rows["A00.0"].kind, rows["A00.0"].parent) == (NodeKind.CODE, "A00")
    assert (rows["A01.0"].kind, rows["A01.0"].parent) == (NodeKind.SUBCATEGORY, "A01")
    assert rows["A01.00"].parent == "A01.0"
    # the placeholder is skipped when looking for the parent
    assert rows["S00.00XA"].parent == "S00.00"
    assert rows["T36.0X1A"].parent == "T36.0X1"
    # a code whose headers are not in the file has no parent
    assert rows["T36.0X1"].parent is None
    assert rows["S72.001A"].title == (
        "Fracture of unspecified part of neck of right femur, initial encounter for closed fracture"
    )
    assert not any(r.expansion or r.seven_chr_from for r in mini_order_rows)


def test_order_rows_keep_the_billable_flag() -> None:
    records = [
        OrderRecord(1, "A00", False, "Cholera", "Cholera"),
        OrderRecord(2, "A00.0", True, "Cholera due to", "Cholera due to"),
    ]
    assert [(r.code, r.billable) for r in order_rows(records)] == [
        ("A00", False),
        ("A00.0", True),
    ]


# --- the full FY2026 April release ----------------------------------------------------


def test_full_rows_equal_the_code_list(
    code_rows_2026: tuple[CodeRow, ...], code_list_2026: list[str]
) -> None:
    assert _as_code_list(code_rows_2026) == code_list_2026


def test_full_rows_examples(code_rows_2026: tuple[CodeRow, ...]) -> None:
    rows = _by_code(code_rows_2026)
    assert not rows["S72.001"].billable
    assert rows["S72.001A"].billable
    assert rows["S72.001A"].title.endswith("initial encounter for closed fracture")
    assert rows["S72.001A"].seven_chr_from == "S72"
    assert rows["T36.0X1A"].billable
    assert rows["E11.22"].billable and not rows["E11.2"].billable
    assert rows["B10-B10"].kind is NodeKind.SECTION


def test_full_order_rows(order_2021: list[OrderRecord]) -> None:
    rows = list(order_rows(order_2021))
    assert len(rows) == len(order_2021)
    orphans = [r for r in rows if r.parent is None]
    assert all(r.kind is NodeKind.CATEGORY for r in orphans)
    by_code = _by_code(rows)
    assert by_code["S00.00XA"].parent == "S00.00"
    assert by_code["T36.0X1A"].parent == "T36.0X1"
    assert by_code["T36.0X1"].parent == "T36.0X"  # the order file lists the placeholder header
