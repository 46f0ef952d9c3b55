"""The procedure stages the engine runs by default, each added by its own module."""

from __future__ import annotations

from medcoder.codesets.registry import Registry
from medcoder.procedures.em import EMCoder
from medcoder.procedures.model import ProcedureCoder


def default_procedure_coders(registry: Registry) -> tuple[ProcedureCoder, ...]:
    """Every procedure stage whose code set is installed under the registry's home.

    A stage whose code set is missing is left out (its system is simply not coded),
    so diagnosis coding never depends on the procedure code sets being set up. The E/M
    stage needs no code set (its rules ship with medcoder) and always runs.
    """
    del registry  # each stage opens its own code set from registry.home
    return (EMCoder(),)
