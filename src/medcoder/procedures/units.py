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
_AMOUNT_RE = re.compile(
    rf"{_NUMBER}\s*(million\s+)?({_UNIT_WORDS})\b(?!\s*/)", re.IGNORECASE
)  # "2.4 million units" of penicillin G benzathine
# A container's size, not a dose: "a 1 g single-dose vial", "vial of 80 mg", "10 mL vial".
_CONTAINER_AFTER_RE = re.compile(
    r"\s*(?:-|\()?\s*(?:single[- ]dose|single[- ]use|multi[- ]?dose|multiple[- ]dose|"
    r"prefilled|pre-filled|unit[- ]dose)?\s*(?:vials?|syringes?|pens?|ampu?les?|ampoules?|"
    r"bottles?|bags?|cartridges?|containers?|kits?|autoinjectors?)\b",
    re.IGNORECASE,
)
_CONTAINER_BEFORE_RE = re.compile(
    r"(?:vials?|syringes?|pens?|ampu?les?|ampoules?|bottles?|bags?|cartridges?|containers?)"
    r"\s+(?:of|containing|with|holding)\s*$",
    re.IGNORECASE,
)
# An amount thrown away, not given (CMS JW policy): "the remaining 40 mg was discarded".
_DISCARD_RE = re.compile(
    r"\b(?:discard(?:ed|s)?|wasted?|wastage|remain(?:ing|der|s)?|left\s+over|unused|"
    r"not\s+used)\b",
    re.IGNORECASE,
)
_NO_DISCARD_RE = re.compile(
    r"\b(?:no(?:thing|ne)?\s+(?:was\s+|were\s+)?(?:discard(?:ed)?|wasted?|wastage)|"
    r"(?:fully|entirely|completely|all)\s+(?:used|given|administered)|no\s+waste)\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK_RE = re.compile(r"[;,]|\b(?:and|but|with)\b", re.IGNORECASE)
_PER_COUNT_RE = re.compile(rf"(?:per|box of|per box of)\s+{_NUMBER}\s*([a-z]*)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Quantity:
    """An amount in a dimension's base unit (mg, units, mL, or a counted item)."""

    amount: Fraction
    dimension: str  # mass | units | volume | count
    written: str  # as the text gives it, e.g. "1 g"


def _number(text: str) -> Fraction:
    return Fraction(text.replace(",", ""))


def descriptor_quantity(descriptor: str, each: bool = False) -> Quantity | None:
    """The dose (or count) one unit of the code stands for; the last one the descriptor gives.

    ``each``: a descriptor ending in "each" stands for one counted item (supplies), even
    when it names a size ("Syringe with needle, sterile, 1 cc or less, each")."""
    if each and re.search(r"\beach\s*$", descriptor, re.IGNORECASE):
        return Quantity(Fraction(1), "count", "each")
    found = list(_AMOUNT_RE.finditer(descriptor))
    if found:
        last = found[-1]
        return _quantity(last)
    counted = list(_PER_COUNT_RE.finditer(descriptor))
    if counted:
        last = counted[-1]
        return Quantity(_number(last.group(1)), "count", last.group(0))
    return None


def _quantity(found: re.Match[str]) -> Quantity:
    kind, factor = _UNITS[found.group(3).lower()]
    scale = 1_000_000 if found.group(2) else 1
    return Quantity(_number(found.group(1)) * factor * scale, kind, found.group(0))


def _is_container(text: str, found: re.Match[str]) -> bool:
    before = text[max(0, found.start() - 30) : found.start()]
    return bool(_CONTAINER_AFTER_RE.match(text, found.end()) or _CONTAINER_BEFORE_RE.search(before))


def _clause_of(text: str, start: int, end: int) -> str:
    breaks = [m.end() for m in _CLAUSE_BREAK_RE.finditer(text, 0, start)]
    after = _CLAUSE_BREAK_RE.search(text, end)
    return text[breaks[-1] if breaks else 0 : after.start() if after else len(text)]


def _is_discarded(text: str, found: re.Match[str]) -> bool:
    clause = _clause_of(text, found.start(), found.end())
    return bool(_DISCARD_RE.search(clause)) and not _NO_DISCARD_RE.search(clause)


def documented_dose(text: str, dimension: str | None = None) -> Quantity | None:
    """The first dose written in ``text``, in ``dimension`` when given (mass for a code
    billed per mg); a concentration such as "4 mg/mL" is skipped, and so are a
    container's size ("from a 1 g single-dose vial") and an amount discarded, unless the
    container's size is the only amount written ("one 40 mg vial given")."""
    containers = []
    for found in _AMOUNT_RE.finditer(text):
        quantity = _quantity(found)
        if dimension is not None and quantity.dimension != dimension:
            continue
        if _is_discarded(text, found):
            continue
        if _is_container(text, found):
            containers.append(quantity)
            continue
        return quantity
    return containers[0] if containers else None


def discarded_dose(text: str, dimension: str) -> Quantity | None:
    """The amount written as discarded from a single-dose container (CMS JW modifier)."""
    for found in _AMOUNT_RE.finditer(text):
        quantity = _quantity(found)
        discarded = quantity.dimension == dimension and _is_discarded(text, found)
        if discarded and not _is_container(text, found):
            return quantity
    return None


def none_discarded(text: str) -> bool:
    """The note says nothing was discarded ("no waste", "fully used")."""
    return _NO_DISCARD_RE.search(text) is not None


_SINGLE_DOSE_RE = re.compile(
    r"\b(?:single[- ]dose|single[- ]use|one[- ]time[- ]use|unit[- ]dose|prefilled|"
    r"pre-filled|autoinjector)\b",
    re.IGNORECASE,
)
_MULTI_DOSE_RE = re.compile(r"\b(?:multi[- ]?dose|multiple[- ]dose|multi[- ]use)\b", re.I)


def container_kind(text: str) -> str | None:
    """ "single" or "multi" when the text names the kind of container, else None."""
    if _MULTI_DOSE_RE.search(text):
        return "multi"
    if _SINGLE_DOSE_RE.search(text):
        return "single"
    return None


_WORD_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                 "seven": 7, "eight": 8, "nine": 9, "ten": 10}  # fmt: skip
_COUNT = r"(\d+|a|one|two|three|four|five|six|seven|eight|nine|ten)"


def _count(text: str) -> Fraction:
    word = text.lower()
    return Fraction(_WORD_NUMBERS[word]) if word in _WORD_NUMBERS else _number(text)


def documented_count(text: str, noun: str) -> Quantity | None:
    """A count of items ("100 test strips", "2 boxes of 100 lancets" -> 200)."""
    boxes = re.search(
        rf"{_COUNT}\s*box(?:es)?\s+of\s+{_NUMBER}\s+(?:[a-z-]+\s+){{0,3}}?{noun}\b",
        text,
        re.IGNORECASE,
    )
    if boxes:
        amount = _count(boxes.group(1)) * _number(boxes.group(2))
        return Quantity(amount, "count", boxes.group(0))
    # words between the count and the item, a size among them ("30 sterile 1 cc syringes")
    between = r"(?:[a-z-]+|\d+(?:\.\d+)?\s*(?:cc|ml|mm|g|gauge|inch(?:es)?))\s+"
    found = re.search(rf"{_NUMBER}\s+(?:{between}){{0,3}}?{noun}\b", text, re.IGNORECASE)
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
