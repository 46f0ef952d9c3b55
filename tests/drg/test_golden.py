"""Golden MS-DRG cases (issue 12 part 3), each checked against its FY2026 Table 5 title;
codes validated in the built FY2026 ICD-10-CM and ICD-10-PCS releases."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from medcoder.drg.grouper import MsDrgGrouper
from medcoder.drg.tables import DrgTables
from medcoder.errors import GroupingInputError

GOLDEN = [
    # (principal, secondaries, procedures, DRG, Table 5 title)
    ("J18.9", ["J96.01"], [], "193", "SIMPLE PNEUMONIA AND PLEURISY WITH MCC"),
    ("J189", ["E871"], [], "194", "SIMPLE PNEUMONIA AND PLEURISY WITH CC"),
    ("J18.9", [], [], "195", "SIMPLE PNEUMONIA AND PLEURISY WITHOUT CC/MCC"),
    ("A41.9", ["J96.01"], [], "871", "SEPTICEMIA OR SEVERE SEPSIS WITHOUT MV >96 HOURS WITH MCC"),
    ("A41.9", [], [], "872", "SEPTICEMIA OR SEVERE SEPSIS WITHOUT MV >96 HOURS WITHOUT MCC"),
    ("I50.23", ["J96.01"], [], "291", "HEART FAILURE AND SHOCK WITH MCC"),
    ("I50.9", ["N17.9"], [], "292", "HEART FAILURE AND SHOCK WITH CC"),
    ("J44.1", ["J96.01"], [], "190", "CHRONIC OBSTRUCTIVE PULMONARY DISEASE WITH MCC"),
    ("J44.1", [], [], "192", "CHRONIC OBSTRUCTIVE PULMONARY DISEASE WITHOUT CC/MCC"),
    (
        "S72.001A",
        ["N17.0"],
        ["0SR9019"],
        "521",
        "HIP REPLACEMENT WITH PRINCIPAL DIAGNOSIS OF HIP FRACTURE WITH MCC",
    ),
    (
        "S72.001A",
        [],
        ["0SR9019"],
        "522",
        "HIP REPLACEMENT WITH PRINCIPAL DIAGNOSIS OF HIP FRACTURE WITHOUT MCC",
    ),
    ("I63.9", ["G93.6"], [], "064", "INTRACRANIAL HEMORRHAGE OR CEREBRAL INFARCTION WITH MCC"),
    ("I63.9", [], [], "066", "INTRACRANIAL HEMORRHAGE OR CEREBRAL INFARCTION WITHOUT CC/MCC"),
    ("K92.2", ["D62"], [], "378", "GASTROINTESTINAL HEMORRHAGE WITH CC"),
    ("K92.2", [], [], "379", "GASTROINTESTINAL HEMORRHAGE WITHOUT CC/MCC"),
    ("N39.0", ["A41.9"], [], "689", "KIDNEY AND URINARY TRACT INFECTIONS WITH MCC"),
    ("N39.0", ["E87.1"], [], "690", "KIDNEY AND URINARY TRACT INFECTIONS WITHOUT MCC"),
]


@pytest.mark.parametrize(("pdx", "sdx", "pcs", "drg", "title"), GOLDEN)
def test_golden_stays(
    grouper: MsDrgGrouper,
    drg_tables: DrgTables,
    pdx: str,
    sdx: list[str],
    pcs: list[str],
    drg: str,
    title: str,
) -> None:
    assert drg_tables.drgs[drg].title == title  # the expectation is Table 5's
    result = grouper.group(pdx, sdx, pcs, sex="M", day=dt.date(2026, 5, 1))
    assert (result.drg, result.title) == (drg, title)
    assert result.weight == drg_tables.drgs[drg].weight
    assert result.version == "v43" and result.releases[0] == "icd10cm-2026-04"


def test_pdx_exclusion_and_what_if(grouper: MsDrgGrouper) -> None:
    result = grouper.group("I50.9", ["I50.23"], sex="F")
    assert result.drg == "293" and result.mcc == ()
    assert "excluded by principal I50.9 (Table 6K PDX collection" in result.excluded[0].reason
    messages = [w.message for w in result.what_if]
    assert messages[0].startswith("an MCC would move 293 -> 291")
    assert messages[1].startswith("a CC would move 293 -> 292")
    # Impact only: no diagnosis code is ever named in a what-if.
    assert not any(re.search(r"\b[A-Z]\d{2}\.?[0-9A-Z]*\b", m) for m in messages)
    assert grouper.group("J18.9", ["J96.01"], sex="F").what_if == ()  # nothing to add


def test_expired_patient_alive_only_mcc(grouper: MsDrgGrouper) -> None:
    expired = grouper.group("I21.4", ["R57.0"], sex="M", discharge_status="20")
    assert expired.drg == "285" and "Table 6K Part 2" in expired.excluded[0].reason
    assert grouper.group("I21.4", ["R57.0"], sex="M", discharge_status="01").drg == "280"


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"pdx": "J18"}, "principal diagnosis J18"),
        ({"pdx": "J18.9", "sdx": ["E11.99"]}, "secondary diagnosis 1 E11.99"),
        ({"pdx": "J18.9", "sdx": ["not a code"]}, "secondary diagnosis 1 'not a code'"),
        ({"pdx": "S72.001A", "pcs": ["0SR90"]}, "procedure 1 '0SR90'"),
        ({"pdx": "S72.001A", "pcs": ["0SR9ZZZ"]}, "procedure 1 0SR9ZZZ"),
        ({"pdx": "J18.9", "age": 130}, "age 130"),
        ({"pdx": "J18.9", "sex": "X"}, "sex 'X'"),
        ({"pdx": "J18.9", "discharge_status": "home"}, "discharge status 'home'"),
        ({"pdx": "J18.9", "day": dt.date(2024, 1, 1)}, "outside FY2026"),
    ],
)
def test_bad_input_names_what(grouper: MsDrgGrouper, kwargs: dict[str, object], named: str) -> None:
    with pytest.raises(GroupingInputError) as error:
        grouper.group(**kwargs)  # type: ignore[arg-type]
    assert named in error.value.message and error.value.code == "E702"
