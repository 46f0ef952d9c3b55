"""The pipeline keeps no per-note state: notes coded by many threads at once come out as
they do one at a time (issue 11: the API codes requests in parallel, without a lock)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from medcoder.pipeline import engine_for, make_document
from medcoder.serialize import result_json

NOTES = [
    "ASSESSMENT: Type 2 diabetes with diabetic chronic kidney disease stage 3. Hypertension.",
    "HPI: 45-year-old female slipped on ice and fell.\nASSESSMENT: Fracture of right wrist.",
    "HPI: No chest pain. Possible pneumonia.\nASSESSMENT: Cough. Fever.",
    "ASSESSMENT: History of breast cancer. Family history of colon cancer. Morbid obesity.",
    "CHIEF COMPLAINT: Follow-up.\nHPI: Returns for hypertension.\nEXAM: BP 130/80.\n"
    "ASSESSMENT: Essential hypertension, stable.\nPLAN: Continue lisinopril.",
    "DISCHARGE DIAGNOSES: Sepsis due to E. coli. Acute kidney injury. COPD exacerbation.",
]


def test_threads_code_as_one_thread_does(built_home: Path) -> None:
    engine = engine_for(built_home)
    documents = [
        make_document(text, date_of_service=date(2026, 5, 1), setting=setting, id=str(i))
        for i, text in enumerate(NOTES)
        for setting in ("outpatient", "inpatient")
    ]
    alone = [result_json(engine.code(d)) for d in documents]
    with ThreadPoolExecutor(max_workers=6) as pool:
        together = list(pool.map(lambda d: result_json(engine.code(d)), documents * 4))
    assert together == alone * 4
    assert any(r["codes"] for r in alone)
