"""NCCI edits on the claim's CPT / HCPCS lines: procedure-to-procedure pairs (with the
modifier indicator) and add-on codes reported without their primary procedure.

Source: CMS National Correct Coding Initiative, as the I/OCE applies it
(``ncci_tables``); NCCI Policy Manual Chapter I (modifiers 59 / XE / XS / XP / XU and
the other NCCI-associated modifiers).
"""

from __future__ import annotations

from collections.abc import Iterator

from medcoder.edits.claim import Claim, ClaimCode
from medcoder.edits.contract import EditContext
from medcoder.edits.findings import EditSpec, Finding, Severity

PTP = EditSpec(
    "ncci-ptp.v1",
    "the column 2 code of an NCCI procedure-to-procedure pair is not paid with its "
    "column 1 code on the same day, unless the pair allows a modifier (indicator 1) and "
    "an NCCI-associated modifier shows the services were distinct",
    "CMS NCCI PTP edits (I/OCE edits 19, 20, 39, 40); NCCI Policy Manual Ch. I",
)
ADDON = EditSpec(
    "ncci-addon.v1",
    "an add-on code is reported only with one of its primary procedures on the same day",
    "CMS NCCI add-on code edits (I/OCE edits 106-108)",
)

# Modifiers that show a distinct procedural service (NCCI Policy Manual Ch. I.E).
DISTINCT_MODIFIERS = frozenset({"59", "XE", "XS", "XP", "XU"})
# Other NCCI-associated modifiers: global surgery, and anatomic ones (which must differ
# between the two lines to show different sites).
OTHER_NCCI_MODIFIERS = frozenset({"24", "25", "27", "57", "58", "78", "79", "91"})
ANATOMIC_MODIFIERS = frozenset(
    {"LT", "RT", "LC", "LD", "LM", "RC", "RI", "E1", "E2", "E3", "E4", "FA", "TA"}
    | {f"F{i}" for i in range(1, 10)}
    | {f"T{i}" for i in range(1, 10)}
)


def bypass_modifier(first: ClaimCode, second: ClaimCode) -> str | None:
    """The NCCI-associated modifier on either line that may bypass a PTP pair, if any."""
    for line in (second, first):
        for modifier in line.modifiers:
            if modifier in DISTINCT_MODIFIERS or modifier in OTHER_NCCI_MODIFIERS:
                return modifier
    sites_1 = set(first.modifiers) & ANATOMIC_MODIFIERS
    sites_2 = set(second.modifiers) & ANATOMIC_MODIFIERS
    if sites_1 and sites_2 and sites_1 != sites_2:
        return "/".join(sorted(sites_2))
    return None


class PtpRule:
    name = "ncci-ptp"
    specs = (PTP,)

    def check(self, claim: Claim, context: EditContext) -> Iterator[Finding]:
        lines = claim.lines
        if len(lines) < 2:
            return
        index = context.tables.ptp()
        if index is None:
            context.skip(self.name, "no NCCI PTP table (pass --ncci DIR or --data DIR)")
            return
        for first in lines:
            day = claim.day_of(first)
            for second in lines:
                if second is first or second.code == first.code or claim.day_of(second) != day:
                    continue
                pair = index.pair(first.code, second.code, day)
                if pair is None:
                    continue
                quarter = index.version_on(day)
                context.used("ncci", quarter)
                modifier = bypass_modifier(first, second)
                yield _ptp_finding(first.code, second.code, pair.modifier_allowed, modifier,
                                   quarter)  # fmt: skip


def _ptp_finding(
    column1: str, column2: str, allowed: bool, modifier: str | None, quarter: str
) -> Finding:
    codes = (column1, column2)
    if not allowed:
        what = f"{column2} is bundled into {column1} (NCCI PTP, modifier indicator 0)"
        if modifier:
            what += f"; modifier {modifier} does not bypass this pair"
        return PTP.finding(
            Severity.ERROR, codes, what,
            f"remove {column2}: no modifier allows it with {column1} on the same day", quarter,
        )  # fmt: skip
    if modifier is None:
        return PTP.finding(
            Severity.ERROR,
            codes,
            f"{column2} is bundled into {column1} (NCCI PTP, modifier indicator 1); "
            "no NCCI-associated modifier on either line",
            f"append modifier 59 (or XE/XS/XP/XU) to {column2} only if the procedures were "
            f"at a distinct site or a separate encounter; documented: no. Otherwise remove "
            f"{column2}",
            quarter,
        )
    return PTP.finding(
        Severity.WARNING,
        codes,
        f"{column2} with {column1} is an NCCI pair bypassed by modifier {modifier}",
        f"keep modifier {modifier} only if the record documents the distinct site, "
        "encounter or service; payers audit these",
        quarter,
    )


class AddonRule:
    """Type 1 add-on codes need a listed primary (error); type 3 a listed or contractor-
    defined one (warning); type 2 primaries are defined by the contractor (not checked)."""

    name = "ncci-addon"
    specs = (ADDON,)

    def check(self, claim: Claim, context: EditContext) -> Iterator[Finding]:
        lines = claim.lines
        if not lines:
            return
        table = context.tables.addons()
        if table is None:
            context.skip(self.name, "no add-on code table (pass --ncci DIR or --data DIR)")
            return
        index = context.tables.ptp()
        for line in lines:
            day = claim.day_of(line)
            edits = table.on(line.code, day)
            types = {e.aoc_type for e in edits}
            if not edits or types == {2}:
                continue
            primaries = {e.primary for e in edits if e.primary}
            present = {c.code for c in lines if claim.day_of(c) == day and c is not line}
            if primaries & present:
                continue
            quarter = index.version_on(day) if index is not None else "ioce"
            context.used("ncci", quarter)
            severity = Severity.ERROR if 1 in types else Severity.WARNING
            listed = ", ".join(sorted(primaries)[:6]) + (
                f" (+{len(primaries) - 6} more)" if len(primaries) > 6 else ""
            )
            yield ADDON.finding(
                severity,
                (line.code,),
                f"{line.code} is an add-on code (type {min(types)}) reported without a "
                "primary procedure on the same day",
                f"report the primary procedure the record documents ({listed}), or remove "
                f"{line.code}",
                quarter,
            )
