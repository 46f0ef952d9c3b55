"""Issue 17 item 6: one large note must not hold the service. Coding is linear in the
note's length (bench/bench_long_notes.py shows it), and a REST request has a time budget
that stops coding with E302 instead of holding a worker for minutes."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from medcoder.errors import TimeBudgetError
from medcoder.kinds import Setting
from medcoder.nlp.document import ClinicalDocument
from medcoder.pipeline import CodingEngine

# Synthetic, one unbroken sentence (no full stop): the shape that was quadratic.
CLAUSE = "chest pain and shortness of breath with cough and type 2 diabetes mellitus and "
DAY = dt.date(2026, 5, 1)


def _note(chars: int) -> ClinicalDocument:
    text = (CLAUSE * (chars // len(CLAUSE) + 1))[:chars]
    return ClinicalDocument(text=text, setting=Setting.OUTPATIENT, date_of_service=DAY)


def test_a_spent_budget_stops_coding_with_e302(coding_engine: CodingEngine) -> None:
    with pytest.raises(TimeBudgetError) as caught:
        coding_engine.code(_note(20_000), time_budget=0.0)
    assert caught.value.code == "E302"
    assert "20,000 characters" in caught.value.message


def test_a_budget_that_suffices_changes_nothing(coding_engine: CodingEngine) -> None:
    document = _note(5_000)
    assert coding_engine.code(document, time_budget=600.0) == coding_engine.code(document)


def test_a_code_repeated_thousands_of_times_keeps_each_evidence_once(
    coding_engine: CodingEngine,
) -> None:
    """The merge of a code's mentions is a dict, not a list scan (the quadratic step)."""
    result = coding_engine.code(_note(60_000))
    for code in result.codes:
        assert len(set(code.evidence)) == len(code.evidence)
        assert len(set(code.rules)) == len(code.rules)
    assert max(len(c.evidence) for c in result.codes) > 100


def test_the_api_answers_503_e302_past_its_budget(
    client: TestClient, headers: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDCODER_CODE_TIME_BUDGET_S", "0.000001")
    text = (CLAUSE * 400)[:30_000]
    response = client.post(
        "/v1/code", json={"text": text, "date": DAY.isoformat()}, headers=headers["coder"]
    )
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "E302"
    monkeypatch.setenv("MEDCODER_CODE_TIME_BUDGET_S", "0")  # no budget: coded
    ok = client.post("/v1/code", json={"text": text[:2000], "date": DAY.isoformat()},
                     headers=headers["coder"])  # fmt: skip
    assert ok.status_code == 200, ok.text


def test_a_bad_budget_setting_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from medcoder import settings
    from medcoder.errors import ConfigurationError

    for bad in ("soon", "-1", "nan", "inf"):
        monkeypatch.setenv("MEDCODER_CODE_TIME_BUDGET_S", bad)
        with pytest.raises(ConfigurationError):
            settings.code_time_budget()
    monkeypatch.setenv("MEDCODER_CODE_TIME_BUDGET_S", "0")
    assert settings.code_time_budget() is None
