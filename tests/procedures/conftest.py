"""Procedure-stage fixtures: the HCPCS homes of tests/codesets/hcpcs."""

from tests.codesets.hcpcs.conftest import (  # noqa: F401  (fixtures re-exported)
    fixture_home,
    full_sets,
    hcpcs_fixtures,
    hcpcs_home,
)
