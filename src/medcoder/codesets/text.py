"""Normalization of index terms and search text, shared by build time and lookup time."""

from __future__ import annotations

import functools
import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=131_072)
def norm_term(text: str) -> str:
    """Case-, accent- and punctuation-free form: ``Charcot's joints`` -> ``charcot s joints``."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NON_WORD.sub(" ", folded.lower()).strip()


_NEC_NOS = re.compile(r"\s+(nec|nos)$")


def core_title(title: str) -> str:
    """The title without a trailing NEC / NOS: ``brain NEC`` is the entry for ``brain``."""
    return _NEC_NOS.sub("", norm_term(title))


def title_alternatives(title: str, *, split_or: bool = True) -> set[str]:
    """Forms of an index title a path segment may name.

    The index prints variants of one word together: ``Diabetes, diabetic`` is reached
    as ``Diabetes`` or ``diabetic``, ``Abdomen, abdominal`` as either word; a subterm
    ``atrial or auricular`` as either word. Other comma parts are qualifiers, never a
    title of their own: ``Reiter's disease, syndrome, or urethritis`` is not the entry
    for ``syndrome``, nor ``Violence, physical`` for ``physical``.
    """
    whole = norm_term(title)
    forms = {whole, core_title(title)}
    parts = [norm_term(p) for p in title.split(",")]
    parts = [p for p in parts if p]
    if not parts:
        return forms
    head = parts[0]
    stem = head.split()[-1][:3]
    forms.add(head)
    forms.update(p for p in parts[1:] if len(p.split()) == 1 and p[:3] == stem)
    if split_or:
        for part in list(forms):
            forms.update(a.strip() for a in re.split(r"\bor\b", part) if a.strip())
    return forms


def fts_query(text: str) -> str:
    """A safe FTS5 query: every word must occur (prefix match on a longer last word)."""
    words = [w for w in norm_term(text).split() if w]
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words]
    # Prefix-match the last word while it is being typed, once it says enough (3+ letters).
    if len(words[-1]) >= 3:
        quoted[-1] += "*"
    return " ".join(quoted)


def fts_any_query(text: str) -> str:
    """A looser FTS5 query for when ``fts_query`` finds nothing: any of the words, in any
    order (BM25 ranks the entries that hold more of them first), so a coder's phrasing
    such as ``pleuritic chest pain`` still lists ``chest pain`` codes."""
    words = [w for w in norm_term(text).split() if len(w) >= 3]
    return " OR ".join(f'"{w}"' for w in words)
