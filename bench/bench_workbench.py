"""The workbench for one coder (issue 16): encounter page load and type-ahead latency,
each beside a yardstick measured in the same run (GET /v1/health: the same server, the
same middleware and session check, no work).

Targets: encounter page p95 <= 150 ms, type-ahead p95 <= 50 ms, single user; the fragment
the page fetches in place after an accept is reported beside them. A temporary
home links the built releases of --home (ICD-10-CM, and ICD-10-PCS, HCPCS, CPT where
installed) and holds its own records database: three synthetic encounters imported and
coded by the engine; `medcoder serve` (one worker) answers on loopback; one client asks
one request at a time, logged in through the login form like a browser.

    python bench/bench_workbench.py [--home DIR] [--rounds 60]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from serving import link_installed, percentile, serving, timed

PASSWORD = "bench workbench password"
# Synthetic, written for this benchmark (no real patient).
NOTES = {
    "B-1": """\
HISTORY OF PRESENT ILLNESS: A 64-year-old man with type 2 diabetes mellitus with diabetic
polyneuropathy and stage 3a chronic kidney disease, seen for follow-up. He reports a cough
for four days with low-grade fever. Essential hypertension is controlled on lisinopril.

RESULTS: Chest x-ray shows right lower lobe consolidation consistent with pneumonia.

ASSESSMENT AND PLAN:
1. Community-acquired pneumonia, right lower lobe. Start amoxicillin.
2. Type 2 diabetes mellitus with diabetic polyneuropathy. Podiatry referral.
3. Type 2 diabetes mellitus with diabetic chronic kidney disease, stage 3a.
4. Essential hypertension. Continue lisinopril.
5. Hyperlipidemia. Continue atorvastatin.
6. Long-term use of oral hypoglycemic drugs.
""",
    "B-2": "ASSESSMENT: Mild intermittent asthma, stable. Gastroesophageal reflux disease.",
    "B-3": "ASSESSMENT: Osteoarthritis of the right knee. Vitamin D deficiency.",
}
# The parts workbench.js fetches after an accept (its DECISION list).
DECISION_PARTS = ("head", "history", "codes", "claim", "queries", "decided")
# What a coder types into the Add / Change box: code numbers, prefixes, words.
TYPED = [
    "E11.42", "E1142", "Z79.84", "J96.01", "W00", "S72.001", "E11", "I1",
    "pneumonia", "heart failure", "failure heart", "pleuritic chest pain", "diabetes kidney",
    "hypertensive heart", "fracture femur neck", "asthma mild", "gout", "copd exacerbation",
]  # fmt: skip


def prepare(home: Path, source: Path) -> None:
    """Users, three encounters imported and coded, in a home linking ``source``'s releases."""
    from medcoder.records.service import Records

    link_installed(home, source)
    Records.init(home).close()
    records = Records.open(home)
    try:
        records.add_user(None, "root", "admin")
        records.add_user("root", "cora", "coder")
        records.add_user("root", "mia", "manager")
        records.set_password("root", "cora", PASSWORD)
        rows = [
            {"mrn": f"BM-{n}", "name": f"Bench Patient {n}", "dob": "1960-01-01", "sex": "M",
             "encounter_id": encounter, "setting": "outpatient", "date": "2026-05-01",
             "kind": "note", "text": text, "payer": "Bench Health"}
            for n, (encounter, text) in enumerate(NOTES.items())
        ]  # fmt: skip
        lines = home / "import.jsonl"
        lines.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        records.import_path("mia", lines)
        for encounter in NOTES:
            records.run_coding("cora", encounter)
    finally:
        records.close()


def line(name: str, values: list[float], yardstick: float, target: float | None) -> str:
    p50, p95 = percentile(values, 50) * 1000, percentile(values, 95) * 1000
    goal = (
        f"  target p95 <= {target:.0f} ms: {'met' if p95 <= target else 'MISSED'}" if target else ""
    )
    return (
        f"{name:<22} n={len(values):<4} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
        f"max {max(values) * 1000:7.1f} ms  p95/yardstick {p95 / (yardstick * 1000):5.1f}x{goal}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=os.environ.get("MEDCODER_HOME"))
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    source = args.home
    if source is None:
        from medcoder.settings import home_dir

        source = home_dir()
    if not (source / "releases").is_dir():
        sys.exit(f"no built releases in {source}: run `medcoder setup` or give --home DIR")
    with tempfile.TemporaryDirectory(prefix="medcoder-bench-workbench-") as folder:
        home = Path(folder)
        env = {**os.environ, "MEDCODER_HOME": str(home)}
        for name in ("MEDCODER_DATABASE_URL", "MEDCODER_KEY", "MEDCODER_AUDIT_KEY"):
            env.pop(name, None)
        os.environ.update({"MEDCODER_HOME": str(home)})
        for name in ("MEDCODER_DATABASE_URL", "MEDCODER_KEY", "MEDCODER_AUDIT_KEY"):
            os.environ.pop(name, None)
        started = time.perf_counter()
        prepare(home, source)
        print(f"prepared {len(NOTES)} coded encounters in {time.perf_counter() - started:.1f} s")
        with serving(1, env) as base, httpx.Client(base_url=base, timeout=30) as client:
            client.post("/login", data={"username": "cora", "password": PASSWORD})
            assert client.cookies, "login failed"
            # Warm: the engine, releases, edit tables and templates load on first use.
            for encounter in NOTES:
                client.get(f"/encounters/{encounter}")
            for typed in TYPED:
                client.get("/v1/codes/search", params={"q": typed, "date": "2026-05-01"})
            load_before = os.getloadavg()[0]
            health = timed(lambda: client.get("/v1/health"), args.rounds * 2)
            queries = iter(TYPED * (args.rounds * 4 // len(TYPED) + 1))
            search = timed(
                lambda: client.get(
                    "/v1/codes/search",
                    params={"q": next(queries), "limit": "12", "date": "2026-05-01"},
                ),
                args.rounds * 4,
            )
            page = timed(lambda: client.get("/encounters/B-1"), args.rounds)
            # What the page fetches in place after a decision (workbench.js DECISION).
            parts = [("part", p) for p in DECISION_PARTS]
            fragment = timed(
                lambda: client.get("/encounters/B-1/fragment", params=parts), args.rounds
            )
            queue = timed(lambda: client.get("/queue"), args.rounds)
    yardstick = percentile(health, 95)
    print(
        f"single user, one request at a time; 1 uvicorn worker; {os.cpu_count()} CPU(s); "
        f"load average before {load_before:.1f}, after {os.getloadavg()[0]:.1f}"
    )
    print(line("yardstick /v1/health", health, yardstick, None))
    print(line("type-ahead", search, yardstick, 50))
    print(line("encounter page", page, yardstick, 150))
    print(line("fragment after accept", fragment, yardstick, None))
    print(line("queue page", queue, yardstick, None))
    print(f"type-ahead mean {statistics.fmean(search) * 1000:.1f} ms over {len(TYPED)} texts")


if __name__ == "__main__":
    main()
