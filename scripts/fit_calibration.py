"""Fit the confidence table (src/medcoder/coding/data/calibration.json) on gold files.

For every predicted code, its features (coding.rules.confidence_features) and whether
the gold standard has it; each feature prefix gets the smoothed share of correct codes,
so a rare combination backs off to a broader one. Run after changing the engine:

    python scripts/fit_calibration.py --home DIR GOLD.jsonl[:setting[:date]] ...
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from datetime import date
from pathlib import Path

from medcoder.codesets.codes import normalize
from medcoder.codesets.registry import Registry
from medcoder.coding.rules import confidence_features
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path)
    parser.add_argument("gold", nargs="+", help="FILE[:setting[:YYYY-MM-DD]]")
    args = parser.parse_args()
    engine = CodingEngine(Registry(args.home, quiet=True))
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for spec in args.gold:
        path, _, rest = spec.partition(":")
        setting, _, day = rest.partition(":")
        for line in Path(path).read_text(encoding="utf-8").splitlines():
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
            candidates = engine.candidates(document, engine.registry.choose(
                day=document.date_of_service))  # fmt: skip
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
                hit = assignment.code in gold
                for n in range(len(features) + 1):
                    key = "|".join(features[:n])
                    counts[key][0] += hit
                    counts[key][1] += 1
    table = {}
    for key, (hits, total) in sorted(counts.items()):
        if total >= MIN_COUNT or key == "":
            # Laplace-smoothed share of correct codes.
            table[key] = {"p": round((hits + 1) / (total + 2), 3), "n": total}
    OUT.write_text(
        json.dumps({"description": "Confidence by feature prefix, fitted by "
                    "scripts/fit_calibration.py on the development gold files.",
                    "sources": [Path(g.partition(":")[0]).name + g.partition(":")[1]
                                + g.partition(":")[2] for g in args.gold],
                    "table": table}, indent=1) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    print(f"{len(table)} keys written to {OUT}")


if __name__ == "__main__":
    main()
