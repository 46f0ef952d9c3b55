"""``group_stay``: the one call the records layer (and the CLI) make to group a stay.

The tables come from ``<data>/msdrg`` (``--data``, else ``$MEDCODER_DATA``, else
``../shared/data``), read once per process; codes are checked in the releases installed
under the home. One grouper is kept per (data folder, home).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from pathlib import Path

from medcoder.drg.codes import InstalledCodes
from medcoder.drg.grouper import MsDrgGrouper
from medcoder.drg.result import DrgResult
from medcoder.drg.tables import tables_at
from medcoder.kinds import Sex
from medcoder.settings import data_dir

_groupers: dict[tuple[Path, Path | None], MsDrgGrouper] = {}
_lock = threading.Lock()


def default_grouper(data: Path | None = None, home: Path | None = None) -> MsDrgGrouper:
    """The grouper on the tables of the CMS data folder and the releases of ``home``;
    E101 when there is no data folder, E701 when its ``msdrg`` tables are missing."""
    folder = (data_dir(data) / "msdrg").resolve()
    key = (folder, home)
    with _lock:
        if key not in _groupers:
            _groupers[key] = MsDrgGrouper(tables_at(folder), InstalledCodes(home))
        return _groupers[key]


def group_stay(
    pdx: str,
    sdx: Sequence[str] = (),
    pcs: Sequence[str] = (),
    age: int | None = None,
    sex: Sex | str | None = None,
    discharge_status: str | None = "01",
    date: dt.date | None = None,
    *,
    data: Path | None = None,
    home: Path | None = None,
) -> DrgResult:
    """Group one inpatient stay to its MS-DRG (v43); E702 for a code not valid on
    ``date`` (named), E703 when no DRG is assigned."""
    grouper = default_grouper(data, home)
    return grouper.group(
        pdx, sdx, pcs, age=age, sex=sex, discharge_status=discharge_status, day=date
    )
