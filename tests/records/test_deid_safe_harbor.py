"""De-identification that holds: the leaks found in review (issue 17, item 2), recall and
precision over the planted identifiers of ``deid_cases``, and scrubbing arbitrary text.

Every name, number and place here is invented.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medcoder.records.deid import PatientIdentifiers, redactions, scrub

from .deid_cases.evaluate import evaluate, heldback, synthetic

JOHN = PatientIdentifiers(names=("John Harrowgate",), mrns=("QX-774411",), dob=dt.date(1950, 4, 2))

# Issue 17 item 2: each string kept an identifier in `export --deidentified --with-text`.
LEAKS = [
    ("Medicare ID 1EG4-TE5-MK73 on file.", "1EG4"),
    ("Daughter Sarah at bedside.", "Sarah"),
    ("Lives with wife Mary.", "Mary"),
    ("John's medications reviewed.", "John"),
    ("He lives in Springfield with his son.", "Springfield"),
    ("Car license plate 7ABC123 noted by EMS.", "7ABC123"),
    ("Pacemaker serial number PM4471XZ interrogated.", "PM4471XZ"),
    ("Truck VIN 1HGCM82633A004352 per police report.", "1HGCM82633A004352"),
    ("Chart QX774411 reviewed.", "774411"),
    ("A ninety-two-year-old woman with dyspnea.", "ninety"),
    ("Seen 3/15 for follow-up.", "3/15"),
]


def test_a_possessive_before_a_relation_is_a_name_the_record_need_not_know() -> None:
    out = scrub("John's wife Mary called; Mary will bring his list.")
    assert "John" not in out and "Mary" not in out, out


@pytest.mark.parametrize(("text", "identifier"), LEAKS)
def test_issue17_leak_is_closed(text: str, identifier: str) -> None:
    out = scrub(text, JOHN)
    assert identifier.lower() not in out.lower(), out


def test_word_age_is_pooled_and_clinical_eponyms_stay() -> None:
    out = scrub("A ninety-two-year-old with Parkinson disease, Down syndrome, Apgar 9.", JOHN)
    assert "90+-year-old" in out
    for term in ("Parkinson disease", "Down syndrome", "Apgar 9"):
        assert term in out


@pytest.mark.parametrize(
    "phrase",
    [
        "Parkinson disease", "Down syndrome", "Apgar 8 and 9", "Crohn disease", "Graves disease",
        "metformin 500 mg BID", "Eliquis 5 mg", "E11.65", "Z79.4", "CPT 99214", "0DTJ4ZZ",
        "pain 7/10", "strength 5/5", "1/2 tab", "2-3 hours", "5-6 years ago", "62-year-old",
        "CHA2DS2-VASc 4", "HbA1c 7.9%", "SARS-CoV-2", "Right knee pain", "Patient Education",
        "BP 132/84", "IgG4-related disease", "Jackson-Pratt drain",
    ],
)  # fmt: skip
def test_clinical_wording_survives(phrase: str) -> None:
    assert scrub(f"Assessment: {phrase}.", JOHN) == f"Assessment: {phrase}."


# Floors at the figures measured when the set was written (README, "De-identified
# export"); a change that loses one planted identifier or redacts one more clinical word
# fails here.
def test_recall_and_precision_on_the_synthetic_set() -> None:
    fig = evaluate(synthetic())
    assert sum(fig.planted.values()) >= 300 and len(fig.planted) == 18
    assert fig.recall >= 1.0, fig.leaks
    assert fig.precision >= 1.0, fig.wrong
    assert not fig.lost_clinical


def test_held_back_notes_keep_their_measured_recall() -> None:
    # Written by hand before the rules were changed and never tuned on: 37 of 43 removed
    # when first measured; what stays is listed in the README.
    fig = evaluate(heldback())
    assert sum(fig.planted.values()) >= 30
    assert fig.recall >= 37 / 43, fig.leaks


_PIECES = st.sampled_from(
    [
        "Dr.", "Mr", "wife", "Daughter", "Sarah", "John", "John's", "MRN", "Medicare ID",
        "plate", "serial", "lives in", "Seen", "3/15", "12/31/1931", "ninety-two", "year-old",
        "91", "yo", "aged", "OH", "43210", "ZIP", "(614) 555-0142", "x@y.org", "www.a.com/b",
        "10.0.0.1", "078-05-1120", "1EG4-TE5-MK73", "QX-774411", "County", "Hospital",
        "Road", "St.", "March", "Christmas", "[NAME]", "[DATE 2024]", "90+", "432XX", "-",
        ",", ".", ":", "#", "'", "\n", " ", "  ",
    ]
)  # fmt: skip
_TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(_PIECES, st.text(max_size=4)), max_size=40).map(" ".join),
)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_scrub_never_raises_and_is_idempotent(text: str) -> None:
    once = scrub(text, JOHN)
    assert scrub(once, JOHN) == once
    spans = redactions(text, JOHN)
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Seen 1/13 x@y.org", "Seen [DATE] [EMAIL]"),  # hypothesis found: "x" read as a unit
        ("Seen 3/15 h@x.org", "Seen [DATE] [EMAIL]"),
        ("3/15 x 2 daily", "3/15 x 2 daily"),  # a dose stays
    ],
)
def test_month_day_before_an_email_is_a_date(text: str, expected: str) -> None:
    assert scrub(text, JOHN) == expected


def test_the_age_placeholder_after_an_id_label_stays() -> None:
    """Hypothesis found: "MRN ninety-two yearo" -> "MRN 90+ yearo", then "90" as an id."""
    once = scrub("MRN ninety-two yearo", JOHN)
    assert "90+" in once and scrub(once, JOHN) == once


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dr Aa Dr Bb", "Dr [NAME] Dr [NAME]"),  # hypothesis found: "Aa Dr" read as one name
        ("seen by Dr. Smith Dr Jones", "seen by Dr. [NAME] Dr [NAME]"),
    ],
)
def test_a_title_ends_the_name_before_it(text: str, expected: str) -> None:
    assert scrub(text, JOHN) == expected
    assert scrub(expected, JOHN) == expected
