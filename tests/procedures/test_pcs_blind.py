"""The PCS blind set (data/pcs_blind.json, written before the derived vocabulary) as a
ratchet: the share coded exactly may not drop below the share measured when it was last
raised. Raise the floors when the stage gets better; never lower them to pass."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from medcoder.procedures.pcs import PcsCoder
from tests.procedures.pcs_blind import OTHER_SECTIONS, cases, share_right
from tests.procedures.runner import StageRunner

# Measured on the FY2026 release with the partial Index (see the report of issue 13):
# before the derived vocabulary 33/66 (dev 15/33, held-out 18/33).
# After (this branch): dev 33/33, held-out 26/33 measured once, untuned.
FLOORS = {"dev": 33 / 33, "heldout": 26 / 33}
# data/pcs_other_blind.json (imaging, administration, measurement, extracorporeal, ...),
# written before the stage was changed for those sections: untuned dev 15/29, held-out
# 15/29. After (issue 13, second round): dev 29/29, held-out 24/29 measured once, untuned.
OTHER_FLOORS = {"dev": 29 / 29, "heldout": 24 / 29}


@pytest.fixture(scope="module")
def coder(pcs_home: Path) -> StageRunner:
    return StageRunner(PcsCoder(), pcs_home)


def test_the_blind_set_is_well_formed() -> None:
    every = cases()
    assert len(every) >= 60
    assert {c["split"] for c in every} == {"dev", "heldout"}
    assert all(len(c["code"]) == 7 for c in every)


@pytest.mark.parametrize("split", sorted(FLOORS))
def test_blind_share_does_not_drop(coder: StageRunner, split: str) -> None:
    share, misses = share_right(coder, split)
    assert share >= FLOORS[split], "\n".join(misses)


def test_every_expected_code_exists_in_the_release(coder: StageRunner) -> None:
    release = coder.chooser.choose(date(2026, 2, 1)).icd10pcs.release
    assert release is not None
    assert [c["code"] for c in cases() if not release.validate(c["code"]).valid] == []


def test_the_other_sections_blind_set_is_well_formed() -> None:
    every = cases(path=OTHER_SECTIONS)
    assert len(every) >= 50
    assert {c["split"] for c in every} == {"dev", "heldout"}
    assert all(len(c["code"]) == 7 and c["code"][0] != "0" for c in every)


@pytest.mark.parametrize("split", sorted(OTHER_FLOORS))
def test_other_sections_share_does_not_drop(coder: StageRunner, split: str) -> None:
    share, misses = share_right(coder, split, OTHER_SECTIONS)
    assert share >= OTHER_FLOORS[split], "\n".join(misses)


def test_every_other_sections_code_exists_in_the_release(coder: StageRunner) -> None:
    release = coder.chooser.choose(date(2026, 2, 1)).icd10pcs.release
    assert release is not None
    invalid = [
        c["code"] for c in cases(path=OTHER_SECTIONS) if not release.validate(c["code"]).valid
    ]
    assert invalid == []
