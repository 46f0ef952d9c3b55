"""Every report on the synthetic database of ``conftest`` (three finalized encounters,
one in review, one pending), each figure worked out by hand from the rows there."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from medcoder.errors import InvalidInputError, PermissionDeniedError
from medcoder.hcc.model import risk_score
from medcoder.records.models import CodeAssignment, Encounter
from medcoder.records.service import Records
from medcoder.reports.filters import parse_filters
from medcoder.reports.options import ReportOptions, parse_options
from medcoder.reports.runner import KINDS, run_report

from .conftest import R25, needs_ahrq

AS_OF = ReportOptions(as_of=dt.date(2026, 3, 25))


def rows(records: Records, kind: str, table: str, **filters: Any) -> list[dict[str, Any]]:
    report = run_report(records, "ann", kind, parse_filters(**filters), AS_OF)
    return report.table(table).records()


def test_codes_top_and_trend(synthetic: Records) -> None:
    top = rows(synthetic, "codes", "top")
    # Reported codes of finalized encounters: S-1 I50.23 E11.22 N18.4; S-2 M17.11 I10;
    # S-3 J45.909 E11.65 (E66.9 rejected, E11.9 changed; S-4 is in review).
    assert sorted(r["code"] for r in top) == sorted(
        ["I50.23", "E11.22", "N18.4", "M17.11", "I10", "J45.909", "E11.65"]
    )
    assert all(r["count"] == 1 and r["percent"] == pytest.approx(14.29) for r in top)
    categories = run_report(
        synthetic, "ann", "codes", options=parse_options(by="category", top="1")
    ).table("top")
    assert categories.records() == [
        {"rank": 1, "system": "icd10cm", "category": "E11", "title": "", "count": 2,
         "percent": pytest.approx(28.57)}
    ]  # fmt: skip
    trend = run_report(
        synthetic, "ann", "codes", options=parse_options(by="category", top="1")
    ).table("trend")
    assert trend.rows == [("2026-01", "icd10cm", "E11", 1), ("2026-02", "icd10cm", "E11", 1)]


def test_codes_filters(synthetic: Records) -> None:
    assert {r["code"] for r in rows(synthetic, "codes", "top", payer="Acme")} == {
        "M17.11", "I10", "J45.909", "E11.65"
    }  # fmt: skip
    assert {r["code"] for r in rows(synthetic, "codes", "top", coder="rex")} == {"M17.11", "I10"}
    assert {r["code"] for r in rows(synthetic, "codes", "top", setting="outpatient")} == {
        "J45.909", "E11.65"
    }  # fmt: skip
    assert {r["code"] for r in rows(synthetic, "codes", "top", start="2026-02-05")} == {
        "J45.909", "E11.65"
    }  # fmt: skip
    assert {r["code"] for r in rows(synthetic, "codes", "top", release=R25)} == {
        "J45.909", "E11.65"
    }  # fmt: skip
    assert rows(synthetic, "codes", "top", end="2025-12-31") == []


def test_casemix(synthetic: Records) -> None:
    from medcoder.drg.tables import TABLE5, load_table5
    from medcoder.settings import find_data_dir

    data = find_data_dir()
    if data is None:
        pytest.skip("no CMS data folder")
    table5 = load_table5(data / "msdrg" / TABLE5)
    drgs = rows(synthetic, "casemix", "drgs")
    assert [(r["drg"], r["cases"], r["mean_weight"]) for r in drgs] == [
        ("291", 1, 1.2),
        ("470", 1, 2.0),
    ]
    assert rows(synthetic, "casemix", "cmi_by_month") == [
        {"month": "2026-01", "cases": 1, "cmi": 1.2},
        {"month": "2026-02", "cases": 1, "cmi": 2.0},
    ]
    lines = {r["service_line"]: r["cmi"] for r in rows(synthetic, "casemix", "cmi_by_service_line")}
    assert lines == {f"MDC {table5['291'].mdc}": 1.2, f"MDC {table5['470'].mdc}": 2.0}
    los = {r["drg"]: r for r in rows(synthetic, "casemix", "los")}
    # S-1: Jan 3 -> Jan 8 = 5 days; S-2: Feb 1 -> Feb 3 = 2 days.
    assert los["291"]["mean_los"] == 5.0 and los["470"]["mean_los"] == 2.0
    gmlos = table5["291"].gmlos
    assert gmlos is not None
    assert los["291"]["los_to_gmlos"] == pytest.approx(5.0 / gmlos, abs=1e-3)
    assert rows(synthetic, "casemix", "drgs", payer="Acme")[0]["drg"] == "470"


def test_hcc(synthetic: Records) -> None:
    got = {r["payer"]: r for r in rows(synthetic, "hcc", "raf_by_payer_year")}
    # Service year 2026 -> payment year 2027, bounded to the newest modelled (2026); age
    # on Feb 1 2026: patient 1 (1950-06-15) 75, patient 2 (1980-01-01) 46, 3 (2000-03-01) 25.
    one = risk_score(["I50.23", "E11.22", "N18.4"], age=75, sex="F", year=2026).risk_score
    two = risk_score([], age=46, sex="M", year=2026).risk_score
    three = risk_score(["E11.65"], age=25, sex="F", year=2026).risk_score
    assert got["Medicare"]["patients"] == 1 and got["Medicare"]["with_hcc"] == 1
    assert got["Medicare"]["mean_raf"] == pytest.approx(one, abs=1e-4)
    assert got["Acme"]["patients"] == 2 and got["Acme"]["with_hcc"] == 1
    assert got["Acme"]["mean_raf"] == pytest.approx((two + three) / 2, abs=1e-4)
    prevalence = {(r["payer"], r["hcc"]) for r in rows(synthetic, "hcc", "prevalence")}
    assert ("Medicare", "37") in prevalence  # E11.22: diabetes with chronic complications
    assert ("Acme", "38") in prevalence  # E11.65: diabetes with glycemic complications


@needs_ahrq
def test_comorbidity(synthetic: Records) -> None:
    prevalence = {
        (r["index"], r["category"]): r["encounters"]
        for r in rows(synthetic, "comorbidity", "prevalence")
        if r["encounters"]
    }
    # Charlson reads every diagnosis: S-1 I50.23 (CHF), E11.22 (diabetes with complication),
    # N18.4 (renal); S-2 M17.11, I10 (none); S-3 J45.909 (chronic pulmonary), E11.65 (E11.6:
    # uncomplicated). AHRQ reads secondary diagnoses only (S-1 I50.23, S-2 M17.11 and S-3
    # J45.909 come first): S-1 E11.22 DIAB_CX, N18.4 RENLFL_SEV needs POA and has none;
    # S-2 I10 HTN_UNCX; S-3 (outpatient) E11.65 DIAB_CX.
    assert prevalence == {
        ("charlson", "chf"): 1, ("charlson", "diabwc"): 1, ("charlson", "rend"): 1,
        ("charlson", "copd"): 1, ("charlson", "diab"): 1,
        ("elixhauser_ahrq", "CMR_DIAB_CX"): 2, ("elixhauser_ahrq", "CMR_HTN_UNCX"): 1,
    }  # fmt: skip
    # Charlson: S-1 1 + 2 + 2 = 5, S-2 0, S-3 1 + 1 = 2. AHRQ DIAB_CX: mortality -2,
    # readmission 4; HTN_UNCX 0 and 0.
    assert rows(synthetic, "comorbidity", "index_by_month") == [
        {"month": "2026-01", "encounters": 1, "mean_charlson": 5.0, "mean_ahrq_mortality": -2.0,
         "mean_ahrq_readmission": 4.0},
        {"month": "2026-02", "encounters": 2, "mean_charlson": 1.0, "mean_ahrq_mortality": -1.0,
         "mean_ahrq_readmission": 2.0},
    ]  # fmt: skip
    dist = {
        r["charlson"]: r["encounters"]
        for r in rows(synthetic, "comorbidity", "charlson_distribution")
    }
    assert dist == {"0": 1, "1-2": 1, "3-4": 0, "5+": 1}


def test_coders(synthetic: Records) -> None:
    got = {r["coder"]: r for r in rows(synthetic, "coders", "coders")}
    # cora: S-1 48 h, S-3 12 h -> 30 h; 3 finalizes (S-1 twice), the first re-opened.
    assert got["cora"] == {
        "coder": "cora", "finalized_now": 2, "mean_turnaround_hours": 30.0,
        "finalize_events": 3, "reopened": 1, "reopened_percent": 33.33,
    }  # fmt: skip
    assert got["rex"]["mean_turnaround_hours"] == 24.0 and got["rex"]["reopened"] == 0
    assert rows(synthetic, "coders", "per_day") == [
        {"coder": "cora", "day": "2026-01-10", "finalized": 1},
        {"coder": "rex", "day": "2026-02-04", "finalized": 1},
        {"coder": "cora", "day": "2026-02-10", "finalized": 1},
    ]


def test_coders_reopened_counts_the_finalize_each_reopen_undid(synthetic: Records) -> None:
    from medcoder.records import audit

    # S-2: finalized by rex, re-opened twice (the second undoes nothing); S-3: finalized by
    # cora, then by rex, then re-opened: rex's finalize was undone, not cora's.
    with synthetic._sessions.begin() as session:
        for actor, action, entity_id in (
            ("mia", "reopen", "S-2"), ("mia", "reopen", "S-2"),
            ("rex", "finalize", "S-3"), ("mia", "reopen", "S-3"),
        ):  # fmt: skip
            audit.record(session, actor=actor, action=action, entity="encounter",
                         entity_id=entity_id)  # fmt: skip
    got = {r["coder"]: r for r in rows(synthetic, "coders", "coders")}
    assert (got["cora"]["finalize_events"], got["cora"]["reopened"]) == (3, 1)
    assert (got["rex"]["finalize_events"], got["rex"]["reopened"]) == (2, 2)
    assert got["rex"]["reopened_percent"] == 100.0
    # The coder filter reads who acted: mia's re-opens are not rex's events.
    rex = rows(synthetic, "coders", "coders", coder="rex")
    assert [(r["coder"], r["finalize_events"], r["reopened"]) for r in rex] == [("rex", 2, 0)]


def test_agreement(synthetic: Records) -> None:
    bands = {r["confidence"]: r for r in rows(synthetic, "agreement", "by_confidence")}
    counts = {
        b: (r["decided"], r["accepted"], r["changed"], r["rejected"]) for b, r in bands.items()
    }
    assert counts == {
        "<0.50": (1, 0, 0, 1),  # E66.9 0.40
        "0.50-0.69": (2, 1, 1, 0),  # J45.909 0.60, E11.9 0.55 changed
        "0.70-0.89": (2, 2, 0, 0),  # E11.22 0.85, M17.11 0.80
        ">=0.90": (2, 2, 0, 0),  # I50.23 0.95, I10 0.92 (I50.9 0.70 is undecided)
    }  # fmt: skip
    families = {r["family"]: r["decided"] for r in rows(synthetic, "agreement", "by_family")}
    assert families == {"E": 3, "I": 2, "J": 1, "M": 1}
    assert rows(synthetic, "agreement", "top_changed") == [
        {"suggested": "E11.9", "changed_to": "E11.65", "count": 1}
    ]
    assert rows(synthetic, "agreement", "top_rejected") == [{"suggested": "E66.9", "count": 1}]
    assert {r["family"] for r in rows(synthetic, "agreement", "by_family", coder="rex")} == {
        "E", "I", "M"
    }  # fmt: skip


def test_dnfb(synthetic: Records) -> None:
    got = {r["days_since_discharge"]: r for r in rows(synthetic, "dnfb", "age_buckets")}
    # As of 2026-03-25: S-5 (pending, seen 03-20) 5 days; S-4 (review, discharged 03-05) 20.
    assert (got["4-7"]["pending"], got["4-7"]["total"]) == (1, 1)
    assert (got["15-30"]["in_review"], got["15-30"]["total"]) == (1, 1)
    assert sum(r["total"] for r in got.values()) == 2


def test_edits(synthetic: Records) -> None:
    assert rows(synthetic, "edits", "by_edit") == [
        {"edit": "W1", "findings": 2},
        {"edit": "W2", "findings": 1},
    ]
    assert rows(synthetic, "edits", "by_edit", coder="cora") == [{"edit": "W1", "findings": 1}]
    pairs = rows(synthetic, "edits", "by_edit_and_code")
    assert {"edit": "W2", "codes": "I10+M17.11", "findings": 1} in pairs


def test_release_impact(synthetic: Records, built_home: Path) -> None:
    from medcoder.reports.release_impact import release_impact_report

    with synthetic.engine.begin() as connection:
        # E78.01 is a header (not billable) in 2026-04; L02.212 is retitled there. Counted
        # per encounter: open ones (S-4 in review, S-5 pending) with their active codes,
        # finalized ones (S-3; S-1's E78.01 is only suggested) with their reported codes.
        for cid, eid, code, status in (
            (20, 4, "E78.01", "suggested"),
            (21, 3, "L02.212", "accepted"),
            (22, 3, "L02.212", "added"),  # twice on S-3: one encounter
            (23, 4, "L02.212", "suggested"),
            (24, 5, "L02.212", "accepted"),
            (25, 5, "L02.212", "rejected"),
            (26, 1, "E78.01", "suggested"),
        ):
            connection.execute(
                insert(CodeAssignment).values(
                    id=cid, encounter_id=eid, system="icd10cm", code=code, title="t",
                    sequence=cid, source="engine", status=status, release=R25,
                )
            )  # fmt: skip
    options = ReportOptions(to_release="icd10cm-2026-04")
    with synthetic.reporting("ann", "release-impact", {}) as session:
        report = release_impact_report(session, parse_filters(), options, built_home)
    got = {(r["code"], r["change"], r["open_encounters"], r["finalized_encounters"])
           for r in report.table("codes").records()}  # fmt: skip
    assert got == {("E78.01", "not billable", 1, 0), ("L02.212", "retitled", 2, 1)}
    assert report.table("by_change").rows == [("not billable", 1), ("retitled", 3)]


def test_reports_hold_no_phi(synthetic: Records) -> None:
    text = json.dumps(
        [
            run_report(synthetic, "ann", k, options=AS_OF).to_json()
            for k in KINDS
            if k != "release-impact"
        ]
    )
    for phi in ("MRN-1", "Synthetic Person", "1950-06-15", "S-1", "S-2"):
        assert phi not in text


@pytest.mark.parametrize("user", ["cora", "rex"])
def test_coders_and_reviewers_may_not_run_reports(synthetic: Records, user: str) -> None:
    with pytest.raises(PermissionDeniedError):
        run_report(synthetic, user, "codes")


def test_each_report_run_is_audited(synthetic: Records) -> None:
    from sqlalchemy import select

    from medcoder.records.models import AuditEvent

    run_report(synthetic, "mia", "codes", parse_filters(payer="Acme"))
    with synthetic.engine.connect() as connection:
        event = connection.execute(
            select(AuditEvent.actor, AuditEvent.entity_id, AuditEvent.detail).where(
                AuditEvent.action == "report"
            )
        ).one()
    assert event[0] == "mia" and event[1] == "codes" and '"payer":"Acme"' in event[2]


@pytest.mark.parametrize(
    ("given", "needle"),
    [
        ({"start": "2026-13-01"}, "--from"),
        ({"start": "2026-02-01", "end": "2026-01-01"}, "after"),
        ({"setting": "moon"}, "--setting"),
        ({"payer": "   "}, "--payer"),
    ],
)
def test_bad_filters_are_one_error(given: dict[str, str], needle: str) -> None:
    with pytest.raises(InvalidInputError, match=needle):
        parse_filters(**given)


def test_bad_options_and_kind(synthetic: Records) -> None:
    with pytest.raises(InvalidInputError, match="--top"):
        parse_options(top="0")
    with pytest.raises(InvalidInputError, match="--by"):
        parse_options(by="chapter")
    with pytest.raises(InvalidInputError, match="no report"):
        run_report(synthetic, "ann", "everything")


def test_hcc_scores_a_code_of_the_blends_other_model(synthetic: Records) -> None:
    """PY2025 blends V28 (67%) and V24 (33%): I20.9 maps in V24 only (HCC 88), so a 2024
    patient-year holding it scores above the demographic score alone (it was dropped when
    only the blend's first model was read)."""
    with synthetic.engine.begin() as connection:
        connection.execute(
            insert(Encounter).values(
                id=6, external_id="S-6", patient_id=3, setting="outpatient", payer="Legacy",
                service_date=dt.date(2024, 6, 1), status="finalized",
                created_at=dt.datetime(2024, 6, 1, tzinfo=dt.UTC),
                finalized_at=dt.datetime(2024, 6, 1, 12, tzinfo=dt.UTC), finalized_by="cora",
            )
        )  # fmt: skip
        connection.execute(
            insert(CodeAssignment).values(
                id=11, encounter_id=6, system="icd10cm", code="I20.9", title="title I20.9",
                sequence=1, source="coder", status="added", release="icd10cm-2025-04",
            )
        )  # fmt: skip
    got = {r["payer"]: r for r in rows(synthetic, "hcc", "raf_by_payer_year")}
    # Age on Feb 1 2025 of patient 3 (2000-03-01): 24.
    expected = risk_score(["I20.9"], age=24, sex="F", year=2025).risk_score
    assert expected > risk_score([], age=24, sex="F", year=2025).risk_score
    assert got["Legacy"]["payment_year"] == 2025
    assert got["Legacy"]["mean_raf"] == pytest.approx(expected, abs=1e-4)
