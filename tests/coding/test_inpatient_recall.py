"""Inpatient recall classes found among the CodiEsp dev misses, fixed as general Index
and Guideline classes (synthetic notes written here; no dev text).

- I.A.16 "see": a cross-reference can lead to a subterm that sends the coder on once
  more ("Thromboembolism - see Embolism", "Embolism, lung - see Embolism, pulmonary"):
  a pulmonary thromboembolism is I26.99, not the main term's arterial embolism I74.9.
- "Chronic hepatitis C/B" is "Hepatitis, C, chronic" (B18.2) / "Hepatitis, B, chronic"
  (B18.1), not "Hepatitis, chronic" K73.9 (chronic hepatitis not elsewhere classified)
  with the virus lost: the modifier-first phrase is in the curated vocabulary.
- "Hepatitis C virus infection", "HCV infection": the trailing "infection" names the same
  condition, not a second one coded NOS (B99.9 / B34.9).
- Index "Metastasis, cancer, from specified site - see Neoplasm, malignant": the site a
  metastasis comes from is not its secondary site.
- A main term that only sends on ("Lithiasis - see Calculus") reaches the subterms of a
  target with no code of its own ("Calculus, kidney" N20.0).
- "He smokes 20 cigarettes a day" is a smoker (Index "Smoker - see Dependence, drug,
  nicotine"); the pattern is matched only as written, never as the noun "smoke".
- Lymphadenopathy of one named region (axillary, retroperitoneal, cervical...) is
  localized (R59.0), as the Index classes "Adenopathy, inguinal / mediastinal".
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from medcoder.codesets.in_force import CodeSetChooser
from medcoder.codesets.registry import Registry
from medcoder.kinds import Setting
from medcoder.nlp.document import ClinicalDocument
from medcoder.pipeline import CodingEngine


@pytest.fixture(scope="module")
def engine(built_home: Path) -> CodingEngine:
    return CodingEngine(CodeSetChooser(Registry(built_home, quiet=True)))


def _codes(engine: CodingEngine, text: str) -> list[str]:
    document = ClinicalDocument(
        text=text, setting=Setting.INPATIENT, date_of_service=dt.date(2026, 5, 1)
    )
    return [c.code for c in engine.code(document).codes]


def _expect(
    engine: CodingEngine, text: str, expected: set[str], not_expected: set[str]
) -> set[str]:
    """The codes of ``text``, which must hold ``expected`` and none of ``not_expected``."""
    codes = set(_codes(engine, text))
    assert expected <= codes and not (not_expected & codes), codes
    return codes


@pytest.mark.parametrize(
    ("text", "expected", "not_expected"),
    [
        ("HOSPITAL COURSE: CT angiography confirmed a pulmonary thromboembolism and "
         "heparin was started.\n", {"I26.99"}, {"I74.9"}),
        ("DISCHARGE DIAGNOSES:\n1. Bilateral pulmonary thromboembolism.\n",
         {"I26.99"}, {"I74.9"}),
        # the main term's own code stays where the note names no site
        ("DISCHARGE DIAGNOSES:\n1. Thromboembolism of the left popliteal artery.\n",
         set(), {"I26.99"}),
    ],
)  # fmt: skip
def test_a_see_reference_reached_after_another_is_followed(
    engine: CodingEngine, text: str, expected: set[str], not_expected: set[str]
) -> None:
    _expect(engine, text, expected, not_expected)


@pytest.mark.parametrize(
    ("text", "expected", "not_expected"),
    [
        ("PAST HISTORY: Chronic hepatitis C, treated with sofosbuvir last year.\n"
         "DISCHARGE DIAGNOSES:\n1. Chronic hepatitis C.\n", {"B18.2"}, {"K73.9", "B19.20"}),
        ("DISCHARGE DIAGNOSES:\n1. Chronic hepatitis B virus infection.\n",
         {"B18.1"}, {"K73.9", "B34.9"}),
        ("DISCHARGE DIAGNOSES:\n1. Chronic HCV.\n", {"B18.2"}, {"K73.9"}),
        # no virus named: chronic hepatitis not elsewhere classified
        ("DISCHARGE DIAGNOSES:\n1. Chronic hepatitis of unknown cause.\n", {"K73.9"}, set()),
    ],
)  # fmt: skip
def test_chronic_viral_hepatitis(
    engine: CodingEngine, text: str, expected: set[str], not_expected: set[str]
) -> None:
    _expect(engine, text, expected, not_expected)


@pytest.mark.parametrize(
    ("text", "expected", "not_expected"),
    [
        ("DISCHARGE DIAGNOSES:\n1. Hepatitis C virus infection.\n", {"B19.20"}, {"B34.9"}),
        ("DISCHARGE DIAGNOSES:\n1. HCV infection, untreated.\n", {"B19.20"}, {"B99.9"}),
        # a bare infection with no infectious condition before it is still coded
        ("HOSPITAL COURSE: She had an infection, source never found, treated with "
         "ceftriaxone.\n", {"B99.9"}, set()),
        # a condition outside A00-B99 before "infection" does not absorb it
        ("DISCHARGE DIAGNOSES:\n1. Urinary tract infection.\n", {"N39.0"}, set()),
    ],
)  # fmt: skip
def test_infection_after_an_infectious_disease_is_that_disease(
    engine: CodingEngine, text: str, expected: set[str], not_expected: set[str]
) -> None:
    _expect(engine, text, expected, not_expected)


def test_the_origin_of_a_metastasis_is_left_out_of_its_site() -> None:
    from medcoder.coding.select import _without_origin

    context = frozenset(
        {"lung", "metastase", "from", "sigmoid", "colon", "lung_metastase",
         "metastase_from", "from_sigmoid", "sigmoid_colon"}
    )  # fmt: skip
    assert _without_origin(context) == {"lung", "metastase", "from", "lung_metastase",
                                        "metastase_from"}  # fmt: skip
    assert _without_origin(frozenset({"liver", "metastase"})) == {"liver", "metastase"}


@pytest.mark.parametrize(
    ("text", "expected", "not_expected"),
    [
        # Index "Metastasis, cancer, from specified site - see Neoplasm, malignant"
        ("DISCHARGE DIAGNOSES:\n1. Lung metastases from colon adenocarcinoma.\n",
         {"C78.00", "C18.9"}, {"C78.5"}),
        ("DISCHARGE DIAGNOSES:\n1. Brain metastasis from melanoma of the back.\n",
         {"C79.31"}, {"C79.9"}),
    ],
)  # fmt: skip
def test_a_metastasis_is_coded_at_its_own_site(
    engine: CodingEngine, text: str, expected: set[str], not_expected: set[str]
) -> None:
    _expect(engine, text, expected, not_expected)


@pytest.mark.parametrize(
    ("text", "expected", "not_expected"),
    [
        # Index "Lithiasis - see Calculus": "Calculus, calculi" has no code of its own,
        # its subterms do ("kidney" N20.0, "gallbladder" K80.20)
        ("HOSPITAL COURSE: Ultrasound showed right renal lithiasis without obstruction.\n",
         {"N20.0"}, set()),
        ("DISCHARGE DIAGNOSES:\n1. Lithiasis in the lower pole of the left kidney.\n",
         {"N20.0"}, set()),
        ("DISCHARGE DIAGNOSES:\n1. Gallbladder lithiasis without cholecystitis.\n",
         {"K80.20"}, set()),
        # "fracture" alone is not "Fracture, chronic - see Fracture, pathological"
        ("DISCHARGE DIAGNOSES:\n1. Closed fracture of the shaft of the left radius after a "
         "fall.\n", set(), {"M84.434A", "M84.433A"}),
    ],
)  # fmt: skip
def test_a_main_term_that_only_sends_on_reaches_the_subterms_of_its_target(
    engine: CodingEngine, text: str, expected: set[str], not_expected: set[str]
) -> None:
    codes = _expect(engine, text, expected, not_expected)
    assert not any(c.startswith("M84") for c in codes), codes


@pytest.mark.parametrize(
    ("text", "expected", "not_expected"),
    [
        # Index "Smoker - see Dependence, drug, nicotine"; cigarettes from the note
        ("SOCIAL HISTORY: He smokes 20 cigarettes a day and drinks no alcohol.\n",
         {"F17.210"}, set()),
        ("SOCIAL HISTORY: She smokes a pipe on weekends.\n", {"F17.200"}, {"F17.210"}),
        # the noun "smoke" (what "smokes" normalizes to) is no smoker
        ("HPI: He was exposed to wood smoke while camping and coughed for a day.\n",
         set(), {"F17.200", "F17.210", "Z87.891"}),
        ("SOCIAL HISTORY: She does not smoke.\n", set(), {"F17.200", "F17.210"}),
    ],
)  # fmt: skip
def test_smokes_as_a_verb(
    engine: CodingEngine, text: str, expected: set[str], not_expected: set[str]
) -> None:
    _expect(engine, text, expected, not_expected)


@pytest.mark.parametrize(
    ("text", "expected", "not_expected"),
    [
        # Index "Adenopathy, inguinal / mediastinal" R59.0: nodes of one named region are
        # localized enlarged lymph nodes, not generalized (R59.1) or unspecified (R59.9)
        ("HOSPITAL COURSE: CT showed retroperitoneal adenopathies up to 2 cm.\n",
         {"R59.0"}, {"R59.9", "R59.1"}),
        ("DISCHARGE DIAGNOSES:\n1. Right axillary lymphadenopathy, biopsy pending.\n",
         {"R59.0"}, {"R59.1"}),
        ("DISCHARGE DIAGNOSES:\n1. Generalized lymphadenopathy.\n", {"R59.1"}, {"R59.0"}),
        ("HOSPITAL COURSE: A mediastinal mass was seen on CT.\n", set(), {"R59.0", "R22.9"}),
    ],
)  # fmt: skip
def test_lymphadenopathy_of_one_region_is_localized(
    engine: CodingEngine, text: str, expected: set[str], not_expected: set[str]
) -> None:
    _expect(engine, text, expected, not_expected)
