"""CMS-HCC benchmark: per patient-year scoring time beside bare hccinfhir (issue 12).

Target: <= 1 ms per patient-year. Patient-years are synthetic: 1-6 encounters, each with
1-6 diagnoses (two in three mapping to a V28 HCC, drawn from hccinfhir's PY2026 mapping;
the others from common codes that map to none) and an office visit, a lab panel (not
eligible) or an inpatient stay; ages 65-95, both sexes. Timed in the same run, on the
same patient-years:

- ``patient_year_score``, PY2026 (V28 alone): eligibility filter per encounter, code
  normalization, HCCs with per-code flags, hierarchies, interactions, raw score;
- the same for PY2025 (the V28/V24 blend: two model runs);
- yardstick: hccinfhir's ``calculate_raf`` alone, V28, on the diagnoses that counted.

    python bench/bench_hcc.py [--data DIR] [--years 5000] [--seed 12]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

from medcoder.codesets.codes import normalize
from medcoder.hcc.eligibility import RiskEncounter
from medcoder.hcc.model import V28, year_tables
from medcoder.hcc.package import hccinfhir
from medcoder.hcc.patient import patient_year_score
from medcoder.kinds import Setting
from medcoder.settings import find_data_dir

NO_HCC = ["I10", "E78.5", "Z79.4", "K21.9", "Z87.891", "M54.50", "R53.83", "J06.9", "N39.0"]
VISITS = [
    (Setting.OUTPATIENT, ("99214",)),
    (Setting.OUTPATIENT, ("80053",)),
    (Setting.INPATIENT, ()),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path)
    parser.add_argument("--years", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    data = find_data_dir(args.data)
    started = time.perf_counter()
    tables = year_tables(2026)
    year_tables(2025)
    print(f"hccinfhir tables (PY2025, PY2026) read in {time.perf_counter() - started:.2f} s")
    mapped = sorted(normalize(dx) for dx, model in tables.dx_to_cc if model == V28)
    rng = random.Random(args.seed)
    people = []
    for n in range(args.years):
        encounters = []
        for e in range(rng.randint(1, 6)):
            codes = tuple(
                rng.choice(mapped) if rng.random() < 2 / 3 else rng.choice(NO_HCC)
                for _ in range(rng.randint(1, 6))
            )
            setting, procedures = rng.choice(VISITS)
            encounters.append(RiskEncounter(f"P{n}E{e}", setting, "2025-05-01", codes, procedures))
        people.append((encounters, rng.randint(65, 95), rng.choice("FM")))
    for encounters, age, sex in people:  # one pass: tables and eligible list loaded
        patient_year_score(encounters, age=age, sex=sex, year=2026, data=data)
    counted = [
        patient_year_score(e, age=a, sex=s, year=2026, data=data).diagnoses for e, a, s in people
    ]
    calculate_raf = hccinfhir().calculate_raf
    timings: dict[str, list[float]] = {"PY2026 (V28)": [], "PY2025 (blend)": [], "hccinfhir": []}
    for _ in range(3):  # interleaved so a busy machine slows all three alike
        for (encounters, age, sex), dx in zip(people, counted, strict=True):
            for name, year in (("PY2026 (V28)", 2026), ("PY2025 (blend)", 2025)):
                start = time.perf_counter_ns()
                patient_year_score(encounters, age=age, sex=sex, year=year, data=data)
                timings[name].append((time.perf_counter_ns() - start) / 1000)
            flat = [c.replace(".", "") for c in dx]
            start = time.perf_counter_ns()
            calculate_raf(
                flat,
                V28,
                age=age,
                sex=sex,
                dual_elgbl_cd="NA",
                orec="0",
                crec="0",
                dx_to_cc_mapping=tables.dx_to_cc,
                hierarchies_mapping=tables.hierarchies,
                coefficients_mapping=tables.coefficients,
            )
            timings["hccinfhir"].append((time.perf_counter_ns() - start) / 1000)
    yard = statistics.median(timings["hccinfhir"])
    print(f"{len(people)} patient-years, 3 rounds")
    print(f"{'timing':<16}{'median us':>10}{'p95 us':>10}{'years/s':>10}{'x hccinfhir':>12}")
    for name, times in timings.items():
        median = statistics.median(times)
        p95 = statistics.quantiles(times, n=20)[-1]
        print(
            f"{name:<16}{median:>10.0f}{p95:>10.0f}{1e6 / statistics.mean(times):>10.0f}"
            f"{median / yard:>12.2f}"
        )
    met = statistics.median(timings["PY2026 (V28)"]) <= 1000
    print(f"target <= 1 ms per patient-year (median, PY2026): {'met' if met else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
