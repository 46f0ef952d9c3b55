"""Principal-diagnosis accuracy and full-code F1 on the inpatient blind set.

    python scripts/inpatient_blind.py [CASES_JSON] [--misses] [--split dev|heldout]

Default cases: tests/coding/data/inpatient_blind.json (issue 14 part 2). Prints one line
per split (all, dev, heldout) and, with --misses, each case whose principal is wrong or
whose code set differs (expected vs found). Develop on the dev half; read the held-out
half once.
"""

from __future__ import annotations

import sys
from pathlib import Path

from medcoder.evaluation.stays import code_stays, load_stays, scores_text
from medcoder.pipeline import engine_for

DEFAULT = Path(__file__).resolve().parents[1] / "tests" / "coding" / "data" / "inpatient_blind.json"


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    split = None
    if "--split" in sys.argv:
        split = sys.argv[sys.argv.index("--split") + 1]
        args = [a for a in args if a != split]
    path = Path(args[0]) if args else DEFAULT
    cases = load_stays(path)
    results = code_stays(engine_for(), cases)
    text = scores_text(results)
    if split:  # develop on one half without reading the other's figure
        text = "\n".join(line for line in text.splitlines() if line.startswith(split))
    print(text)
    if "--misses" in sys.argv:
        for r in results:
            if split and r.case.split != split:
                continue
            missing = sorted(r.case.expected - set(r.found))
            extra = sorted(set(r.found) - r.case.expected)
            if r.principal_right and not missing and not extra:
                continue
            mark = "ok " if r.principal_right else "PDX"
            print(
                f"{mark} {r.case.id} [{r.case.split}] want {r.case.principal} got "
                f"{r.found[0] if r.found else '-'}  missing {missing}  extra {extra}"
            )


if __name__ == "__main__":
    main()
