"""Claim-edit benchmark: PTP table load, claims checked per second on one core, memory.

Goals (issue 7): loading the full NCCI PTP table (1.4-1.6 M pairs) <= 5 s; 10,000 claims
checked <= 10 s on one core with it loaded. Claims are synthetic: 1-5 diagnoses drawn
from the billable codes of the release in force, 0-5 CPT/HCPCS lines of which about half
are drawn from real PTP pairs (so the pair edits fire), random modifiers, units, age,
sex and setting; every edit kind runs (MCE, PTP, add-on, MUE with the made-up test file,
procedure validity).

    python bench/bench_edits.py [--home DIR] [--data DIR] [--claims 10000] [--seed 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import psutil

from medcoder.codesets.registry import Registry
from medcoder.edits.checker import ClaimChecker, EditTables
from medcoder.edits.claim import Claim, ClaimCode, ClaimSetting, sort_codes
from medcoder.edits.ncci_tables import load_ptp
from medcoder.kinds import CodeSystem

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
MUE_FIXTURE = REPO / "tests" / "fixtures" / "edits" / "mue_practitioner_madeup_2026q2.csv"
DAY = dt.date(2026, 5, 1)


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def make_claims(n: int, registry: Registry, tables: EditTables, seed: int) -> list[Claim]:
    rng = random.Random(seed)
    release = registry.release_for(DAY)
    dx_pool = [c.code for c in release.iter_codes() if c.billable]
    ptp = tables.ptp()
    assert ptp is not None
    bits = 20
    claims = []
    for i in range(n):
        lines = [
            ClaimCode(CodeSystem.ICD10CM, code, seq)
            for seq, code in enumerate(rng.sample(dx_pool, rng.randint(1, 5)), start=1)
        ]
        procedures: list[str] = []
        if rng.random() < 0.5:
            key = ptp.keys[rng.randrange(len(ptp.keys))]
            procedures += [ptp.codes[key >> bits], ptp.codes[key & ((1 << bits) - 1)]]
        procedures += rng.sample(ptp.codes, rng.randint(0, 3))
        for seq, code in enumerate(procedures, start=1):
            modifiers = tuple(rng.sample(["59", "XS", "RT", "LT", "25"], rng.randint(0, 1)))
            system = CodeSystem.CPT if code[:1].isdigit() else CodeSystem.HCPCS
            lines.append(ClaimCode(system, code, seq, modifiers, rng.randint(1, 3)))
        setting = rng.choice([ClaimSetting.INPATIENT, ClaimSetting.OUTPATIENT])
        claims.append(
            Claim(
                f"B{i}",
                DAY,
                setting,
                sort_codes(lines),
                rng.randint(0, 100),
                rng.choice(["F", "M"]),
            )
        )
    return claims


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="MEDCODER_HOME with built releases")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-edits-"))
    home = args.home
    if home is None:
        home = work / "home"
        print("building releases (no --home given) ...", file=sys.stderr)
        Registry(home, quiet=True).setup(args.data)
    ncci = sorted((args.data / "ncci").glob("ioce-*"))[-1]

    base = rss_mb()
    t0 = time.perf_counter()
    index = load_ptp(ncci, cache_dir=work / "cache")
    cold = time.perf_counter() - t0
    after_cold = rss_mb()
    del index
    t0 = time.perf_counter()
    index = load_ptp(ncci, cache_dir=work / "cache")
    warm = time.perf_counter() - t0
    print(f"PTP table: {len(index):,} pairs from {Path(index.source).name}")
    print(f"  load, first (parse CSV, build index, write cache): {cold:.2f} s "
          f"(RSS {base:.0f} -> {after_cold:.0f} MB)")  # fmt: skip
    print(f"  load, cached index: {warm:.3f} s")

    registry = Registry(home, quiet=True)
    tables = EditTables.from_data(args.data, home=home)
    tables.cache_dir = work / "cache"
    tables.mue_file = MUE_FIXTURE
    checker = ClaimChecker(registry, tables)
    claims = make_claims(args.claims, registry, tables, args.seed)
    t0 = time.perf_counter()
    checker.check(claims[0])  # opens the release and reads every table once
    setup = time.perf_counter() - t0
    print(f"tables loaded by the first claim (MCE, PTP, add-on, MUE, code lists): {setup:.2f} s")
    for label in ("first pass", "second pass"):
        counts: Counter[str] = Counter()
        t0 = time.perf_counter()
        for claim in claims:
            for finding in checker.check(claim).findings:
                counts[finding.edit] += 1
        elapsed = time.perf_counter() - t0
        print(f"{len(claims):,} claims checked ({label}): {elapsed:.2f} s, "
              f"{len(claims) / elapsed:,.0f} claims/s on one core")  # fmt: skip
    print("findings by edit:", ", ".join(f"{k} {v}" for k, v in counts.most_common()))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"RSS now {rss_mb():.0f} MB; peak {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
