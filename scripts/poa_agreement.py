"""Agreement of the engine's POA proposals with hand-assigned indicators on synthetic notes.

    python scripts/poa_agreement.py [CASES_JSON]   # default: tests/coding/data/poa_blind.json

Each case is an inpatient snippet with the POA indicator expected per code prefix. A
prefix is graded when the engine reports a code that starts with it (found); agreement
is the share of found codes whose proposed indicator is the expected one. Prints the
coverage, the agreement, the confusion counts and each disagreement.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from medcoder.pipeline import code

DEFAULT = Path(__file__).resolve().parents[1] / "tests" / "coding" / "data" / "poa_blind.json"


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    cases = json.loads(path.read_text(encoding="utf-8"))["cases"]
    expected_n = found = agree = 0
    confusion: Counter[tuple[str, str]] = Counter()
    misses: list[str] = []
    for case in cases:
        result = code(case["text"], setting="inpatient")
        for prefix, want in case["expected"].items():
            expected_n += 1
            hit = next((c for c in result.codes if c.code.startswith(prefix)), None)
            if hit is None or hit.poa is None:
                misses.append(f"  {case['id']} {prefix}: not coded")
                continue
            found += 1
            got = hit.poa.indicator.value
            confusion[(want, got)] += 1
            if got == want:
                agree += 1
            else:
                rule = hit.poa.rule.rule if hit.poa.rule else "-"
                misses.append(
                    f"  {case['id']} {hit.code}: expected {want}, proposed {got} ({rule}: "
                    f"{hit.poa.reason})"
                )
    print(f"cases: {len(cases)}, expected codes: {expected_n}, coded: {found}")
    print(f"POA agreement on coded: {agree}/{found} = {agree / max(found, 1):.1%}")
    print("confusion (expected -> proposed): " + ", ".join(
        f"{w}->{g}: {n}" for (w, g), n in sorted(confusion.items())
    ))  # fmt: skip
    print("\n".join(misses))


if __name__ == "__main__":
    main()
