"""The procedure stages the engine runs by default, each added by its own module."""

from __future__ import annotations

from medcoder.codesets.registry import Registry
from medcoder.procedures.em import EMCoder
from medcoder.procedures.model import ProcedureCoder


def default_procedure_coders(registry: Registry) -> tuple[ProcedureCoder, ...]:
    """Every procedure stage whose code set is installed under the registry's home.

    A stage whose code set is missing is left out (its system is simply not coded),
    so diagnosis coding never depends on the procedure code sets being set up.
    The E/M stage needs no code set (its rules ship with medcoder) and always runs;
    HCPCS Level II runs when an HCPCS release is installed; CPT only when a licensed
    CPT file is (numbers alone cannot be matched to what a note describes).
    """
    from medcoder.codesets.hcpcs.lookup import ProcedureCodeSets
    from medcoder.procedures.pcs import pcs_coder_for  # ICD-10-PCS (inpatient)

    stages: list[ProcedureCoder] = [EMCoder()]
    pcs = pcs_coder_for(registry.home)
    if pcs is not None:
        stages.append(pcs)
    code_sets = ProcedureCodeSets(registry.home)
    if code_sets.has_hcpcs:
        from medcoder.procedures.hcpcs import HcpcsCoder

        stages.append(HcpcsCoder(code_sets))
    if code_sets.cpt_files:
        from medcoder.procedures.cpt import CptCoder

        stages.append(CptCoder(code_sets))
    return tuple(stages)
