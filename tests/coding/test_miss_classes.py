"""Issue 14 miss classes: the pure pieces of the rules (the golden cases run them whole)."""

from __future__ import annotations

import pytest

from medcoder.codesets.store import Release
from medcoder.coding import long_term, poisoning, specificity
from medcoder.coding.companions import completed_treatment
from medcoder.coding.external_cause import _OBJECT_FELL_RE, _STATUS


@pytest.mark.parametrize(
    ("sentence", "object_fell"),
    [
        ("A heavy crate fell onto her left foot at home.", True),
        ("The shelf bracket gave way and a toolbox fell off the bench onto his toes.", True),
        ("A tree branch came down on his shoulder in the storm.", True),
        ("She tripped and fell onto her outstretched hand.", False),
        ("The patient fell on the ice outside the store.", False),
        ("Her son fell onto the coffee table.", False),
        ("He fell off the ladder onto the driveway.", False),
    ],
)
def test_an_object_falling_on_the_patient(sentence: str, object_fell: bool) -> None:
    assert bool(_OBJECT_FELL_RE.search(sentence)) is object_fell


@pytest.mark.parametrize(
    ("sentence", "completed"),
    [
        ("Follow-up visit after completed treatment of cellulitis.", True),
        ("Follow up after treatment of bronchitis, now resolved.", True),
        ("Follow-up after finishing the antibiotic course for otitis media.", True),
        ("Follow-up after treatment of pneumonia; still coughing.", False),
        ("Follow-up of hypertension.", False),
    ],
)
def test_follow_up_after_completed_treatment(sentence: str, completed: bool) -> None:
    assert completed_treatment(sentence) is completed


@pytest.mark.parametrize(
    ("reported", "dropped"),
    [
        # the main term's default beside a code listed under one of its subterms
        ({"D64.9": "Anemia", "D50.9": "Anemia, iron deficiency"}, {"D64.9": "D50.9"}),
        ({"E03.9": "Hypothyroidism", "E89.0": "Hypothyroidism, postsurgical"}, {"E03.9": "E89.0"}),
        # the Tabular pairs them (J18 "code also ... aspiration pneumonia (J69.-)")
        ({"J18.9": "Pneumonia", "J69.0": "Aspiration, pneumonia"}, {}),
        # another chapter: a postprocedural infection (T81.4-) beside the sepsis A41.9
        ({"A41.9": "Sepsis", "T81.49XA": "Infection, postoperative wound"}, {}),
        # two conditions: the default stays beside an unrelated code
        ({"D64.9": "Anemia", "I10": "Hypertension"}, {}),
        # a code found at a subterm is not a default
        ({"D50.9": "Anemia, iron deficiency", "D63.1": "Anemia, in, chronic kidney disease"}, {}),
        # essential hypertension is not unspecified: pulmonary hypertension beside it stays
        ({"I10": "Hypertension", "I27.20": "Hypertension, pulmonary"}, {}),
    ],
)
def test_index_default_beside_a_subterm_code(
    release_2026: Release, reported: dict[str, str], dropped: dict[str, str]
) -> None:
    assert specificity.index_default_beside_subterm(release_2026, reported) == dropped


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("HPI: Took a double dose of warfarin by mistake.\n", [("T45.511A", False)]),
        ("HPI: Swallowed thirty ibuprofen tablets in a suicide attempt.\n", [("T39.312A", False)]),
        ("HPI: Ran out of metformin two weeks ago.\n", [("T38.3X6A", True)]),
        ("HPI: Denies any overdose of acetaminophen.\n", []),
        ("HPI: History of overdose of oxycodone in 2019.\n", []),
        ("SOCIAL HISTORY: Brother died of an overdose of oxycodone.\n", []),
        ("HPI: Took too many pills.\n", []),  # no drug named: nothing to look up
    ],
)
def test_poisoning_and_underdosing_from_the_table(
    release_2026: Release, text: str, codes: list[tuple[str, bool]]
) -> None:
    events = poisoning.drug_events(release_2026, text)
    assert [(e.code, e.underdosing) for e in events] == codes


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("MEDICATIONS: Warfarin 5 mg daily; atorvastatin 40 mg.\n", ["Z79.01"]),
        ("MEDICATIONS: Clopidogrel 75 mg daily. Aspirin 81 mg once daily.\n", ["Z79.02", "Z79.82"]),
        ("HPI: She takes Ozempic weekly and glipizide with breakfast.\n", ["Z79.85", "Z79.84"]),
        ("HPI: Continue insulin lispro with meals.\n", ["Z79.4"]),
        # stopped, held, an allergy, as needed, a dose given at the visit: no Z79
        ("MEDICATIONS: Apixaban - held for the colonoscopy.\n", []),
        ("HPI: Warfarin was discontinued last year.\n", []),
        ("ALLERGIES: Aspirin (hives).\n", []),
        ("MEDICATIONS: Aspirin 325 mg as needed for headache.\n", []),
        ("HPI: Aspirin 325 mg given in the emergency department.\n", []),
        # a steroid burst is not long term; stated long-term use is, and any other drug too
        ("MEDICATIONS: Prednisone 40 mg daily for five days.\n", []),
        ("HPI: On long-term prednisone 5 mg daily for polymyalgia.\n", ["Z79.52"]),
        ("HPI: Maintained on long-term levothyroxine.\n", ["Z79.899"]),
    ],
)
def test_long_term_drug_therapy(release_2026: Release, text: str, codes: list[str]) -> None:
    assert [code for code, _ in long_term.current_drug_therapy(release_2026, text)] == codes


@pytest.mark.parametrize(
    ("sentence", "status"),
    [
        ("Slipped on a wet floor while working his shift at the plant.", "Y99.0"),
        ("Twisted her knee on the job unloading a truck.", "Y99.0"),
        ("Fell from a ladder while volunteering at the food bank.", "Y99.2"),
        ("Rolled his ankle in a pickup game of basketball.", "Y99.8"),
        ("Hurt his back lifting boxes at home.", None),
    ],
)
def test_external_cause_status_words(sentence: str, status: str | None) -> None:
    found = next((code for code, pattern in _STATUS if pattern.search(sentence)), None)
    assert found == status


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("HPI: Anticoagulated on day 3 with enoxaparin in the ward.\n", []),
        ("HPI: Bleeding ulcer two years ago while taking aspirin.\n", []),
        ("HPI: Bladder tumor treated with intravesical instillation of mitomycin.\n", []),
        ("HPI: She is on metformin, glipizide and warfarin.\n", ["Z79.84", "Z79.01"]),
    ],
)
def test_long_term_drug_therapy_statements(
    release_2026: Release, text: str, codes: list[str]
) -> None:
    assert [code for code, _ in long_term.current_drug_therapy(release_2026, text)] == codes
