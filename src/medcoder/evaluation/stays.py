"""Inpatient stays scored as a coder grades them: the principal diagnosis, then the code set.

A case file (``tests/coding/data/inpatient_blind.json``) holds synthetic discharge
summaries, each with the expected principal diagnosis (``alternatives``: the others that
Guidelines II.B / II.C / II.D let be sequenced first), the secondary diagnoses
(Section III), POA indicators and the MS-DRG of the expected codes. The principal is
right when the engine's first-listed code is the expected one or an alternative; the code
set is scored by micro precision, recall and F1 over all cases. External-cause codes
(V00-Y99) are not expected and not scored (I.C.20: reported as secondary codes only,
voluntary unless a state mandates them).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medcoder.errors import InvalidInputError
from medcoder.kinds import Setting
from medcoder.nlp.document import ClinicalDocument
from medcoder.pipeline import CodingEngine, make_document

EXTERNAL_CAUSE = ("V", "W", "X", "Y")


@dataclass(frozen=True, slots=True)
class StayCase:
    id: str
    split: str
    text: str
    principal: str
    alternatives: tuple[str, ...]
    secondary: tuple[str, ...]
    poa: dict[str, str]
    pcs: tuple[str, ...]
    drg: str
    age: int | None
    sex: str | None
    date_of_service: str | None
    discharge_status: str

    @property
    def expected(self) -> frozenset[str]:
        return frozenset((self.principal, *self.secondary))


@dataclass(frozen=True, slots=True)
class StayResult:
    case: StayCase
    found: tuple[str, ...]  # diagnosis codes in the engine's order, external causes left out
    poa: dict[str, str]  # code -> the POA indicator proposed (Appendix I)

    @property
    def principal_right(self) -> bool:
        return bool(self.found) and self.found[0] in (
            self.case.principal,
            *self.case.alternatives,
        )


@dataclass(frozen=True, slots=True)
class StayScores:
    cases: int
    principal_right: int
    true_positive: int
    found: int
    expected: int
    poa_agree: int = 0  # of the true positives with a POA expected and proposed
    poa_graded: int = 0

    @property
    def principal_accuracy(self) -> float:
        return self.principal_right / self.cases if self.cases else 0.0

    @property
    def precision(self) -> float:
        return self.true_positive / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.expected if self.expected else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_stays(path: Path) -> list[StayCase]:
    """The cases of a blind-set file; E-coded InvalidInputError naming the case on a
    missing field."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InvalidInputError(f"{path}: not a readable JSON case file ({exc})") from exc
    out: list[StayCase] = []
    for number, item in enumerate(data.get("cases", []), 1):
        out.append(_case(item, f"{path} case {number}"))
    return out


def _case(item: dict[str, Any], where: str) -> StayCase:
    try:
        return StayCase(
            id=str(item["id"]),
            split=str(item["split"]),
            text=str(item["text"]),
            principal=str(item["principal"]),
            alternatives=tuple(item.get("alternatives", ())),
            secondary=tuple(item.get("secondary", ())),
            poa=dict(item.get("poa", {})),
            pcs=tuple(item.get("pcs", ())),
            drg=str(item.get("drg", "")),
            age=item.get("age"),
            sex=item.get("sex"),
            date_of_service=item.get("date_of_service"),
            discharge_status=str(item.get("discharge_status", "01")),
        )
    except KeyError as exc:
        raise InvalidInputError(f"{where}: missing field {exc.args[0]!r}") from exc


def stay_document(case: StayCase) -> ClinicalDocument:
    return make_document(
        case.text,
        setting=Setting.INPATIENT,
        date_of_service=case.date_of_service,
        age=case.age,
        sex=case.sex,
        id=case.id,
    )


def code_stays(engine: CodingEngine, cases: Iterable[StayCase]) -> list[StayResult]:
    """Each case coded as an inpatient stay; diagnosis codes kept in the engine's order."""
    out: list[StayResult] = []
    for case in cases:
        result = engine.code(stay_document(case))
        kept = [c for c in result.codes if not c.code.startswith(EXTERNAL_CAUSE)]
        poa = {c.code: c.poa.indicator.value for c in kept if c.poa is not None}
        out.append(StayResult(case, tuple(c.code for c in kept), poa))
    return out


def score_stays(
    results: Sequence[StayResult], keep: Callable[[StayCase], bool] = lambda c: True
) -> StayScores:
    chosen = [r for r in results if keep(r.case)]
    tp = found = expected = right = agree = graded = 0
    for r in chosen:
        got = set(r.found)
        hits = got & r.case.expected
        tp += len(hits)
        found += len(got)
        expected += len(r.case.expected)
        right += r.principal_right
        for code in hits:
            want, proposed = r.case.poa.get(code), r.poa.get(code)
            if want is not None and proposed is not None:
                graded += 1
                agree += want == proposed
    return StayScores(len(chosen), right, tp, found, expected, agree, graded)


def scores_text(results: Sequence[StayResult]) -> str:
    """One line per split (all, dev, heldout): principal accuracy and full-code P/R/F1."""
    lines = []
    for name, keep in (
        ("all", lambda c: True),
        ("dev", lambda c: c.split == "dev"),
        ("heldout", lambda c: c.split == "heldout"),
    ):
        s = score_stays(results, keep)
        lines.append(
            f"{name:8s} n={s.cases:3d}  principal {s.principal_right}/{s.cases} = "
            f"{s.principal_accuracy:.1%}  full-code P {s.precision:.3f} R {s.recall:.3f} "
            f"F1 {s.f1:.3f}  POA {s.poa_agree}/{s.poa_graded}"
        )
    return "\n".join(lines)
