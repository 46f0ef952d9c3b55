"""Charlson and Elixhauser comorbidity from ICD-10-CM codes: the Quan 2005 ICD-10 coding
algorithms (``data/quan2005.json``: the categories, their code prefixes and index weights,
each with its source).

Charlson index: the Charlson 1987 weights; Elixhauser index: the van Walraven 2009
weights. Within a hierarchy only the graver condition counts toward the index (diabetes
with complications over without, severe over mild liver disease, metastatic over
localized tumour, complicated over uncomplicated hypertension); prevalence counts each
condition found.

Not the AHRQ Elixhauser Comorbidity Software Refined (its code-level tables and
present-on-admission rules are not in this offline environment): Quan 2005 reads prefixes
of ICD-10 codes and has no POA rules, so a condition arising in the stay counts too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class Category:
    key: str
    label: str
    weight: int
    prefixes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ComorbidityMap:
    name: str  # charlson | elixhauser
    source: str
    categories: tuple[Category, ...]
    hierarchy: dict[str, str]  # graver -> the milder one it replaces in the index
    weights: dict[str, int]

    def categories_of(self, code: str) -> tuple[str, ...]:
        """Every category a code falls in (a code may fall in more than one)."""
        key = code.replace(".", "").upper()
        return tuple(c.key for c in self.categories if key.startswith(c.prefixes))

    def flags(self, codes: Iterable[str]) -> frozenset[str]:
        return frozenset(k for code in codes for k in self.categories_of(code))

    def index(self, flags: Iterable[str]) -> int:
        found = set(flags)
        for graver, milder in self.hierarchy.items():
            if graver in found:
                found.discard(milder)
        return sum(self.weights[k] for k in found)


@cache
def maps() -> dict[str, ComorbidityMap]:
    text = resources.files(__package__).joinpath("data", "quan2005.json").read_text("utf-8")
    data = json.loads(text)
    return {
        name: ComorbidityMap(
            name,
            spec["_source"],
            tuple(
                Category(key, label, weight, tuple(prefixes))
                for key, (label, weight, prefixes) in spec["categories"].items()
            ),
            dict(spec["hierarchy"]),
            {key: weight for key, (_label, weight, _prefixes) in spec["categories"].items()},
        )
        for name, spec in data.items()
    }
