"""ICD-10-CM code syntax: normalization, placeholder X and 7th characters (Guidelines I.A.4-5)."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medcoder.codesets.codes import (
    PLACEHOLDER,
    CodeRef,
    category,
    compact,
    is_code_syntax,
    normalize,
    parent_candidates,
    parse_ref,
    with_seventh,
)
from medcoder.errors import InvalidInputError, MedcoderError

ALNUM = string.digits + string.ascii_uppercase


def flat_codes(min_size: int = 3, max_size: int = 7) -> st.SearchStrategy[str]:
    """Codes without dots, shaped like ICD-10-CM: a letter, then letters or digits."""
    return st.builds(
        lambda first, rest: first + rest,
        st.sampled_from(string.ascii_uppercase),
        st.text(alphabet=ALNUM, min_size=min_size - 1, max_size=max_size - 1),
    )


@st.composite
def messy_spelling(draw: st.DrawFn, flat: str) -> str:
    """The same code as a person might type it: any case, stray dots and spaces."""
    parts = [draw(st.sampled_from(["", " ", "\t"]))]
    for char in flat:
        parts.append(char.lower() if draw(st.booleans()) else char)
        parts.append(draw(st.sampled_from(["", "", ".", " ", " . "])))
    parts.append(draw(st.sampled_from(["", " ", "\n"])))
    return "".join(parts)


def invalid_codes() -> st.SearchStrategy[str]:
    """Strings that cannot be a code, a section or a chapter number."""
    too_short = st.from_regex(r"[A-Z][0-9A-Z]?", fullmatch=True)
    too_long = st.from_regex(r"[A-Z][0-9A-Z]{7,10}", fullmatch=True)
    digit_first = st.from_regex(r"[0-9][A-Z][0-9A-Z]{1,5}", fullmatch=True)
    foreign_char = st.builds(
        lambda code, char, at: code[:at] + char + code[at:],
        flat_codes(),
        st.sampled_from("/#,;*+_()!"),
        st.integers(min_value=1, max_value=3),
    )
    return st.one_of(too_short, too_long, digit_first, foreign_char)


# --- examples -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("s72001a", "S72.001A"),
        ("S72.001a", "S72.001A"),
        (" S72.001A ", "S72.001A"),
        ("e11", "E11"),
        ("E11.9", "E11.9"),
        ("o9a211", "O9A.211"),
        ("c4a.0", "C4A.0"),
        ("t36.0x1a", "T36.0X1A"),
        ("01", "1"),
        ("22", "22"),
        (" a00-a09 ", "A00-A09"),
        ("B10-B10", "B10-B10"),
    ],
)
def test_normalize_examples(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "   ", "E", "E1", "0", "23", "11.9", "S72.001AB", "E11-9", "A00-A9", "É11"]
)
def test_normalize_rejects_non_codes(raw: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        normalize(raw)
    assert caught.value.code == "E300"
    assert caught.value.hint  # tells the user what a code looks like


@pytest.mark.parametrize("raw", ["²", "¹²", "٣"])
def test_normalize_rejects_non_ascii_digits(raw: str) -> None:
    with pytest.raises(InvalidInputError):
        normalize(raw)


def test_compact_and_category() -> None:
    assert compact(" s72.001 a ") == "S72001A"
    assert category("E11.22") == "E11"
    assert category("t36.0x1a") == "T36"


def test_with_seventh_pads_with_placeholder() -> None:
    assert with_seventh("S00.00", "a") == "S00.00XA"
    assert with_seventh("T36", "D") == "T36.XXXD"
    assert with_seventh("S72.001", "A") == "S72.001A"


def test_with_seventh_refuses_a_code_that_has_seven_characters() -> None:
    with pytest.raises(InvalidInputError, match="already has seven characters"):
        with_seventh("S72.001A", "D")


@pytest.mark.parametrize(("code", "seventh"), [("S0", "A"), ("S00", "")])
def test_with_seventh_rejects_bad_input(code: str, seventh: str) -> None:
    with pytest.raises(InvalidInputError):
        with_seventh(code, seventh)


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("E11.9", CodeRef("E11.9", incomplete=False)),
        ("C79.8-", CodeRef("C79.8", incomplete=True)),
        ("I63.-", CodeRef("I63", incomplete=True)),
        ("X00.1-", CodeRef("X00.1", incomplete=True)),
        (" h93.29- ", CodeRef("H93.29", incomplete=True)),
    ],
)
def test_parse_ref_examples(printed: str, expected: CodeRef) -> None:
    assert parse_ref(printed) == expected


def test_parse_ref_of_a_bare_dash_is_invalid() -> None:
    with pytest.raises(InvalidInputError):
        parse_ref("-")


def test_code_ref_prints_as_the_index_does() -> None:
    assert str(CodeRef("C79.8", incomplete=True)) == "C79.8-"
    assert str(CodeRef("E11.9")) == "E11.9"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("T36.0X1A", ["T36.0X1", "T36.0", "T36"]),
        ("S00.00XA", ["S00.00", "S00.0", "S00"]),
        ("E11.22", ["E11.2", "E11"]),
        ("E11", []),
    ],
)
def test_parent_candidates_skip_placeholders(code: str, expected: list[str]) -> None:
    assert parent_candidates(code) == expected


# --- properties -----------------------------------------------------------------------


@given(flat_codes())
def test_normalize_is_idempotent(flat: str) -> None:
    once = normalize(flat)
    assert normalize(once) == once


@given(flat_codes())
def test_normalize_puts_the_dot_after_the_category(flat: str) -> None:
    expected = flat if len(flat) == 3 else f"{flat[:3]}.{flat[3:]}"
    assert normalize(flat) == expected


@given(st.data(), flat_codes())
def test_normalize_ignores_case_dots_and_spaces(data: st.DataObject, flat: str) -> None:
    typed = data.draw(messy_spelling(flat))
    assert normalize(typed) == normalize(flat)
    assert compact(normalize(typed)) == compact(typed) == flat
    assert is_code_syntax(typed)


@given(flat_codes(max_size=6), st.sampled_from(ALNUM), st.booleans())
def test_with_seventh_pads_to_six_then_adds_the_character(
    flat: str, seventh: str, lower: bool
) -> None:
    code = normalize(flat).lower() if lower else normalize(flat)
    result = with_seventh(code, seventh.lower() if lower else seventh)
    assert len(result) == 8
    assert result[3] == "."
    assert compact(result) == flat.ljust(6, PLACEHOLDER) + seventh
    assert normalize(result) == result


@given(flat_codes(min_size=7, max_size=7), st.sampled_from(ALNUM))
def test_with_seventh_on_a_full_code_is_refused(flat: str, seventh: str) -> None:
    with pytest.raises(InvalidInputError):
        with_seventh(flat, seventh)


@given(flat_codes(), st.booleans())
def test_parse_ref_round_trips(flat: str, dotted_dash: bool) -> None:
    code = normalize(flat)
    printed = f"{code}.-" if dotted_dash and len(flat) == 3 else f"{code}-"
    ref = parse_ref(printed)
    assert ref == CodeRef(code, incomplete=True)
    assert parse_ref(str(ref)) == ref
    assert parse_ref(code) == CodeRef(code, incomplete=False)


@given(flat_codes())
def test_parent_candidates_are_shorter_prefixes_without_trailing_placeholder(flat: str) -> None:
    parents = parent_candidates(flat)
    flats = [compact(p) for p in parents]
    assert all(flat.startswith(p) and len(p) < len(flat) for p in flats)
    assert [len(p) for p in flats] == sorted((len(p) for p in flats), reverse=True)
    assert all(len(p) == 3 or not p.endswith(PLACEHOLDER) for p in flats)
    expected = [flat[:n] for n in range(len(flat) - 1, 2, -1)]
    expected = [p for p in expected if len(p) == 3 or not p.endswith(PLACEHOLDER)]
    assert flats == expected


@given(invalid_codes())
def test_invalid_strings_raise_invalid_input(text: str) -> None:
    assert not is_code_syntax(text)
    with pytest.raises(InvalidInputError) as caught:
        normalize(text)
    assert isinstance(caught.value, MedcoderError)
    with pytest.raises(InvalidInputError):
        parse_ref(text + "-")
