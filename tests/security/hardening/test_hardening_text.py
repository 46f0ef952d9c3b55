"""Issue 17, item 17: a UTF-16 note got no codes and a misleading notice, and a zero-width
space inside a word hid it. The byte-order mark now names the encoding, and invisible
format characters are taken out before coding with every evidence span mapped back onto
the characters as written."""

from __future__ import annotations

import codecs
import json
import sys
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from medcoder.cli import main
from medcoder.nlp.normalize import FORMAT_RANGES, decode_note, remove_invisible
from medcoder.pipeline import CodingEngine, make_document

NOTE = "ASSESSMENT: Type 2 diabetes mellitus. Essential hypertension."
MARKED = {
    "utf-8-sig": NOTE.encode("utf-8-sig"),
    "utf-16": NOTE.encode("utf-16"),
    "utf-16-le": codecs.BOM_UTF16_LE + NOTE.encode("utf-16-le"),
    "utf-16-be": codecs.BOM_UTF16_BE + NOTE.encode("utf-16-be"),
    "utf-32-le": codecs.BOM_UTF32_LE + NOTE.encode("utf-32-le"),
    "utf-32-be": codecs.BOM_UTF32_BE + NOTE.encode("utf-32-be"),
}


@pytest.mark.parametrize("encoding", sorted(MARKED))
def test_the_byte_order_mark_names_the_encoding(encoding: str) -> None:
    assert decode_note(MARKED[encoding]) == (NOTE, [])


def test_bytes_without_a_mark_are_utf8_and_bad_bytes_are_named() -> None:
    assert decode_note("Café".encode()) == ("Café", [])
    text, notices = decode_note(b"Asthma \xff.", "n.txt")
    assert text == "Asthma \ufffd." and "n.txt: 1 byte(s) were not UTF-8" in notices[0]


def test_the_format_ranges_are_unicode_category_cf() -> None:
    listed = {c for a, b in FORMAT_RANGES for c in range(a, b + 1)}
    cf = {c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"}
    assert listed == cf


@given(st.text(alphabet=st.sampled_from("ab \u200b\u00ad\ufeff\u2060c"), max_size=40))
def test_offsets_map_back_onto_the_original(text: str) -> None:
    clean = remove_invisible(text)
    assert all(unicodedata.category(ch) != "Cf" for ch in clean.text)
    for i, ch in enumerate(clean.text):
        assert text[clean.to_original(i)] == ch
    for start in range(len(clean.text)):
        for end in range(start + 1, len(clean.text) + 1):
            a, b = clean.span(start, end)
            kept = "".join(ch for ch in text[a:b] if unicodedata.category(ch) != "Cf")
            assert kept == clean.text[start:end]


@pytest.mark.parametrize("hidden", ["\u200b", "\u00ad", "\u200d", "\u2060", "\ufeff"])
def test_an_invisible_character_inside_a_word_no_longer_hides_it(
    coding_engine: CodingEngine, hidden: str
) -> None:
    plain = coding_engine.code(make_document(NOTE, date_of_service="2026-05-01"))
    text = NOTE.replace("diabetes", f"dia{hidden}betes").replace("hyper", f"hyper{hidden}")
    found = coding_engine.code(make_document(text, date_of_service="2026-05-01"))
    assert [c.code for c in found.codes] == [c.code for c in plain.codes]
    assert "E11.9" in [c.code for c in found.codes]
    for code in found.codes:
        for evidence in code.evidence:  # spans point at the note as written
            assert text[evidence.start : evidence.end] == evidence.text
    diabetes = next(c for c in found.codes if c.code == "E11.9").evidence[0]
    assert hidden in diabetes.text


def test_the_cli_codes_a_utf16_note_without_a_notice(built_home: Path, tmp_path: Path) -> None:
    note = tmp_path / "visit.txt"
    note.write_bytes(NOTE.encode("utf-16"))
    result = CliRunner().invoke(
        main,
        ["--home", str(built_home), "code", str(note), "--date", "2026-05-01", "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert "E11.9" in [c["code"] for c in data["codes"]]
    assert not any("UTF-8" in notice for notice in data["notices"])
    assert "UTF-8" not in result.stderr
