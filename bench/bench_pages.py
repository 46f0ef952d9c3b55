"""The workbench's dashboard and encoder pages: render time of each, beside a yardstick
measured in the same run (GET /v1/health: the same server, middleware and session check,
no work) and beside the encounter page (bench_workbench.py's figure).

A temporary home links the built releases of --home and holds its own small records
database: the synthetic encounters below imported, coded by the engine, every suggestion
accepted and finalized where the claim edits let it (so that the reports have rows);
`medcoder serve` (one worker) answers on loopback; one client asks one request at a time,
logged in as a manager through the login form like a browser.

    python bench/bench_pages.py [--home DIR] [--rounds 20]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx

from serving import link_installed, percentile, serving, timed

PASSWORD = "bench pages password"
R26 = "icd10cm-2026-04"
# Synthetic, written for this benchmark (no real patient).
NOTES = [
    "ASSESSMENT: Type 2 diabetes mellitus with diabetic chronic kidney disease, stage 3a. "
    "Essential hypertension.",
    "ASSESSMENT: Mild intermittent asthma, stable. Gastroesophageal reflux disease.",
    "ASSESSMENT: Osteoarthritis of the right knee. Vitamin D deficiency.",
    "ASSESSMENT: Community-acquired pneumonia. Chronic obstructive pulmonary disease.",
    "ASSESSMENT: Congestive heart failure. Atrial fibrillation. Hyperlipidemia.",
    "ASSESSMENT: Major depressive disorder, single episode, moderate. Obesity.",
]
PAYERS = ("Bench Health", "Acme Mutual")


def prepare(home: Path, source: Path, copies: int) -> int:
    """Users and ``copies`` x the notes imported, coded, accepted and finalized."""
    from medcoder.errors import MedcoderError
    from medcoder.records.service import Records

    link_installed(home, source)
    Records.init(home).close()
    records = Records.open(home)
    finalized = 0
    try:
        records.add_user(None, "root", "admin")
        records.add_user("root", "cora", "coder")
        records.add_user("root", "mia", "manager")
        records.set_password("root", "mia", PASSWORD)
        rows = [
            {"mrn": f"BP-{n}", "name": f"Bench Patient {n}", "dob": "1955-01-01", "sex": "F",
             "encounter_id": f"P-{n}", "setting": "outpatient",
             "date": f"2026-0{4 + n % 5}-{10 + n % 15:02d}", "kind": "note",
             "text": NOTES[n % len(NOTES)], "payer": PAYERS[n % 2]}
            for n in range(copies * len(NOTES))
        ]  # fmt: skip
        lines = home / "import.jsonl"
        lines.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        records.import_path("mia", lines)
        for row in rows:
            encounter = str(row["encounter_id"])
            records.run_coding("cora", encounter)
            for code in records.encounter_view("cora", encounter).codes:
                records.accept("cora", encounter, code.code)
            try:
                records.finalize("cora", encounter, acknowledge="bench")
                finalized += 1
            except MedcoderError:
                pass  # an edit error blocks it: left in review, as a coder would
    finally:
        records.close()
    return finalized


def line(name: str, values: list[float], yardstick: float, size: int) -> str:
    p50, p95 = percentile(values, 50) * 1000, percentile(values, 95) * 1000
    return (
        f"{name:<34} n={len(values):<3} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
        f"p50/yardstick {p50 / (yardstick * 1000):6.1f}x  {size / 1024:6.0f} KiB"
    )


PAGES = [
    ("/dashboard (codes, the default)", "/dashboard", {}),
    ("/dashboard?kind=casemix", "/dashboard", {"kind": "casemix"}),
    ("/dashboard?kind=coders", "/dashboard", {"kind": "coders"}),
    ("/dashboard?all=1 (9 reports)", "/dashboard", {"all": "1"}),
    ("/encoder/neoplasm (593 sites)", "/encoder/neoplasm", {"release": R26}),
    ("/encoder/neoplasm lung", "/encoder/neoplasm", {"release": R26, "path": "lung"}),
    ("/encoder/drug?letter=C", "/encoder/drug", {"release": R26, "letter": "C"}),
    ("/encoder/index?letter=D", "/encoder/index", {"release": R26, "letter": "D"}),
    ("/tabular/C34.90 (panel)", "/tabular/C34.90", {"release": R26, "panel": "1"}),
    ("/encounters/P-0 (for comparison)", "/encounters/P-0", {}),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=os.environ.get("MEDCODER_HOME"))
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--copies", type=int, default=4, help="times the notes are imported")
    args = parser.parse_args()
    source = args.home
    if source is None:
        from medcoder.settings import home_dir

        source = home_dir()
    if not (source / "releases").is_dir():
        sys.exit(f"no built releases in {source}: run `medcoder setup` or give --home DIR")
    results: list[tuple[str, list[float], int]] = []
    with tempfile.TemporaryDirectory(prefix="medcoder-bench-pages-") as folder:
        home = Path(folder)
        for name in ("MEDCODER_DATABASE_URL", "MEDCODER_KEY", "MEDCODER_AUDIT_KEY"):
            os.environ.pop(name, None)
        os.environ["MEDCODER_HOME"] = str(home)
        started = time.perf_counter()
        finalized = prepare(home, source, args.copies)
        count = args.copies * len(NOTES)
        print(f"prepared {count} encounters ({finalized} finalized) in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        with (
            serving(1, dict(os.environ)) as base,
            httpx.Client(base_url=base, timeout=120, follow_redirects=True) as client,
        ):
            client.post("/login", data={"username": "mia", "password": PASSWORD})
            assert client.cookies, "login failed"
            first = {}
            for name, path, params in PAGES:  # the first: imports, releases, caches
                start = time.perf_counter()
                client.get(path, params=params)
                first[name] = time.perf_counter() - start
            load_before = os.getloadavg()[0]
            health = timed(lambda: client.get("/v1/health"), args.rounds * 2)
            for name, path, params in PAGES:
                rounds = max(3, args.rounds // 4) if "all=1" in name else args.rounds
                size = len(client.get(path, params=params).content)
                results.append(
                    (name, timed(lambda p=path, q=params: client.get(p, params=q), rounds),
                     size)
                )  # fmt: skip
    yardstick = percentile(health, 50)
    print(
        f"single user, one request at a time; 1 uvicorn worker; {os.cpu_count()} CPU(s); "
        f"load average before {load_before:.1f}, after {os.getloadavg()[0]:.1f}"
    )
    print(line("yardstick /v1/health", health, yardstick, 0))
    for name, values, size in results:
        print(line(name, values, yardstick, size) + f"  first {first[name] * 1000:6.0f} ms")


if __name__ == "__main__":
    main()
