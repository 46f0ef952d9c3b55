"""Fit the encounter confidence (src/medcoder/coding/data/encounter_confidence.json).

Codes every note of the gold files with the engine, takes each note's features
(coding.encounter.encounter_features) and whether its code set is exactly the gold's
reportable codes, then:

1. k-fold cross-validation (folds drawn within each gold file): every note scored by a
   model fitted without it; the out-of-fold figures (exact-match rate, ECE, autonomy
   curve, the threshold reaching --precision) are printed per file and stored;
   The first file's notes weigh --first-weight each (5: outpatient notes are what the
   threshold is for; the case reports, nearly never exactly right, would otherwise
   swamp the fit);
2. the model fitted on all notes is stored, with the threshold the out-of-fold curve of
   the first gold file picked (a conservative default for ``medcoder autonomy set``).

Run after changing the engine or the code-level calibration:

    python scripts/fit_encounter_confidence.py GOLD.jsonl ... [--folds 5] [--precision 0.95]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from medcoder.codesets.registry import Registry
from medcoder.coding.encounter import CANDIDATES, FEATURES, encounter_features
from medcoder.evaluation.autonomy import (
    autonomy_curve,
    cross_validated,
    expected_calibration_error,
    fit_logistic,
    pick_threshold,
)
from medcoder.evaluation.engine import reportable_in
from medcoder.evaluation.results import exactly_right
from medcoder.evaluation.run import load_gold
from medcoder.pipeline import engine_for, make_document

OUT = Path(__file__).resolve().parents[1] / "src/medcoder/coding/data/encounter_confidence.json"


def gather(
    gold: Path, home: Path | None, unscored: tuple[str, ...] = ()
) -> list[tuple[tuple[float, ...], bool]]:
    """(every candidate feature, exactly right) of every case of ``gold``; codes starting
    with an ``unscored`` prefix are left out of "exactly right", gold and predictions alike
    (as ``medcoder evaluate --unscored``: a family the gold's annotators never coded)."""
    registry = Registry(home, quiet=True)
    release = registry.choose(name=None, day=None)
    engine = engine_for(home)
    rows = []
    for case in load_gold(gold):
        setting = case.setting if case.setting not in (None, "", "unknown") else None
        document = make_document(
            case.text, setting=setting, date_of_service=case.date, age=case.age,
            sex=case.sex, id=case.id,
        )  # fmt: skip
        result = engine.code(document)
        gold_codes = {c for c in case.codes if not c.upper().startswith(unscored)}
        reportable = {c for c in gold_codes if reportable_in(release, c)}
        absent = gold_codes - reportable
        predicted = [a.code for a in result.codes if not a.code.startswith(unscored)]
        exact = exactly_right(reportable, absent, predicted)
        rows.append((encounter_features(result, document.text, names=CANDIDATES), exact))
    registry.close()
    return rows


def auc(scores: list[float], labels: list[bool]) -> float:
    """The chance that a right encounter outranks a wrong one (ties count half)."""
    right = [s for s, y in zip(scores, labels, strict=True) if y]
    wrong = [s for s, y in zip(scores, labels, strict=True) if not y]
    wins = sum((r > w) + 0.5 * (r == w) for r in right for w in wrong)
    return wins / (len(right) * len(wrong)) if right and wrong else float("nan")


def ablate(data: dict[str, list[tuple[tuple[float, ...], bool]]], args: argparse.Namespace) -> None:
    """Out-of-fold AUC on the first file (5 seeds) with all candidates, and without each."""
    first = next(iter(data))
    labels = [e for name in data for _, e in data[name]]
    groups = [name for name in data for _ in data[name]]
    weights = [args.first_weight if g == first else 1.0 for g in groups]
    n = len(data[first])

    def score(names: list[str]) -> float:
        idx = [CANDIDATES.index(x) for x in names]
        rows = [tuple(f[i] for i in idx) for name in data for f, _ in data[name]]
        aucs = [
            auc(cross_validated(rows, labels, k=args.folds, seed=s, l2=args.l2,
                                groups=groups, weights=weights)[:n], labels[:n])
            for s in range(1, 6)
        ]  # fmt: skip
        return sum(aucs) / len(aucs)

    print(
        f"all candidates: AUC {score(list(CANDIDATES)):.3f}; FEATURES: {score(list(FEATURES)):.3f}"
    )
    for name in CANDIDATES:
        print(f"  without {name:26s} {score([x for x in CANDIDATES if x != name]):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("gold", nargs="+", type=Path)
    parser.add_argument("--home", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--precision", type=float, default=0.95)
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument(
        "--first-weight", type=float, default=5.0,
        help="weight of the first gold file's notes (the setting the threshold is for)",
    )  # fmt: skip
    parser.add_argument(
        "--unscored", action="append", default=[], metavar="PREFIX",
        help="leave codes starting with PREFIX out of 'exactly right' (as evaluate --unscored)",
    )  # fmt: skip
    parser.add_argument("--cache", type=Path, help="features JSON: read if present, else written")
    parser.add_argument("--dry-run", action="store_true", help="print, do not write the model")
    parser.add_argument(
        "--candidates", action="store_true",
        help="print the out-of-fold AUC of the first file without each candidate feature",
    )  # fmt: skip
    args = parser.parse_args()
    if args.cache and args.cache.exists():
        cached = json.loads(args.cache.read_text())
        data = {name: [(tuple(f), bool(e)) for f, e in rows] for name, rows in cached.items()}
    else:
        unscored = tuple(sorted({u.strip().upper() for u in args.unscored if u.strip()}))
        data = {path.name: gather(path, args.home, unscored) for path in args.gold}
        if args.cache:
            args.cache.write_text(json.dumps(data))
    if args.candidates:
        ablate(data, args)
        return
    chosen = [CANDIDATES.index(name) for name in FEATURES]
    rows = [tuple(f[i] for i in chosen) for name in data for f, _ in data[name]]
    labels = [e for name in data for _, e in data[name]]
    groups = [name for name in data for _ in data[name]]
    first_name = next(iter(data))
    weights = [args.first_weight if g == first_name else 1.0 for g in groups]
    oof = cross_validated(
        rows, labels, k=args.folds, seed=args.seed, l2=args.l2, groups=groups, weights=weights
    )
    report: dict[str, object] = {}
    for name in data:
        pairs = [(p, e) for p, e, g in zip(oof, labels, groups, strict=True) if g == name]
        curve = autonomy_curve(pairs)
        chosen = pick_threshold(curve, args.precision)
        exact = sum(e for _, e in pairs)
        report[name] = {
            "cases": len(pairs),
            "exact_match": exact / len(pairs),
            "ece_out_of_fold": expected_calibration_error(pairs),
            "threshold": chosen.threshold if chosen else None,
            "coverage": chosen.coverage if chosen else 0.0,
            "precision": chosen.precision if chosen else None,
            "curve": [[p.threshold, p.above, p.exact] for p in curve],
        }
        print(f"{name}: {len(pairs)} notes, exact match {exact}/{len(pairs)} "
              f"= {exact / len(pairs):.1%}, out-of-fold ECE "
              f"{report[name]['ece_out_of_fold']:.3f}")  # type: ignore[index]  # fmt: skip
        for p in curve:
            if p.above:
                print(f"  >= {p.threshold:.2f}: {p.above:4d} ({p.coverage:6.1%}) "
                      f"exact {p.exact:4d} ({p.precision:6.1%})")  # fmt: skip
        if chosen:
            print(f"  precision >= {args.precision:.0%}: threshold {chosen.threshold:.2f}, "
                  f"{chosen.coverage:.1%} of notes")  # fmt: skip
        else:
            print(f"  no threshold reaches precision {args.precision:.0%}")
    model = fit_logistic(rows, labels, l2=args.l2, weights=weights)
    for name, weight in zip(FEATURES, model.weights, strict=True):
        print(f"  {name:26s} {weight:+.3f}")
    if args.dry_run:
        return
    first = report[next(iter(data))]
    assert isinstance(first, dict)
    out = {
        "about": "logistic regression of 'the whole ICD-10-CM code set is exactly right' "
        "on coding.encounter.FEATURES; fitted by scripts/fit_encounter_confidence.py",
        "model": model.to_json(),
        "fitted_on": {name: len(rows_) for name, rows_ in data.items()},
        "folds": args.folds,
        "l2": args.l2,
        "first_weight": args.first_weight,
        "seed": args.seed,
        "unscored": sorted({u.strip().upper() for u in args.unscored if u.strip()}),
        "target_precision": args.precision,
        "suggested_threshold": first["threshold"],
        "out_of_fold": report,
    }
    OUT.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
