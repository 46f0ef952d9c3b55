"""Charlson comorbidity from ICD-10-CM codes: the Quan 2005 ICD-10 coding algorithm
(``data/quan2005.json``: the categories, their code prefixes and the Charlson 1987
weights, with its source). Within a hierarchy only the graver condition counts toward the
index (diabetes with complications over without, moderate/severe over mild liver
disease, metastatic over localized tumour); prevalence counts each condition found.

Elixhauser is AHRQ's Comorbidity Software Refined (``ahrq_elixhauser``).
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
    name: str
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
def charlson_map() -> ComorbidityMap:
    text = resources.files(__package__).joinpath("data", "quan2005.json").read_text("utf-8")
    spec = json.loads(text)["charlson"]
    return ComorbidityMap(
        "charlson",
        spec["_source"],
        tuple(
            Category(key, label, weight, tuple(prefixes))
            for key, (label, weight, prefixes) in spec["categories"].items()
        ),
        dict(spec["hierarchy"]),
        {key: weight for key, (_label, weight, _prefixes) in spec["categories"].items()},
    )
