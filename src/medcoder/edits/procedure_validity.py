"""Is a procedure code (CPT, HCPCS Level II, ICD-10-PCS), and each of its modifiers,
valid on the date of service? Asked of the ``ProcedureCodeSet`` in the edit context
(``edits/procedure_codes.py``)."""

from __future__ import annotations

from collections.abc import Iterator

from medcoder.edits.claim import Claim
from medcoder.edits.contract import EditContext
from medcoder.edits.findings import EditSpec, Finding, Severity
from medcoder.edits.procedure_codes import ModifierSet

VALIDITY = EditSpec(
    "procedure-validity.v1",
    "a procedure code must exist in its code set on the date of service (not deleted, "
    "already effective)",
    "CMS HCPCS / CPT quarterly code files as the I/OCE holds them; ICD-10-PCS Tables",
)


MODIFIER = EditSpec(
    "modifier-validity.v1",
    "a modifier must be a HCPCS Level II or CPT modifier valid on the date of service",
    "CMS HCPCS Alpha-Numeric file (modifiers, RECID 7); CPT modifier numbers",
)


class ProcedureValidityRule:
    name = "procedure-validity"
    specs = (VALIDITY, MODIFIER)

    def check(self, claim: Claim, context: EditContext) -> Iterator[Finding]:
        procedures = claim.procedures
        if not procedures:
            return
        codes = context.tables.procedures()
        if codes is None:
            context.skip(self.name, "no procedure code sets (pass --data DIR)")
            return
        for line in procedures:
            if line.modifiers and isinstance(codes, ModifierSet):
                unknown = codes.unknown_modifiers(line.modifiers, claim.day_of(line))
                if unknown is not None and unknown[0]:
                    yield MODIFIER.finding(
                        Severity.ERROR,
                        (line.code,),
                        f"{line.code}: modifier {', '.join(unknown[0])} is not a modifier valid "
                        f"on {claim.day_of(line)}",
                        "use a HCPCS Level II or CPT modifier in force on the date of service",
                        unknown[1],
                    )
            result = codes.validity(line.system, line.code, claim.day_of(line))
            if result is None:
                context.skip(self.name, f"no {line.system.value} code set installed")
                continue
            context.used(line.system.value, result.release)
            if result.valid:
                continue
            fix = (
                f"report {' or '.join(result.suggestions[:3])} instead"
                if result.suggestions
                else f"report a {line.system.value} code valid on {claim.day_of(line)}"
            )
            yield VALIDITY.finding(Severity.ERROR, (line.code,), result.reason, fix,
                                   result.release)  # fmt: skip
