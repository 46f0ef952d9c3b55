"""Medically Unlikely Edits (MUE): the most units of a code reported for one patient on
one date of service.

The MUE Adjudication Indicator (MAI) says how units are counted: 1 per claim line;
2 (policy) and 3 (clinical) per date of service, all lines summed. The table comes from
``edits/mue_table.py`` through the edit context.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from medcoder.edits.claim import Claim
from medcoder.edits.contract import EditContext
from medcoder.edits.findings import EditSpec, Finding, Severity

MUE = EditSpec(
    "mue.v1",
    "the units of a code on one date of service may not exceed its MUE value",
    "CMS NCCI Medically Unlikely Edits (MUE), with the MUE Adjudication Indicator",
)


class MueRule:
    name = "mue"
    specs = (MUE,)

    def check(self, claim: Claim, context: EditContext) -> Iterator[Finding]:
        lines = claim.lines
        if not lines:
            return
        table = context.tables.mue()
        if table is None:
            context.skip(self.name, "no MUE file (pass --mue FILE)")
            return
        per_day: dict[tuple[str, object], int] = defaultdict(int)
        for line in lines:
            per_day[(line.code, claim.day_of(line))] += line.units
        seen: set[str] = set()
        for line in lines:
            limit = table.limits.get(line.code)
            if limit is None:
                continue
            context.used("mue", table.release)
            units = line.units if limit.mai == 1 else per_day[(line.code, claim.day_of(line))]
            if units <= limit.max_units or (limit.mai != 1 and line.code in seen):
                continue
            seen.add(line.code)
            counted = "on one line" if limit.mai == 1 else "on the date of service"
            fix = f"report at most {limit.max_units} unit(s) of {line.code}"
            if limit.mai == 1:
                fix += " a line; further units on another line with modifier 76, 77, 91 or 59 "
                fix += "only where the record documents them"
            elif limit.mai == 3:
                fix += "; more only on appeal with the record showing medical necessity"
            yield MUE.finding(
                Severity.ERROR,
                (line.code,),
                f"{line.code}: {units} units {counted} exceed the MUE of {limit.max_units} "
                f"(MAI {limit.mai}{', ' + limit.rationale if limit.rationale else ''})",
                fix,
                table.release,
            )
