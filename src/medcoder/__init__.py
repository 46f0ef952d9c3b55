"""medcoder: medical coding from clinical text on versioned official code sets.

The public surface is what ``__all__`` lists; everything else is internal. Each public
name is imported from its module on first use (PEP 562), so that importing a part of
medcoder (the command line, one code-set module) does not load the coding engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from medcoder.codesets.codes import normalize
    from medcoder.codesets.registry import Registry
    from medcoder.codesets.store import Release
    from medcoder.codesets.validate import Validation, Validity, validate
    from medcoder.errors import MedcoderError
    from medcoder.pipeline import code
    from medcoder.results import CodeAssignment, CodingResult

__version__ = "0.1.0"

__all__ = [
    "CodeAssignment",
    "CodingResult",
    "MedcoderError",
    "Registry",
    "Release",
    "Validation",
    "Validity",
    "__version__",
    "code",
    "normalize",
    "validate",
]

_HOMES = {
    "CodeAssignment": "medcoder.results",
    "CodingResult": "medcoder.results",
    "MedcoderError": "medcoder.errors",
    "Registry": "medcoder.codesets.registry",
    "Release": "medcoder.codesets.store",
    "Validation": "medcoder.codesets.validate",
    "Validity": "medcoder.codesets.validate",
    "code": "medcoder.pipeline",
    "normalize": "medcoder.codesets.codes",
    "validate": "medcoder.codesets.validate",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'medcoder' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
