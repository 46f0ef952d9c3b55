"""ICD-10-PCS alone on an evaluation set with PCS gold (CodiEsp dev): scores and misses.

    python scripts/pcs_codiesp.py [GOLD.jsonl] [--misses]

Runs only the PCS stage (inpatient) on every case that carries ``"pcs"`` gold, under the
newest installed PCS release of ``MEDCODER_HOME``, and prints the 4- and 7-character
scores of evaluation/pcs.py (the same ones ``medcoder evaluate --setting inpatient``
prints). ``--misses`` lists the gold codes not found and the predicted codes that are
wrong, counted by class: the section and, for the two big sections, the body system /
root operation (B: imaging type; 3: administration table).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from medcoder.codesets.pcs.store import PcsRelease
from medcoder.evaluation.pcs import normalize_gold, score_pcs
from medcoder.kinds import Setting
from medcoder.nlp.assertion import AssertionDetector
from medcoder.nlp.note import parse_note
from medcoder.pipeline import make_document
from medcoder.procedures.pcs import PcsCoder
from medcoder.settings import home_dir

DEFAULT = Path("../shared/eval/dev/codiesp_dev.jsonl")


def _class(code: str) -> str:
    if code[:1] in ("B", "3"):
        return code[:3]  # imaging type by body system; administration table
    return code[:1] + ("-" + code[2] if len(code) > 2 and code[0] == "0" else "")


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    gold_file = Path(args[0]) if args else DEFAULT
    home = home_dir()
    releases = sorted((home / "icd10pcs").glob("icd10pcs-*"))
    release = PcsRelease(releases[-1])
    coder, detector = PcsCoder(), AssertionDetector()
    pairs = []
    missed, wrong = Counter[str](), Counter[str]()
    lines = []
    for raw in gold_file.read_text("utf-8").splitlines():
        case = json.loads(raw)
        if case.get("pcs") is None:
            continue
        document = make_document(case["text"], id=case["id"], setting=Setting.INPATIENT)
        found = coder.findings(parse_note(document, detector), release)
        predicted = [p.code for p in found.procedures]
        pairs.append((case["pcs"], predicted))
        gold = {normalize_gold(c) for c in case["pcs"]}
        for g in sorted(gold):
            if not any(p.startswith(g[:7]) for p in predicted):
                missed[_class(g)] += 1
                lines.append(f"  miss {case['id']}: {g}")
        for p in predicted:
            if not any(p.startswith(g[:7]) for g in gold):
                wrong[_class(p)] += 1
                evidence = next(x for x in found.procedures if x.code == p).evidence[0].text
                lines.append(f"  wrong {case['id']}: {p} ({evidence!r}); gold {sorted(gold)}")
    scores = score_pcs(pairs)
    release.close()
    print(f"{gold_file.name}: {scores.cases} cases with PCS gold, release {releases[-1].name}")
    for name, level in (("4 chars", scores.at4), ("7 chars", scores.at7)):
        print(
            f"{name}: P {level.precision:.3f} R {level.recall:.3f} F1 {level.f1:.3f} "
            f"(gold {level.gold}, predicted {level.predicted})"
        )
    if "--misses" in sys.argv:
        print("missed gold by class:", ", ".join(f"{k} {n}" for k, n in missed.most_common()))
        print("wrong predictions by class:", ", ".join(f"{k} {n}" for k, n in wrong.most_common()))
        print("\n".join(lines))


if __name__ == "__main__":
    main()
