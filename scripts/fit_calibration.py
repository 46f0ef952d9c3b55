"""Fit the confidence table (src/medcoder/coding/data/calibration.json) on gold files.

For every predicted code, its features (coding.confidence.confidence_features) and whether
the gold standard has it; each feature prefix gets the smoothed share of correct codes,
so a rare combination backs off to a broader one. Run after changing the engine:

    python scripts/fit_calibration.py --home DIR GOLD.jsonl[:setting[:date]] ...

The table written is fitted on every note; the ECE it prints beside it is honest:
out-of-fold, each note's codes scored by a table fitted on the other folds (``--folds``,
notes dealt to folds in turn within each gold file, so every file is in every fold),
beside the in-sample ECE of the full table for comparison.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from datetime import date
from pathlib import Path

from medcoder.codesets.codes import normalize
from medcoder.codesets.registry import Registry
from medcoder.coding.confidence import confidence_features, confidence_from
from medcoder.coding.diagnoses import DiagnosisStage
from medcoder.evaluation.run import expected_calibration_error
from medcoder.kinds import Setting
from medcoder.nlp.document import ClinicalDocument
from medcoder.pipeline import CodingEngine

OUT = (
    Path(__file__).resolve().parents[1]
    / "src"
    / "medcoder"
    / "coding"
    / "data"
    / "calibration.json"
)
MIN_COUNT = 15  # a key needs this many predictions to stand on its own
# One predicted code: (fold, features, uncertain, in the gold).
Row = tuple[int, tuple[str, ...], bool, bool]


def fit(rows: list[Row]) -> dict[str, dict[str, float]]:
    """Laplace-smoothed share of correct codes for each feature prefix seen often enough."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for _, features, _, hit in rows:
        for n in range(len(features) + 1):
            key = "|".join(features[:n])
            counts[key][0] += hit
            counts[key][1] += 1
    return {
        key: {"p": round((hits + 1) / (total + 2), 3), "n": total}
        for key, (hits, total) in sorted(counts.items())
        if total >= MIN_COUNT or key == ""
    }


def ece_of(table: dict[str, dict[str, float]], rows: list[Row]) -> float:
    probabilities = {k: v["p"] for k, v in table.items()}
    return expected_calibration_error(
        [(confidence_from(probabilities, f, uncertain=u), hit) for _, f, u, hit in rows]
    )


def out_of_fold_ece(rows: list[Row], folds: int) -> float:
    """Each fold's codes scored by the table fitted on the other folds, pooled."""
    pairs: list[tuple[float, bool]] = []
    for k in range(folds):
        table = {key: v["p"] for key, v in fit([r for r in rows if r[0] != k]).items()}
        pairs += [(confidence_from(table, f, uncertain=u), h) for i, f, u, h in rows if i == k]
    return expected_calibration_error(pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path)
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds")
    parser.add_argument("--dry-run", action="store_true", help="print the ECE, write nothing")
    parser.add_argument("gold", nargs="+", help="FILE[:setting[:YYYY-MM-DD]]")
    args = parser.parse_args()
    engine = CodingEngine(Registry(args.home, quiet=True))
    stage = DiagnosisStage()
    rows: list[Row] = []
    for spec in args.gold:
        path, _, rest = spec.partition(":")
        setting, _, day = rest.partition(":")
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            case = json.loads(line)
            gold = set()
            for code in case["icd10cm"]:
                try:
                    gold.add(normalize(code))
                except Exception:
                    continue
            document = ClinicalDocument(
                case["text"], Setting.parse(setting or None),
                date.fromisoformat(day) if day else None,
            )  # fmt: skip
            candidates = stage.candidates(
                engine.parse(document), engine.registry.choose(day=document.date_of_service)
            )
            result = engine.code(document)
            by_code: dict[str, list] = defaultdict(list)  # type: ignore[type-arg]
            for c in candidates:
                by_code[c.code].append(c)
            for assignment in result.codes:
                sources = sorted(
                    (
                        c
                        for c in by_code.get(assignment.code, [])
                        if c.evidence in assignment.evidence
                    ),
                    key=lambda c: c.evidence.start,
                )
                if not sources:
                    continue
                features = confidence_features(sources)
                rows.append(
                    (number % args.folds, features, sources[0].uncertain, assignment.code in gold)
                )
    table = fit(rows)
    oof = out_of_fold_ece(rows, args.folds)
    print(
        f"{len(rows)} predicted codes; ECE out-of-fold ({args.folds} folds) {oof:.4f}, "
        f"in-sample {ece_of(table, rows):.4f}"
    )
    if args.dry_run:
        return
    OUT.write_text(
        json.dumps({"description": "Confidence by feature prefix, fitted by "
                    "scripts/fit_calibration.py on the development gold files.",
                    "out_of_fold_ece": round(oof, 4), "folds": args.folds,
                    "sources": [Path(g.partition(":")[0]).name + g.partition(":")[1]
                                + g.partition(":")[2] for g in args.gold],
                    "table": table}, indent=1) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    print(f"{len(table)} keys written to {OUT}")


if __name__ == "__main__":
    main()
