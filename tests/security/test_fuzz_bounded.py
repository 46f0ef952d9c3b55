"""Issue 17: a fuzz run over batch lines and claim JSON; every input ends in a clean
result or a deliberate ``MedcoderError`` (one coded line), never another exception.

300 examples each by default; the review's 10,000-case run is::

    MEDCODER_FUZZ_EXAMPLES=10000 pytest tests/security/test_fuzz_bounded.py
"""

from __future__ import annotations

import json
import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medcoder.batch import BATCH_KEYS, parse_line, parse_line_text
from medcoder.edits.claim import parse_claim, parse_claim_text
from medcoder.errors import MedcoderError

EXAMPLES = int(os.environ.get("MEDCODER_FUZZ_EXAMPLES", "300"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    # Up to 4,300 digits (Python's own limit, so hypothesis can print a failing case);
    # longer numbers reach the parsers as text (see _dumps and the raw-text tests).
    st.integers(min_value=-(10**4299), max_value=10**4299),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["2026-05-01", "1899-01-01", "9999-12-31", "outpatient", "inpatient",
                     "emergency", "F", "M", "new", "established", "icd10cm", "cpt", "hcpcs",
                     "E11.9", "99213", "59", "RT", ""]),
)  # fmt: skip
_json = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)


def _clean(call: Any, *args: Any) -> None:
    try:
        call(*args)
    except MedcoderError as exc:
        assert exc.code.startswith("E") and exc.message
        assert "\n" not in exc.message or len(exc.message) < 2000


_batch_line = st.fixed_dictionaries(
    {},
    optional={key: _json for key in (*BATCH_KEYS, "settting", "colour")},
)


@FUZZ
@given(_batch_line)
def test_batch_lines_never_raise_anything_but_medcoder_errors(line: dict[str, Any]) -> None:
    _clean(parse_line, line)


@FUZZ
@given(st.text(max_size=200) | st.sampled_from(["[" * 5000, "{" * 3000, "9" * 6000]))
def test_raw_batch_text_never_raises_anything_but_medcoder_errors(text: str) -> None:
    _clean(parse_line_text, text)


_claim_code = st.fixed_dictionaries(
    {"system": _json, "code": _json},
    optional={k: _json for k in ("sequence", "modifiers", "units", "date_of_service", "x")},
)
_claim = st.fixed_dictionaries(
    {"date_of_service": _json | st.just("2026-05-01")},
    optional={
        "id": _json, "setting": _json, "age": _json, "sex": _json,
        "codes": st.lists(_claim_code | _json, max_size=6) | _json, "extra": _json,
    },
)  # fmt: skip


@FUZZ
@given(_claim | _json)
def test_claims_never_raise_anything_but_medcoder_errors(claim: Any) -> None:
    _clean(parse_claim, claim)


def _dumps(claim: Any) -> str:
    try:
        return json.dumps(claim, default=str)
    except ValueError:  # an integer Python will not write: put its digits in by hand
        return '{"date_of_service": "2026-05-01", "age": ' + "9" * 5000 + "}"


@FUZZ
@given(_claim.map(_dumps) | st.text(max_size=200))
def test_claim_text_never_raises_anything_but_medcoder_errors(text: str) -> None:
    _clean(parse_claim_text, text, "claim.json")
