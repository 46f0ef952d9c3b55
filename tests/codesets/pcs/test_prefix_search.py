"""ICD-10-PCS type-ahead (issue 16, part 1): a code's first characters list its codes in
code order, and words search the titles."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from medcoder.api.search import procedure_hits
from medcoder.codesets.in_force import CodeSetChooser
from medcoder.codesets.registry import Registry
from medcoder.kinds import CodeSystem


def test_pcs_prefix_and_words(cm_pcs_home: Path) -> None:
    chooser = CodeSetChooser(Registry(cm_pcs_home, quiet=True))
    day = dt.date(2026, 5, 1)
    hits = procedure_hits(chooser, CodeSystem.ICD10PCS, "0dtj", day, 5)
    codes = [h["code"] for h in hits]
    assert codes and all(c.startswith("0DTJ") for c in codes) and codes == sorted(codes)
    assert "0DTJ4ZZ" in codes and hits[0]["source"] == "code" and hits[0]["title"]
    words = procedure_hits(chooser, CodeSystem.ICD10PCS, "resection appendix", day, 5)
    assert words and all("Appendix" in h["title"] for h in words)
    assert procedure_hits(chooser, CodeSystem.CPT, "99213", day, 5)[0]["code"] == "99213"
    assert procedure_hits(chooser, CodeSystem.CPT, "office visit", day, 5) == []
