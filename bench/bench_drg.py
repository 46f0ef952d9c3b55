"""MS-DRG benchmark: per-stay grouping time beside the bare grouper package (issue 12).

Target: <= 1 ms per stay. Stays are synthetic: a principal drawn from common inpatient
principals, 0-8 secondaries drawn from Tables 6I/6J (so the CC/MCC accounting and the
what-if regrouping run) and from other billable codes, and for one stay in five a hip
or knee replacement. Three timings in the same run, on the same stays:

- ``group_stay``: validation in the installed releases, grouping, CC/MCC accounting with
  reasons, what-if regrouping (what ``medcoder drg`` does after its tables are loaded);
- the same without code validation (a validator that takes every code);
- yardstick: drgpy's ``DRGEngine.get_drg`` alone (its own CC lists, no validation).

    python bench/bench_drg.py [--home DIR] [--data DIR] [--stays 5000] [--seed 12]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

from medcoder.codesets.codes import normalize
from medcoder.drg.codes import CodeCheck, InstalledCodes
from medcoder.drg.grouper import MsDrgGrouper
from medcoder.drg.tables import tables_at
from medcoder.errors import GroupingError
from medcoder.settings import data_dir

PRINCIPALS = [
    "J18.9",
    "J44.1",
    "I50.9",
    "I50.23",
    "A41.9",
    "N39.0",
    "K92.2",
    "I63.9",
    "I21.4",
    "J96.01",
    "N17.9",
    "E11.65",
    "K57.92",
    "K85.90",
    "L03.115",
    "I48.91",
    "S72.001A",
    "M17.11",
    "M16.11",
    "R55",
    "J69.0",
    "E87.1",
    "G40.909",
    "D62",
]
PROCEDURES = ["0SR9019", "0SRB019", "0SRC0J9", "0SRD0J9"]
OTHER = ["E11.9", "I10", "E78.5", "Z79.4", "F32.9", "K21.9", "Z87.891", "M54.50", "R53.83"]


class AnyCode:
    def diagnosis(self, code: str, day: dt.date | None) -> CodeCheck:
        return CodeCheck(normalize(code), True, "", "any")

    def procedure(self, code: str, day: dt.date | None) -> CodeCheck:
        return CodeCheck(code, True, "", "any")


def per_call_us(run: object, stays: list[tuple[str, list[str], list[str]]]) -> list[float]:
    times = []
    for stay in stays:
        start = time.perf_counter_ns()
        run(*stay)  # type: ignore[operator]
        times.append((time.perf_counter_ns() - start) / 1000)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--stays", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    started = time.perf_counter()
    tables = tables_at(data_dir(args.data) / "msdrg")
    print(f"tables read in {time.perf_counter() - started:.2f} s")
    codes = InstalledCodes(args.home)
    grouper = MsDrgGrouper(tables, codes)
    bare = MsDrgGrouper(tables, AnyCode())
    rng = random.Random(args.seed)
    severe = sorted(tables.mcc | tables.cc)
    candidates = []
    for _ in range(args.stays * 2):
        pdx = rng.choice(PRINCIPALS)
        sdx = [normalize(c) for c in rng.sample(severe, rng.randint(0, 4))]
        sdx += rng.sample(OTHER, rng.randint(0, 4))
        pcs = [rng.choice(PROCEDURES)] if rng.random() < 0.2 else []
        candidates.append((pdx, sdx, pcs))
    stays = []
    tried = 0
    for pdx, sdx, pcs in candidates:
        tried += 1  # keep the stays that group (valid codes, a DRG)
        try:
            grouper.group(pdx, sdx, pcs, sex="F")
        except GroupingError:
            continue
        stays.append((pdx, sdx, pcs))
        if len(stays) == args.stays:
            break
    print(
        f"{len(stays)} stays (of {tried} drawn: the others hold a code invalid as drawn), "
        "warm (one pass done)"
    )
    from drgpy.msdrg import DRGEngine

    engine = DRGEngine("v43.1")
    flat = [([c.replace(".", "") for c in (p, *s)], x) for p, s, x in stays]
    rounds: dict[str, list[float]] = {"group_stay": [], "no validation": [], "drgpy": []}
    for _ in range(3):  # interleaved so a busy machine slows all three alike
        rounds["group_stay"] += per_call_us(lambda p, s, x: grouper.group(p, s, x, sex="F"), stays)
        rounds["no validation"] += per_call_us(lambda p, s, x: bare.group(p, s, x, sex="F"), stays)
        rounds["drgpy"] += per_call_us(
            lambda d, x, _=None: engine.get_drg(d, x, "F"), [(d, x, []) for d, x in flat]
        )
    yard = statistics.median(rounds["drgpy"])
    print(f"{'timing':<16}{'median us':>10}{'p95 us':>10}{'stays/s':>10}{'x drgpy':>9}")
    for name, times in rounds.items():
        median = statistics.median(times)
        p95 = statistics.quantiles(times, n=20)[-1]
        print(
            f"{name:<16}{median:>10.0f}{p95:>10.0f}{1e6 / statistics.mean(times):>10.0f}"
            f"{median / yard:>9.2f}"
        )
    target = statistics.median(rounds["group_stay"]) <= 1000
    print(f"target <= 1 ms per stay (median, group_stay): {'met' if target else 'MISSED'}")
    codes.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
