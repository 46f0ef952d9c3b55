"""What the web benchmarks share (bench_api, bench_pages, bench_workbench): a home that
links an installed home's releases, ``medcoder serve`` on a free local port until it
answers ``/v1/health``, a request timed over rounds, and the percentile they report.
Imported by scripts run as ``python bench/NAME.py`` (this folder is then first on
sys.path)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

# What a benchmark home borrows from an installed one (built releases, caches, tables).
INSTALLED = ("releases", "cache", "icd10pcs", "hcpcs", "cpt", "edits")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def timed(call: Callable[[], httpx.Response], rounds: int) -> list[float]:
    """Seconds each of ``rounds`` calls took; a response other than 200 ends the run."""
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = call()
        out.append(time.perf_counter() - start)
        if response.status_code != 200:
            sys.exit(f"HTTP {response.status_code}: {response.text[:300]}")
    return out


def link_installed(home: Path, source: Path) -> None:
    """``home`` uses ``source``'s built releases and tables (symlinks, nothing copied)."""
    for part in INSTALLED:
        if (source / part).exists():
            (home / part).symlink_to(source / part, target_is_directory=True)


@contextmanager
def serving(workers: int, env: Mapping[str, str]) -> Iterator[str]:
    """``medcoder serve`` with ``workers`` on a free local port; yields its base URL once
    ``/v1/health`` answers, and stops it after."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    exe = str(Path(sys.executable).parent / "medcoder")
    server = subprocess.Popen(
        [exe, "serve", "--port", str(port), "--workers", str(workers)],
        env=dict(env), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
