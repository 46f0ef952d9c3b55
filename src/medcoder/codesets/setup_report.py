"""What one code system's setup step is, and what it reports to ``medcoder setup``.

The contract stands apart from the steps: ``pcs/build.py`` and ``hcpcs/build.py`` return
a ``SetupReport``, and ``systems.py`` lists the steps in the order they run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class SetupReport:
    """One line of ``medcoder setup`` output for a system."""

    system: str
    built: tuple[str, ...]  # release names built or already present
    message: str  # e.g. "hcpcs-2025-10: 8,463 codes, 383 modifiers" or why nothing was built


SetupStep = Callable[[Path, Path, bool], SetupReport]
"""A system's setup step: (data folder, MEDCODER_HOME, force) -> its report."""
