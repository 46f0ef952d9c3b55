"""Scoring ICD-10-PCS predictions against gold codes that may be truncated.

Annotators often give only the first characters of a PCS code (CodiEsp gives many at 4:
section, body system, root operation, body part). Two levels are scored, each micro
(pooled over the cases that carry PCS gold):

* **4 characters**: gold and predicted codes cut to their first four characters and
  compared as sets.
* **7 characters**: a gold code is matched by a predicted code that agrees on every
  character the annotator gave (all seven when given in full); a predicted code is
  right when it matches some gold code. Recall counts gold codes found, precision
  predicted codes that are right.

``medcoder evaluate codiesp_dev.jsonl --setting inpatient`` prints both levels with the
diagnosis scores; ``scripts/pcs_codiesp.py [--misses]`` runs the PCS stage alone (seconds)
and lists the gold codes missed and the codes wrongly given, counted by class.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PcsLevel:
    precision: float
    recall: float
    f1: float
    tp_gold: int  # gold codes found
    tp_predicted: int  # predicted codes that are right
    gold: int
    predicted: int


@dataclass(frozen=True, slots=True)
class PcsScores:
    """PCS scores at 4 and at 7 characters over ``cases`` cases with PCS gold."""

    cases: int
    gold_full: int  # gold codes given with all 7 characters
    gold_truncated: int
    at4: PcsLevel
    at7: PcsLevel


def normalize_gold(code: str) -> str:
    return "".join(ch for ch in code.strip().upper() if ch.isalnum())


def _level(found_gold: int, right: int, gold: int, predicted: int) -> PcsLevel:
    precision = right / predicted if predicted else (1.0 if gold == 0 else 0.0)
    recall = found_gold / gold if gold else (1.0 if predicted == 0 else 0.0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PcsLevel(precision, recall, f1, found_gold, right, gold, predicted)


def score_pcs(pairs: Sequence[tuple[Sequence[str], Sequence[str]]]) -> PcsScores:
    """``pairs``: per case, (gold codes, predicted codes)."""
    g4 = p4 = t4 = 0
    g7 = p7 = found7 = right7 = 0
    full = truncated = 0
    for gold_codes, predicted_codes in pairs:
        gold = {normalize_gold(c) for c in gold_codes if normalize_gold(c)}
        predicted = {normalize_gold(c) for c in predicted_codes}
        full += sum(1 for g in gold if len(g) >= 7)
        truncated += sum(1 for g in gold if len(g) < 7)
        gold4, predicted4 = {g[:4] for g in gold}, {p[:4] for p in predicted}
        g4, p4, t4 = g4 + len(gold4), p4 + len(predicted4), t4 + len(gold4 & predicted4)
        g7, p7 = g7 + len(gold), p7 + len(predicted)
        found7 += sum(1 for g in gold if any(p.startswith(g[:7]) for p in predicted))
        right7 += sum(1 for p in predicted if any(p.startswith(g[:7]) for g in gold))
    return PcsScores(
        cases=len(pairs),
        gold_full=full,
        gold_truncated=truncated,
        at4=_level(t4, t4, g4, p4),
        at7=_level(found7, right7, g7, p7),
    )
