"""The public surface is exactly what ``medcoder.__all__`` lists (locked, httpx-style)."""

from __future__ import annotations

import medcoder

PUBLIC = {
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
}


def test_all_is_the_documented_set() -> None:
    assert set(medcoder.__all__) == PUBLIC
    assert len(medcoder.__all__) == len(PUBLIC)


def test_every_public_name_resolves() -> None:
    for name in medcoder.__all__:
        assert getattr(medcoder, name) is not None, name


def test_public_names_are_the_implementations() -> None:
    from medcoder.codesets.codes import normalize
    from medcoder.codesets.registry import Registry
    from medcoder.codesets.store import Release
    from medcoder.codesets.validate import Validation, Validity, validate
    from medcoder.errors import MedcoderError
    from medcoder.pipeline import code
    from medcoder.results import CodeAssignment, CodingResult

    assert medcoder.code is code
    assert medcoder.CodingResult is CodingResult
    assert medcoder.CodeAssignment is CodeAssignment
    assert medcoder.Registry is Registry
    assert medcoder.Release is Release
    assert medcoder.validate is validate
    assert medcoder.Validation is Validation
    assert medcoder.Validity is Validity
    assert medcoder.normalize is normalize
    assert medcoder.MedcoderError is MedcoderError


def test_version_matches_the_distribution() -> None:
    from importlib.metadata import version

    assert medcoder.__version__ == version("medcoder")
