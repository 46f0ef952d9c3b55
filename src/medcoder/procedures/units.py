"""Billing units from a HCPCS descriptor's dose and the dose documented in the note.

The descriptor is read at run time ("Injection, ceftriaxone sodium, per 250 mg" -> 250 mg
a unit); nothing about a code's unit is stored in medcoder. Units are the documented dose
divided by the descriptor's dose, a partial unit rounded up, as CMS asks for drugs billed
by HCPCS dose (Medicare Claims Processing Manual, Ch. 17 §10 and §40: report the number of
units of the descriptor's dose; a dose between two units is rounded up).

Arithmetic is exact (``Fraction``), so 1.1 mg of a 0.1 mg code is 11 units, never 12.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction

# unit as written -> (dimension, factor to the dimension's base unit)
_UNITS: dict[str, tuple[str, Fraction]] = {
    "mg": ("mass", Fraction(1)),
    "milligram": ("mass", Fraction(1)),
    "milligrams": ("mass", Fraction(1)),
    "g": ("mass", Fraction(1000)),
    "gm": ("mass", Fraction(1000)),
    "gram": ("mass", Fraction(1000)),
    "grams": ("mass", Fraction(1000)),
    "mcg": ("mass", Fraction(1, 1000)),
    "µg": ("mass", Fraction(1, 1000)),
    "microgram": ("mass", Fraction(1, 1000)),
    "micrograms": ("mass", Fraction(1, 1000)),
    "unit": ("units", Fraction(1)),
    "units": ("units", Fraction(1)),
    "iu": ("units", Fraction(1)),
    "ml": ("volume", Fraction(1)),
    "cc": ("volume", Fraction(1)),
}
_UNIT_WORDS = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|\.\d+)"
_AMOUNT_RE = re.compile(rf"{_NUMBER}\s*({_UNIT_WORDS})\b(?!\s*/)", re.IGNORECASE)
_PER_COUNT_RE = re.compile(rf"(?:per|box of|per box of)\s+{_NUMBER}\s*([a-z]*)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Quantity:
    """An amount in a dimension's base unit (mg, units, mL, or a counted item)."""

    amount: Fraction
    dimension: str  # mass | units | volume | count
    written: str  # as the text gives it, e.g. "1 g"


def _number(text: str) -> Fraction:
    return Fraction(text.replace(",", ""))


def descriptor_quantity(descriptor: str) -> Quantity | None:
    """The dose (or count) one unit of the code stands for; the last one the descriptor gives."""
    found = list(_AMOUNT_RE.finditer(descriptor))
    if found:
        last = found[-1]
        dimension, factor = _UNITS[last.group(2).lower()]
        return Quantity(_number(last.group(1)) * factor, dimension, last.group(0))
    counted = list(_PER_COUNT_RE.finditer(descriptor))
    if counted:
        last = counted[-1]
        return Quantity(_number(last.group(1)), "count", last.group(0))
    return None


def documented_dose(text: str, dimension: str | None = None) -> Quantity | None:
    """The first dose written in ``text``, in ``dimension`` when given (mass for a code
    billed per mg); a concentration such as "4 mg/mL" is skipped."""
    for found in _AMOUNT_RE.finditer(text):
        kind, factor = _UNITS[found.group(2).lower()]
        if dimension is None or kind == dimension:
            return Quantity(_number(found.group(1)) * factor, kind, found.group(0))
    return None


def documented_count(text: str, noun: str) -> Quantity | None:
    """A count of items ("100 test strips", "2 boxes of 100 lancets" -> 200)."""
    boxes = re.search(
        rf"{_NUMBER}\s*box(?:es)?\s+of\s+{_NUMBER}\s+(?:[a-z-]+\s+){{0,3}}?{noun}\b",
        text,
        re.IGNORECASE,
    )
    if boxes:
        amount = _number(boxes.group(1)) * _number(boxes.group(2))
        return Quantity(amount, "count", boxes.group(0))
    found = re.search(rf"{_NUMBER}\s+(?:[a-z-]+\s+){{0,3}}?{noun}\b", text, re.IGNORECASE)
    if found is None:
        return None
    return Quantity(_number(found.group(1)), "count", found.group(0))


def billing_units(given: Quantity, per_unit: Quantity) -> tuple[int, str] | None:
    """(units, the arithmetic as text) or None when the dimensions differ (mg vs mL)."""
    if given.dimension != per_unit.dimension or per_unit.amount <= 0:
        return None
    ratio = given.amount / per_unit.amount
    units = max(1, math.ceil(ratio))
    shown = f"{float(ratio):g}"
    rounded = "" if ratio == units else f", rounded up to {units}"
    each = (
        per_unit.written if per_unit.written.startswith("per") else f"{per_unit.written} per unit"
    )
    return units, f"{given.written} / {each} = {shown}{rounded}"
