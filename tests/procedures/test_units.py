"""Dose-to-units arithmetic: exact, rounded up, never across dimensions."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from medcoder.procedures.units import (
    Quantity,
    billing_units,
    descriptor_quantity,
    documented_count,
    documented_dose,
)


def test_descriptor_doses() -> None:
    assert descriptor_quantity("Injection, ceftriaxone sodium, per 250 mg") == Quantity(
        Fraction(250), "mass", "250 mg"
    )
    b12 = descriptor_quantity("Injection, vitamin b-12 cyanocobalamin, up to 1000 mcg")
    assert b12 is not None and b12.amount == 1
    pen = descriptor_quantity("Injection, penicillin g benzathine, 100,000 units")
    assert pen is not None and (pen.amount, pen.dimension) == (100000, "units")
    lancets = descriptor_quantity("Lancets, per box of 100")
    assert lancets is not None and (lancets.amount, lancets.dimension) == (100, "count")
    assert descriptor_quantity("Standard wheelchair") is None


def test_documented_dose_skips_concentrations_and_other_measures() -> None:
    dose = documented_dose("4 mg/mL, 2 mL, total 8 mg IM", "mass")
    assert dose is not None and dose.amount == 8
    gram = documented_dose("1 g IM")
    assert gram is not None and gram.amount == 1000
    assert documented_dose("given IM") is None


def test_units_round_up_exactly() -> None:
    per = descriptor_quantity("Injection, adrenalin, epinephrine, 0.1 mg")
    assert per is not None
    assert billing_units(Quantity(Fraction("1.1"), "mass", "1.1 mg"), per) == (
        11,
        "1.1 mg / 0.1 mg per unit = 11",
    )
    ketorolac = descriptor_quantity("Injection, ketorolac tromethamine, per 15 mg")
    assert ketorolac is not None
    units, text = billing_units(Quantity(Fraction(45), "mass", "45 mg"), ketorolac) or (0, "")
    assert units == 3 and text == "45 mg / 15 mg per unit = 3"
    assert billing_units(Quantity(Fraction(2), "volume", "2 mL"), ketorolac) is None


def test_counts() -> None:
    strips = documented_count("Dispensed 150 glucose test strips", "strips?")
    assert strips is not None and strips.amount == 150
    boxes = documented_count("2 boxes of 100 lancets and 150 strips", "lancets?")
    assert boxes is not None and boxes.amount == 200


@given(
    dose=st.fractions(min_value=Fraction(1, 100), max_value=10000, max_denominator=1000),
    per=st.fractions(min_value=Fraction(1, 100), max_value=1000, max_denominator=1000),
)
def test_units_cover_the_dose_and_no_more(dose: Fraction, per: Fraction) -> None:
    result = billing_units(Quantity(dose, "mass", "d"), Quantity(per, "mass", "p"))
    assert result is not None
    units = result[0]
    assert units * per >= dose
    assert units == 1 or (units - 1) * per < dose
