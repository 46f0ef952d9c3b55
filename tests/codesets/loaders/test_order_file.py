"""The fixed-width order file and the plain code-list loaders."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcoder.codesets.loaders.order_file import load_code_list, load_order_file
from medcoder.codesets.model import OrderRecord
from medcoder.errors import SourceFormatError


def order_line(order: int, code: str, flag: str, short: str, long: str) -> str:
    """One line in the official layout: 5-digit order, code, flag, 60-column short title."""
    return f"{order:05d} {code:<7} {flag} {short:<60} {long}"


@pytest.fixture(scope="module")
def mini_order(icd10cm_fixtures: Path) -> list[OrderRecord]:
    return load_order_file(icd10cm_fixtures / "order_mini.txt")


def test_mini_fixture_is_in_the_official_layout(icd10cm_fixtures: Path) -> None:
    raw = (icd10cm_fixtures / "order_mini.txt").read_bytes()
    lines = raw.split(b"\r\n")
    assert lines[-1] == b""  # CRLF after every line, as CMS ships it
    assert all(b"\n" not in line for line in lines)
    assert lines[0].startswith(b"00001 A00     0 Cholera" + b" " * 54 + b"Cholera")


def test_mini_order_records(mini_order: list[OrderRecord]) -> None:
    assert len(mini_order) == 21
    assert [r.order for r in mini_order] == list(range(1, 22))
    assert mini_order[0] == OrderRecord(1, "A00", False, "Cholera", "Cholera")
    assert mini_order[1].code == "A00.0" and mini_order[1].billable


def test_mini_order_codes_are_dotted_and_flags_read(mini_order: list[OrderRecord]) -> None:
    flags = {r.code: r.billable for r in mini_order}
    assert flags["A01.0"] is False
    assert flags["A01.00"] is True
    assert flags["S00.00"] is False
    assert flags["S00.00XA"] is True
    assert flags["S72.001"] is False
    assert flags["T36.0X1A"] is True


def test_mini_order_short_and_long_titles(mini_order: list[OrderRecord]) -> None:
    fracture = next(r for r in mini_order if r.code == "S72.001A")
    assert fracture.short_title == "Fx unsp part of neck of right femur, init for clos fx"
    assert fracture.long_title == (
        "Fracture of unspecified part of neck of right femur, initial encounter for closed fracture"
    )


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "order.txt"
    path.write_text(
        "\n" + order_line(1, "A00", "0", "Cholera", "Cholera") + "\n\n   \n", encoding="utf-8"
    )
    assert [r.code for r in load_order_file(path)] == ["A00"]


def test_latin1_order_file(tmp_path: Path) -> None:
    path = tmp_path / "order.txt"
    line = order_line(
        1, "M3500", "1", "Sjögren syndrome, unspecified", "Sjögren syndrome, unspecified"
    )
    path.write_bytes((line + "\r\n").encode("latin-1"))
    record = load_order_file(path)[0]
    assert record.short_title == "Sjögren syndrome, unspecified"
    assert record.code == "M35.00"


# --- malformed files ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        (order_line(3, "A001", "2", "Cholera", "Cholera"), "not an order-file line"),
        (order_line(3, "A001", "Y", "Cholera", "Cholera"), "not an order-file line"),
        ("0000x A001    1 Cholera", "not an order-file line"),
        ("00003 A001    1", "not an order-file line"),
        (order_line(3, "A0$1", "1", "Cholera", "Cholera"), "bad code 'A0\\$1'"),
    ],
)
def test_bad_line_is_named(tmp_path: Path, bad: str, problem: str) -> None:
    good = [
        order_line(1, "A00", "0", "Cholera", "Cholera"),
        order_line(2, "A000", "1", "Cholera due to", "Cholera due to"),
    ]
    path = tmp_path / "icd10cm_order_2026.txt"
    path.write_text("\r\n".join([*good, bad]) + "\r\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match=problem) as caught:
        load_order_file(path)
    assert caught.value.line == 3
    assert str(caught.value).startswith(f"{path}:3: ")


def test_empty_order_file(tmp_path: Path) -> None:
    path = tmp_path / "order.txt"
    path.write_text("\r\n\r\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="no records found"):
        load_order_file(path)


def test_missing_order_file(tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError, match="cannot read file"):
        load_order_file(tmp_path / "absent.txt")


# --- code list ------------------------------------------------------------------------


def test_mini_code_list(icd10cm_fixtures: Path) -> None:
    codes = load_code_list(icd10cm_fixtures / "code_list_mini.txt")
    assert codes[:6] == ["1", "A00-A09", "A00", "A00.0", "A00.1", "A00.9"]
    # a one-category section is listed by its category alone, so B10 appears twice
    assert codes[6:8] == ["B10", "B10"]
    assert codes[-3:] == ["S00.00XA", "S00.00XD", "S00.00XS"]
    assert len(codes) == 18


def test_code_list_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "code-list.txt"
    path.write_text("1\nA00-A09\n\nA0#0\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="bad code 'A0#0'") as caught:
        load_code_list(path)
    assert caught.value.line == 4


# --- the full FY2021 order file -------------------------------------------------------


def test_full_order_file(shared_data: Path, order_2021: list[OrderRecord]) -> None:
    raw = (shared_data / "icd10cm" / "fy2021" / "icd10cm-order-Jan-2021.txt").read_bytes()
    lines = raw.decode("ascii").split("\r\n")[:-1]
    assert len(order_2021) == len(lines) == 95_358
    # the flags match the file column by column
    assert [r.billable for r in order_2021] == [line[14] == "1" for line in lines]
    assert [r.order for r in order_2021] == list(range(1, len(lines) + 1))


def test_full_order_file_examples(order_2021: list[OrderRecord]) -> None:
    by_code = {r.code: r for r in order_2021}
    assert order_2021[0] == OrderRecord(1, "A00", False, "Cholera", "Cholera")
    assert by_code["A00.0"].billable
    assert not by_code["S72.001"].billable
    assert by_code["S72.001A"].billable
    assert by_code["S00.00XA"].billable
    assert by_code["T36.0X1A"].long_title == (
        "Poisoning by penicillins, accidental (unintentional), initial encounter"
    )
    assert by_code["T36.0X1A"].short_title == (
        "Poisoning by penicillins, accidental (unintentional), init"
    )
