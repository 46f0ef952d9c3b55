"""Rendering an :class:`~medcoder.evaluation.run.EvaluationReport` as JSON or text.

``report_to_json`` returns a dict with these keys (stable; ``schema`` changes when they do)::

    schema               "medcoder.evaluation/3"
    gold_path, release   str | null: the gold file and the release gold codes were checked in
    n_cases              int
    coder_errors         int: cases on which the coder raised
    gold_codes           int: distinct gold codes, summed over cases
    predicted_codes      int: distinct predicted codes, summed over cases
    gold_unparsed        int: gold codes that are not ICD-10-CM syntax (kept as written)
    scores
      code, category     {"micro": {"precision", "recall", "f1"},
                          "macro": {"precision", "recall", "f1"}, "tp", "fp", "fn"}
      code_in_release    same shape, gold codes not in the release left out; null
                         when the run had no code_exists check
    error_classes        {"missed", "extra", "wrong_specificity", "missed_in_category",
                          "extra_in_category", "gold_not_in_release" (int | null)}
    top_missed           [{"code", "count"}]: gold codes not predicted exactly (not
                         counting gold_not_in_release), most frequent first
    top_extra            [{"code", "count"}]: predicted codes not in the gold
    top_not_in_release   [{"code", "count"}]: missed gold codes not in the release
    calibration          {"bins": [{"lower", "upper", "count", "mean_confidence",
                          "accuracy"}] (10 bins; null mean/accuracy when empty),
                          "ece", "predictions"}
    timing               {"elapsed_seconds", "notes_per_second", "jobs"}
    notes                [str]: e.g. why a parallel run went sequential
    procedures           null, or ICD-10-PCS scores when the gold has "pcs":
                         {"cases", "gold_full", "gold_truncated", "at4", "at7"}, each
                         level {"precision", "recall", "f1", "tp_gold", "tp_predicted",
                         "gold", "predicted"}
    encounter            {"cases", "exact", "exact_match_rate", "source", "scored", "ece",
                          "target_precision", "threshold" (null: none reaches it),
                          "coverage", "precision", "curve": [{"threshold", "above",
                          "coverage", "exact", "precision"}]}: encounter exact match
                          and the autonomy curve (evaluation/autonomy.py)
    per_case             [{"id", "gold": [code], "predicted": [{"code", "confidence"}],
                          "true_positives", "missed", "extra": [code],
                          "errors": [{"kind", "gold", "predicted"}],
                          "scores": {"code": {"precision", "recall", "f1"},
                                     "category": {...}},
                          "seconds", "error" (str | null), "exact" (bool),
                          "encounter_confidence" (float | null)}]

See :mod:`medcoder.evaluation.run` for what each figure means.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from medcoder.evaluation.autonomy import AutonomyPoint, EncounterSummary
from medcoder.evaluation.run import (
    CaseResult,
    CodeError,
    EvaluationReport,
    LevelScores,
    Scores,
)

__all__ = ["JSON_SCHEMA", "report_to_json", "report_to_text", "worst_cases"]

JSON_SCHEMA = "medcoder.evaluation/3"  # 2: "procedures"; 3: "encounter", per-case "exact"


def _scores_json(scores: Scores) -> dict[str, float]:
    return {"precision": scores.precision, "recall": scores.recall, "f1": scores.f1}


def _level_json(level: LevelScores) -> dict[str, Any]:
    return {
        "micro": _scores_json(level.micro),
        "macro": _scores_json(level.macro),
        "tp": level.tp,
        "fp": level.fp,
        "fn": level.fn,
    }


def _counts_json(pairs: tuple[tuple[str, int], ...]) -> list[dict[str, Any]]:
    return [{"code": code, "count": count} for code, count in pairs]


def _case_json(case: CaseResult) -> dict[str, Any]:
    return {
        "id": case.id,
        "gold": list(case.gold),
        "predicted": [{"code": p.code, "confidence": p.confidence} for p in case.predicted],
        "true_positives": list(case.true_positives),
        "missed": list(case.missed),
        "extra": list(case.extra),
        "errors": [{"kind": e.kind, "gold": e.gold, "predicted": e.predicted} for e in case.errors],
        "scores": {"code": _scores_json(case.code), "category": _scores_json(case.category)},
        "seconds": case.seconds,
        "error": case.error,
        "exact": case.exact,
        "encounter_confidence": case.encounter_confidence,
    }


def _point_json(point: AutonomyPoint) -> dict[str, Any]:
    return {
        "threshold": point.threshold,
        "above": point.above,
        "coverage": point.coverage,
        "exact": point.exact,
        "precision": point.precision,
    }


def _encounter_json(summary: EncounterSummary | None) -> dict[str, Any] | None:
    if summary is None:
        return None
    chosen = summary.chosen
    return {
        "cases": summary.cases,
        "exact": summary.exact,
        "exact_match_rate": summary.exact_rate,
        "source": summary.source,
        "scored": summary.scored,
        "ece": summary.ece,
        "target_precision": summary.target_precision,
        "threshold": chosen.threshold if chosen else None,
        "coverage": chosen.coverage if chosen else 0.0,
        "precision": chosen.precision if chosen else None,
        "curve": [_point_json(p) for p in summary.curve],
    }


def _encounter_text(summary: EncounterSummary) -> list[str]:
    lines = [
        f"Encounters: {summary.exact} of {summary.cases} exactly right "
        f"({summary.exact_rate:.1%}); confidence: {summary.source}"
    ]
    if not summary.scored:
        return lines
    ece = "-" if summary.ece is None else f"{summary.ece:.3f}"
    lines.append(f"  encounter-confidence ECE {ece}")
    lines.append(f"  {'threshold':<11}{'above':>7}{'share':>8}{'exact':>7}{'precision':>11}")
    for p in summary.curve:
        if p.above:
            lines.append(
                f"  {p.threshold:<11.2f}{p.above:>7}{p.coverage:>8.1%}{p.exact:>7}"
                f"{_f(p.precision, 11)}"
            )
    chosen = summary.chosen
    target = f"{summary.target_precision:.0%}"
    if chosen is None:
        lines.append(f"  no threshold reaches {target} encounter precision")
    else:
        lines.append(
            f"  precision >= {target}: threshold {chosen.threshold:.2f}, "
            f"{chosen.coverage:.1%} of encounters finalized without review "
            f"({chosen.exact} of {chosen.above} exactly right)"
        )
    return lines


def report_to_json(report: EvaluationReport) -> dict[str, Any]:
    """The report as plain JSON data; the keys are listed in the module docstring."""
    classes = report.error_classes
    return {
        "schema": JSON_SCHEMA,
        "gold_path": report.gold_path,
        "release": report.release,
        "n_cases": report.n_cases,
        "coder_errors": report.coder_errors,
        "gold_codes": report.gold_codes,
        "predicted_codes": report.predicted_codes,
        "gold_unparsed": report.gold_unparsed,
        "scores": {
            "code": _level_json(report.code),
            "category": _level_json(report.category),
            "code_in_release": (
                _level_json(report.code_in_release) if report.code_in_release else None
            ),
        },
        "error_classes": {
            "missed": classes.missed,
            "extra": classes.extra,
            "wrong_specificity": classes.wrong_specificity,
            "missed_in_category": classes.missed_in_category,
            "extra_in_category": classes.extra_in_category,
            "gold_not_in_release": classes.gold_not_in_release,
        },
        "top_missed": _counts_json(report.top_missed),
        "top_extra": _counts_json(report.top_extra),
        "top_not_in_release": _counts_json(report.top_not_in_release),
        "calibration": {
            "bins": [
                {
                    "lower": b.lower,
                    "upper": b.upper,
                    "count": b.count,
                    "mean_confidence": b.mean_confidence,
                    "accuracy": b.accuracy,
                }
                for b in report.bins
            ],
            "ece": report.ece,
            "predictions": sum(b.count for b in report.bins),
        },
        "timing": {
            "elapsed_seconds": report.elapsed_seconds,
            "notes_per_second": report.notes_per_second,
            "jobs": report.jobs,
        },
        "notes": list(report.notes),
        "procedures": asdict(report.procedures) if report.procedures is not None else None,
        "encounter": _encounter_json(report.encounter),
        "per_case": [_case_json(case) for case in report.cases],
    }


# -- text -----------------------------------------------------------------------------
def worst_cases(report: EvaluationReport) -> list[CaseResult]:
    """Imperfect cases, worst first: coder errors, then lowest code F1, most differences."""
    imperfect = [case for case in report.cases if not case.perfect]
    return sorted(
        imperfect,
        key=lambda c: (c.error is None, c.code.f1, -len(c.errors), c.id),
    )


def _f(value: float | None, width: int = 6) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width}.3f}"


def _level_row(name: str, level: LevelScores) -> str:
    mi, ma = level.micro, level.macro
    return (
        f"  {name:<18}{_f(mi.precision)} {_f(mi.recall)} {_f(mi.f1)}   "
        f"{_f(ma.precision)} {_f(ma.recall)} {_f(ma.f1)}   "
        f"{level.tp:>6} {level.fp:>6} {level.fn:>6}"
    )


def _error_text(error: CodeError) -> str:
    if error.gold is not None and error.predicted is not None:
        return f"{error.kind} {error.gold} -> {error.predicted}"
    return f"{error.kind} {error.gold if error.gold is not None else error.predicted}"


def _top_text(title: str, pairs: tuple[tuple[str, int], ...]) -> list[str]:
    if not pairs:
        return [f"{title}: none"]
    return [f"{title}: " + ", ".join(f"{code} ({count})" for code, count in pairs)]


def report_to_text(report: EvaluationReport, *, max_cases: int = 20) -> str:
    """A readable report: headline table, error classes, top missed / extra codes,
    reliability table, then up to ``max_cases`` of the worst cases."""
    lines: list[str] = []
    title = "Evaluation"
    if report.gold_path:
        title += f" of {report.gold_path}"
    if report.release:
        title += f" (gold codes checked in {report.release})"
    lines.append(title)
    errors = f"; {report.coder_errors} coder error(s)" if report.coder_errors else ""
    lines.append(
        f"{report.n_cases} cases, {report.gold_codes} gold codes "
        f"({report.gold_unparsed} unparsed), {report.predicted_codes} predicted{errors}"
    )
    jobs = "1 job" if report.jobs == 1 else f"{report.jobs} jobs"
    lines.append(f"{report.elapsed_seconds:.2f} s, {report.notes_per_second:.1f} notes/s, {jobs}")
    lines.extend(f"note: {note}" for note in report.notes)

    lines.append("")
    lines.append(f"  {'':<18}{'micro':^20}   {'macro':^20}")
    lines.append(
        f"  {'level':<18}{'P':>6} {'R':>6} {'F1':>6}   {'P':>6} {'R':>6} {'F1':>6}   "
        f"{'TP':>6} {'FP':>6} {'FN':>6}"
    )
    lines.append(_level_row("code", report.code))
    lines.append(_level_row("category", report.category))
    if report.code_in_release is not None:
        lines.append(_level_row("code (reportable)", report.code_in_release))

    pcs = report.procedures
    if pcs is not None and pcs.gold_full + pcs.gold_truncated > 0:
        # A gold file without a "pcs" field has nothing to score procedures against.
        lines.append("")
        lines.append(
            f"ICD-10-PCS ({pcs.cases} cases; gold {pcs.gold_full} full, "
            f"{pcs.gold_truncated} truncated: scored at the characters given)"
        )
        for name, level in (("4 characters", pcs.at4), ("7 characters", pcs.at7)):
            lines.append(
                f"  {name:<18}P {level.precision:.3f}  R {level.recall:.3f}  "
                f"F1 {level.f1:.3f}  (gold found {level.tp_gold}/{level.gold}, "
                f"predicted right {level.tp_predicted}/{level.predicted})"
            )

    classes = report.error_classes
    lines.append("")
    lines.append("Error classes")
    rows: list[tuple[str, int | None]] = [
        ("missed", classes.missed),
        ("extra", classes.extra),
        ("wrong_specificity", classes.wrong_specificity),
        ("missed_in_category", classes.missed_in_category),
        ("extra_in_category", classes.extra_in_category),
    ]
    if classes.gold_not_in_release is not None:
        rows.append(("gold_not_in_release", classes.gold_not_in_release))
    lines.extend(f"  {name:<22}{count:>6}" for name, count in rows)

    lines.append("")
    lines.extend(_top_text("Top missed", report.top_missed))
    lines.extend(_top_text("Top extra", report.top_extra))
    if classes.gold_not_in_release:
        lines.extend(_top_text("Top not in release", report.top_not_in_release))

    lines.append("")
    lines.append("Reliability (confidence of predicted codes)")
    lines.append(f"  {'bin':<12}{'count':>7}{'mean conf':>11}{'accuracy':>10}")
    for b in report.bins:
        closing = "]" if b.upper >= 1.0 else ")"
        name = f"[{b.lower:.1f}, {b.upper:.1f}{closing}"
        lines.append(f"  {name:<12}{b.count:>7}{_f(b.mean_confidence, 11)}{_f(b.accuracy, 10)}")
    lines.append(f"  ECE {report.ece:.3f}")
    if report.encounter is not None:
        lines.append("")
        lines.extend(_encounter_text(report.encounter))

    worst = worst_cases(report)
    shown = worst[: max(0, max_cases)]
    lines.append("")
    if not worst:
        lines.append("Every case is coded exactly.")
    else:
        lines.append(f"Worst cases ({len(shown)} of {len(worst)} imperfect)")
        for case in shown:
            head = f"  {case.id}  code F1 {case.code.f1:.3f}  category F1 {case.category.f1:.3f}"
            lines.append(head)
            if case.error is not None:
                lines.append(f"    error: {case.error}")
            lines.append(f"    gold:      {' '.join(case.gold) or '-'}")
            predicted = " ".join(f"{p.code}({p.confidence:.2f})" for p in case.predicted)
            lines.append(f"    predicted: {predicted or '-'}")
            if case.errors:
                lines.append("    " + "; ".join(_error_text(e) for e in case.errors))
    return "\n".join(line.rstrip() for line in lines) + "\n"
