"""Agreement on the issue-13 blind sets (tests/procedures/data), written before the
stages changed. Figures (see blind_sets.py; ``python -m tests.procedures.blind_sets``):

E/M paragraph vignettes (38): before the change 0/19 dev, 0/19 held-out (every one
declined). After tuning on dev: dev 19/19; held-out, measured once untuned, 15/19
(78.9%); four general fixes followed that held-out reading (new-patient "transferring
care", "brought in by" historian, "high fever", a low-confidence level instead of a
decline for a visit with nothing found), so held-out is 18/19 now but no longer blind.

Second E/M round (em_paragraph_blind2.json, 26 vignettes in other styles: terse, SOAP
without headings, time-based, telehealth video follow-ups, "transferring care", "first
visit with me" inside the same group), written before the stage changed: untuned 18/26
(69.2%; dev 8/13, held-out 10/13). After tuning on dev only (same-group 3-year rule,
problem synonyms, ED transfer by ambulance, thyroid studies, "discussed with the
cardiologist", chronic gallstone disease): dev 13/13; held-out, read once, 10/13 (76.9%).
Three general fixes followed that reading ("acute on chronic" and a supratherapeutic
level as a worsening chronic illness, cytology as a unique test), so held-out is 13/13
now but no longer blind.

Both E/M sets were then tuning material for issue 13's next round (their last misses
studied: a viral URI is an acute uncomplicated illness; a minor problem not resolving on
its course is acute), so neither is blind any more.

Third E/M round (em_paragraph_blind3.json, 30 vignettes of varied specialties, gold
levels decided from the MDM table while writing, committed before the stage was run on
them): read once, untuned, 25/30 (83.3%). Misses: "new to the dermatology clinic" / "new
to our cardiology practice" read as established (2), a diagnosis sentence in mid-paragraph
("..., uncomplicated.") not taken as a problem, progression "with poor prognosis" not
taken as severe, a new motor deficit not taken as moderate. Fixed generally after that
reading (30/30 now, no longer blind).

HCPCS statements (37): before dev 14/19, held-out 11/18 code+units. After tuning on dev:
dev 19/19; held-out once untuned 16/18 (88.9%); then 18/18 after two general fixes
(a size between a count and its item, "provided" as a performed cue).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from medcoder.procedures.hcpcs import HcpcsCoder
from tests.procedures.blind_sets import em_score, hcpcs_score, load
from tests.procedures.runner import StageRunner

EM_DEV_FLOOR = 0.95
EM_HELD_OUT_FLOOR = 0.85
EM2_DEV_FLOOR = 0.95
EM2_HELD_OUT_FLOOR = 0.9
EM3_FLOOR = 0.95  # after the fixes that followed the one untuned reading (25/30)
HCPCS_DEV_FLOOR = 0.95
HCPCS_HELD_OUT_FLOOR = 0.85


def test_the_sets_are_big_enough_and_split_in_halves() -> None:
    for name in ("em_paragraph_blind.json", "hcpcs_blind.json"):
        cases = load(name)
        assert len(cases) >= 30
        held = sum(c["split"] == "held_out" for c in cases)
        assert abs(2 * held - len(cases)) <= 1
    codes = {c["expected"] for c in load("em_paragraph_blind.json")}
    assert codes == {"99202", "99203", "99204", "99205", "99212", "99213", "99214", "99215"}


@pytest.mark.parametrize(
    ("split", "floor"), [("dev", EM_DEV_FLOOR), ("held_out", EM_HELD_OUT_FLOOR)]
)
def test_em_paragraph_vignettes(split: str, floor: float) -> None:
    score = em_score(split)
    assert score.rate >= floor, "\n".join(score.misses)


def test_the_second_em_set_is_written_apart_and_split_odd_even() -> None:
    cases = load("em_paragraph_blind2.json")
    assert len(cases) >= 24
    assert all(c["split"] == ("dev" if i % 2 else "held_out") for i, c in enumerate(cases, 1))
    assert {c["expected"] for c in cases} == {
        "99202", "99203", "99204", "99205", "99212", "99213", "99214", "99215"
    }  # fmt: skip
    first = {c["text"] for c in load("em_paragraph_blind.json")}
    assert not first & {c["text"] for c in cases}


@pytest.mark.parametrize(
    ("split", "floor"), [("dev", EM2_DEV_FLOOR), ("held_out", EM2_HELD_OUT_FLOOR)]
)
def test_em_second_paragraph_set(split: str, floor: float) -> None:
    score = em_score(split, name="em_paragraph_blind2.json")
    assert score.rate >= floor, "\n".join(score.misses)


def test_the_third_em_set_is_new_and_covers_every_level() -> None:
    cases = load("em_paragraph_blind3.json")
    assert len(cases) >= 25 and all(c["split"] == "blind" for c in cases)
    assert {c["expected"] for c in cases} == {
        "99202", "99203", "99204", "99205", "99212", "99213", "99214", "99215"
    }  # fmt: skip
    earlier = {c["text"] for n in ("em_paragraph_blind.json", "em_paragraph_blind2.json")
               for c in load(n)}  # fmt: skip
    assert not earlier & {c["text"] for c in cases}
    assert {c["basis"] for c in cases} == {"mdm", "time"}


def test_em_third_paragraph_set() -> None:
    score = em_score(None, name="em_paragraph_blind3.json")
    assert score.rate >= EM3_FLOOR, "\n".join(score.misses)


@pytest.fixture(scope="module")
def runner(hcpcs_home: Path) -> StageRunner:
    return StageRunner(HcpcsCoder(), hcpcs_home)


@pytest.mark.parametrize(
    ("split", "floor"), [("dev", HCPCS_DEV_FLOOR), ("held_out", HCPCS_HELD_OUT_FLOOR)]
)
def test_hcpcs_statements(runner: StageRunner, split: str, floor: float) -> None:
    units, modifiers = hcpcs_score(runner, split)
    assert units.rate >= floor, "\n".join(units.misses)
    assert modifiers.rate >= floor - 0.05
