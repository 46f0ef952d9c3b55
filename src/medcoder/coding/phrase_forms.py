"""How an Index or Tabular term is written in a note: its normalized words and forms.

Pure text work, shared by the lexicon builders (lexicon.py) and the route walker
(routes.py): "Failure, heart, congestive" becomes "congestive heart failure", a comma
variant ("Diabetes, diabetic") stands alone, a qualifier goes before or after its head.
Kept apart from the phrase table and the builders so each reads in one sitting.
"""

from __future__ import annotations

import functools
import re
from itertools import product

from medcoder.nlp.text import STOPWORDS, tokenize

_PAREN_RE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_UNSPECIFIED_RE = re.compile(
    r",?\s*(unspecified|not otherwise specified|nos|not elsewhere classified|nec)\s*$", re.I
)


@functools.lru_cache(maxsize=200_000)
def _words_cached(text: str) -> tuple[str, ...]:
    return tuple(t.norm for t in tokenize(text) if t.norm not in STOPWORDS and t.norm.isalnum())


def words(text: str) -> list[str]:
    """Normalized words of a phrase, stopwords dropped (the note gets the same treatment)."""
    return list(_words_cached(text))


def _is_variant(head: tuple[str, ...], part: tuple[str, ...]) -> bool:
    """``diabetic`` varies ``diabetes`` (same stem); ``physical`` does not vary ``violence``."""
    return bool(head and part) and len(part) == 1 and part[0][:3] == head[-1][:3]


# Qualifiers that only restate the default ("Fracture, traumatic" is the entry for a
# fracture not otherwise described), so the head alone names the term too.
DEFAULT_QUALIFIERS = frozenset(
    {"traumatic", "nontraumatic", "acute", "chronic", "primary", "simple", "nos", "nec",
     "generalized", "general", "unspecified", "nonspecific"}
)  # fmt: skip


@functools.lru_cache(maxsize=100_000)
def _forms(title: str, nonessential: tuple[str, ...]) -> frozenset[tuple[str, ...]]:
    """Ways a term is written in a note.

    The index uses commas two ways: for variants of one word ("Diabetes, diabetic",
    "Calculus, calculi") and for an inverted qualifier ("Violence, physical",
    "Castration, traumatic, male"). A variant stands alone; a qualifier is said before
    or after the head ("physical violence"), never alone. " or " joins alternatives.
    """
    out: set[tuple[str, ...]] = set()
    parts = [_alternatives(p) for p in _PAREN_RE.sub(" ", title).split(",")]
    parts = [p for p in parts if p]
    if not parts:
        return frozenset(out)
    heads = list(parts[0])
    qualifier_parts = []
    for part in parts[1:]:
        if all(_is_variant(parts[0][0], alt) for alt in part):
            heads.extend(part)
        else:
            qualifier_parts.append(part)
    qualifier_options: list[tuple[str, ...]] = [
        tuple(w for alt in combo for w in alt) for combo in product(*qualifier_parts)
    ][:4]
    for h in heads:
        bases: list[tuple[str, ...]] = []
        for qualifiers in qualifier_options:
            if not qualifiers:
                bases.append(h)
                continue
            bases += [qualifiers + h, h + qualifiers]
            if set(qualifiers) <= DEFAULT_QUALIFIERS:
                bases.append(h)
        for base in bases:
            out.add(base)
            for modifier in nonessential[:3]:
                extra = tuple(words(modifier))
                if extra and len(extra) <= 2:
                    out.add(base + extra)
                    out.add(extra + base)
    return frozenset(out)


def _shortest_forms(title: str, nonessential: tuple[str, ...], keep: int) -> list[tuple[str, ...]]:
    """The ``keep`` shortest forms of a term, fewest words then fewest letters: the plain
    noun of "Ulcer, ulcerated, ulcerating, ..." first. The order is total, so the
    lexicon is the same in every process (a frozenset's order changes with the hash seed).
    """
    return sorted(_forms(title, nonessential), key=lambda f: (len(f), len("".join(f)), f))[:keep]


def _alternatives(part: str) -> list[tuple[str, ...]]:
    """``atrial or auricular`` -> both words; ``Heberden's disease or nodes`` -> the
    eponym with either noun (a lone word after "or" replaces the last word)."""
    pieces = [tuple(words(p)) for p in part.split(" or ")]
    pieces = [p for p in pieces if p]
    if len(pieces) < 2:
        return pieces
    first = pieces[0]
    out = [first]
    for piece in pieces[1:]:
        out.append(first[:-1] + piece if len(piece) == 1 and len(first) > 1 else piece)
    return out
