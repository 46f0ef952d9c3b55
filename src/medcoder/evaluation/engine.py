"""The coding engine as a coder, and ``medcoder evaluate`` over a gold file.

:class:`EngineCoder` is picklable, so ``jobs > 1`` runs it in workers: each worker
builds its own engine. :func:`run_evaluation` codes every case of a gold file with it
and scores it with :func:`~medcoder.evaluation.run.evaluate`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from medcoder.codesets.registry import Registry
from medcoder.codesets.store import Release
from medcoder.coding.encounter import encounter_features
from medcoder.evaluation.gold import CodedNote, GoldCase, Prediction, load_gold
from medcoder.evaluation.results import EvaluationReport
from medcoder.evaluation.run import evaluate
from medcoder.kinds import Setting
from medcoder.pipeline import engine_for, make_document, parse_date

# Gold files from other corpora mark an unknown care setting; the engine then uses
# its default (outpatient) rather than failing every case.
_UNKNOWN_SETTINGS = frozenset({"", "unknown"})


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


def reportable_in(release: Release, code: str) -> bool:
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
    unscored: Sequence[str] = (),
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
            code_exists=lambda code: reportable_in(checked, code),
            jobs=jobs,
            top=top,
            progress=progress,
            autonomy_precision=autonomy_precision,
            encounter_folds=encounter_folds,
            unscored=unscored,
        )
        return replace(report, gold_path=str(gold), release=checked.name)
    finally:
        registry.close()
