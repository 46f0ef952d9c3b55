"""Issue 12 part 3 in the records: an inpatient stay's MS-DRG follows its codes in the
encounter view (a CC added moves the DRG), is stored at finalize (the billed DRG, named
in the audit event), and is cleared by a re-open."""

from __future__ import annotations

import json

from sqlalchemy import select

from medcoder.records.models import AuditEvent, Encounter
from medcoder.records.service import Records
from tests.codesets.hcpcs.conftest import hcpcs_home  # noqa: F401  (fixture)
from tests.records.test_procedures import procedure_home, stays  # noqa: F401  (fixtures)


def _drg(records: Records) -> dict[str, object]:
    view = records.encounter_view("cora", "IP-1")
    assert view.drg is not None and "error" not in view.drg, view.drg
    return view.drg


def test_the_drg_follows_the_codes_and_is_billed_at_finalize(stays: Records) -> None:  # noqa: F811
    before = _drg(stays)
    assert str(before["title"]).upper().startswith("APPENDIX PROCEDURES")  # v43 Table 5
    assert before["principal"] == "K35.80" and before["cc"] == [] and before["mcc"] == []
    # Acute kidney injury is a CC (Table 6J): documenting it would move the DRG.
    stays.add("cora", "IP-1", "N17.9", "AKI documented in the hospital course", poa="N")
    after = _drg(stays)
    assert after["cc"] == ["N17.9"] and after["drg"] != before["drg"]
    assert float(after["weight"]) > float(before["weight"])  # type: ignore[arg-type]
    assert stays.encounter_view("cora", "OP-1").drg is None  # outpatient: no DRG

    for code, system in (("K35.80", None), ("E11.9", None), ("0DTJ4ZZ", "icd10pcs")):
        stays.accept("cora", "IP-1", code, system=system)
    stays.set_poa("cora", "IP-1", "E11.9", "Y")
    stays.finalize("cora", "IP-1")
    with stays._sessions() as session:
        stay = session.scalar(select(Encounter).where(Encounter.external_id == "IP-1"))
        assert stay is not None
        assert (stay.drg, stay.drg_version) == (after["drg"], "v43")
        assert stay.drg_weight == after["weight"]
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "finalize").order_by(AuditEvent.id)
        ).all()[-1]
        assert json.loads(event.detail)["after"]["drg"] == after["drg"]
    assert stays.encounter_view("cora", "IP-1").billed_drg == after["drg"]

    stays.reopen("rex", "IP-1", "query answered: recheck the DRG")
    with stays._sessions() as session:
        stay = session.scalar(select(Encounter).where(Encounter.external_id == "IP-1"))
        assert stay is not None and stay.drg is None and stay.drg_weight is None
    assert _drg(stays)["drg"] == after["drg"]  # the view still groups the codes
