"""Code systems other than ICD-10-CM (HCPCS Level II, ICD-10-PCS, CPT), set up side by side.

Each system keeps its own releases under ``<MEDCODER_HOME>/<system>/`` and registers one
setup step here; ``medcoder setup`` runs every step after ICD-10-CM. A step whose files
are not in the data folder builds nothing and says so: a system that is not set up is
simply not coded.
"""

from __future__ import annotations

from medcoder.codesets.setup_report import SetupStep


def setup_steps() -> tuple[SetupStep, ...]:
    """The setup step of every other code system, in the order they are built."""
    from medcoder.codesets.hcpcs.build import setup_hcpcs
    from medcoder.codesets.pcs.build import setup_pcs  # its loaders import only when run

    return (setup_pcs, setup_hcpcs)
