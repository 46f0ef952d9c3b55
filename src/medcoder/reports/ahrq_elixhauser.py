"""The Elixhauser Comorbidity Software Refined v2026.1 rules, as AHRQ's
``CMR_Mapping_Program_v2026-1.sas`` applies them to a discharge record, and the two
indices of ``CMR_Index_Program_v2026-1.sas``; the code table is AHRQ's workbook
(``ahrq_reference``), the index weights ``data/ahrq_cmr_index_v2026_1.json``.

Written here (no library applies these rules without pandas): the SAS program, step by
step (``DO I = 2 TO ...``):

1. Secondary diagnoses only: the principal (first-listed) diagnosis is skipped, the
   record's remaining diagnoses are mapped through the workbook.
2. Measures neutral to POA (the workbook's "uses POA: No"; SAS array ``COMANYPOA``) are
   assigned whatever the POA indicator.
3. With POA reported (``POA = 1``), the POA-dependent measures (``COMPOA``: "uses POA:
   Yes", cerebrovascular disease as its ``CBVD_POA`` and ``CBVD_SQLA`` columns) are
   assigned only when the diagnosis is POA-exempt or its indicator is Y or W; a
   ``CBVD_POA`` diagnosis reported N or U (not exempt) sets ``CBVD_NPOA``. A blank
   indicator on a code that is not exempt assigns neither.
4. Exclusions: DIAB_CX drops DIAB_UNCX, HTN_CX drops HTN_UNCX, CANCER_METS drops
   CANCER_SOLID and CANCER_NSITU, CANCER_SOLID drops CANCER_NSITU; with POA reported,
   LIVER_SEV drops LIVER_MLD, RENLFL_SEV drops RENLFL_MOD, and CBVD = CBVD_POA or
   (SQLA and not NPOA) (a stroke arising in the stay is not masked by its sequela code).
5. Without POA (``POA = 0``, AHRQ's option for data that carry none, used here for
   outpatient records): the POA-dependent measures are missing (SAS ``.``); they count as
   absent in prevalence and add nothing to the indices.

POA-exempt: the record's indicator "1" or the code on the exempt list
(``coding.poa_lists``; AHRQ reads the same CMS list through its ``$poaxmpt`` format).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from medcoder.coding.poa_lists import code_key, exempt_list
from medcoder.errors import SourceFormatError
from medcoder.reports.ahrq_reference import WORKBOOK, CmrReference, reference

POA_PRESENT = frozenset({"Y", "W"})  # SAS: DXPOA(I) IN ("Y","W")
POA_ABSENT = frozenset({"N", "U"})  # SAS: DXPOA(I) IN ("N","U")
EXEMPT_MARK = "1"
CBVD, CBVD_POA, CBVD_SQLA, CBVD_NPOA = "CBVD", "CBVD_POA", "CBVD_SQLA", "CBVD_NPOA"
#: CMR_Mapping_Program: "Implement exclusions" (graver -> the milder measures it drops).
EXCLUSIONS_ANY_POA = (
    ("DIAB_CX", ("DIAB_UNCX",)),
    ("HTN_CX", ("HTN_UNCX",)),
    ("CANCER_METS", ("CANCER_SOLID", "CANCER_NSITU")),
    ("CANCER_SOLID", ("CANCER_NSITU",)),
)
EXCLUSIONS_POA = (("LIVER_SEV", ("LIVER_MLD",)), ("RENLFL_SEV", ("RENLFL_MOD",)))


@dataclass(frozen=True, slots=True)
class IndexWeights:
    source: str
    readmission: dict[str, int]
    mortality: dict[str, int]


@cache
def index_weights() -> IndexWeights:
    text = resources.files(__package__).joinpath("data", "ahrq_cmr_index_v2026_1.json")
    data = json.loads(text.read_text("utf-8"))
    weights = data["weights"]
    return IndexWeights(
        data["_source"],
        {k: int(w["readmission"]) for k, w in weights.items()},
        {k: int(w["mortality"]) for k, w in weights.items()},
    )


class CmrMapper:
    """The rules over bit masks: one bit per measure (AHRQ's order) and one per working
    flag (CBVD_POA, CBVD_SQLA, CBVD_NPOA). ``code_bits`` is what one secondary diagnosis
    contributes (cached per code, indicator and POA mode); ``finish`` applies the
    exclusions and the CBVD derivation to a record's OR of them."""

    def __init__(self, ref: CmrReference) -> None:
        self.reference = ref
        self.measures = tuple(m.key for m in ref.measures)
        names = (*self.measures, CBVD_POA, CBVD_SQLA, CBVD_NPOA)
        self.bit = {name: 1 << i for i, name in enumerate(names)}
        uses_poa = {m.key for m in ref.measures if m.uses_poa}
        missing = {c for c in ref.columns if c not in self.bit}
        if missing:
            raise SourceFormatError(
                WORKBOOK, f"mapping columns without a measure: {', '.join(sorted(missing))}"
            )
        self._poa_columns = frozenset(
            c for c in ref.columns if c in uses_poa or c in (CBVD_POA, CBVD_SQLA)
        )
        self._measure_mask = sum(self.bit[m] for m in self.measures)
        self._poa_measure_mask = sum(self.bit[m] for m in self.measures if m in uses_poa)
        weights = index_weights()
        self.readmission_weights = weights.readmission
        self.mortality_weights = weights.mortality
        self._bits: dict[tuple[str, str, bool], int] = {}
        self._finished: dict[tuple[int, bool], int] = {}

    def columns_of(self, code: str) -> tuple[str, ...]:
        """The workbook's columns for a code (dotted or not), before any rule."""
        return self.reference.codes.get(code_key(code), ())

    def maps(self, code: str) -> bool:
        return code_key(code) in self.reference.codes

    def code_bits(self, code: str, poa: str | None, poa_reported: bool) -> int:
        """What one secondary diagnosis with indicator ``poa`` contributes (step 2, 3)."""
        mark = (poa or "").strip().upper()
        key = (code, mark, poa_reported)
        found = self._bits.get(key)
        if found is not None:
            return found
        bits = 0
        columns = self.columns_of(code)
        if columns:
            exempt = mark == EXEMPT_MARK or code_key(code) in exempt_list()
            present = poa_reported and (exempt or mark in POA_PRESENT)
            for column in columns:
                if present or column not in self._poa_columns:
                    bits |= self.bit[column]
            if poa_reported and not exempt and mark in POA_ABSENT and CBVD_POA in columns:
                bits |= self.bit[CBVD_NPOA]
        self._bits[key] = bits
        return bits

    def finish(self, bits: int, poa_reported: bool) -> int:
        """A record's measures (step 4, 5) from the OR of its diagnoses' ``code_bits``."""
        key = (bits, poa_reported)
        found = self._finished.get(key)
        if found is not None:
            return found
        b = self.bit
        out = bits & self._measure_mask
        rules = EXCLUSIONS_ANY_POA + (EXCLUSIONS_POA if poa_reported else ())
        for graver, milder in rules:
            if out & b[graver]:
                for m in milder:
                    out &= ~b[m]
        if poa_reported and (
            bits & b[CBVD_POA] or (bits & b[CBVD_SQLA] and not bits & b[CBVD_NPOA])
        ):
            out |= b[CBVD]
        if not poa_reported:
            out &= ~self._poa_measure_mask
        self._finished[key] = out
        return out

    def assign(self, diagnoses: Sequence[tuple[str, str | None]], *, poa_reported: bool) -> int:
        """A record's measure mask from its diagnoses (code, POA) in sequence order, the
        principal (first-listed) first and skipped (SAS ``DO I = 2``)."""
        bits = 0
        for code, poa in diagnoses[1:]:
            bits |= self.code_bits(code, poa, poa_reported)
        return self.finish(bits, poa_reported)

    def flags(self, mask: int) -> frozenset[str]:
        return frozenset(m for m in self.measures if mask & self.bit[m])

    def indices(self, flags: Iterable[str]) -> tuple[int, int]:
        """(readmission, mortality) index of a set of measures: CMR_Index_Readmission and
        CMR_Index_Mortality, the sums of the rw and mw weights of the record's measures."""
        found = set(flags)
        return (
            sum(self.readmission_weights[m] for m in found),
            sum(self.mortality_weights[m] for m in found),
        )


@cache
def mapper() -> CmrMapper:
    """The v2026.1 rules over the installed workbook (read once per process)."""
    return CmrMapper(reference())
