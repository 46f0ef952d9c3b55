"""The POA exempt list and the chronic categories: loading, refusing bad entries, and
membership of categories, ranges, exceptions and codes with 7th characters."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medcoder.coding.poa_lists import CodeRanges, chronic_list, code_key, exempt_list
from medcoder.errors import ConfigurationError


def test_exempt_list_names_its_published_source() -> None:
    exempt = exempt_list()
    assert "Appendix I" in exempt.source
    assert "Exempt from Diagnosis Present on Admission" in exempt.source
    assert len(exempt.entries) > 50
    assert "Appendix I" in chronic_list().source


@pytest.mark.parametrize(
    ("code", "exempt"),
    [
        ("B91", True),  # B90-B94 sequelae: a category inside the range
        ("B94.8", True),
        ("B95.0", False),  # just past the range
        ("I25.2", True),  # a single code
        ("I25.10", False),  # its sibling is not exempt
        ("I69.351", True),
        ("O80", True),
        ("Q90.9", True),
        ("V43.52XA", True),  # placeholder X and 7th character
        ("v4352xa", True),  # undotted, lower case
        ("V00.131A", True),
        ("V00.811A", False),  # V00.81- wheelchair: an exception of V00-V09
        ("V00.831A", False),  # V00.83- mobility scooter
        ("W19.XXXA", False),  # unspecified fall: POA must be reported
        ("W17.0XXA", True),
        ("W17.2XXA", False),
        ("X71.0XXA", False),  # self-harm by drowning in bathtub: excepted
        ("X71.1XXA", True),
        ("Y92.230", True),
        ("Z79.4", True),
        ("Z28.3", False),  # underimmunization status: excepted from Z28
        ("Z28.01", True),
        ("Z3A.38", True),  # category with a letter
        ("Z77.111", True),  # a range of subclassifications
        ("Z77.22", False),
        ("Z91.81", False),  # history of falling: excepted from Z91.8-
        ("Z91.89", True),
        ("Z16.10", False),
        ("J18.9", False),
        ("E11.9", False),
    ],
)
def test_exempt_membership(code: str, exempt: bool) -> None:
    assert (code in exempt_list()) is exempt


def test_exempt_entry_reports_its_label() -> None:
    entry = exempt_list().find("V43.52XA")
    assert entry is not None and entry.label == "V40-V49"
    entry = exempt_list().find("Z77.111")
    assert entry is not None and entry.label == "Z77.110-Z77.128"


@pytest.mark.parametrize(
    ("code", "chronic"),
    [("E11.22", True), ("N18.4", True), ("I50.22", True), ("I50.21", False),
     ("J44.1", True), ("C18.7", True), ("J18.9", False), ("I48.20", True), ("I48.91", False)],
)  # fmt: skip
def test_chronic_membership(code: str, chronic: bool) -> None:
    assert (code in chronic_list()) is chronic


def _data(**entry: Any) -> dict[str, Any]:
    return {"source": "test", "entries": [entry]}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_data(codes="A00", title="x", colour="red"), "unknown key(s) colour"),
        (_data(codes="A00-A0", title="x"), "not a code or a range"),
        (_data(codes="B99-A00", title="x"), "runs backwards"),
        (_data(codes="A00", title="x", sure="maybe"), "'sure' high|medium|low"),
        (_data(codes="A00", title="x", **{"except": ["??"]}), "exception"),
        (_data(codes="banana", title="x"), "not a code"),
        ({"entries": []}, "names no 'source'"),
        ([], "'entries' list"),
    ],
)
def test_loader_refuses_bad_entries(data: object, message: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        CodeRanges.from_json("test.json", data)
    assert message in str(caught.value)
    assert "test.json" in str(caught.value)
    assert caught.value.code == "E100"


_LETTER = st.sampled_from("ABCDEGHIJKLMNOPQRSTUVWXYZ")


@given(
    letter=_LETTER,
    digits=st.text("0123456789", min_size=2, max_size=2),
    tail=st.text("0123456789ABX", min_size=0, max_size=4),
)
def test_dotted_and_undotted_codes_agree(letter: str, digits: str, tail: str) -> None:
    """A code is on a list or not whatever its spelling (dot, case)."""
    compact_form = f"{letter}{digits}{tail}"
    dotted = compact_form if not tail else f"{compact_form[:3]}.{tail}"
    for ranges in (exempt_list(), chronic_list()):
        assert (dotted in ranges) == (compact_form.lower() in ranges)
        assert code_key(dotted) == compact_form


@given(letter=_LETTER, low=st.integers(0, 99), high=st.integers(0, 99), code=st.integers(0, 99),
       tail=st.text("0123456789", max_size=3))  # fmt: skip
def test_a_category_range_covers_exactly_its_categories(
    letter: str, low: int, high: int, code: int, tail: str
) -> None:
    low, high = min(low, high), max(low, high)
    ranges = CodeRanges.from_json(
        "t", {"source": "t", "entries": [{"codes": f"{letter}{low:02}-{letter}{high:02}"}]}
    )
    assert (f"{letter}{code:02}{tail}" in ranges) is (low <= code <= high)
