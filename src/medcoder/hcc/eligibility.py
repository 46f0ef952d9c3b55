"""Which encounters may contribute diagnoses to risk adjustment.

CMS filters encounter data before risk adjustment (Medicare Managed Care Manual ch. 7;
the CMS "Encounter Data Diagnosis Filtering Logic"): a professional or hospital
outpatient record counts only when it carries a procedure on the year's list of
risk-adjustment-eligible CPT/HCPCS codes; an inpatient facility stay (type of bill 11X,
41X) counts as it is. hccinfhir models exactly this (``apply_filter``: 11X/41X pass,
12X/13X/43X/71X/73X/76X/77X/85X/87X and professional records need a listed procedure);
this module feeds it one service line per procedure.

The list comes from ``<data>/hcc/ra_eligible_cpt_hcpcs_<year>.csv`` (procedure numbers
only; the year of the date of service), else the copy of that year bundled with
hccinfhir.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from medcoder.errors import GroupingTableError
from medcoder.hcc.package import hccinfhir
from medcoder.kinds import Setting

_lists: dict[Path, frozenset[str]] = {}
_by_year: dict[tuple[int, Path | None], frozenset[str]] = {}
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class RiskEncounter:
    """One finalized encounter's reported codes, as risk adjustment reads them."""

    encounter: str
    setting: Setting
    day_of_service: str | None  # ISO date
    diagnoses: tuple[str, ...]  # ICD-10-CM
    procedures: tuple[str, ...]  # CPT / HCPCS numbers


def eligible_list_path(year: int, data: Path | None) -> Path:
    name = f"ra_eligible_cpt_hcpcs_{year}.csv"
    if data is not None and (data / "hcc" / name).is_file():
        return data / "hcc" / name
    hccinfhir()
    bundled = Path(str(resources.files("hccinfhir") / "data" / name))
    if bundled.is_file():
        return bundled
    raise GroupingTableError(
        f"no risk-adjustment eligible procedure list for {year} ({name})",
        hint="put it under <data>/hcc/ (--data DIR or MEDCODER_DATA)",
    )


def load_eligible(path: Path) -> frozenset[str]:
    """The procedure numbers of one list (header ``cpt_hcpcs_code``), read once per file."""
    with _lock:
        if path not in _lists:
            lines = path.read_text(encoding="utf-8").splitlines()
            if not lines or lines[0].strip() != "cpt_hcpcs_code":
                raise GroupingTableError(f"{path}:1: expected the header cpt_hcpcs_code")
            codes = frozenset(line.strip().upper() for line in lines[1:] if line.strip())
            if not codes:
                raise GroupingTableError(f"{path}: no procedure codes")
            _lists[path] = codes
        return _lists[path]


def eligible_codes(year: int, data: Path | None) -> frozenset[str]:
    """The list for dates of service in ``year`` (found and read once per process)."""
    key = (year, data)
    found = _by_year.get(key)
    if found is None:
        found = load_eligible(eligible_list_path(year, data))
        _by_year[key] = found
    return found


def ineligible_reason(encounter: RiskEncounter, eligible: frozenset[str]) -> str | None:
    """None when the encounter counts; else why it contributes no diagnoses."""
    package = hccinfhir()
    service_line, apply_filter = package.ServiceLevelData, package.apply_filter
    if encounter.setting is Setting.INPATIENT:  # an inpatient facility stay: TOB 11X
        lines = [service_line(facility_type="1", service_type="1")]
    else:
        lines = [service_line(procedure_code=code) for code in encounter.procedures]
    if apply_filter(lines, professional_cpt=eligible):
        return None
    if not encounter.procedures:
        return "no CPT/HCPCS procedure recorded: a face-to-face eligible service is required"
    shown = ", ".join(encounter.procedures[:5])
    return f"none of its procedures ({shown}) is on the risk-adjustment eligible list"
