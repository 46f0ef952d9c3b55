"""Medicare Code Editor style inpatient edits: age and sex conflicts, and principal
diagnoses the MCE does not accept (manifestation, external cause, unacceptable).

The tables come from ``edits/mce_tables.py`` (derived MCE v43 files; see README, Claim
edits, for their limits) through the edit context.
"""

from __future__ import annotations

from collections.abc import Iterator

from medcoder.edits.claim import Claim
from medcoder.edits.contract import EditContext
from medcoder.edits.findings import EditSpec, Finding, Severity
from medcoder.kinds import Setting

RELEASE = "mce-v43-derived"

AGE = EditSpec(
    "mce-age.v1",
    "a diagnosis for one age group (newborn, pediatric, maternity, adult) is not reported "
    "for a patient outside it",
    "CMS Medicare Code Editor: age conflict edit (derived v43 probe tables)",
)
SEX = EditSpec(
    "mce-sex.v1",
    "a diagnosis specific to one sex is not reported for a patient of the other",
    "CMS Medicare Code Editor: sex conflict edit (medcoder list of sex-specific blocks)",
)
PDX = EditSpec(
    "mce-principal.v1",
    "the principal diagnosis must be one the MCE accepts as principal",
    "CMS Medicare Code Editor: manifestation / E-code / unacceptable principal diagnosis",
)

# MCE age categories (MCE definitions manual): inclusive age ranges in years.
AGE_CATEGORIES: dict[str, tuple[int, int]] = {
    "newborn": (0, 0),
    "pediatric": (0, 17),
    "maternity": (9, 64),
    "adult": (15, 124),
}
_PDX_MESSAGES: dict[str, tuple[Severity, str, str]] = {
    "MANIFESTATION_AS_PDX": (
        Severity.ERROR,
        "a manifestation code is not accepted as principal diagnosis",
        "sequence the underlying condition as principal, the manifestation after it",
    ),
    "E_CODE_AS_PDX": (
        Severity.ERROR,
        "an external cause code is not accepted as principal diagnosis",
        "make the injury or condition principal; external causes are secondary",
    ),
    "UNACCEPTABLE_PDX": (
        Severity.ERROR,
        "not accepted as the principal diagnosis of an inpatient stay",
        "choose the condition chiefly responsible for the admission as principal",
    ),
    "REQUIRES_SDX": (
        Severity.ERROR,
        "accepted as principal only with a secondary diagnosis",
        "add the secondary diagnosis the record documents",
    ),
    "QUESTIONABLE_ADMISSION": (
        Severity.WARNING,
        "a questionable reason for an inpatient admission",
        "confirm the reason for admission; a payer reviews this claim",
    ),
    "UNSPECIFIED": (
        Severity.WARNING,
        "an unspecified code as principal diagnosis",
        "report a more specific code where the record supports one",
    ),
    "WRONG_PROCEDURE_PERFORMED": (
        Severity.WARNING,
        "a wrong-procedure code as principal diagnosis",
        "confirm the coding of the wrong surgery; the payer will review",
    ),
}


class MceRule:
    """Inpatient claims only: the MCE edits apply to inpatient stays."""

    name = "mce"
    specs = (AGE, SEX, PDX)

    def check(self, claim: Claim, context: EditContext) -> Iterator[Finding]:
        if claim.setting is not Setting.INPATIENT or not claim.diagnoses:
            return
        tables = context.tables.mce()
        if tables is None:
            context.skip(self.name, "no MCE tables (pass --mce DIR or --data DIR)")
            return
        context.used("mce", RELEASE)
        for dx in claim.diagnoses:
            flat = dx.code.replace(".", "")
            category = tables.age_category.get(flat)
            if category is not None and claim.age is not None:
                low, high = AGE_CATEGORIES[category]
                if not low <= claim.age <= high:
                    yield AGE.finding(
                        Severity.ERROR,
                        (dx.code,),
                        f"{dx.code} is a {category} diagnosis (ages {low}-{high}); "
                        f"the patient is {claim.age}",
                        "check the patient's age and the code; report a code for this age",
                        RELEASE,
                    )
            own = tables.sex_of(dx.code)
            if own is not None and claim.sex is not None and claim.sex != own[0]:
                yield SEX.finding(
                    Severity.ERROR,
                    (dx.code,),
                    f"{dx.code} ({own[1]}) conflicts with the patient's sex {claim.sex}",
                    "check the patient's sex and the code",
                    RELEASE,
                )
        principal = claim.diagnoses[0]
        for edit in sorted(tables.pdx_edits.get(principal.code.replace(".", ""), ())):
            known = _PDX_MESSAGES.get(edit)
            if known is None:
                continue
            severity, what, fix = known
            if edit == "REQUIRES_SDX" and len(claim.diagnoses) > 1:
                continue
            yield PDX.finding(
                severity, (principal.code,), f"{principal.code}: {what} (MCE {edit})", fix, RELEASE
            )
