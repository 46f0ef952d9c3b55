"""Agreement of the E/M stage with the hand-assigned levels of the synthetic visit notes.

The floors are the agreement measured when the cases were added (see the README): the
dev set (em_cases, written before the stage), the held-out set (em_cases_heldout,
written after it was built and scored once before two lexicon fixes) and the blind set
(em_cases_blind, written last and never tuned on)."""

from __future__ import annotations

from pathlib import Path

from medcoder.evaluation.em import agreement_text, run_em_agreement

HERE = Path(__file__).resolve().parent
DEV_FLOOR = 0.95  # measured 1.00 (40 cases)
HELD_OUT_FLOOR = 0.85  # measured 0.867 on first run (13/15), 1.00 after two lexicon fixes
BLIND_FLOOR = 0.8  # measured 0.80 (8/10), not tuned on


def test_dev_cases_agree() -> None:
    report = run_em_agreement(HERE / "em_cases")
    assert len(report.cases) >= 30
    assert report.agreement >= DEV_FLOOR, agreement_text(report)
    assert report.full_agreement >= DEV_FLOOR - 0.05, agreement_text(report)


def test_held_out_cases_agree() -> None:
    report = run_em_agreement(HERE / "em_cases_heldout")
    assert report.agreement >= HELD_OUT_FLOOR, agreement_text(report)


def test_blind_cases_agree() -> None:
    report = run_em_agreement(HERE / "em_cases_blind")
    assert report.agreement >= BLIND_FLOOR, agreement_text(report)


def test_cases_span_every_level_and_both_bases() -> None:
    report = run_em_agreement(HERE / "em_cases")
    expected = {c.expected for c in report.cases}
    assert expected >= {"99202", "99203", "99204", "99205", "99211", "99212", "99213",
                        "99214", "99215", "none"}  # fmt: skip
    assert {c.expected_basis for c in report.cases} >= {"mdm", "time"}


def test_the_report_has_a_confusion_matrix() -> None:
    text = agreement_text(run_em_agreement(HERE / "em_cases_heldout"))
    assert text.startswith("E/M agreement: ")
    assert "expected \\ found" in text
