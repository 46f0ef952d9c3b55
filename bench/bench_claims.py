"""Claims-out benchmark (issue 12): 10,000 claims to X12 837P and 837I, beside yardsticks.

Goal: 10,000 claims written as an 837 (code checks included) <= 10 s on one core.
Claims are synthetic: 1-12 diagnoses and 1-6 CPT/HCPCS lines (837P), or 1-20 diagnoses
with POA, 0-6 PCS codes and a DRG (837I), drawn from small pools of well-formed codes
(the form checks run; the release checks need a home: ``--home DIR`` adds
``records.claim_out.InstalledCodeCatalog`` over the releases installed there).

Yardsticks, timed in the same run on the same claims, so the ratio survives a busy
machine: ``json.dumps`` of the claims as plain dicts (``dataclasses.asdict``), the least
any serialisation of them costs; and pyx12 reading and validating 1,000 of the 837P
claims written (the receiving side's first step), scaled to 10,000.

    python bench/bench_claims.py [--claims 10000] [--seed 12] [--home DIR] [--fhir 200]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import io
import json
import platform
import random
import sys
import time
from pathlib import Path
from typing import Any

from medcoder.interop.claim import (
    ClaimDiagnosis,
    ClaimDocument,
    ClaimEncounter,
    ClaimPatient,
    ProcedureLine,
)
from medcoder.interop.code_values import CodeCatalog
from medcoder.interop.fhir_out import build_bundle
from medcoder.interop.x12_837 import ClaimFormat, build_837
from medcoder.kinds import CodeSystem, PoaIndicator, Setting, Sex

DX = [
    "E11.9",
    "I10",
    "E78.5",
    "Z79.4",
    "M54.50",
    "J45.909",
    "K21.9",
    "N39.0",
    "F32.A",
    "G47.33",
    "I25.10",
    "J44.9",
    "N18.30",
    "E66.9",
    "R00.0",
    "D64.9",
    "S52.501A",
    "K35.80",
]
CPT = ["99213", "99214", "99284", "96372", "73110", "25600", "93000", "80053", "0042T"]
HCPCS = ["J1100", "J1885", "G0442", "A4550", "E0114"]
PCS = ["0DTJ4ZZ", "0DJD8ZZ", "B2111ZZ", "3E0234Z", "0SRC0J9", "5A1955Z"]
MODIFIERS = ["25", "59", "RT", "LT", "JZ", "76"]
POA = [PoaIndicator.YES, PoaIndicator.NO, PoaIndicator.UNKNOWN, PoaIndicator.EXEMPT]
DAY = dt.date(2026, 5, 1)
CREATED = dt.datetime(2026, 5, 5, 9, 30, tzinfo=dt.UTC)


def make_claims(n: int, seed: int, *, inpatient: bool) -> list[ClaimDocument]:
    rng = random.Random(seed)
    claims = []
    for i in range(n):
        patient = ClaimPatient(
            f"MRN{i:07d}",
            f"Given{i} Family{i}",
            dt.date(1940 + i % 60, 1 + i % 12, 1 + i % 28),
            Sex.FEMALE if i % 2 else Sex.MALE,
        )
        if inpatient:
            stay = rng.randint(1, 9)
            encounter = ClaimEncounter(
                f"I{i}",
                Setting.INPATIENT,
                admit_date=DAY,
                discharge_date=DAY + dt.timedelta(days=stay),
                discharge_status="01",
                payer="Medicare",
                attending="Attending Doctor",
            )
            diagnoses = tuple(
                ClaimDiagnosis(c, rng.choice(POA)) for c in rng.sample(DX, rng.randint(1, 18))
            )
            procedures = tuple(
                ProcedureLine(CodeSystem.ICD10PCS, c) for c in rng.sample(PCS, rng.randint(0, 6))
            )
            claims.append(
                ClaimDocument(f"I{i}", patient, encounter, diagnoses, procedures, drg="470")
            )
            continue
        encounter = ClaimEncounter(f"P{i}", Setting.OUTPATIENT, service_date=DAY, payer="Acme")
        diagnoses = tuple(ClaimDiagnosis(c) for c in rng.sample(DX, rng.randint(1, 12)))
        lines = tuple(
            ProcedureLine(
                system,
                rng.choice(CPT if system is CodeSystem.CPT else HCPCS),
                units=rng.randint(1, 4),
                modifiers=tuple(rng.sample(MODIFIERS, rng.randint(0, 2))),
            )
            for system in (rng.choice((CodeSystem.CPT, CodeSystem.HCPCS)) for _ in range(6))
        )[: rng.randint(1, 6)]
        claims.append(ClaimDocument(f"P{i}", patient, encounter, diagnoses, lines))
    return claims


def timed(label: str, func: Any, rounds: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(rounds):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    print(f"  {label:<52} {best:8.3f} s")
    return best, result


def pyx12_read(text: str) -> bool:
    import pyx12.params
    import pyx12.x12n_document

    return bool(
        pyx12.x12n_document.x12n_document(
            param=pyx12.params.params(),
            src_file=io.StringIO(text),
            fd_997=io.StringIO(),
            fd_html=None,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--fhir", type=int, default=200, help="claims to FHIR (0: skip)")
    parser.add_argument("--home", type=Path, help="MEDCODER_HOME: add the release checks")
    args = parser.parse_args()
    n = args.claims
    loadavg = Path("/proc/loadavg")
    load = " ".join(loadavg.read_text().split()[:3]) if loadavg.exists() else "?"
    print(f"claims out: {n} claims, Python {platform.python_version()}, load {load}")
    catalog: CodeCatalog | None = None
    if args.home is not None:
        from medcoder.records.claim_out import InstalledCodeCatalog

        catalog = InstalledCodeCatalog(args.home)
    professional = make_claims(n, args.seed, inpatient=False)
    institutional = make_claims(n, args.seed + 1, inpatient=True)
    t_p, text_p = timed(
        f"837P, {n} claims (target <= 10 s)",
        lambda: build_837(professional, ClaimFormat.PROFESSIONAL, created=CREATED, catalog=catalog),
        args.rounds,
    )
    t_i, text_i = timed(
        f"837I, {n} claims (target <= 10 s)",
        lambda: build_837(
            institutional, ClaimFormat.INSTITUTIONAL, created=CREATED, catalog=catalog
        ),
        args.rounds,
    )
    t_json, _ = timed(
        f"yardstick: json.dumps(asdict), {n} 837P claims",
        lambda: json.dumps([dataclasses.asdict(c) for c in professional], default=str),
        args.rounds,
    )
    sample = min(1000, n)
    t_read, ok = timed(
        f"yardstick: pyx12 validates {sample} 837P claims",
        lambda: pyx12_read(
            build_837(professional[:sample], ClaimFormat.PROFESSIONAL, created=CREATED)
        ),
        1,
    )
    assert ok, "pyx12 found errors in the 837P sample"
    scaled = t_read * n / sample
    print(f"  {'  pyx12 scaled to ' + str(n) + ' claims':<52} {scaled:8.3f} s")
    print(f"837P {len(text_p) / 2**20:.1f} MiB, 837I {len(text_i) / 2**20:.1f} MiB")
    print(
        f"ratios: 837P / json.dumps = {t_p / t_json:.2f}x; 837I / json.dumps = "
        f"{t_i / t_json:.2f}x; pyx12 read (scaled) / 837P write = {scaled / t_p:.1f}x"
    )
    if args.fhir:
        m = min(args.fhir, n)
        t_f, _ = timed(
            f"FHIR Bundles, {m} claims (build + model_dump_json)",
            lambda: [build_bundle(c, created=CREATED).model_dump_json() for c in professional[:m]],
            1,
        )
        print(f"  FHIR per claim {t_f / m * 1e3:.2f} ms")
    verdict = "met" if max(t_p, t_i) <= 10 else "MISSED"
    print(f"target 10,000 claims <= 10 s: {verdict} ({max(t_p, t_i) * 10_000 / n:.2f} s)")
    sys.exit(0)


if __name__ == "__main__":
    main()
