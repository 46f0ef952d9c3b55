"""medcoder: medical coding from clinical text on versioned official code sets.

The public surface is what ``__all__`` lists; everything else is internal.
"""

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
