"""How well the coder does against a gold file: precision, recall, error classes, calibration.

``medcoder evaluate GOLD.jsonl`` calls :func:`run_evaluation`; the pieces underneath
work with any coder (a function from a :class:`GoldCase` to :class:`Prediction` s), so
tests use a fake and the engine is one coder among others.

Gold file: one JSON object a line, ``{"id", "text", "icd10cm": [...]}`` with optional
``"setting"``, ``"date"``, ``"age"``, ``"sex"`` and ``"pcs"`` (ICD-10-PCS codes, scored
apart at 4 and 7 characters: see evaluation/pcs.py); other keys are ignored. Codes are
normalized (``E119`` -> ``E11.9``) and de-duplicated; a code that is not ICD-10-CM
syntax is kept as written and counted as ``gold_unparsed``.

Scoring (per case, then over all cases):

* **code level** compares normalized codes; **category level** compares their first
  three characters (``E11.9`` -> ``E11``), each side as a set.
* **micro** scores pool the true positives, false positives and false negatives of all
  cases; **macro** scores average each case's precision, recall and F1 (so macro F1 is
  the mean of the cases' F1, not the harmonic mean of macro P and R).
* A case with nothing to find and nothing found scores 1 (precision, recall, F1); no
  predictions against gold codes scores precision 0, and predictions where the gold
  has none score recall 0.
* A case whose coder raised counts as predicting nothing (its gold codes are missed):
  a crash is the engine's failure too. The message is kept on the case and
  ``coder_errors`` counts them.

Error classes (every code-level miss or extra is exactly one of these):

* ``gold_not_in_release``: a missed gold code that ``code_exists`` says cannot be
  reported from the release used (CodiEsp is coded with 2018 codes: R51 and M54.5 were
  billable then and are headers now, and its external-cause codes lack the 7th
  character); kept apart so it is not blamed on the engine, and left out of
  wrong-specificity pairing. Only when ``code_exists`` is
  given (otherwise ``None``).
* ``wrong_specificity``: a missed gold code and an extra predicted code in the same
  category, paired greedily by longest common prefix; each pair counts once.
* ``missed``: a missed gold code with no predicted code in its category.
* ``extra``: an extra predicted code with no gold code in its category.
* ``missed_in_category`` / ``extra_in_category``: left over after pairing in a category
  that the other side does have (gold E11.9 + E11.65 against predicted E11.9).

Calibration: every (de-duplicated) predicted code falls in a confidence bin
``[0, 0.1), [0.1, 0.2), ..., [0.9, 1.0]`` (confidences are clamped to [0, 1]); a bin
shows its count, mean confidence and accuracy (the fraction of its codes in the gold).
ECE is the count-weighted mean of ``|accuracy - mean confidence|`` over the bins
(0.0 when nothing was predicted).

Parallel runs: ``jobs > 1`` codes the cases in a ``ProcessPoolExecutor`` (spawned
workers) only when the coder can be pickled; a coder that cannot (a lambda, a closure,
an object holding a database connection) runs sequentially, with no error and a line
in ``notes`` saying so. :class:`EngineCoder` is picklable: each worker builds its own
engine.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import pickle
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from medcoder.codesets.codes import normalize
from medcoder.codesets.registry import Registry
from medcoder.codesets.store import Release
from medcoder.coding.encounter import encounter_features
from medcoder.errors import InvalidInputError, MedcoderError
from medcoder.evaluation.autonomy import EncounterSummary, summarize_encounters
from medcoder.evaluation.pcs import PcsScores, score_pcs
from medcoder.kinds import CodeSystem, Setting
from medcoder.pipeline import engine_for, make_document, parse_date

__all__ = [
    "BIN_COUNT",
    "CaseResult",
    "CodeError",
    "CodedNote",
    "Coder",
    "EngineCoder",
    "ErrorClassCounts",
    "EvaluationReport",
    "GoldCase",
    "LevelScores",
    "Prediction",
    "ReliabilityBin",
    "Scores",
    "evaluate",
    "expected_calibration_error",
    "load_gold",
    "run_evaluation",
]

BIN_COUNT = 10
_REQUIRED_KEYS = ("id", "text", "icd10cm")
_GOLD_HINT = 'each line is a JSON object {"id", "text", "icd10cm": [codes]}'
# Gold files from other corpora mark an unknown care setting; the engine then uses
# its default (outpatient) rather than failing every case.
_UNKNOWN_SETTINGS = frozenset({"", "unknown"})


# -- inputs ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class GoldCase:
    """One note of a gold file with the ICD-10-CM codes a human coder assigned."""

    id: str
    text: str
    codes: tuple[str, ...]
    setting: str | None = None
    date: str | None = None
    age: int | None = None
    sex: str | None = None
    pcs: tuple[str, ...] | None = None  # ICD-10-PCS gold, often truncated; None: not scored


@dataclass(frozen=True, slots=True)
class Prediction:
    """A code the coder assigned and how sure it is (0..1)."""

    code: str
    confidence: float
    system: CodeSystem = CodeSystem.ICD10CM  # ICD-10-PCS is scored apart (procedures)


Coder = Callable[[GoldCase], Sequence[Prediction]]


class CodedNote(list[Prediction]):
    """A coder's predictions for one note, with the encounter confidence and the
    features it was computed from (coding/encounter.py); a coder may return a plain
    list instead, and its cases then have no encounter confidence."""

    encounter_confidence: float | None = None
    encounter_features: tuple[float, ...] | None = None


def _canonical(code: str) -> str:
    """Normalized code, or the code as written when it is not ICD-10-CM syntax."""
    try:
        return normalize(code)
    except InvalidInputError:
        return code


def _parses(code: str) -> bool:
    try:
        normalize(code)
    except InvalidInputError:
        return False
    return True


def _category(code: str) -> str:
    return code[:3]


def _unique(codes: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(codes))


def _optional(data: dict[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInputError(f'{where}: "{key}" must be a string', hint=_GOLD_HINT)
    return value


def _gold_case(data: object, where: str) -> GoldCase:
    if not isinstance(data, dict):
        raise InvalidInputError(f"{where}: a line must be a JSON object", hint=_GOLD_HINT)
    missing = [key for key in _REQUIRED_KEYS if key not in data]
    if missing:
        names = ", ".join(f'"{key}"' for key in missing)
        raise InvalidInputError(f"{where}: missing {names}", hint=_GOLD_HINT)
    case_id, text, codes = data["id"], data["text"], data["icd10cm"]
    if isinstance(case_id, bool) or not isinstance(case_id, str | int):
        raise InvalidInputError(f'{where}: "id" must be a string or a number', hint=_GOLD_HINT)
    if not isinstance(text, str):
        raise InvalidInputError(f'{where}: "text" must be a string', hint=_GOLD_HINT)
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        raise InvalidInputError(f'{where}: "icd10cm" must be a list of strings', hint=_GOLD_HINT)
    age = data.get("age")
    if age is not None and (isinstance(age, bool) or not isinstance(age, int)):
        raise InvalidInputError(f'{where}: "age" must be a whole number', hint=_GOLD_HINT)
    pcs = data.get("pcs")
    if pcs is not None and (not isinstance(pcs, list) or not all(isinstance(c, str) for c in pcs)):
        raise InvalidInputError(f'{where}: "pcs" must be a list of strings', hint=_GOLD_HINT)
    return GoldCase(
        id=str(case_id),
        text=text,
        codes=_unique(_canonical(code) for code in codes),
        setting=_optional(data, "setting", where),
        date=_optional(data, "date", where),
        age=age,
        sex=_optional(data, "sex", where),
        pcs=tuple(pcs) if pcs is not None else None,
    )


def load_gold(path: Path) -> list[GoldCase]:
    """Read a gold JSONL file; a malformed line raises InvalidInputError naming file:line.

    Blank lines are skipped; an id used twice, or a file with no cases, is an error.
    """
    cases: list[GoldCase] = []
    seen: dict[str, int] = {}
    try:
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                where = f"{path}:{number}"
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise InvalidInputError(f"{where}: not UTF-8 text ({exc.reason})") from exc
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InvalidInputError(
                        f"{where}: not JSON: {exc.msg} (column {exc.colno})", hint=_GOLD_HINT
                    ) from exc
                case = _gold_case(data, where)
                if case.id in seen:
                    raise InvalidInputError(
                        f"{where}: id {case.id!r} already used on line {seen[case.id]}",
                        hint="give every case its own id",
                    )
                seen[case.id] = number
                cases.append(case)
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path}: {exc.strerror}") from exc
    if not cases:
        raise InvalidInputError(f"{path}: no cases in the gold file", hint=_GOLD_HINT)
    return cases


# -- results --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Scores:
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True, slots=True)
class LevelScores:
    """Scores at one level (code or category): pooled counts, micro and macro."""

    micro: Scores
    macro: Scores
    tp: int
    fp: int
    fn: int


@dataclass(frozen=True, slots=True)
class CodeError:
    """One classified difference: ``gold`` and/or ``predicted`` (both for a pair)."""

    kind: str  # missed | extra | wrong_specificity | missed_in_category | ...
    gold: str | None
    predicted: str | None


@dataclass(frozen=True, slots=True)
class CaseResult:
    """What the coder got right and wrong on one case."""

    id: str
    gold: tuple[str, ...]
    predicted: tuple[Prediction, ...]
    true_positives: tuple[str, ...]
    missed: tuple[str, ...]  # gold codes not predicted exactly
    extra: tuple[str, ...]  # predicted codes not in the gold
    errors: tuple[CodeError, ...]
    code: Scores
    category: Scores
    seconds: float
    error: str | None = None  # the exception the coder raised on this case
    encounter_confidence: float | None = None
    encounter_features: tuple[float, ...] | None = None

    @property
    def perfect(self) -> bool:
        return self.error is None and not self.missed and not self.extra

    @property
    def exact(self) -> bool:
        """The code set is exactly the gold's reportable codes (a gold code the release
        cannot report is a code-set change, not a miss): an encounter that could have
        been finalized without review."""
        return (
            self.error is None
            and not self.extra
            and all(e.kind == "gold_not_in_release" for e in self.errors if e.gold)
        )


@dataclass(frozen=True, slots=True)
class ErrorClassCounts:
    missed: int
    extra: int
    wrong_specificity: int
    missed_in_category: int
    extra_in_category: int
    gold_not_in_release: int | None  # None when no code_exists was given


@dataclass(frozen=True, slots=True)
class ReliabilityBin:
    lower: float
    upper: float
    count: int
    mean_confidence: float | None  # None for an empty bin
    accuracy: float | None


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    """Everything ``medcoder evaluate`` reports; render with evaluate_report."""

    n_cases: int
    coder_errors: int
    gold_codes: int
    predicted_codes: int
    gold_unparsed: int
    code: LevelScores
    category: LevelScores
    # Code level with gold codes not in the release left out of the gold (code_exists only).
    code_in_release: LevelScores | None
    error_classes: ErrorClassCounts
    top_missed: tuple[tuple[str, int], ...]
    top_extra: tuple[tuple[str, int], ...]
    top_not_in_release: tuple[tuple[str, int], ...]
    bins: tuple[ReliabilityBin, ...]
    ece: float
    elapsed_seconds: float
    notes_per_second: float
    jobs: int  # worker processes actually used (1 = sequential)
    cases: tuple[CaseResult, ...]
    notes: tuple[str, ...] = ()
    gold_path: str | None = None
    release: str | None = None
    procedures: PcsScores | None = None  # ICD-10-PCS, when the gold has a "pcs" field
    encounter: EncounterSummary | None = None  # exact match and the autonomy curve


# -- scoring --------------------------------------------------------------------------
def _scores(tp: int, fp: int, fn: int) -> Scores:
    # Nothing to find and nothing found is perfect; see the module docstring.
    precision = tp / (tp + fp) if tp + fp else (1.0 if fn == 0 else 0.0)
    recall = tp / (tp + fn) if tp + fn else (1.0 if fp == 0 else 0.0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1)


def _counts(gold: Sequence[str], predicted: Sequence[str]) -> tuple[int, int, int]:
    gold_set, predicted_set = set(gold), set(predicted)
    tp = len(gold_set & predicted_set)
    return tp, len(predicted_set) - tp, len(gold_set) - tp


def _level(per_case: Sequence[tuple[int, int, int]]) -> LevelScores:
    tp = sum(c[0] for c in per_case)
    fp = sum(c[1] for c in per_case)
    fn = sum(c[2] for c in per_case)
    case_scores = [_scores(*c) for c in per_case]
    n = len(case_scores)
    macro = Scores(
        sum(s.precision for s in case_scores) / n,
        sum(s.recall for s in case_scores) / n,
        sum(s.f1 for s in case_scores) / n,
    )
    return LevelScores(_scores(tp, fp, fn), macro, tp, fp, fn)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a.replace(".", ""), b.replace(".", ""), strict=False):
        if x != y:
            break
        n += 1
    return n


_KIND_ORDER = {
    kind: i
    for i, kind in enumerate(
        (
            "gold_not_in_release",
            "wrong_specificity",
            "missed",
            "missed_in_category",
            "extra",
            "extra_in_category",
        )
    )
}


def _classify(
    gold: Sequence[str],
    predicted: Sequence[str],
    in_release: Callable[[str], bool] | None,
) -> tuple[CodeError, ...]:
    predicted_set, gold_set = set(predicted), set(gold)
    missed = [g for g in gold if g not in predicted_set]
    extra = [p for p in predicted if p not in gold_set]
    errors: list[CodeError] = []
    if in_release is not None:
        absent = [g for g in missed if not in_release(g)]
        errors.extend(CodeError("gold_not_in_release", g, None) for g in absent)
        missed = [g for g in missed if g not in absent]
    # Greedy pairing: the closest codes in a category first (E11.65 pairs with E11.649
    # before E11.9); ties broken by code so the result does not depend on input order.
    pairs = sorted(
        ((g, p) for g in missed for p in extra if _category(g) == _category(p)),
        key=lambda gp: (-_common_prefix(*gp), gp),
    )
    paired_gold: set[str] = set()
    paired_predicted: set[str] = set()
    for g, p in pairs:
        if g not in paired_gold and p not in paired_predicted:
            paired_gold.add(g)
            paired_predicted.add(p)
            errors.append(CodeError("wrong_specificity", g, p))
    gold_categories = {_category(g) for g in gold}
    predicted_categories = {_category(p) for p in predicted}
    for g in missed:
        if g not in paired_gold:
            kind = "missed_in_category" if _category(g) in predicted_categories else "missed"
            errors.append(CodeError(kind, g, None))
    for p in extra:
        if p not in paired_predicted:
            kind = "extra_in_category" if _category(p) in gold_categories else "extra"
            errors.append(CodeError(kind, None, p))
    errors.sort(key=lambda e: _KIND_ORDER[e.kind])  # stable: keeps gold / predicted order
    return tuple(errors)


def _dedupe(predictions: Sequence[Prediction]) -> tuple[Prediction, ...]:
    """Canonical codes, each once, with its highest confidence clamped to [0, 1]."""
    best: dict[str, float] = {}
    for prediction in predictions:
        code = _canonical(prediction.code)
        confidence = float(prediction.confidence)
        confidence = 0.0 if math.isnan(confidence) else min(1.0, max(0.0, confidence))
        if code not in best or confidence > best[code]:
            best[code] = confidence
    return tuple(Prediction(code, confidence) for code, confidence in best.items())


def expected_calibration_error(pairs: Sequence[tuple[float, bool]]) -> float:
    """ECE over the report's ten confidence bins (see the module docstring)."""
    return _reliability(pairs)[1] if pairs else 0.0


def _reliability(pairs: Sequence[tuple[float, bool]]) -> tuple[tuple[ReliabilityBin, ...], float]:
    members: list[list[tuple[float, bool]]] = [[] for _ in range(BIN_COUNT)]
    for confidence, correct in pairs:
        members[min(int(confidence * BIN_COUNT), BIN_COUNT - 1)].append((confidence, correct))
    bins: list[ReliabilityBin] = []
    ece = 0.0
    for i, group in enumerate(members):
        lower, upper = i / BIN_COUNT, (i + 1) / BIN_COUNT
        if not group:
            bins.append(ReliabilityBin(lower, upper, 0, None, None))
            continue
        mean_confidence = sum(c for c, _ in group) / len(group)
        accuracy = sum(1 for _, ok in group if ok) / len(group)
        bins.append(ReliabilityBin(lower, upper, len(group), mean_confidence, accuracy))
        ece += len(group) / len(pairs) * abs(accuracy - mean_confidence)
    return tuple(bins), ece


# -- running the coder ----------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Outcome:
    predictions: tuple[Prediction, ...]
    error: str | None
    seconds: float
    encounter_confidence: float | None = None
    encounter_features: tuple[float, ...] | None = None


def _describe(exc: BaseException) -> str:
    if isinstance(exc, MedcoderError):
        return f"[{exc.code}] {exc.message}"
    return f"{type(exc).__name__}: {exc}"


def _code_case(item: tuple[Coder, GoldCase]) -> _Outcome:
    """Run the coder on one case; an exception becomes the case's error (module level:
    worker processes import it)."""
    coder, case = item
    start = time.perf_counter()
    try:
        coded = coder(case)
        predictions = tuple(
            Prediction(
                str(p.code),
                float(p.confidence),
                CodeSystem(getattr(p, "system", CodeSystem.ICD10CM)),
            )
            for p in coded
        )
    except Exception as exc:  # one failing case must not stop the evaluation
        return _Outcome((), _describe(exc), time.perf_counter() - start)
    return _Outcome(
        predictions,
        None,
        time.perf_counter() - start,
        getattr(coded, "encounter_confidence", None),
        getattr(coded, "encounter_features", None),
    )


def _picklable(coder: Coder) -> str | None:
    """None when the coder pickles, else why not."""
    try:
        pickle.dumps(coder)
    except Exception as exc:  # PicklingError, AttributeError (local object), TypeError
        return f"{type(exc).__name__}: {exc}"
    return None


def _run_parallel(
    cases: Sequence[GoldCase], coder: Coder, jobs: int, progress: Callable[[int], None] | None
) -> list[_Outcome]:
    outcomes: list[_Outcome] = []
    chunk = max(1, len(cases) // (jobs * 4))
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        try:
            for outcome in pool.map(_code_case, [(coder, c) for c in cases], chunksize=chunk):
                outcomes.append(outcome)
                if progress is not None:
                    progress(1)
        except Exception as exc:  # a dead worker or an unpicklable result
            failure = f"worker failed: {_describe(exc)}"
            outcomes.extend(_Outcome((), failure, 0.0) for _ in cases[len(outcomes) :])
    return outcomes


def _top(counter: Counter[str], top: int) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:top])


def evaluate(
    cases: Sequence[GoldCase],
    coder: Coder,
    *,
    code_exists: Callable[[str], bool] | None = None,
    jobs: int = 1,
    top: int = 10,
    progress: Callable[[int], None] | None = None,
    autonomy_precision: float = 0.95,
    encounter_folds: int = 0,
) -> EvaluationReport:
    """Run ``coder`` on every case and score it against the gold codes.

    ``autonomy_precision``: the share of exactly right encounters the autonomy threshold
    must reach; ``encounter_folds`` >= 2: score encounters out-of-fold with a model
    refitted on these cases (evaluation/autonomy.py), else with the coder's own.

    ``code_exists`` says whether a gold code is in the release the coder used (gold codes
    it rejects are reported as ``gold_not_in_release``); ``top`` is how many of the most
    frequent missed / extra codes to list; ``progress`` is called with 1 per case coded.
    """
    if not cases:
        raise InvalidInputError("no cases to evaluate")
    if jobs < 1:
        raise InvalidInputError(f"jobs must be 1 or more, not {jobs}")
    if not 0 < autonomy_precision <= 1:
        raise InvalidInputError(f"autonomy precision must be in (0, 1], not {autonomy_precision}")
    if encounter_folds == 1 or encounter_folds < 0 or encounter_folds > len(cases):
        raise InvalidInputError(
            f"encounter folds must be 0 (off) or 2 to {len(cases)}, not {encounter_folds}"
        )
    notes: list[str] = []
    workers = min(jobs, len(cases))
    if workers > 1:
        why = _picklable(coder)
        if why is not None:
            notes.append(f"ran sequentially: the coder cannot be pickled ({why})")
            workers = 1
    start = time.perf_counter()
    if workers > 1:
        outcomes = _run_parallel(cases, coder, workers, progress)
    else:
        outcomes = []
        for case in cases:
            outcomes.append(_code_case((coder, case)))
            if progress is not None:
                progress(1)
    elapsed = time.perf_counter() - start

    exists_memo: dict[str, bool] = {}

    def in_release(code: str) -> bool:
        assert code_exists is not None
        if code not in exists_memo:
            exists_memo[code] = bool(code_exists(code))
        return exists_memo[code]

    results: list[CaseResult] = []
    code_counts: list[tuple[int, int, int]] = []
    category_counts: list[tuple[int, int, int]] = []
    in_release_counts: list[tuple[int, int, int]] = []
    calibration: list[tuple[float, bool]] = []
    missed_counter: Counter[str] = Counter()
    extra_counter: Counter[str] = Counter()
    absent_counter: Counter[str] = Counter()
    gold_unparsed = 0
    pcs_pairs: list[tuple[Sequence[str], Sequence[str]]] = []
    for case, outcome in zip(cases, outcomes, strict=True):
        gold = _unique([_canonical(c) for c in case.codes])
        gold_unparsed += sum(1 for c in gold if not _parses(c))
        if case.pcs is not None:
            pcs_pairs.append(
                (case.pcs, [p.code for p in outcome.predictions if p.system is CodeSystem.ICD10PCS])
            )
        predictions = _dedupe([p for p in outcome.predictions if p.system is CodeSystem.ICD10CM])
        predicted = tuple(p.code for p in predictions)
        gold_set, predicted_set = set(gold), set(predicted)
        errors = _classify(gold, predicted, in_release if code_exists is not None else None)
        counts = _counts(gold, predicted)
        category_level = _counts(_unique(map(_category, gold)), _unique(map(_category, predicted)))
        code_counts.append(counts)
        category_counts.append(category_level)
        if code_exists is not None:
            kept = [g for g in gold if in_release(g)]
            in_release_counts.append(_counts(kept, predicted))
        calibration.extend((p.confidence, p.code in gold_set) for p in predictions)
        missed = tuple(g for g in gold if g not in predicted_set)
        extra = tuple(p for p in predicted if p not in gold_set)
        absent = {e.gold for e in errors if e.kind == "gold_not_in_release"}
        missed_counter.update(g for g in missed if g not in absent)
        absent_counter.update(g for g in missed if g in absent)
        extra_counter.update(extra)
        results.append(
            CaseResult(
                id=case.id,
                gold=gold,
                predicted=predictions,
                true_positives=tuple(g for g in gold if g in predicted_set),
                missed=missed,
                extra=extra,
                errors=errors,
                code=_scores(*counts),
                category=_scores(*category_level),
                seconds=outcome.seconds,
                error=outcome.error,
                encounter_confidence=outcome.encounter_confidence,
                encounter_features=outcome.encounter_features,
            )
        )

    kinds = Counter(e.kind for r in results for e in r.errors)
    try:
        encounter = summarize_encounters(
            [r.exact for r in results],
            [r.encounter_confidence for r in results],
            [r.encounter_features for r in results],
            target_precision=autonomy_precision,
            folds=encounter_folds,
        )
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from exc
    bins, ece = _reliability(calibration)
    return EvaluationReport(
        n_cases=len(results),
        coder_errors=sum(1 for r in results if r.error is not None),
        gold_codes=sum(len(r.gold) for r in results),
        predicted_codes=sum(len(r.predicted) for r in results),
        gold_unparsed=gold_unparsed,
        code=_level(code_counts),
        category=_level(category_counts),
        code_in_release=_level(in_release_counts) if code_exists is not None else None,
        error_classes=ErrorClassCounts(
            missed=kinds["missed"],
            extra=kinds["extra"],
            wrong_specificity=kinds["wrong_specificity"],
            missed_in_category=kinds["missed_in_category"],
            extra_in_category=kinds["extra_in_category"],
            gold_not_in_release=kinds["gold_not_in_release"] if code_exists is not None else None,
        ),
        top_missed=_top(missed_counter, top),
        top_extra=_top(extra_counter, top),
        top_not_in_release=_top(absent_counter, top),
        bins=bins,
        ece=ece,
        elapsed_seconds=elapsed,
        notes_per_second=len(results) / elapsed if elapsed > 0 else 0.0,
        jobs=workers,
        cases=tuple(results),
        notes=tuple(notes),
        procedures=score_pcs(pcs_pairs) if pcs_pairs else None,
        encounter=encounter,
    )


# -- the engine as a coder ------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class EngineCoder:
    """The coding engine as a :data:`Coder`; picklable, so ``jobs > 1`` runs it in workers.

    ``setting`` and ``date`` given here replace each case's own; a case setting of
    ``"unknown"`` (CodiEsp) means the engine's default. ``release`` names a release to
    code against instead of the one the date of service picks.
    """

    home: str | None = None
    setting: str | None = None
    date: str | None = None
    release: str | None = None

    def __call__(self, case: GoldCase) -> CodedNote:
        setting = self.setting if self.setting is not None else case.setting
        if setting is not None and setting.strip().lower() in _UNKNOWN_SETTINGS:
            setting = None
        document = make_document(
            case.text,
            setting=setting,
            date_of_service=self.date if self.date is not None else case.date,
            age=case.age,
            sex=case.sex,
            id=case.id,
        )
        engine = engine_for(Path(self.home) if self.home else None)
        result = engine.code(document, release_name=self.release)
        coded = CodedNote(
            [Prediction(a.code, a.confidence) for a in result.codes]
            + [Prediction(p.code, p.confidence, p.system) for p in result.procedures]
        )
        coded.encounter_confidence = result.encounter_confidence
        coded.encounter_features = encounter_features(result, document.text)
        return coded


def _reportable(release: Release, code: str) -> bool:
    """A gold code a coder could report from ``release``: present and billable there
    (a code that became a header with new children is a code-set change, not a miss)."""
    entry = release.get(code)
    return entry is not None and entry.billable


def run_evaluation(
    gold: Path,
    *,
    setting: str | None = None,
    date: str | None = None,
    release: str | None = None,
    home: Path | None = None,
    jobs: int = 1,
    top: int = 10,
    progress: Callable[[int], None] | None = None,
    autonomy_precision: float = 0.95,
    encounter_folds: int = 0,
) -> EvaluationReport:
    """``medcoder evaluate``: code every case of ``gold`` with the engine and score it.

    ``setting`` / ``date`` override every case's own (the date picks the release);
    ``release`` names one outright. Gold codes are checked against the release chosen
    by ``release``, else ``date``, else the newest (cases carrying their own dates may
    be coded against another release; the check still uses this one).
    """
    if setting is not None:
        Setting.parse(setting)  # a bad --setting fails once, not once per case
    day = parse_date(date)
    cases = load_gold(gold)
    registry = Registry(home, quiet=True)
    try:
        checked = registry.choose(name=release, day=day)
        coder = EngineCoder(
            home=str(home) if home is not None else None,
            setting=setting,
            date=date,
            release=release,
        )
        report = evaluate(
            cases,
            coder,
            code_exists=lambda code: _reportable(checked, code),
            jobs=jobs,
            top=top,
            progress=progress,
            autonomy_precision=autonomy_precision,
            encounter_folds=encounter_folds,
        )
        return replace(report, gold_path=str(gold), release=checked.name)
    finally:
        registry.close()
