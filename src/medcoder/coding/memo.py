"""Per-release memos: what the Index and Tabular say, kept with the release's reader and
bounded (a long-running server codes many notes; an index or Tabular has a bounded
number of entries). Never a memo of a note."""

from __future__ import annotations

from typing import TypeVar

_K = TypeVar("_K")
_V = TypeVar("_V")

MEMO_LIMIT = 100_000


def remember(memo: dict[_K, _V], key: _K, value: _V) -> None:
    """Keep the entry while the memo is under its bound."""
    if len(memo) < MEMO_LIMIT:
        memo[key] = value
