"""Scrubbing note text for the de-identified export (Safe Harbor, 45 CFR 164.514(b)(2)).

Every name, number and address below is invented for these tests.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from medcoder.errors import InvalidInputError
from medcoder.records.deid import RESTRICTED_ZIP3, PatientIdentifiers, scrub, zip3
from medcoder.records.service import Records

from .conftest import PATIENT

WHO = PatientIdentifiers(
    names=("Ottoline Vantablack", "Brannock Quillfeather"), mrns=("QX-774411",)
)

NOTE = """\
Patient: Ottoline Vantablack   MRN: QX-774411   DOB: 03/09/1931
Ottoline Vantablack is a 95-year-old woman seen on 2026-05-01 by Dr. Jones, referred by
Mrs. Abernathy-Klotz. Last visit March 5, 2024; before that 5 Feb 2023 and 12/2022.
Home: 4417 Larkspur Hollow Road, Apt 3B, Quintonville, OH 43210. Summer: Zip code 03601.
Phone (614) 555-0142, fax 614.555.0199, email ottoline.v@example.org,
portal https://mychart.example.org/p?id=77. SSN 078-05-1120. Acct # ZB-99812.
Device IP 10.20.30.40. Ref 88812345. aged 93. Sister is 91 yo.
ASSESSMENT: Type 2 diabetes with stage 3a CKD; A1c 7.9% on metformin 500 mg BID.
BP 132/84, eGFR 52. Ms. Vantablack agrees. Called ottoline back about QX-774411.
Electronically signed: Brannock Quillfeather, MD
"""

IDENTIFIERS = (
    "Ottoline",
    "ottoline",
    "Vantablack",
    "QX-774411",
    "1931",
    "2026-05-01",
    "03/09",
    "Jones",
    "Abernathy",
    "March 5",
    "5 Feb",
    "12/2022",
    "4417",
    "Larkspur",
    "Quintonville",
    "43210",
    "03601",
    "555-0142",
    "555.0199",
    "example.org",
    "078-05-1120",
    "ZB-99812",
    "10.20.30.40",
    "88812345",
    "93",
    "91",
    "Brannock",
    "Quillfeather",
)

CLINICAL = (
    "Type 2 diabetes",
    "stage 3a CKD",
    "A1c 7.9%",
    "metformin 500 mg BID",
    "BP 132/84",
    "eGFR 52",
    "ASSESSMENT:",
)


@pytest.fixture(scope="module")
def scrubbed() -> str:
    return scrub(NOTE, WHO)


@pytest.mark.parametrize("identifier", IDENTIFIERS)
def test_every_identifier_kind_is_removed(scrubbed: str, identifier: str) -> None:
    assert identifier not in scrubbed, scrubbed


@pytest.mark.parametrize("phrase", CLINICAL)
def test_clinical_content_survives(scrubbed: str, phrase: str) -> None:
    assert phrase in scrubbed


def test_placeholders_keep_what_safe_harbor_allows(scrubbed: str) -> None:
    assert "[DATE 2024]" in scrubbed and "[DATE 2023]" in scrubbed  # the year stays
    assert "DOB: [DATE]" in scrubbed  # a year that shows an age over 89 does not
    assert "90+-year-old" in scrubbed and "aged 90+" in scrubbed and "90+ yo" in scrubbed
    assert "[CITY], OH 432XX" in scrubbed  # first three ZIP digits
    assert "Zip code 000XX" in scrubbed  # 036 is a restricted three-digit area
    for placeholder in ("[ADDRESS]", "[PHONE]", "[EMAIL]", "[URL]", "[SSN]", "[IP]", "[ID]"):
        assert placeholder in scrubbed
    assert "Dr. [NAME]" in scrubbed and "Mrs. [NAME]" in scrubbed
    assert "[URL]. SSN" in scrubbed  # the sentence's full stop is not part of the URL


def test_scrub_is_idempotent(scrubbed: str) -> None:
    assert scrub(scrubbed, WHO) == scrubbed
    assert scrub(scrubbed) == scrubbed


def test_titled_and_introduced_names_go_without_knowing_the_patient() -> None:
    text = scrub("Mr. Smith was seen. Harold Pemberton is a 62-year-old man. Dr Lee agrees.")
    assert "Smith" not in text and "Harold" not in text and "Pemberton" not in text
    assert "Lee" not in text
    assert "62-year-old" in text  # ages up to 89 are allowed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("seen 2024-03-05", "seen [DATE 2024]"),
        ("seen 3/5/2024", "seen [DATE 2024]"),
        ("seen 3/5/24", "seen [DATE]"),
        ("seen March 5, 2024", "seen [DATE 2024]"),
        ("seen Sept 5th", "seen [DATE]"),
        ("seen 5 March 2024", "seen [DATE 2024]"),
        ("seen March 2024", "seen [DATE 2024]"),
    ],
)
def test_dates_in_every_format(text: str, expected: str) -> None:
    assert scrub(text) == expected


def test_restricted_zip3() -> None:
    assert len(RESTRICTED_ZIP3) == 17
    assert zip3("82301") == "000" and zip3("10001") == "100"


def test_cli_export_with_text(coded: Records) -> None:
    from click.testing import CliRunner

    from medcoder.cli import main

    for row in coded.encounter_view("cora", "E-100").codes:
        coded.accept("cora", "E-100", row.code)
    coded.finalize("cora", "E-100")
    runner = CliRunner()
    out = runner.invoke(
        main, ["export", "--deidentified", "--with-text", "--format", "csv", "--user", "ann"]
    )
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert rows and all("Type 2 diabetes mellitus" in r["text"] for r in rows)
    for identifier in (PATIENT["name"], PATIENT["mrn"], "E-100"):
        assert identifier not in out.output
    refused = runner.invoke(main, ["export", "--with-text", "--user", "mia"])
    assert refused.exit_code != 0 and "--deidentified" in refused.output
    with pytest.raises(InvalidInputError):
        coded.export_rows("mia", deidentified=False, with_text=True)


def test_cli_export_parquet(coded: Records, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    from click.testing import CliRunner

    from medcoder.cli import main

    for row in coded.encounter_view("cora", "E-100").codes:
        coded.accept("cora", "E-100", row.code)
    coded.finalize("cora", "E-100")
    target = tmp_path / "codes.parquet"
    out = CliRunner().invoke(
        main,
        ["export", "--deidentified", "--format", "parquet", "--output", str(target),
         "--user", "ann"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    table = pq.read_table(target).to_pylist()
    assert table and {"code", "system", "release"} <= set(table[0])
    assert all(PATIENT["name"] not in str(row) for row in table)
    missing = CliRunner().invoke(main, ["export", "--deidentified", "--format", "parquet",
                                        "--user", "ann"])  # fmt: skip
    assert missing.exit_code == 2 and "--output" in missing.output
