"""The Index below one term as refinement reads it: which subterms each word can reach, and
the written forms a subterm is fitted with.

Refining a mention asks, term after term, "which subterms share a word with the note, and
how many of their words are there?" (``coding/select.py``). The answer's index side never
changes within a release, so it is built once per term, on first use, and kept with the
release's selector: a note then costs a dictionary look-up per word of its context instead
of a walk over the subterms and their titles. The memo is bounded (a release's index has
about 100,000 terms; a long-running server keeps at most ``limit`` of them) and safe to
share between threads: entries are built whole and only ever added, so a reader sees an
entry complete or not at all, and two threads building the same entry build equal ones.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import NamedTuple

from medcoder.codesets.index_walk import CONNECTORS
from medcoder.codesets.store import Release, Term
from medcoder.codesets.text import norm_term
from medcoder.coding.lexicon import _UNSPECIFIED_RE, _forms

Route = tuple[Term, ...]
# One written form of a subterm: its words, how many, and the adjacent-word pairs the note
# must also hold (a form with a number, "stage 3a", is matched only as written), else None.
FitForm = tuple[frozenset[str], int, frozenset[str] | None]


# "distal end", "proximal end": a note writes "distal radius", the position naming the
# end itself (the Index's "Fracture, radius, distal end - see ... lower end").
_END_POSITIONS = frozenset({"distal", "proximal"})


def _with_end_implied(forms: frozenset[tuple[str, ...]]) -> list[tuple[str, ...]]:
    out = sorted(forms)  # one order in every process (a frozenset's follows the hash seed)
    for ordered in sorted(forms):
        if "end" in ordered and _END_POSITIONS & set(ordered):
            out.append(tuple(w for w in ordered if w != "end"))
    return out


# "without" governs the words after it up to the next connector (Index subterms "with
# coma" / "without coma"; "hypoglycemia without coma" documents no coma): those words are
# written "without_<word>" in a context, and in a subterm's form, so that a "with X"
# subterm never fits a note that says "without X" and a "without X" subterm still does.
WITHOUT = "without"
_WITHOUT_SCOPE = 3  # content words: "without rupture or perforation of appendix"
_WITHOUT_ENDS = frozenset({"with", "without", "due", "but", "in", "from", "after", "secondary"})


def scope_without(words: Sequence[str]) -> list[str]:
    """``words`` with each word governed by a preceding "without" written
    ``without_<word>`` (content words already normalized, stopwords dropped)."""
    if WITHOUT not in words:
        return list(words)
    out: list[str] = []
    left = 0
    for word in words:
        if word == WITHOUT:
            left = _WITHOUT_SCOPE
            out.append(word)
        elif left and word not in _WITHOUT_ENDS:
            out.append(f"{WITHOUT}_{word}")
            left -= 1
        else:
            left = 0
            out.append(word)
    return out


# A subterm written "due to ..." ("Infection, knee, due to internal joint prosthesis") links
# the condition the way a bare "due to" connector term does (I.A.15): the note need not
# say "due to" ("infection of the right knee prosthesis"), as with a route through a bare
# connector term, whose words are never asked for. A "with X" title keeps its "with": "X"
# alone in a clause is no link ("vomiting sensation in hands and nausea" is not R11.2).
_LINKS = (("due", "to"),)


def fit_words(written: Sequence[str]) -> tuple[str, ...]:
    """A subterm's written form as a note's context is tested against it: a leading "due
    to" dropped, the words a "without" governs written ``without_<word>``."""
    for link in _LINKS:
        if len(written) > len(link) and tuple(written[: len(link)]) == link:
            written = written[len(link) :]
            break
    return tuple(scope_without(written))


class TermRoutes(NamedTuple):
    """The routes below one term, in the index's printed order, and for each word the
    numbers of the routes whose last subterm uses it (ascending, so printed order)."""

    routes: tuple[Route, ...]
    by_word: dict[str, tuple[int, ...]]
    words: frozenset[str]  # the keys of by_word, intersected with a context in one step


class IndexRoutes:
    """Per-release memo of :class:`TermRoutes` and of each subterm's :data:`FitForm` list."""

    def __init__(self, release: Release, limit: int = 100_000) -> None:
        self.release = release
        self.limit = limit
        self._below: dict[int, TermRoutes] = {}
        self._forms: dict[int, tuple[FitForm, ...]] = {}

    def fit_forms(self, term: Term) -> tuple[FitForm, ...]:
        """The ways the subterm is written, as :meth:`fits` tests them."""
        found = self._forms.get(term.id)
        if found is None:
            # "colon NEC" is the subterm for a colon: NEC/NOS are not words of the note.
            title = _UNSPECIFIED_RE.sub("", term.title) or term.title
            forms: list[FitForm] = []
            for written in _with_end_implied(_forms(title, ())):
                ordered = fit_words(written)
                words = frozenset(ordered)
                if not words:
                    continue
                pairs = None
                if len(ordered) > 1 and any(ch.isdigit() for w in words for ch in w):
                    pairs = frozenset(f"{a}_{b}" for a, b in itertools.pairwise(ordered))
                forms.append((words, len(words), pairs))
            found = tuple(forms)
            if len(self._forms) < self.limit:
                self._forms[term.id] = found
        return found

    def fits(self, term: Term, context: frozenset[str]) -> int:
        """Words of the subterm found in the context (0 if no form is all there).

        A form with a number ("stage 3a", "type 2") must be written as it stands: its
        words adjacent in the note (the context carries "stage_3a" bigrams), so the "2"
        of "type 2 diabetes" does not make a kidney disease "stage 2".
        """
        best = 0
        for words, size, pairs in self.fit_forms(term):
            if size > best and words <= context and (pairs is None or pairs <= context):
                best = size
        return best

    def below(self, term_id: int) -> TermRoutes:
        """Routes to the subterms of a term; a route through "with" / "due to" reaches the
        linked condition below the connector (I.A.15)."""
        found = self._below.get(term_id)
        if found is None:
            routes: list[Route] = []
            for child in self.release.subterms(term_id):
                if norm_term(child.title) in CONNECTORS:
                    routes.extend((child, g) for g in self.release.subterms(child.id))
                else:
                    routes.append((child,))
            by_word: dict[str, list[int]] = {}
            for number, route in enumerate(routes):
                for words, _, _ in self.fit_forms(route[-1]):
                    for word in words:
                        numbers = by_word.setdefault(word, [])
                        if not numbers or numbers[-1] != number:
                            numbers.append(number)
            found = TermRoutes(
                tuple(routes), {w: tuple(n) for w, n in by_word.items()}, frozenset(by_word)
            )
            if len(self._below) < self.limit:
                self._below[term_id] = found
        return found

    def routes(self, term_id: int, context: frozenset[str]) -> list[Route]:
        """The routes below the term whose last subterm shares a word with the context, in
        the index's printed order (so ties keep the first printed subterm)."""
        below = self.below(term_id)
        shared = below.words & context
        if not shared:
            return []
        routes, by_word = below.routes, below.by_word
        if len(shared) == 1:
            (word,) = shared
            return [routes[n] for n in by_word[word]]
        hits: set[int] = set()
        for word in shared:
            hits.update(by_word[word])
        return [routes[n] for n in sorted(hits)]
