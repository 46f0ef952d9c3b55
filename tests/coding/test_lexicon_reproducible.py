"""A release's lexicon is the same in every process: its phrases are numbered in one
order whatever the hash seed (a frozenset's iteration order follows PYTHONHASHSEED, and
the built lexicon is cached on disk and shared between processes)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import NEW

_DIGEST = """
import hashlib, marshal, sys
from pathlib import Path
from medcoder.codesets.registry import Registry
from medcoder.coding.lexicon import build_external_cause_lexicon
release = Registry(Path(sys.argv[1]), quiet=True).open(sys.argv[2])
keys, values, ids, offsets, columns = build_external_cause_lexicon(release)._packed
packed = (keys, values.tobytes(), bytes(memoryview(ids)), bytes(memoryview(offsets)),
          [list(c) for c in columns])
print(hashlib.sha256(marshal.dumps(packed)).hexdigest())
"""


def _digest(home: Path, seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, "-c", _DIGEST, str(home), NEW],
        env=env, capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    return done.stdout.strip()


def test_the_external_cause_lexicon_is_the_same_under_any_hash_seed(built_home: Path) -> None:
    assert _digest(built_home, "1") == _digest(built_home, "7")
