"""The checker never crashes on random claims: any code list gives findings, not errors."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medcoder.edits.checker import ClaimChecker
from medcoder.edits.claim import parse_claim
from medcoder.edits.findings import Severity

# Real codes that take part in edits, mixed with random strings.
_KNOWN_DX = ["E11.9", "E10.9", "G63", "F02.80", "G30.9", "N18.30", "E11.22", "O80", "N40.0",
             "W01.0XXA", "S52.501A", "S00.00A", "E11", "Z00.00", "I10"]  # fmt: skip
_KNOWN_PX = ["29880", "29881", "00530", "64469", "11042", "11045", "96372", "J1100", "99213"]
_alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_dx = st.one_of(st.sampled_from(_KNOWN_DX), st.text(alphabet=_alnum + ".", min_size=1, max_size=8))
_px = st.one_of(st.sampled_from(_KNOWN_PX), st.text(alphabet=_alnum, min_size=1, max_size=7))
_line = st.one_of(
    st.builds(lambda c: {"system": "icd10cm", "code": c}, _dx),
    st.builds(
        lambda s, c, m, u: {"system": s, "code": c, "modifiers": m, "units": u},
        st.sampled_from(["cpt", "hcpcs", "icd10pcs"]),
        _px,
        st.lists(st.sampled_from(["59", "XS", "RT", "LT", "25", "76"]), max_size=2),
        st.integers(1, 40),
    ),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(_line, max_size=8),
    setting=st.sampled_from(["outpatient", "inpatient"]),
    age=st.one_of(st.none(), st.integers(0, 124)),
    sex=st.sampled_from([None, "F", "M"]),
)
def test_checker_never_crashes(
    checker: ClaimChecker, lines: list[dict[str, object]], setting: str, age: int | None,
    sex: str | None,
) -> None:  # fmt: skip
    data: dict[str, object] = {"date_of_service": "2026-05-01", "setting": setting, "codes": lines}
    if age is not None:
        data["age"] = age
    if sex is not None:
        data["sex"] = sex
    report = checker.check(parse_claim(data))
    for finding in report.findings:
        assert finding.severity in (Severity.ERROR, Severity.WARNING)
        assert finding.codes and finding.fix and finding.release
    assert list(report.findings) == sorted(
        report.findings, key=lambda f: f.severity is not Severity.ERROR
    )
