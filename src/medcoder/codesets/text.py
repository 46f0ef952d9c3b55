"""Normalization of index terms and search text, shared by build time and lookup time."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def norm_term(text: str) -> str:
    """Case-, accent- and punctuation-free form: ``Charcot's joints`` -> ``charcot s joints``."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NON_WORD.sub(" ", folded.lower()).strip()


def title_alternatives(title: str) -> set[str]:
    """Forms of an index title a path segment may name.

    The index prints variants together: ``Diabetes, diabetic`` is reached as
    ``Diabetes`` or ``diabetic``; ``Abdomen, abdominal`` as either word.
    """
    whole = norm_term(title)
    forms = {whole}
    parts = [norm_term(p) for p in title.split(",")]
    forms.update(p for p in parts if p)
    return forms


def fts_query(text: str) -> str:
    """A safe FTS5 query: every word must occur (prefix match on the last one)."""
    words = [w for w in norm_term(text).split() if w]
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words[:-1]]
    quoted.append(f'"{words[-1]}"*')
    return " ".join(quoted)
