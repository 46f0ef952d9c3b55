"""Build a release folder atomically: into a staging folder, renamed when complete.

Every code system (ICD-10-CM, ICD-10-PCS, HCPCS, CPT) builds its releases this way, so
a failed or interrupted build never leaves a half-written release that looks installed.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from medcoder.errors import MedcoderError, ReleaseBuildError

T = TypeVar("T")


def build_atomically(root: Path, name: str, build: Callable[[Path], T]) -> T:
    """Run ``build(staging)`` and move the staging folder to ``root/name``.

    A MedcoderError passes through as it is; any other failure becomes E203 naming the
    release. Either way the staging folder is removed and an earlier build is untouched.
    """
    root.mkdir(parents=True, exist_ok=True)
    target = root / name
    staging = root / f".{name}.building"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        result = build(staging)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    except MedcoderError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    except Exception as exc:  # an unexpected failure still names the release
        shutil.rmtree(staging, ignore_errors=True)
        raise ReleaseBuildError(f"building {name} failed: {exc}") from exc
    return result
