"""REST API load: POST /v1/code from N concurrent clients for D seconds on loopback
against `medcoder serve`, with a ~3 KB synthetic note.

Goal (issue 5): 0 errors, p99 <= 100 ms with 50 clients. Prints requests, errors,
requests/s, p50/p90/p99/max latency. The records database is a temporary SQLite file
(only a user and its API key live there); the releases are read from --home.

    python bench/bench_api.py [--home DIR] [--workers 2] [--clients 50] [--duration 60]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

from serving import percentile, serving

# Synthetic, written for this benchmark (no real patient).
NOTE = """\
CHIEF COMPLAINT: Follow-up of diabetes and blood pressure; new cough.

HISTORY OF PRESENT ILLNESS: The patient is a 67-year-old woman seen for routine follow-up.
She has type 2 diabetes mellitus with diabetic chronic kidney disease, stage 3a, followed by
nephrology. Home glucose readings run 140 to 180 fasting. She reports a productive cough for
five days with low-grade fever, no chest pain, no hemoptysis. She denies shortness of breath
at rest. Essential hypertension has been controlled on lisinopril. She has hyperlipidemia on
atorvastatin. She quit smoking ten years ago. Family history of colon cancer in her father.

SOCIAL HISTORY: Lives with her husband, retired teacher, walks thirty minutes most days. No
alcohol. Former smoker, twenty pack-years. Independent in activities of daily living.

REVIEW OF SYSTEMS: Negative for headache, vision change, nausea, vomiting, dysuria. Positive
for fatigue and cough as above. No leg swelling.

PHYSICAL EXAMINATION: Temperature 100.2 F, blood pressure 138/82, pulse 88, respirations 18,
oxygen saturation 95 percent on room air. Lungs with crackles at the right base. Heart regular
rate and rhythm, no murmur. Abdomen soft, nontender. Extremities without edema. Monofilament
sensation decreased at both feet.

RESULTS: Hemoglobin A1c 8.1 percent. Creatinine 1.4, eGFR 52. Chest x-ray shows right lower
lobe consolidation consistent with pneumonia. Urine albumin to creatinine ratio elevated.

ASSESSMENT AND PLAN:
1. Community-acquired pneumonia, right lower lobe. Start amoxicillin-clavulanate and
   azithromycin. Return if worse; recheck in one week.
2. Type 2 diabetes mellitus with diabetic chronic kidney disease, stage 3a. Increase
   metformin as tolerated by renal function; continue glucose monitoring.
3. Type 2 diabetes mellitus with diabetic polyneuropathy. Podiatry referral for foot care.
4. Essential hypertension. Continue lisinopril 20 mg daily.
5. Hyperlipidemia. Continue atorvastatin 40 mg nightly.
6. Long-term use of oral hypoglycemic drugs.
7. History of tobacco use, quit ten years ago.
8. Mild intermittent asthma, stable; albuterol as needed before exercise.
9. Gastroesophageal reflux disease without esophagitis, controlled on omeprazole.
10. Osteoarthritis of the right knee; acetaminophen and home exercises.
11. Vitamin D deficiency; continue cholecalciferol daily.
12. Obesity, body mass index 32; dietary counseling provided today.
Medications reviewed and reconciled. Immunizations: influenza vaccine given today; the
pneumococcal vaccine is up to date. Counseled on sick-day rules for metformin while febrile,
hydration, and when to seek care for shortness of breath or chest pain. Total time spent on
the date of the encounter was 35 minutes, including review of outside records.
Follow-up in one week for the pneumonia and in three months for diabetes.
"""


def medcoder(*args: str, env: dict[str, str]) -> str:
    exe = str(Path(sys.executable).parent / "medcoder")
    done = subprocess.run([exe, *args], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


async def load(
    base: str, key: str, clients: int, duration: float
) -> tuple[list[float], Counter[str]]:
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    body = {"text": NOTE, "setting": "outpatient", "date": "2026-05-01"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=base, headers={"X-API-Key": key}, limits=limits, timeout=30
    ) as client:
        deadline = time.perf_counter() + duration

        async def one_client() -> None:
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                problem = None
                try:
                    response = await client.post("/v1/code", json=body)
                    if response.status_code != 200:
                        problem = f"HTTP {response.status_code}"
                    elif not response.json()["codes"]:
                        problem = "no codes"
                except httpx.HTTPError as exc:
                    problem = type(exc).__name__
                latencies.append(time.perf_counter() - start)
                if problem:
                    errors[problem] += 1

        await asyncio.gather(*(one_client() for _ in range(clients)))
    return latencies, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=os.environ.get("MEDCODER_HOME"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    args = parser.parse_args()
    if args.home is None:
        sys.exit("give --home DIR (a MEDCODER_HOME with built releases: medcoder setup)")

    with tempfile.TemporaryDirectory(prefix="medcoder-bench-api-") as folder:
        env = {
            **os.environ,
            "MEDCODER_HOME": str(args.home),
            "MEDCODER_DATABASE_URL": f"sqlite:///{folder}/records.sqlite",
            "MEDCODER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        }
        medcoder("db", "init", env=env)
        medcoder("users", "add", "root", "--role", "admin", env=env)
        medcoder(
            "users",
            "add",
            "loadtest",
            "--role",
            "coder",
            "--service-account",
            "--user",
            "root",
            env=env,
        )
        key = medcoder("users", "api-key", "loadtest", "--user", "root", env=env)
        with serving(args.workers, env) as base:
            # Warm every worker: each loads its engine (lexicon, release) on first use.
            asyncio.run(load(base, key, args.workers * 4, 5.0))
            load_before = os.getloadavg()[0]
            latencies, errors = asyncio.run(load(base, key, args.clients, args.duration))
    count = len(latencies)
    print(f"note: {len(NOTE.encode())} bytes; {args.clients} clients; {args.duration:.0f} s; "
          f"{args.workers} uvicorn worker(s); {os.cpu_count()} CPU(s); "
          f"load average before {load_before:.1f}, after {os.getloadavg()[0]:.1f}")  # fmt: skip
    kinds = ", ".join(f"{k} x{n}" for k, n in errors.most_common()) or "none"
    print(f"requests: {count}  errors: {sum(errors.values())} ({kinds})  "
          f"requests/s: {count / args.duration:.1f}")  # fmt: skip
    print(
        f"latency ms: p50 {percentile(latencies, 50) * 1000:.1f}  "
        f"p90 {percentile(latencies, 90) * 1000:.1f}  p99 {percentile(latencies, 99) * 1000:.1f}  "
        f"max {max(latencies) * 1000:.1f}  mean {statistics.fmean(latencies) * 1000:.1f}"
    )


if __name__ == "__main__":
    main()
