"""Where medcoder keeps its built releases and where it finds the CMS files.

``MEDCODER_HOME``: the store of built releases (default: the user data dir).
``MEDCODER_DATA``: the folder of official CMS files that ``medcoder setup`` reads.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from medcoder.errors import DataNotFoundError


def home_dir(explicit: Path | None = None) -> Path:
    if explicit is not None:
        return explicit
    env = os.environ.get("MEDCODER_HOME")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("medcoder", appauthor=False))


def data_dir(explicit: Path | None = None) -> Path:
    """DIR if given, else ``$MEDCODER_DATA``, else ``../shared/data`` when present."""
    if explicit is not None:
        candidates = [explicit]
    elif os.environ.get("MEDCODER_DATA"):
        candidates = [Path(os.environ["MEDCODER_DATA"]).expanduser()]
    else:
        candidates = [Path.cwd().parent / "shared" / "data"]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise DataNotFoundError(
        f"no CMS data folder at {candidates[0]}",
        hint="pass --data DIR or set MEDCODER_DATA to the folder holding the ICD-10-CM files",
    )
