"""The MS-DRG of an inpatient stay in the records: grouped afresh from its codes whenever
the encounter is read (so it follows every change), and stored at finalize (the DRG that
was billed, which reports read). Records workflow that uses ``medcoder.drg``; the grouper
knows nothing of the records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medcoder.drg.result import DrgResult
from medcoder.drg.stay import group_stay
from medcoder.errors import MedcoderError
from medcoder.kinds import CodeSystem, Setting
from medcoder.records.models import CodeAssignment, Encounter

#: Where the discharge status is not recorded, the grouper is given "01" (home) and the
#: result says so: statuses 02-07 and 20 move transfer and death DRGs.
DEFAULT_DISCHARGE_STATUS = "01"


@dataclass(frozen=True, slots=True)
class StayGrouping:
    """The DRG of a stay, or why there is none (an error's code and message)."""

    result: DrgResult | None
    error: tuple[str, str] | None = None
    assumed_status: bool = False

    def to_json(self) -> dict[str, Any] | None:
        if self.result is None and self.error is None:
            return None
        if self.result is None:
            assert self.error is not None
            return {"error": {"code": self.error[0], "message": self.error[1]}}
        data = self.result.to_dict()
        if self.assumed_status:
            data["notes"] = [
                *data["notes"],
                "no discharge status recorded: grouped as 01 (discharged home)",
            ]
        return data


def group_encounter(
    encounter: Encounter,
    codes: Sequence[CodeAssignment],
    age: int | None,
    *,
    home: Path | None,
) -> StayGrouping:
    """Group an inpatient stay on ``codes`` (its diagnoses in order, principal first, and
    its ICD-10-PCS procedures). Outpatient encounters and stays with no diagnosis yet have
    no DRG (``result`` and ``error`` both None); a grouper error becomes ``error``."""
    if not Setting.parse(encounter.setting).is_inpatient:
        return StayGrouping(None)
    ordered = sorted(codes, key=lambda c: c.sequence)
    diagnoses = [c.code for c in ordered if c.system == CodeSystem.ICD10CM.value]
    procedures = [c.code for c in ordered if c.system == CodeSystem.ICD10PCS.value]
    if not diagnoses:
        return StayGrouping(None)
    status = encounter.discharge_status
    try:
        result = group_stay(
            diagnoses[0],
            diagnoses[1:],
            procedures,
            age=age,
            sex=encounter.patient.sex if encounter.patient.sex in ("F", "M") else None,
            discharge_status=status or DEFAULT_DISCHARGE_STATUS,
            date=encounter.discharge_date or encounter.date_of_service or dt.date.today(),
            home=home,
        )
    except MedcoderError as exc:
        return StayGrouping(None, (exc.code, exc.message))
    return StayGrouping(result, assumed_status=status is None)
