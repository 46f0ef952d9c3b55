"""Benchmark the ICD-10-CM code-set figures of issue 2 on the real CMS data.

Figures and targets (issue 2):

- build time from the CMS files, per release ............ <= 60 s
- opening a built release (fresh process; re-open) ...... <= 0.5 s
- code lookup median (cache-cold and warm) .............. <= 20 us
- index walk, table lookup and text search .............. <= 5 ms
- peak RSS with one release open, after a workload ...... <= 300 MB

Releases are built from ``../shared/data`` (``--data``) into a temporary MEDCODER home
(``--home``; removed afterwards unless given). Run from the repository root::

    .venv/bin/python bench/bench_codesets.py [--quick] [--json figures.json]

The script also runs itself in a fresh process (hidden ``--rss-child``) to measure the
memory of one open release without the builds that ran in this process.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import json
import math
import os
import platform
import pstats
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from medcoder.codesets.build import build_release
from medcoder.codesets.catalog import ReleasePlan, plan_releases
from medcoder.codesets.index_walk import IndexNavigator
from medcoder.codesets.manifest import MANIFEST_FILE
from medcoder.codesets.model import NodeKind
from medcoder.codesets.store import Release
from medcoder.codesets.tables import lookup_table
from medcoder.codesets.validate import validate

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data"

# Targets from issue 2, in the unit each figure is reported in.
BUILD_TARGET_S = 60.0
OPEN_TARGET_MS = 500.0
LOOKUP_TARGET_US = 20.0
SEARCH_TARGET_MS = 5.0
RSS_TARGET_MB = 300.0  # MB = 10**6 bytes (stricter than MiB)

# What a coder types into a search box: diagnoses as written in notes, with and
# without the index's word order, some abbreviations, external causes and Z codes.
SEARCH_QUERIES: tuple[str, ...] = (
    "heart failure", "type 2 diabetes kidney", "fracture neck femur", "pneumonia",
    "asthma exacerbation", "chest pain", "acute kidney injury", "copd exacerbation",
    "urinary tract infection", "atrial fibrillation", "essential hypertension",
    "hyperlipidemia", "major depressive disorder recurrent", "generalized anxiety disorder",
    "low back pain", "migraine with aura", "sepsis", "cellulitis left leg",
    "pressure ulcer sacral region stage 3", "acute myocardial infarction",
    "chronic kidney disease stage 3", "iron deficiency anemia", "hypothyroidism",
    "morbid obesity", "primary osteoarthritis knee", "rheumatoid arthritis", "gout",
    "alzheimer dementia", "parkinson", "multiple sclerosis", "epilepsy",
    "cerebral infarction", "transient ischemic attack", "pulmonary embolism",
    "deep vein thrombosis lower extremity", "gastro-esophageal reflux", "crohn disease",
    "ulcerative colitis", "acute appendicitis", "acute pancreatitis",
    "alcoholic cirrhosis of liver", "chronic hepatitis c", "covid-19", "influenza",
    "acute otitis media", "malignant neoplasm of breast", "gestational diabetes",
    "fall from ladder", "nicotine dependence cigarettes", "long term use of insulin",
)  # fmt: skip

# Index paths written as the Alphabetic Index prints them (main term, subterms).
INDEX_PATHS: tuple[str, ...] = (
    "Diabetes, type 2, with, chronic kidney disease", "Hypertension, with, heart failure",
    "Pneumonia", "Fracture, femur, neck", "Sclerosis, multiple", "Failure, heart, congestive",
    "Asthma, mild intermittent", "Asthma, severe persistent, with, exacerbation",
    "Infarction, myocardial, acute", "Disease, kidney, chronic, stage 3", "Obesity, morbid",
    "Depression, major", "Disorder, bipolar", "Anemia, iron deficiency",
    "Fibrillation, atrial", "Dermatitis, atopic", "Sepsis", "Infection, urinary tract",
    "Pneumonia, aspiration", "Cellulitis, leg", "Migraine, with aura", "Hypothyroidism",
    "Osteoarthritis, knee", "Schizophrenia, paranoid", "Dementia, in, Alzheimer's disease",
    "Syndrome, carpal tunnel", "Embolism, pulmonary", "Ulcer, pressure", "Hernia, inguinal",
    "Disease, Crohn's",
)  # fmt: skip

NEOPLASM_SITES: tuple[str, ...] = (
    "lung", "breast", "colon", "prostate", "liver", "bone", "brain", "pancreas", "skin",
    "stomach", "bladder", "kidney", "ovary", "thyroid", "lymph node",
)  # fmt: skip

DRUGS: tuple[str, ...] = (
    "Acetaminophen", "Aspirin", "Warfarin", "Insulin", "Heroin", "Morphine", "Digoxin",
    "Lithium", "Alcohol", "Ibuprofen", "Fentanyl", "Carbon monoxide",
)  # fmt: skip
DRUG_LOOKUPS: tuple[tuple[str, str], ...] = tuple(
    (drug, column) for drug in DRUGS for column in ("poisoning-accidental", "adverse-effect")
)

T = TypeVar("T")


# -- figures -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figure:
    """One measured figure; ``target`` None marks it informational (no verdict)."""

    name: str
    value: float | None
    unit: str
    target: float | None = None
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.value is None or self.target is None:
            return "-"
        return "PASS" if self.value <= self.target else "MISS"

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "verdict": self.verdict}


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    # Fewer decimals as the value grows: 4.333 ms, 24.88 us, 249.1 ms, 47.6 MB.
    digits = 1 if unit == "MB" or value >= 100 else 2 if value >= 10 else 3
    return f"{value:.{digits}f} {unit}"


@dataclass(frozen=True, slots=True)
class Summary:
    """Distribution of per-call times, in nanoseconds."""

    n: int
    median_ns: float
    p95_ns: float
    max_ns: float

    @classmethod
    def of(cls, samples_ns: Sequence[int]) -> Summary:
        ordered = sorted(samples_ns)
        p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]  # nearest rank
        return cls(len(ordered), statistics.median(ordered), p95, ordered[-1])


def _per_call(fn: Callable[[T], object], args: Sequence[T]) -> list[int]:
    """Wall time of each call in nanoseconds (the clock's own cost included)."""
    clock = time.perf_counter_ns
    out: list[int] = []
    for arg in args:
        start = clock()
        fn(arg)
        out.append(clock() - start)
    return out


@dataclass(frozen=True, slots=True)
class Rounds:
    """The very first call, timed alone, then every call of every round, per argument."""

    first_ns: int
    per_arg_ns: dict[str, list[int]]

    @property
    def samples(self) -> list[int]:
        return [ns for calls in self.per_arg_ns.values() for ns in calls]

    def slowest(self) -> tuple[str, float]:
        """The argument with the highest median time, and that median in ns."""
        arg, calls = max(self.per_arg_ns.items(), key=lambda kv: statistics.median(kv[1]))
        return arg, statistics.median(calls)


def _first_then_rounds(
    fn: Callable[[T], object],
    args: Sequence[T],
    rounds: int,
    label: Callable[[T], str] = str,
) -> Rounds:
    clock = time.perf_counter_ns
    start = clock()
    fn(args[0])
    first = clock() - start
    per_arg: dict[str, list[int]] = {label(a): [] for a in args}
    for _ in range(rounds):
        for arg, ns in zip(args, _per_call(fn, args), strict=True):
            per_arg[label(arg)].append(ns)
    return Rounds(first, per_arg)


def _clock_overhead_ns() -> float:
    clock = time.perf_counter_ns
    return statistics.median(-(clock() - clock()) for _ in range(10_000))


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- builds --------------------------------------------------------------------------


def _source_kind(plan: ReleasePlan) -> str:
    return "Tabular XML + index" if plan.file("tabular") is not None else "order file"


def bench_builds(
    plans: Sequence[ReleasePlan], releases_dir: Path, *, quick: bool, reuse: bool
) -> list[Figure]:
    figures: list[Figure] = []
    newest = plans[-1]
    for plan in plans:
        name = f"build {plan.name}"
        built = (releases_dir / plan.name / MANIFEST_FILE).exists()
        if reuse and built:
            figures.append(Figure(name, None, "s", BUILD_TARGET_S, "reused from --home"))
            continue
        if quick and plan is not newest:
            figures.append(Figure(name, None, "s", BUILD_TARGET_S, "skipped (--quick)"))
            continue
        _log(f"building {plan.name} ...")
        start = time.perf_counter()
        info = build_release(plan, releases_dir, force=True)
        seconds = time.perf_counter() - start
        note = f"{_source_kind(plan)}, {info.stats.get('codes', 0):,} codes"
        figures.append(Figure(name, seconds, "s", BUILD_TARGET_S, note))
    return figures


# -- opening -------------------------------------------------------------------------

# Runs in a fresh interpreter: the clock starts before medcoder (and pathlib, json,
# sqlite3 that it pulls in) is imported, and stops after the first lookup.
_COLD_OPEN = """\
import sys, time
t0 = time.perf_counter()
from pathlib import Path
from medcoder.codesets.store import Release
t1 = time.perf_counter()
release = Release(Path(sys.argv[1]))
t2 = time.perf_counter()
entry = release.get(sys.argv[2])
t3 = time.perf_counter()
import json
print(json.dumps({"import_s": t1 - t0, "open_s": t2 - t1, "first_get_s": t3 - t2,
                  "total_s": t3 - t0, "found": entry is not None}))
"""


def evict_page_cache(folder: Path) -> bool:
    """Drop the release's files from the OS page cache (Linux, best effort, no root)."""
    if not hasattr(os, "posix_fadvise"):
        return False
    for path in folder.iterdir():
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)  # dirty pages (a build just wrote them) are not dropped
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)
    return True


def prime_page_cache(folder: Path) -> None:
    """Read the release's files once so that later figures do not pay for disk reads."""
    for path in folder.iterdir():
        if path.is_file():
            with path.open("rb") as handle:
                while handle.read(1 << 20):
                    pass


def _run_child(command: list[str], home: Path, stdin: str | None = None) -> dict[str, Any]:
    """Run a measuring child process; its last stdout line is a JSON object."""
    env = {**os.environ, "MEDCODER_HOME": str(home), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(command, input=stdin, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"measuring child failed ({done.returncode}):\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def bench_open(folder: Path, code: str, home: Path, *, cold_runs: int) -> list[Figure]:
    runs: list[dict[str, Any]] = []
    process_s: list[float] = []
    evicted = False
    for _ in range(cold_runs):
        evicted = evict_page_cache(folder)
        start = time.perf_counter()
        out = _run_child([sys.executable, "-c", _COLD_OPEN, str(folder), code], home)
        process_s.append(time.perf_counter() - start)
        runs.append(out)
    totals = [r["total_s"] for r in runs]
    first = runs[0]
    median_ms = statistics.median(totals) * 1e3
    cold_note = (
        f"worst of {cold_runs} fresh processes{', page cache evicted' if evicted else ''}; "
        f"1st: import {first['import_s'] * 1e3:.0f} + open {first['open_s'] * 1e3:.1f} "
        f"+ get {first['first_get_s'] * 1e3:.1f} ms; median {median_ms:.0f} ms"
    )
    reopen: list[float] = []
    for _ in range(50):
        start = time.perf_counter()
        release = Release(folder)
        release.get(code)
        reopen.append(time.perf_counter() - start)
        release.close()
    return [
        Figure("open, fresh process (cold)", max(totals) * 1e3, "ms", OPEN_TARGET_MS, cold_note),
        Figure(
            "  interpreter start + cold open",
            statistics.median(process_s) * 1e3,
            "ms",
            None,
            "median wall time of the whole subprocess, as a CLI user waits",
        ),
        Figure(
            "open, in-process re-open",
            statistics.median(reopen) * 1e3,
            "ms",
            OPEN_TARGET_MS,
            f"median of 50 (max {max(reopen) * 1e3:.2f} ms), open + first get",
        ),
    ]


# -- lookups -------------------------------------------------------------------------


def sample_codes(folder: Path, count: int, seed: int) -> list[str]:
    """A seeded sample of codes (not chapters or sections), 7th-character codes included."""
    with Release(folder) as release:
        codes = [
            e.code
            for e in release.iter_codes()
            if e.kind not in (NodeKind.CHAPTER, NodeKind.SECTION)
        ]
    return random.Random(seed).sample(codes, min(count, len(codes)))


def _cold_and_warm(
    folder: Path, codes: Sequence[str], call: Callable[[Release, str], object], passes: int
) -> tuple[list[Summary], list[Summary]]:
    """``passes`` fresh Releases (empty dict cache, empty SQLite page cache), each timed
    over every code twice: first cache-cold, then warm."""
    cold: list[Summary] = []
    warm: list[Summary] = []
    for _ in range(passes):
        with Release(folder) as release:
            fn = functools.partial(call, release)
            cold.append(Summary.of(_per_call(fn, codes)))
            warm.append(Summary.of(_per_call(fn, codes)))
    return cold, warm


def _lookup_figure(name: str, runs: Sequence[Summary], note: str) -> Figure:
    """Median of the per-pass medians: one pass disturbed by a busy machine moves it little."""
    medians = [r.median_ns / 1e3 for r in runs]
    p95 = statistics.median(r.p95_ns for r in runs) / 1e3
    spread = "/".join(f"{m:.1f}" for m in medians)
    return Figure(
        name,
        statistics.median(medians),
        "us",
        LOOKUP_TARGET_US,
        f"passes {spread} us; p95 {p95:.1f} us; {note}".rstrip("; "),
    )


def bench_lookups(folder: Path, codes: Sequence[str], passes: int) -> list[Figure]:
    cold, warm = _cold_and_warm(folder, codes, Release.get, passes)
    v_cold, v_warm = _cold_and_warm(folder, codes, validate, passes)
    with Release(folder) as release:
        billable = sum(1 for c in codes if (e := release.get(c)) is not None and e.billable)
    n = f"{len(codes):,} codes, {billable:,} billable"
    return [
        _lookup_figure("lookup get() median, cache-cold", cold, n),
        _lookup_figure("lookup get() median, warm", warm, "dict cache hit"),
        _lookup_figure("validate() median, cache-cold", v_cold, ""),
        _lookup_figure("validate() median, warm", v_warm, "headers also query children"),
    ]


# -- search, index walks, tables -----------------------------------------------------


def _search_figures(label: str, timed: Rounds, note: str) -> list[Figure]:
    s = Summary.of(timed.samples)
    arg, slowest_ns = timed.slowest()
    return [
        Figure(f"{label} median", s.median_ns / 1e6, "ms", SEARCH_TARGET_MS, note),
        Figure(f"{label} p95", s.p95_ns / 1e6, "ms", SEARCH_TARGET_MS, f"n={s.n}"),
        Figure(f"{label} max", s.max_ns / 1e6, "ms", None,
               f"slowest: {arg} (median {slowest_ns / 1e6:.1f} ms)"),
        Figure(f"{label} first call", timed.first_ns / 1e6, "ms", None, "excluded above"),
    ]  # fmt: skip


def bench_search(folder: Path, rounds: int) -> list[Figure]:
    figures: list[Figure] = []
    with Release(folder) as release:
        hits = [len(release.search(q, 20)) for q in SEARCH_QUERIES]
    with Release(folder) as release:
        timed = _first_then_rounds(lambda q: release.search(q, 20), SEARCH_QUERIES, rounds)
    note = f"{len(SEARCH_QUERIES)} queries x {rounds}; {sum(h > 0 for h in hits)} with hits"
    figures += _search_figures("search(text, 20)", timed, note)

    with Release(folder) as release:
        navigator = IndexNavigator(release)
        timed = _first_then_rounds(navigator.walk, INDEX_PATHS, rounds)
        coded = sum(
            1 for p in INDEX_PATHS if (r := navigator.walk(p)).code is not None and not r.unmatched
        )
    note = f"{len(INDEX_PATHS)} paths x {rounds}; {coded} end on a code, all matched"
    figures += _search_figures("index walk()", timed, note)

    with Release(folder) as release:
        timed = _first_then_rounds(
            lambda site: lookup_table(release, "neoplasm", site, "malignant-primary"),
            NEOPLASM_SITES,
            rounds,
        )
    note = f"{len(NEOPLASM_SITES)} sites x {rounds}, malignant-primary"
    figures += _search_figures("neoplasm table", timed, note)

    with Release(folder) as release:
        timed = _first_then_rounds(
            lambda dc: lookup_table(release, "drug", dc[0], dc[1]),
            DRUG_LOOKUPS,
            rounds,
            label=lambda dc: f"{dc[0]} / {dc[1]}",
        )
    note = f"{len(DRUG_LOOKUPS)} substance/column pairs x {rounds}"
    figures += _search_figures("drug table", timed, note)
    return figures


# -- memory --------------------------------------------------------------------------


def _maxrss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # Linux reports KiB


def _rss_now_bytes() -> int | None:
    try:
        import psutil  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        return None
    return int(psutil.Process().memory_info().rss)


def _peak_now_bytes() -> int | None:
    """This process's own peak RSS (VmHWM, Linux): unlike ru_maxrss, never inherited."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return None
    line = next((ln for ln in status.splitlines() if ln.startswith("VmHWM:")), None)
    return int(line.split()[1]) * 1024 if line else None


def workload(folder: Path, codes: Sequence[str], rounds: int) -> dict[str, Any]:
    """Everything the timing figures exercise, on one open release; peak RSS by stage."""
    stages: dict[str, float | None] = {}

    def mark(stage: str) -> None:
        peak = _peak_now_bytes()
        stages[stage] = peak / 1e6 if peak is not None else None

    release = Release(folder)
    release.get(codes[0])
    after_open = _rss_now_bytes()
    mark("open")
    for code in codes:
        release.get(code)
    mark("get")
    for code in codes:
        validate(release, code)
    mark("validate")
    navigator = IndexNavigator(release)
    for _ in range(rounds):
        for query in SEARCH_QUERIES:
            release.search(query, 20)
    mark("search")
    for _ in range(rounds):
        for path in INDEX_PATHS:
            navigator.walk(path)
    mark("walk")
    for _ in range(rounds):
        for site in NEOPLASM_SITES:
            lookup_table(release, "neoplasm", site, "malignant-primary")
        for drug, column in DRUG_LOOKUPS:
            lookup_table(release, "drug", drug, column)
    mark("tables")
    peak = _maxrss_bytes()
    now = _rss_now_bytes()
    release.close()
    return {
        "maxrss_mb": peak / 1e6,
        "peak_by_stage_mb": stages,
        "rss_now_mb": now / 1e6 if now is not None else None,
        "rss_after_open_mb": after_open / 1e6 if after_open is not None else None,
    }


# On Linux a process's ru_maxrss starts at the RSS of the process it was spawned from
# (exec copies the old address space's high-water mark), so a child spawned by this
# process, which has just built releases, would report our peak. A small launcher
# process in between keeps the figure the child's own.
_LAUNCHER = "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:]).returncode)"


def bench_memory(folder: Path, codes: Sequence[str], rounds: int, home: Path) -> list[Figure]:
    payload = json.dumps({"folder": str(folder), "codes": list(codes), "rounds": rounds})
    child = [sys.executable, str(Path(__file__).resolve()), "--rss-child"]
    out = _run_child([sys.executable, "-c", _LAUNCHER, *child], home, stdin=payload)
    now, opened = out["rss_now_mb"], out["rss_after_open_mb"]
    current = (
        f"RSS after open {opened:.0f} MB, at end {now:.0f} MB (psutil)"
        if now is not None and opened is not None
        else "psutil not installed: current RSS not measured"
    )
    stages = out["peak_by_stage_mb"]
    by_stage = ", ".join(f"{k} {v:.0f}" for k, v in stages.items() if v is not None)
    return [
        Figure(
            "peak RSS, one release + workload",
            out["maxrss_mb"],
            "MB",
            RSS_TARGET_MB,
            f"fresh process, ru_maxrss; {current}",
        ),
        Figure(
            "  current RSS at end (psutil)",
            now,
            "MB",
            None,
            f"VmHWM after each stage, MB: {by_stage}" if by_stage else "",
        ),
    ]


def _rss_child() -> int:
    job = json.loads(sys.stdin.read())
    print(json.dumps(workload(Path(job["folder"]), job["codes"], int(job["rounds"]))))
    return 0


# -- profiling -----------------------------------------------------------------------

PROFILES = ("lookup", "validate", "search", "walk", "neoplasm", "drug")


def profile(name: str, folder: Path, codes: Sequence[str], rounds: int) -> None:
    """cProfile one workload on the newest release; print where the time goes."""
    release = Release(folder)
    navigator = IndexNavigator(release)
    navigator.walk(INDEX_PATHS[0])  # the one-off cache build is reported on its own
    jobs: dict[str, Callable[[], object]] = {
        "lookup": lambda: [release.get(c) for c in codes],
        "validate": lambda: [validate(release, c) for c in codes],
        "search": lambda: [release.search(q, 20) for q in SEARCH_QUERIES],
        "walk": lambda: [navigator.walk(p) for p in INDEX_PATHS],
        "neoplasm": lambda: [
            lookup_table(release, "neoplasm", s, "malignant-primary") for s in NEOPLASM_SITES
        ],
        "drug": lambda: [lookup_table(release, "drug", d, c) for d, c in DRUG_LOOKUPS],
    }
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        jobs[name]()
    profiler.disable()
    print(f"\ncProfile: {name} x {rounds} rounds on {release.name} (top 15 by own time)")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.strip_dirs().sort_stats(pstats.SortKey.TIME).print_stats(15)
    release.close()


# -- report --------------------------------------------------------------------------


@dataclass(slots=True)
class Report:
    meta: dict[str, Any] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)

    def print(self) -> None:
        for key, value in self.meta.items():
            print(f"{key:>9}: {value}")
        headers = ("figure", "measured", "target", "result", "notes")
        rows = [
            (
                f.name,
                _fmt(f.value, f.unit),
                f"{f.target:g} {f.unit}" if f.target else "-",
                f.verdict,
                f.note,
            )
            for f in self.figures
        ]
        widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(4)]
        aligns = ("<", ">", ">", "<")
        line = "  ".join([*(f"{{:{a}{w}}}" for a, w in zip(aligns, widths, strict=True)), "{}"])
        print()
        print(line.format(*headers))
        print(line.format(*("-" * w for w in widths), "-----"))
        for row in rows:
            print(line.format(*row).rstrip())
        misses = [f.name.strip() for f in self.figures if f.verdict == "MISS"]
        passes = sum(f.verdict == "PASS" for f in self.figures)
        print(f"\n{passes} PASS, {len(misses)} MISS" + (f": {', '.join(misses)}" if misses else ""))

    def write_json(self, path: Path) -> None:
        data = {"meta": self.meta, "figures": [f.as_json() for f in self.figures]}
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def run(args: argparse.Namespace) -> Report:
    data: Path = args.data
    plans = plan_releases(data)
    if not plans:
        raise SystemExit(f"no ICD-10-CM release files recognised in {data}")
    keep_home = args.home is not None
    home: Path = args.home or Path(tempfile.mkdtemp(prefix="medcoder-bench-"))
    releases_dir = home / "releases"
    report = Report()
    try:
        report.meta = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}",
            "load": "load average {:.2f} {:.2f} {:.2f} (1, 5, 15 min) at start".format(
                *os.getloadavg()
            ),
            "python": f"{platform.python_implementation()} {platform.python_version()}",
            "data": str(data),
            "home": f"{home}{'' if keep_home else ' (temporary)'}",
            "releases": ", ".join(p.name for p in plans),
        }
        report.figures += bench_builds(
            plans, releases_dir, quick=args.quick, reuse=keep_home and not args.rebuild
        )
        newest = plans[-1]
        folder = releases_dir / newest.name
        report.meta["measured"] = f"{newest.name} (newest), seed {args.seed}"
        codes = sample_codes(folder, args.codes, args.seed)
        _log(f"opening {newest.name} in fresh processes ...")
        report.figures += bench_open(folder, codes[0], home, cold_runs=args.cold_runs)
        prime_page_cache(folder)  # bench_open evicted it; the figures below are in memory
        _log(f"timing {len(codes):,} lookups and validations ...")
        report.figures += bench_lookups(folder, codes, args.passes)
        _log("timing searches, index walks and table lookups ...")
        report.figures += bench_search(folder, args.rounds)
        _log("measuring memory in a fresh process ...")
        report.figures += bench_memory(folder, codes, args.rounds, home)
        report.meta["clock"] = f"perf_counter_ns, {_clock_overhead_ns():.0f} ns per reading pair"
        for name in args.profile:
            profile(name, folder, codes, args.rounds)
    finally:
        if not keep_home:
            shutil.rmtree(home, ignore_errors=True)
    return report


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help=f"folder of CMS files (default: {DEFAULT_DATA})",
    )
    parser.add_argument(
        "--home",
        type=Path,
        default=None,
        help="MEDCODER home to build into and keep; releases already built "
        "there are reused unless --rebuild (default: a temporary folder)",
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="rebuild (and time) releases already built in --home"
    )
    parser.add_argument(
        "--quick", action="store_true", help="build and time only the newest release"
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write figures as JSON")
    parser.add_argument("--codes", type=int, default=10_000, help="codes to sample for lookups")
    parser.add_argument("--seed", type=int, default=2, help="seed of the code sample")
    parser.add_argument(
        "--rounds", type=int, default=3, help="passes over the queries, paths and table lookups"
    )
    parser.add_argument(
        "--passes", type=int, default=3, help="fresh Releases timed over the code sample"
    )
    parser.add_argument(
        "--cold-runs", type=int, default=5, help="fresh processes that open the release"
    )
    parser.add_argument(
        "--profile",
        action="append",
        default=[],
        choices=PROFILES,
        help="cProfile a workload after the figures (repeatable)",
    )
    parser.add_argument("--rss-child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.rss_child:
        return _rss_child()
    report = run(args)
    report.print()
    if args.json:
        report.write_json(args.json)
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
