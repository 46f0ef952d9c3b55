"""The confidence of a reported code: calibrated on the development sets.

The observed share of codes with the same features (where in the note, how found, what
kind of code) that the gold standard also has, from coding/data/calibration.json, fitted
by scripts/fit_calibration.py (5-fold cross-validated expected calibration error).
"""

from __future__ import annotations

import functools
import json

from medcoder.coding.candidate import Candidate
from medcoder.nlp.sections import DIAGNOSTIC_SECTIONS


def confidence_features(sources: list[Candidate]) -> tuple[str, ...]:
    """What the confidence depends on, most telling first (backed off right to left).

    Where the code was found (a problem line of the assessment, elsewhere in it, or
    a note without an assessment), how (curated / index / Tabular title), what kind of
    code (a symptom R code, a Z status code, an injury, other), and how often.
    """
    best = sources[0]
    diagnostic = {str(k) for k in DIAGNOSTIC_SECTIONS}
    if best.problem_line:
        place = "problem"
    elif best.section in diagnostic:
        place = "assessment"
    else:
        place = "elsewhere"
    how = {"curated": "index", "abbreviation": "index"}.get(best.source, best.source)
    kind = {"R": "symptom", "Z": "status", "S": "injury", "T": "injury"}.get(
        best.code[:1], "condition"
    )
    return (place, how, kind, "repeated" if len(sources) > 1 else "once")


def confidence_of(sources: list[Candidate]) -> float:
    """Calibrated on the development sets (scripts/fit_calibration.py): the observed share
    of codes with these features that the gold standard also has."""
    return confidence_from(
        calibration_table(), confidence_features(sources), uncertain=sources[0].uncertain
    )


def confidence_from(
    table: dict[str, float], features: tuple[str, ...], *, uncertain: bool = False
) -> float:
    """The confidence ``table`` gives these features, backing off right to left (also
    what scripts/fit_calibration.py scores its held-out folds with)."""
    for n in range(len(features), 0, -1):
        key = "|".join(features[:n])
        if key in table:
            value = table[key]
            break
    else:
        value = table.get("", 0.5)
    if uncertain:
        value *= 0.8  # coded as if confirmed (inpatient II.H): less sure than documented
    return round(max(0.02, min(0.98, value)), 3)


@functools.lru_cache(maxsize=1)
def calibration_table() -> dict[str, float]:
    """Feature key -> probability, from coding/data/calibration.json."""
    from importlib import resources

    resource = resources.files("medcoder.coding") / "data" / "calibration.json"
    try:
        data = json.loads(resource.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"": 0.5}
    return {str(k): float(v["p"]) for k, v in data["table"].items()}
