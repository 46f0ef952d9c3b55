"""Agreement of the office E/M level with hand-assigned levels on synthetic notes.

    python scripts/em_agreement.py [CASE_FOLDER]   # default: tests/procedures/em_cases

Prints the share of cases whose E/M code (or "none") agrees, the share where the basis
(MDM or time) and modifier 25 agree too, the confusion matrix and each disagreement.
"""

from __future__ import annotations

import sys
from pathlib import Path

from medcoder.evaluation.em import agreement_text, run_em_agreement

DEFAULT = Path(__file__).resolve().parents[1] / "tests" / "procedures" / "em_cases"


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    print(agreement_text(run_em_agreement(folder)))


if __name__ == "__main__":
    main()
