"""HCPCS Level II (CMS Alpha-Numeric file, I/OCE tables) and CPT code numbers, as releases.

Public surface for other stages (claim edits, the procedure coders)::

    from medcoder.codesets.hcpcs import ProcedureCodeSets
    sets = ProcedureCodeSets(home)              # <MEDCODER_HOME>
    status = sets.lookup("J1100", date(2025, 11, 3))
    status.valid, status.status, status.effective_from, status.terminated, status.release
    sets.is_valid("99213", date(2025, 11, 3))   # CPT numbers too (I/OCE; descriptors if licensed)
    sets.check_modifiers(["RT", "XS"], day)     # raises UnknownModifierError naming the bad ones

Releases live under ``<MEDCODER_HOME>/hcpcs/<release>/`` and ``<MEDCODER_HOME>/cpt/<release>/``,
each with a ``release.json`` manifest, and are chosen by date of service.
"""

from medcoder.codesets.hcpcs.lookup import ProcedureCodeSets
from medcoder.codesets.hcpcs.model import CodeStatus, HcpcsRecord

__all__ = ["CodeStatus", "HcpcsRecord", "ProcedureCodeSets"]
