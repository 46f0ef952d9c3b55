"""CPT modifiers with a licensed file (the synthetic one in tests/fixtures/cpt): 50 for a
procedure done on both sides, and the NCCI choice among XE/XP/XS/XU and 59 for a
repeated service."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from medcoder.codesets.cpt.build import install_cpt
from medcoder.nlp.document import ClinicalDocument
from medcoder.procedures.cpt import CptCoder
from medcoder.procedures.modifiers import bilateral_modifier, distinct_service
from tests.procedures.runner import StageRunner

CPT_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "cpt" / "cpt_made_up_2025.csv"


@pytest.fixture(scope="module")
def coder(hcpcs_home: Path, tmp_path_factory: pytest.TempPathFactory) -> StageRunner:
    home = tmp_path_factory.mktemp("cpt-home") / "home"
    shutil.copytree(hcpcs_home, home)
    install_cpt(CPT_FILE, home)
    return StageRunner(CptCoder(), home)


def lines(coder: StageRunner, text: str) -> list[tuple[str, tuple[str, ...]]]:
    found = coder(ClinicalDocument(text, date_of_service=date(2025, 5, 3)))
    return [(p.code, p.modifiers) for p in found.procedures]


def test_both_sides_is_one_line_with_50(coder: StageRunner) -> None:
    text = "PROCEDURE:\nAspiration of both knee joints was performed.\n"
    assert lines(coder, text) == [("20610", ("50",))]


def test_a_descriptor_that_covers_both_sides_takes_no_50() -> None:
    assert bilateral_modifier("Injection of a joint, unilateral or bilateral", "bilateral") == ()
    assert bilateral_modifier("Aspiration of a major joint", "bilateral") == ("50",)
    assert bilateral_modifier("Aspiration of a major joint", "right") == ()


@pytest.mark.parametrize(
    ("second", "modifier"),
    [
        ("At a separate encounter later the same day, aspiration of the right knee joint "
         "was performed again.", "XE"),
        ("A different physician performed aspiration of the right knee joint.", "XP"),
        ("Aspiration of the right knee joint at a separate site was performed.", "XS"),
        ("Aspiration of the right knee joint, a distinct procedural service, was performed.",
         "59"),
    ],
)  # fmt: skip
def test_the_ncci_modifier_for_a_repeat(coder: StageRunner, second: str, modifier: str) -> None:
    text = f"PROCEDURE:\nAspiration of the right knee joint was performed.\n{second}\n"
    assert lines(coder, text) == [("20610", ("RT",)), ("20610", ("RT", modifier))]


def test_a_bare_repeat_is_one_service(coder: StageRunner) -> None:
    text = (
        "PROCEDURE:\nAspiration of the right knee joint was performed.\n"
        "Aspiration of the right knee joint was performed; 20 mL removed.\n"
    )
    assert lines(coder, text) == [("20610", ("RT",))]


def test_x_modifiers_come_before_59() -> None:
    assert distinct_service("separate site, distinct procedural service")[0] == "XS"  # type: ignore[index]
    assert distinct_service("nothing distinct here") is None
