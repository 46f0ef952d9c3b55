"""``medcoder outcomes REGISTRY`` (issue 15 part 3): for the registry's members, by month
of discharge, the index stays and

- 30-day all-cause readmissions (``window`` days): an index stay is a finalized inpatient
  stay of a member discharged alive and not against medical advice (UB-04 discharge status
  07) nor transferred to another acute hospital (02); it is readmitted when the patient
  has another inpatient stay admitted 1..window days after its discharge (a stay admitted
  on the day of a transfer-out discharge is the transfer's continuation, not a
  readmission; CMS Hospital-Wide Readmission measure methodology). Planned readmissions
  are left out as the CMS Planned Readmission Algorithm's "always planned" diagnosis
  categories that can be read from the first-listed diagnosis alone: maintenance
  chemotherapy (Z51.1-), radiotherapy (Z51.0) and transplant donation (Z52.-); the
  algorithm's procedure-based planned categories are not applied (no CCS procedure
  groups here);
- in-hospital mortality: index-eligible stays (transfers and AMA included) ending in
  death (discharge status 20, 40, 41, 42) / stays;
- length of stay, observed against expected: the sum of days over the sum of the MS-DRG's
  geometric mean length of stay (CMS Table 5) of the stays with a DRG, O/E;
- hospital-acquired conditions: stays with a code of the CMS HAC list reported with POA
  N or U (``data/hac.json``, the categories readable from diagnoses alone).

Risk adjustment: not applied. The Elixhauser readmission and mortality indices are the
AHRQ Elixhauser Comorbidity Software Refined's, whose weights are not available offline
here; the figures are observed rates (LOS: observed / expected against GMLOS).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from medcoder.errors import RecordNotFoundError
from medcoder.kinds import CodeSystem, Setting
from medcoder.records.models import RegistryDefinition, RegistryMember
from medcoder.reports.casemix import table5
from medcoder.reports.filters import ReportFilters
from medcoder.reports.options import ReportOptions
from medcoder.reports.result import Chart, Report, Table
from medcoder.reports.sql import CA, FINALIZED, REPORTED, E, share

DIED = frozenset({"20", "40", "41", "42"})
TRANSFER_ACUTE, AMA = "02", "07"
PLANNED = ("Z51.0", "Z51.1", "Z52.")
HAC_POA = frozenset({"N", "U"})


@cache
def hac_list() -> dict[str, tuple[str, ...]]:
    text = resources.files(__package__).joinpath("data", "hac.json").read_text("utf-8")
    return {k: tuple(v[1]) for k, v in json.loads(text)["categories"].items()}


@dataclass
class Stay:
    id: int
    patient: int
    admit: dt.date
    discharge: dt.date
    status: str | None
    drg: str | None
    payer: str | None
    coder: str | None
    principal: str = ""
    hac: bool = False
    codes: list[tuple[str, str | None]] = field(default_factory=list)


@dataclass
class Month:
    stays: int = 0
    index: int = 0
    readmitted: int = 0
    deaths: int = 0
    los: float = 0.0
    expected: float = 0.0
    hac: int = 0


def _stays(session: Session, registry_id: int) -> dict[int, list[Stay]]:
    members = select(RegistryMember.patient_id).where(
        RegistryMember.registry_id == registry_id, RegistryMember.removed_at.is_(None)
    )
    rows = session.execute(
        select(E.c.id, E.c.patient_id, E.c.admit_date, E.c.discharge_date,
               E.c.discharge_status, E.c.drg, E.c.payer, E.c.finalized_by)
        .where(E.c.patient_id.in_(members))
        .where(E.c.setting == Setting.INPATIENT.value)
        .where(E.c.status == FINALIZED)
        .where(E.c.admit_date.is_not(None), E.c.discharge_date.is_not(None))
    ).all()  # fmt: skip
    stays = {r[0]: Stay(*r) for r in rows}  # fmt: skip
    codes = session.execute(
        select(CA.c.encounter_id, CA.c.code, CA.c.poa, CA.c.sequence)
        .join(E, E.c.id == CA.c.encounter_id)
        .where(E.c.patient_id.in_(members))
        .where(E.c.setting == Setting.INPATIENT.value)
        .where(E.c.status == FINALIZED)
        .where(CA.c.status.in_(REPORTED), CA.c.system == CodeSystem.ICD10CM.value)
        .order_by(CA.c.encounter_id, CA.c.sequence)
    ).all()
    hacs = tuple(p for prefixes in hac_list().values() for p in prefixes)
    for eid, code, poa, _seq in codes:
        stay = stays.get(eid)
        if stay is None:
            continue
        if not stay.principal:
            stay.principal = code
        if code.startswith(hacs) and (poa or "").upper() in HAC_POA:
            stay.hac = True
    by_patient: dict[int, list[Stay]] = defaultdict(list)
    for stay in stays.values():
        by_patient[stay.patient].append(stay)
    for list_ in by_patient.values():
        list_.sort(key=lambda s: (s.admit, s.discharge, s.id))
    return by_patient


def outcomes_report(
    session: Session, registry: str, f: ReportFilters, o: ReportOptions, window: int
) -> Report:
    row = session.scalar(select(RegistryDefinition).where(RegistryDefinition.name == registry))
    if row is None:
        raise RecordNotFoundError(f"no registry named {registry!r}")
    info, missing = table5(o.data)
    months: dict[str, Month] = defaultdict(Month)
    for stays in _stays(session, row.id).values():
        for n, stay in enumerate(stays):
            if (f.start and stay.discharge < f.start) or (f.end and stay.discharge > f.end):
                continue
            if (f.payer and stay.payer != f.payer) or (f.coder and stay.coder != f.coder):
                continue  # not an index stay here; still a readmission of an earlier one
            m = months[stay.discharge.isoformat()[:7]]
            m.stays += 1
            m.deaths += stay.status in DIED
            m.hac += stay.hac
            gm = info.get(stay.drg or "")
            if gm is not None and gm.gmlos:
                m.los += (stay.discharge - stay.admit).days
                m.expected += gm.gmlos
            if stay.status in DIED or stay.status in (TRANSFER_ACUTE, AMA):
                continue
            m.index += 1
            for later in stays[n + 1 :]:
                gap = (later.admit - stay.discharge).days
                if gap < 1:
                    continue
                if gap > window:
                    break
                if not later.principal.startswith(PLANNED):
                    m.readmitted += 1
                    break
    rows = [
        (month, m.stays, m.index, m.readmitted, share(m.readmitted, m.index), m.deaths,
         share(m.deaths, m.stays), round(m.los, 1), round(m.expected, 1),
         round(m.los / m.expected, 3) if m.expected else None, m.hac, share(m.hac, m.stays))
        for month, m in sorted(months.items())
    ]  # fmt: skip
    notes = [
        f"{registry}: members' finalized inpatient stays by month of discharge; "
        f"readmission window {window} days",
        "observed rates, not risk-adjusted (AHRQ Elixhauser Refined indices not available)",
    ]
    if missing:
        notes.append(missing)
    return Report(
        "outcomes",
        f"Outcomes of the {registry} registry",
        {**f.to_json(), "registry": registry, "window": window},
        (
            Table(
                "by_month",
                ("month", "stays", "index_stays", "readmitted", "readmission_percent", "deaths",
                 "mortality_percent", "los_days", "expected_los_days", "los_o_e", "hac_stays",
                 "hac_percent"),
                rows,
            ),
        ),
        Chart("by_month", "month", ("readmission_percent", "mortality_percent", "hac_percent"),
              "line", title=f"{registry}: readmission, mortality and HAC rates"),
        notes=tuple(notes),
    )  # fmt: skip
