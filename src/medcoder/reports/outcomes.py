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

Risk adjustment (``risk_adjusted`` table), by indirect standardization: the reference
population is every finalized inpatient stay of the database (members or not) discharged in
the reporting period (``--from``/``--to``; payer and coder filters choose the cohort, not
the reference); for each outcome a logistic model (``risk_adjust.fit_logistic``, IRLS)
is fitted on it with two predictors: the stay's AHRQ Elixhauser index for that outcome
(``ahrq_elixhauser``, Comorbidity Software Refined v2026.1: the 30-day readmission index
for readmission, the in-hospital mortality index for mortality; secondary diagnoses, the
POA-dependent measures only when reported POA Y, W or exempt, AHRQ's exclusions) and the
age on admission. AHRQ publishes the indices as summary scores (Moore et al., Med Care
2017), not a model of the expected rate, so the expected comes from this fit. Readmission:
the index stays, readmitted or not; mortality: every stay, died or not. A cohort-month's
expected count is the sum of its stays' fitted probabilities; O/E has a 95% interval by
Byar's approximation to the Poisson interval of O (``risk_adjust.observed_expected``).
Fewer than 50 reference stays, no event, or a model that does not converge: "not
estimable", no figure.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from medcoder.errors import RecordNotFoundError
from medcoder.kinds import CodeSystem, Setting
from medcoder.records.hcc_store import BirthDates
from medcoder.records.models import RegistryDefinition, RegistryMember
from medcoder.reports.ahrq_elixhauser import mapper
from medcoder.reports.casemix import table5
from medcoder.reports.filters import ReportFilters
from medcoder.reports.options import ReportOptions
from medcoder.reports.result import Chart, Report, Table
from medcoder.reports.risk_adjust import (
    LogisticModel,
    NotEstimable,
    fit_logistic,
    observed_expected,
)
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
    died: bool = False
    index: bool = False
    readmitted: bool = False
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


def _stays(session: Session, registry_id: int | None) -> dict[int, list[Stay]]:
    """Finalized inpatient stays by patient, in admission order: the registry's current
    members' (``registry_id``), or every patient's (None: the reference population)."""
    where: list[Any] = [
        E.c.setting == Setting.INPATIENT.value,
        E.c.status == FINALIZED,
        E.c.admit_date.is_not(None),
        E.c.discharge_date.is_not(None),
    ]
    if registry_id is not None:
        members = select(RegistryMember.patient_id).where(
            RegistryMember.registry_id == registry_id, RegistryMember.removed_at.is_(None)
        )
        where.append(E.c.patient_id.in_(members))
    rows = session.execute(
        select(E.c.id, E.c.patient_id, E.c.admit_date, E.c.discharge_date,
               E.c.discharge_status, E.c.drg, E.c.payer, E.c.finalized_by)
        .where(*where)
    ).all()  # fmt: skip
    stays = {r[0]: Stay(*r) for r in rows}  # fmt: skip
    codes = session.execute(
        select(CA.c.encounter_id, CA.c.code, CA.c.poa, CA.c.sequence)
        .join(E, E.c.id == CA.c.encounter_id)
        .where(*where)
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
        stay.codes.append((code, poa))
    by_patient: dict[int, list[Stay]] = defaultdict(list)
    for stay in stays.values():
        by_patient[stay.patient].append(stay)
    for list_ in by_patient.values():
        list_.sort(key=lambda s: (s.admit, s.discharge, s.id))
    return by_patient


def _classify(stays: list[Stay], window: int) -> None:
    """Mark a patient's stays (in admission order): died, index stay, readmitted."""
    for n, stay in enumerate(stays):
        stay.died = stay.status in DIED
        stay.index = not stay.died and stay.status not in (TRANSFER_ACUTE, AMA)
        if not stay.index:
            continue
        for later in stays[n + 1 :]:
            gap = (later.admit - stay.discharge).days
            if gap < 1:
                continue
            if gap > window:
                break
            if not later.principal.startswith(PLANNED):
                stay.readmitted = True
                break


def _in_period(stay: Stay, f: ReportFilters) -> bool:
    return not ((f.start and stay.discharge < f.start) or (f.end and stay.discharge > f.end))


def outcomes_report(
    session: Session,
    registry: str,
    f: ReportFilters,
    o: ReportOptions,
    window: int,
    birth_dates: BirthDates | None = None,
) -> Report:
    row = session.scalar(select(RegistryDefinition).where(RegistryDefinition.name == registry))
    if row is None:
        raise RecordNotFoundError(f"no registry named {registry!r}")
    info, missing = table5(o.data)
    months: dict[str, Month] = defaultdict(Month)
    cohort: list[Stay] = []
    for stays in _stays(session, row.id).values():
        _classify(stays, window)
        for stay in stays:
            if not _in_period(stay, f):
                continue
            if (f.payer and stay.payer != f.payer) or (f.coder and stay.coder != f.coder):
                continue  # not an index stay here; still a readmission of an earlier one
            cohort.append(stay)
            m = months[stay.discharge.isoformat()[:7]]
            m.stays += 1
            m.deaths += stay.died
            m.hac += stay.hac
            gm = info.get(stay.drg or "")
            if gm is not None and gm.gmlos:
                m.los += (stay.discharge - stay.admit).days
                m.expected += gm.gmlos
            m.index += stay.index
            m.readmitted += stay.readmitted
    rows = [
        (month, m.stays, m.index, m.readmitted, share(m.readmitted, m.index), m.deaths,
         share(m.deaths, m.stays), round(m.los, 1), round(m.expected, 1),
         round(m.los / m.expected, 3) if m.expected else None, m.hac, share(m.hac, m.stays))
        for month, m in sorted(months.items())
    ]  # fmt: skip
    notes = [
        f"{registry}: members' finalized inpatient stays by month of discharge; "
        f"readmission window {window} days",
    ]
    adjusted: list[tuple[Any, ...]] = []
    if birth_dates is not None:
        adjusted, why = _risk_adjusted(session, f, window, cohort, birth_dates)
        notes.extend(why)
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
            Table(
                "risk_adjusted",
                ("month", "measure", "stays", "observed", "expected", "o_e", "o_e_lower",
                 "o_e_upper"),
                adjusted,
            ),
        ),
        Chart("by_month", "month", ("readmission_percent", "mortality_percent", "hac_percent"),
              "line", title=f"{registry}: readmission, mortality and HAC rates"),
        notes=tuple(notes),
    )  # fmt: skip


Pick = Callable[[Stay], bool]
#: (measure, the stays it counts, the event, its AHRQ index: 0 readmission, 1 mortality):
#: readmission of index stays, death of any.
MEASURES: tuple[tuple[str, Pick, Pick, int], ...] = (
    ("readmission", lambda s: s.index, lambda s: s.readmitted, 0),
    ("mortality", lambda s: True, lambda s: s.died, 1),
)


def predictors(stay: Stay, dob: dt.date) -> tuple[float, float, float]:
    """(AHRQ readmission index, AHRQ mortality index, age on admission) of an inpatient
    stay: the models' predictors (see the module)."""
    cmr = mapper()
    readmission, mortality = cmr.indices(cmr.flags(cmr.assign(stay.codes, poa_reported=True)))
    age = stay.admit.year - dob.year - ((stay.admit.month, stay.admit.day) < (dob.month, dob.day))
    return float(readmission), float(mortality), float(age)


def _risk_adjusted(
    session: Session, f: ReportFilters, window: int, cohort: list[Stay], birth_dates: BirthDates
) -> tuple[list[tuple[Any, ...]], list[str]]:
    reference: list[Stay] = []
    for stays in _stays(session, None).values():
        _classify(stays, window)
        reference.extend(s for s in stays if _in_period(s, f))
    people = birth_dates(session, sorted({s.patient for s in reference}))
    x = {s.id: predictors(s, people[s.patient][0]) for s in reference}
    rows: list[tuple[Any, ...]] = []
    notes = []
    for measure, chosen, event, which in MEASURES:
        base = [s for s in reference if chosen(s)]
        xs = {s.id: (x[s.id][which], x[s.id][2]) for s in reference}
        try:
            model: LogisticModel | None = fit_logistic(
                [xs[s.id] for s in base], [int(event(s)) for s in base]
            )
        except NotEstimable as exc:
            model = None
            notes.append(f"{measure}: O/E not estimable ({exc}; reference {len(base)} stays)")
        else:
            notes.append(
                f"{measure}: O/E against a logistic model (AHRQ Elixhauser {measure} index, age) "
                f"fitted on {len(base)} reference stays; 95% CI by Byar's approximation"
            )
        groups: dict[str, list[Stay]] = defaultdict(list)
        for s in cohort:
            if chosen(s):
                groups[s.discharge.isoformat()[:7]].append(s)
                groups["all"].append(s)
        for month in sorted(groups, key=lambda m: (m == "all", m)):
            stays = groups[month]
            observed = sum(1 for s in stays if event(s))
            if model is None:
                rows.append((month, measure, len(stays), observed, None, None, None, None))
                continue
            expected = sum(model.probability(xs[s.id]) for s in stays)
            oe = observed_expected(observed, expected)
            rows.append((month, measure, len(stays), observed, round(expected, 3),
                         round(oe.ratio, 3), round(oe.lower, 3), round(oe.upper, 3)))  # fmt: skip
    return rows, notes
