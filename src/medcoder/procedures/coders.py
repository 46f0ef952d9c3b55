"""The procedure stages the engine runs by default, each added by its own module."""

from __future__ import annotations

from medcoder.codesets.in_force import CodeSetChooser
from medcoder.procedures.em import EMCoder
from medcoder.stage import Stage


def procedure_stages(chooser: CodeSetChooser) -> tuple[Stage, ...]:
    """Every procedure stage whose code set is installed under the chooser's home.

    A stage whose code set is missing is left out (its system is simply not coded),
    so diagnosis coding never depends on the procedure code sets being set up.
    The E/M stage needs no code set (its rules ship with medcoder) and always runs;
    ICD-10-PCS runs when a PCS release is installed (inpatient notes only); HCPCS
    Level II when an HCPCS release is; CPT only when a licensed CPT file is (numbers
    alone cannot be matched to what a note describes).
    """
    stages: list[Stage] = [EMCoder()]
    if chooser.has_pcs:
        from medcoder.procedures.pcs import PcsCoder

        stages.append(PcsCoder())
    code_sets = chooser.procedure_code_sets
    if code_sets is not None and code_sets.has_hcpcs:
        from medcoder.procedures.hcpcs import HcpcsCoder

        stages.append(HcpcsCoder())
    if code_sets is not None and code_sets.cpt_files:
        from medcoder.procedures.cpt import CptCoder

        stages.append(CptCoder())
    return tuple(stages)
