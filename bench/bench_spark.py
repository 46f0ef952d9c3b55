"""Spark batch coding throughput (issue 15 part 4): `medcoder spark-code`'s work on
local[1] and local[2] beside `medcoder batch` on the same notes, measured in the same run.

Target: Spark >= 80% of batch's throughput per core. The notes are synthetic: the
templates of ``bench_records.py`` (three conditions each, 150-250 characters) with every
fifth note the ~3 KB visit note of ``bench_api.py``, numbered; the same notes are written
as JSONL (for batch) and as Parquet (for Spark).

Each figure is measured in its own process, after a warm-up that loads the engines (for
Spark: a small job that starts the Python workers, each loading its engine once; the
JVM and session start are reported apart), so the figures are steady-state notes/s:

- yardstick: ``run_batch(jobs=1)`` (what `medcoder batch` runs) on one core;
- Spark: ``code_parquet`` (what `medcoder spark-code` runs: read Parquet, repartition
  into 2 tasks per core, code each row through batch's ``code_record``, write Parquet)
  with ``local[1]`` and ``local[2]``;

interleaved over ``--rounds`` (batch, local[1], local[2], batch, ...), best of each kept.
It prints wall-clock notes/s, per core and as a ratio to batch, and the same from CPU
time (user + system of the process and everything under it: Spark's JVM, its Python
daemon and workers; "JVM s" is the JVM's own share), which a shared, loaded machine
moves much less: notes per CPU-second is the throughput of one core given whole. The
scaling from 1 to 2 cores is the wall-clock ratio (meaningful on 2 idle cores only) and
the CPU per note ratio.
``--end-to-end`` also times both commands whole (process start, JVM and session,
engines), where Spark's fixed start shows.

    .venv/bin/python bench/bench_spark.py [--home DIR] [--notes 2000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WARM_NOTES = 40


def make_notes(count: int, seed: int = 15) -> list[dict[str, Any]]:
    """Synthetic notes from the other benchmarks' fixtures (no real patient)."""
    sys.path.insert(0, str(BENCH))
    from bench_api import NOTE
    from bench_records import CONDITIONS, TEMPLATES

    rng = random.Random(seed)
    notes = []
    for n in range(count):
        a, b, c = rng.sample(CONDITIONS, 3)
        text = NOTE if n % 5 == 4 else rng.choice(TEMPLATES).format(a=a, b=b, c=c)
        notes.append({"id": f"S-{n:06d}", "text": text, "date": "2026-05-01",
                      "setting": "outpatient", "age": 40 + n % 50,
                      "sex": "FM"[n % 2]})  # fmt: skip
    return notes


def write_inputs(notes: list[dict[str, Any]], folder: Path, name: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    with (folder / f"{name}.jsonl").open("w", encoding="utf-8") as out:
        for note in notes:
            out.write(json.dumps(note) + "\n")
    pq.write_table(pa.Table.from_pylist(notes), folder / f"{name}.parquet")


def tree_cpu() -> tuple[float, float]:
    """CPU seconds (user + system) of this process and every process under it (Spark's
    JVM, its Python daemon and workers), reaped children included; and of the JVM alone
    (the ``java`` process itself, not the Python workers it starts)."""
    import psutil

    total = jvm = 0.0
    me = psutil.Process()
    for proc in [me, *me.children(recursive=True)]:
        try:
            t, name = proc.cpu_times(), proc.name()
        except psutil.NoSuchProcess:
            continue
        total += t.user + t.system + t.children_user + t.children_system
        jvm += t.user + t.system if name == "java" else 0.0
    return total, jvm


def measure(kind: str, folder: Path, home: str, cores: int) -> dict[str, float]:
    """In this process: warm up, then time the full set once (wall and CPU seconds)."""
    if kind == "batch":
        from medcoder.batch import run_batch

        start = time.perf_counter()
        run_batch(folder / "warm.jsonl", folder / "warm.out.jsonl", home=Path(home))
        warm = time.perf_counter() - start
        start, (cpu, _) = time.perf_counter(), tree_cpu()
        summary = run_batch(folder / "notes.jsonl", folder / "batch.out.jsonl", home=Path(home))
        return {"seconds": time.perf_counter() - start, "cpu": tree_cpu()[0] - cpu, "jvm": 0.0,
                "notes": summary.total, "failed": summary.failed, "start": warm}  # fmt: skip
    from medcoder.spark.job import code_parquet, session

    start = time.perf_counter()
    spark = session(f"local[{cores}]", partitions=2 * cores)
    started = time.perf_counter() - start
    try:
        tag = f"{cores}-{time.monotonic_ns()}"
        start = time.perf_counter()
        code_parquet(spark, folder / "warm.parquet", folder / f"warm.out.{tag}", home=Path(home))
        warm = time.perf_counter() - start
        start, (cpu, jvm) = time.perf_counter(), tree_cpu()
        coded, failed = code_parquet(spark, folder / "notes.parquet", folder / f"out.{tag}",
                                     home=Path(home))  # fmt: skip
        seconds, (cpu_end, jvm_end) = time.perf_counter() - start, tree_cpu()
    finally:
        spark.stop()
    return {"seconds": seconds, "cpu": cpu_end - cpu, "jvm": jvm_end - jvm,
            "notes": coded + failed, "failed": failed, "start": started + warm}  # fmt: skip


def run_measure(kind: str, folder: Path, home: str, cores: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--measure", kind, "--folder", str(folder), "--home", home,
         "--cores", str(cores)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        sys.exit(f"{kind} x{cores} failed:\n{done.stderr[-3000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def end_to_end(folder: Path, home: str) -> dict[str, float]:
    """Both commands whole, as a user runs them (2 cores each)."""
    medcoder = [sys.executable, "-m", "medcoder", "--home", home]
    times = {}
    for label, args in (
        ("batch -j 2", ["batch", str(folder / "notes.jsonl"), "-o", str(folder / "e2e.jsonl"),
                        "-j", "2"]),
        ("spark-code local[2]", ["spark-code", str(folder / "notes.parquet"),
                                 str(folder / f"e2e.{time.monotonic_ns()}"),
                                 "--master", "local[2]"]),
    ):  # fmt: skip
        start = time.perf_counter()
        subprocess.run([*medcoder, *args], check=True, capture_output=True)
        times[label] = time.perf_counter() - start
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", help="MEDCODER_HOME with built releases (default: the usual)")
    parser.add_argument("--notes", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--end-to-end", action="store_true")
    parser.add_argument("--measure", choices=("batch", "spark"), help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cores", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.folder, args.home, args.cores)))
        return
    from medcoder.settings import home_dir

    home = str(home_dir(Path(args.home) if args.home else None))
    with tempfile.TemporaryDirectory(prefix="bench-spark-") as tmp:
        folder = Path(tmp)
        notes = make_notes(args.notes)
        write_inputs(notes, folder, "notes")
        write_inputs(make_notes(WARM_NOTES, seed=16), folder, "warm")
        size = sum(len(n["text"]) for n in notes) / len(notes)
        print(f"{len(notes)} synthetic notes, {size:,.0f} characters on average; home {home}; "
              f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs")  # fmt: skip
        runs: dict[str, list[dict[str, float]]] = {"batch": [], "spark1": [], "spark2": []}
        for _ in range(args.rounds):
            runs["batch"].append(run_measure("batch", folder, home, 1))
            runs["spark1"].append(run_measure("spark", folder, home, 1))
            runs["spark2"].append(run_measure("spark", folder, home, 2))
        best = {k: min(v, key=lambda r: r["seconds"]) for k, v in runs.items()}
        for k, r in best.items():
            if r["notes"] != len(notes) or r["failed"]:
                sys.exit(f"{k}: {r['notes']} notes, {r['failed']} failed: expected {len(notes)}")
        rate = {k: r["notes"] / r["seconds"] for k, r in best.items()}
        per_cpu = {k: r["notes"] / r["cpu"] for k, r in best.items()}
        print(f"{'run':<27}{'wall s':>8}{'notes/s':>9}{'/core':>7}{'vs batch':>9}"
              f"{'CPU s':>8}{'JVM s':>7}{'notes/CPU-s':>12}{'vs batch':>9}"
              f"{'start s':>8}")  # fmt: skip
        for label, key, cores in (("batch, 1 core (yardstick)", "batch", 1),
                                  ("spark-code local[1]", "spark1", 1),
                                  ("spark-code local[2]", "spark2", 2)):  # fmt: skip
            r, per_core = best[key], rate[key] / cores
            print(f"{label:<27}{r['seconds']:>8.1f}{rate[key]:>9.1f}{per_core:>7.1f}"
                  f"{per_core / rate['batch']:>8.2f}x{r['cpu']:>8.1f}{r['jvm']:>7.1f}"
                  f"{per_cpu[key]:>12.1f}"
                  f"{per_cpu[key] / per_cpu['batch']:>8.2f}x{r['start']:>8.1f}")  # fmt: skip
        print(f"scaling local[1] -> local[2]: wall {rate['spark2'] / rate['spark1']:.2f}x "
              f"(ideal 2.00x; needs 2 idle cores), CPU per note "
              f"{per_cpu['spark2'] / per_cpu['spark1']:.2f}x (ideal 1.00x); "
              "per-core target: >= 0.80x batch")  # fmt: skip
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        if args.end_to_end:
            for label, seconds in end_to_end(folder, home).items():
                print(f"end to end, {label}: {seconds:.1f} s ({len(notes) / seconds:.1f} notes/s)")


if __name__ == "__main__":
    main()
