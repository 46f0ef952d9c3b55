"""Running a coder over the gold cases: in this process, or in spawned worker processes.

``jobs > 1`` codes the cases in a ``ProcessPoolExecutor`` (spawned workers) only when
the coder can be pickled; a coder that cannot (a lambda, a closure, an object holding a
database connection) runs sequentially, with no error and a line in the report's
``notes`` saying so (evaluation/run.py). A case whose coder raises gets the error as its
outcome; one failing case never stops the evaluation.
"""

from __future__ import annotations

import multiprocessing
import pickle
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from medcoder.errors import MedcoderError
from medcoder.evaluation.gold import Coder, GoldCase, Prediction
from medcoder.kinds import CodeSystem


@dataclass(frozen=True, slots=True)
class Outcome:
    predictions: tuple[Prediction, ...]
    error: str | None
    seconds: float
    encounter_confidence: float | None = None
    encounter_features: tuple[float, ...] | None = None


def _describe(exc: BaseException) -> str:
    if isinstance(exc, MedcoderError):
        return f"[{exc.code}] {exc.message}"
    return f"{type(exc).__name__}: {exc}"


def code_case(item: tuple[Coder, GoldCase]) -> Outcome:
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
        return Outcome((), _describe(exc), time.perf_counter() - start)
    return Outcome(
        predictions,
        None,
        time.perf_counter() - start,
        getattr(coded, "encounter_confidence", None),
        getattr(coded, "encounter_features", None),
    )


def picklable(coder: Coder) -> str | None:
    """None when the coder pickles, else why not."""
    try:
        pickle.dumps(coder)
    except Exception as exc:  # PicklingError, AttributeError (local object), TypeError
        return f"{type(exc).__name__}: {exc}"
    return None


def run_parallel(
    cases: Sequence[GoldCase], coder: Coder, jobs: int, progress: Callable[[int], None] | None
) -> list[Outcome]:
    outcomes: list[Outcome] = []
    chunk = max(1, len(cases) // (jobs * 4))
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        try:
            for outcome in pool.map(code_case, [(coder, c) for c in cases], chunksize=chunk):
                outcomes.append(outcome)
                if progress is not None:
                    progress(1)
        except Exception as exc:  # a dead worker or an unpicklable result
            failure = f"worker failed: {_describe(exc)}"
            outcomes.extend(Outcome((), failure, 0.0) for _ in cases[len(outcomes) :])
    return outcomes
