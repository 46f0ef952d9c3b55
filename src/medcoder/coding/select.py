"""From a mention to a reportable code: walk the index with the note's words, then finish
the code in the Tabular.

ICD-10-CM Guidelines I.A and I.B.1-3: after the main term, follow the subterms that the
documentation supports (site, type, acuity, stage; "with" / "due to" subterms link
conditions, I.A.15), then verify in the Tabular and report to the highest level of
detail (``coding/tabular_completion.py``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from medcoder.codesets.index_walk import IndexNavigator, IndexResult
from medcoder.codesets.store import Release, Term
from medcoder.coding.memo import remember
from medcoder.coding.routes import WITHOUT, IndexRoutes, scope_without
from medcoder.coding.tabular_completion import TabularCompletion
from medcoder.nlp.text import STOPWORDS, Token, tokenize

_NEOPLASM_SEE_RE = re.compile(
    r"Neoplasm,\s+(?:by site,\s+)?(malignant|secondary|benign|uncertain\s+behavior|"
    r"unspecified\s+behavior|in\s+situ|ca\s+in\s+situ)",
    re.IGNORECASE,
)
# Neoplasm Table columns as its XML numbers them (col 1 is the site).
NEOPLASM_COLUMN = {"malignant": 2, "secondary": 3, "in situ": 4, "ca in situ": 4, "benign": 5,
                   "uncertain behavior": 6, "unspecified behavior": 7}  # fmt: skip


def _unspecified(printed: str) -> bool:
    """An Index code that is a category's unspecified default ("S72.9-", "L03.90")."""
    return printed.rstrip("-").rstrip(".").split(".")[-1].startswith("9")


# I.A.16: a "see" reference can lead to a subterm that sends the coder on once more
# ("Thromboembolism - see Embolism", then "Embolism, lung - see Embolism, pulmonary"): two
# references are followed, never more (the guard keeps a cycle of references finite).
_FOLLOWED = ("__followed__", "__followed2__")


def _without_origin(context: frozenset[str]) -> frozenset[str]:
    """Index "Metastasis, cancer, from specified site - see Neoplasm, malignant, by site":
    the site a metastasis comes from is its primary's, never the secondary's row. The
    words after "from" (``from_<word>`` and the bigram chain that follows it) are left
    out when the secondary site is looked up ("lung metastases from colon cancer")."""
    origin = {w[5:] for w in context if w.startswith("from_")}
    chain = set(origin)
    for _ in range(2):  # "from the sigmoid colon": up to three words
        chain |= {w.split("_", 1)[1] for w in context if "_" in w and w.split("_", 1)[0] in chain}
    if not origin:
        return context
    return frozenset(w for w in context if not any(p in chain for p in w.split("_")))


def _depth_guard(context: frozenset[str]) -> bool:
    return _FOLLOWED[-1] not in context


def _followed_mark(context: frozenset[str]) -> str:
    return _FOLLOWED[1] if _FOLLOWED[0] in context else _FOLLOWED[0]


def context_words(tokens: Sequence[Token]) -> frozenset[str]:
    """Normalized words and adjacent-word bigrams; a leading list number ("2.") is dropped."""
    words = [n for (_, _, _, n) in tokens if n.isalnum() and n not in STOPWORDS]
    if len(tokens) > 1 and tokens[0].norm.isdigit() and words and words[0] == tokens[0].norm:
        words = words[1:]
    return words_context(words)


def words_context(words: Sequence[str]) -> frozenset[str]:
    """:func:`context_words` of words already filtered (normalized, no stopword, no
    punctuation, no leading list number): the words and their adjacent-word bigrams; a
    word that a "without" governs is written ``without_<word>`` (see routes.scope_without)."""
    if WITHOUT in words:
        words = scope_without(words)
    return frozenset(words) | {f"{a}_{b}" for a, b in itertools.pairwise(words)}


@dataclass(frozen=True, slots=True)
class IndexChoice:
    code: str | None  # as printed in the index, verified below
    path: tuple[Term, ...]
    depth: int  # subterm levels added from the note's words


class CodeSelector:
    """Index refinement and Tabular completion for one release."""

    def __init__(self, release: Release) -> None:
        self.release = release
        self.navigator = IndexNavigator.for_release(release)
        self.index = IndexRoutes(release)
        # Per-release memos of what the Index and Tabular say (never of a note): the
        # "see" walks followed, Neoplasm Table cells and behaviours (the Tabular's are
        # kept by its completion).
        self.tabular = TabularCompletion(release)
        self._walks: dict[tuple[str, str], IndexResult] = {}
        self._cells: dict[int, dict[int, tuple[str, str | None, str | None]]] = {}
        self._columns: dict[int, int | None] = {}
        self._neoplasm_main: list[Term] | None = None
        self._plain: dict[int, IndexChoice | None] = {}

    def _fits(self, term: Term, context: frozenset[str]) -> int:
        return self.index.fits(term, context)

    def _routes(self, term_id: int, context: frozenset[str]) -> list[tuple[Term, ...]]:
        return self.index.routes(term_id, context)

    def _walk(self, reference: str, book: str = "index") -> IndexResult:
        """An index walk to a cross-reference, walked once per release."""
        key = (reference, book)
        found = self._walks.get(key)
        if found is None:
            found = self.navigator.walk(reference, book, suggest=False)
            remember(self._walks, key, found)
        return found

    def _default(self, printed: str) -> bool:
        """An Index code that is its category's unspecified default: by position
        ("S72.9-", "L03.90") or by the Tabular's own title ("S93.40 Sprain of
        unspecified ligament of ankle")."""
        if _unspecified(printed):
            return True
        entry = self.release.get(printed.rstrip("-").rstrip("."))
        return entry is not None and "unspecified" in entry.title.lower().split()

    def refine(self, term_id: int, context: frozenset[str]) -> IndexChoice:
        """Walk down from an index term through the subterms the context supports.

        ``context``: the note's normalized words near the mention, with ``a_b`` bigrams
        of adjacent words (see ``context_words``). Where the best-fitting first subterm
        leads nowhere coded ("Sprain, cruciate, knee" without a code) the next-best first
        subterms are tried ("Sprain, knee, cruciate ligament, posterior"), as a coder
        who hits a dead end goes back up the index.
        """
        start = self.release.term(term_id)
        if start is None:
            return IndexChoice(None, (), 0)
        routes = self._routes(start.id, context)
        if not routes:  # most mentions: no subterm shares a word with the note
            plain = self._plain_choice(start)
            if plain is not None:
                return plain
        firsts = sorted(
            ((self._fits(route[-1], context), n, route) for n, route in enumerate(routes)),
            key=lambda item: (-item[0], item[1]),
        )
        firsts = [f for f in firsts if f[0] > 0]
        choice = self._descend(start, context, list(firsts[0][2]) if firsts else None)
        # First subterms that fit the note equally well ("Failure, respiratory" with
        # "acute hypoxic": "with hypoxia" and "acute") are told apart by how far down
        # each leads with the note's words: "acute, with hypoxia" uses both (I.B.1-3).
        for score, _, route in firsts[1:4]:
            if score < firsts[0][0]:
                break
            other = self._descend(start, context, list(route))
            if other.code is not None and other.depth > choice.depth:
                choice = other
        if choice.code is None:
            for _, _, route in firsts[1:4]:
                other = self._descend(start, context, list(route))
                if other.code is not None:
                    return other
        return choice

    def _plain_choice(self, start: Term) -> IndexChoice | None:
        """What :meth:`_descend` gives for ``start`` with no subterm to take, where that
        does not depend on the note (no "see" reference to follow, no Neoplasm Table
        column): the term's own code. Kept per release; None where the note matters."""
        found = self._plain.get(start.id, _UNKNOWN)
        if found is _UNKNOWN:
            code = start.code or None
            found = None
            if (
                not (code is None and start.see)
                and self._neoplasm_column([start], code is None) is None
            ):
                found = IndexChoice(code, (start,), 0)
            remember(self._plain, start.id, found)
        return found if isinstance(found, IndexChoice) else None

    def _descend(
        self, start: Term, context: frozenset[str], first: list[Term] | None
    ) -> IndexChoice:
        path: list[Term] = [start]
        depth = 0
        if first:
            path.extend(first)
            depth = 1
        for _ in range(12 if first else 0):
            best: list[Term] = []
            best_score = 0
            # Only subterms sharing a word with the note can fit: the per-term word
            # index keeps this off the hundreds of subterms under "Pain" or "Disease".
            for route in self._routes(path[-1].id, context):
                score = self._fits(route[-1], context)
                if score > best_score:
                    best, best_score = list(route), score
            if not best:
                break
            path.extend(best)
            depth += 1
        code = next((t.code for t in reversed(path) if t.code), None)
        routed = self._neoplasm_route(path, context, code is None)
        if routed is not None:
            return routed
        reference = path[-1].see
        # I.A.16 "see": the subterm reached sends the coder elsewhere ("Cellulitis, leg -
        # see Cellulitis, lower limb"); the main term's own default code is not the
        # answer then. A code printed at a subterm on the way stays ("Infection,
        # urinary" N39.0 is not sent on by a "kidney" below it).
        # Nor is a subterm's unspecified default ("Fracture, femur S72.9-, intertrochanteric
        # - see Fracture, femur, trochanteric" is not S72.9-).
        # A default that the Tabular itself titles unspecified is sent on too ("Sprain,
        # ankle S93.40-, talofibular ligament - see Sprain, ankle, specified ligament NEC":
        # S93.40 is the sprain of unspecified ligament, not the talofibular one).
        on_way = [t.code for t in path if t.level > 0 and t.code]
        sent_on = not on_way or (not path[-1].code and self._default(on_way[-1]))
        if reference and sent_on and _depth_guard(context):
            followed = self._walk(reference)
            coded_target = followed.coded_step is not None
            if (
                followed.found
                and followed.steps
                and not followed.unmatched
                and (coded_target or self._written_main_term(path, context))
            ):
                # A main term that is only a cross-reference ("Lithiasis - see Calculus")
                # may send to a term with no code of its own ("Calculus, calculi"): its
                # subterms still code ("kidney" N20.0). A subterm sent to a codeless term
                # ("Fracture, chronic - see Fracture, pathological") is not read this way,
                # nor a main term whose own words the note does not write ("fracture"
                # alone is not "Fracture, chronic").
                tail = self.refine(followed.steps[-1].term_id, context | {_followed_mark(context)})
                coded = followed.coded_step.code if followed.coded_step is not None else None
                if tail.code or coded:
                    return IndexChoice(tail.code or coded, tuple(path) + tail.path,
                                       depth + tail.depth)  # fmt: skip
        return IndexChoice(code, tuple(path), depth)

    def _written_main_term(self, path: list[Term], context: frozenset[str]) -> bool:
        """The path is one main term and the note writes every word of its title."""
        if len(path) != 1 or path[0].level != 0:
            return False
        title = [t.norm for t in tokenize(path[0].title) if t.norm.isalnum()]
        return bool(title) and all(w in context or w in STOPWORDS for w in title)

    def _neoplasm_route(
        self, path: list[Term], context: frozenset[str], no_code: bool
    ) -> IndexChoice | None:
        """ "Adenocarcinoma - see also Neoplasm, malignant, by site": the Neoplasm Table,
        row by the site in the note, column by the behavior the index names (I.C.2)."""
        column = self._neoplasm_column(path, no_code)
        if column is None:
            return None
        mains = self._neoplasm_main
        if mains is None:
            books = self.release.books()
            mains = self._neoplasm_main = (
                self.release.main_terms("neoplasm") if "neoplasm" in books else []
            )
        if not mains:
            return None
        if column == NEOPLASM_COLUMN["malignant"] and "stage_0" in context:
            # Stage 0 (Tis) is carcinoma in situ by definition (AJCC): the in situ column.
            column = NEOPLASM_COLUMN["in situ"]
        if column == NEOPLASM_COLUMN["secondary"]:
            context = _without_origin(context)
        site = self.refine(mains[0].id, context)
        if site.depth == 0:
            return None  # no site in the note: keep the index's own code (C80.1, D49.9)
        rows = list(reversed(site.path))
        if site.path and site.path[-1].see:
            # "colon - see Neoplasm, intestine, large": the row the table sends us to.
            sent = self._walk(site.path[-1].see, "neoplasm")
            if sent.steps and not sent.unmatched:
                target = self.release.term(sent.steps[-1].term_id)
                if target is not None:
                    rows.insert(0, target)
        for term in rows:
            cells = self._cells.get(term.id)
            if cells is None:
                cells = self.release.cells(term.id)
                remember(self._cells, term.id, cells)
            printed, _, _ = cells.get(column, ("", None, None))
            if printed and not set(printed) <= {"-"}:
                return IndexChoice(printed, (*path, *site.path), site.depth + 1)
        return None

    def _neoplasm_column(self, path: list[Term], no_code: bool) -> int | None:
        """The Neoplasm Table column the path's terms (and, for a path with no code, its
        main term's) send their codes to; None inside the table itself."""
        if path and path[0].book == "neoplasm":
            return None  # already in the table: its own rows do not route again
        column = None
        chain = list(path)
        if no_code and path:
            # "Carcinoma, ductal": the subterm has no code and no reference of its own;
            # the main term's "see also Neoplasm, by site, malignant" still applies.
            parent = path[0].parent_id
            while parent is not None and len(chain) < 12:
                term = self.release.term(parent)
                if term is None:
                    break
                chain.insert(0, term)
                parent = term.parent_id
        for term in reversed(chain):
            column = self._column(term)
            if column is not None:
                break
        return column

    def _column(self, term: Term) -> int | None:
        """The Neoplasm Table column a term sends its codes to ("see also Neoplasm,
        malignant"; a metastasis: secondary), else None."""
        if term.id in self._columns:
            return self._columns[term.id]
        column = None
        for reference in (term.see, term.see_also):
            found = _NEOPLASM_SEE_RE.search(reference or "")
            if found:
                column = NEOPLASM_COLUMN[" ".join(found.group(1).lower().split())]
                break
        if column is None and term.title.lower().startswith("metasta"):
            column = NEOPLASM_COLUMN["secondary"]
        remember(self._columns, term.id, column)
        return column

    def path_label(self, path: tuple[Term, ...]) -> str:
        """The full index path, main term first, for the coder's trace."""
        if not path:
            return ""
        chain: list[str] = []
        parent = path[0].parent_id
        while parent is not None:
            term = self.release.term(parent)
            if term is None:
                break
            chain.insert(0, term.title)
            parent = term.parent_id
        return ", ".join([*chain, *(t.title for t in path)])

    def complete(self, printed: str, context: frozenset[str]) -> tuple[list[str], list[str]]:
        """Finish an index code in the Tabular: the billable code(s) and the checks made
        (:meth:`TabularCompletion.complete`)."""
        return self.tabular.complete(printed, context)


_UNKNOWN = object()


def selector_for(release: Release) -> CodeSelector:
    """The release's selector, built once and kept with the release (it memoizes the
    Index subterm forms it reads, which every note coded under the release shares)."""
    cached = release.memo.get("selector")
    if not isinstance(cached, CodeSelector):
        cached = CodeSelector(release)
        release.memo["selector"] = cached
    return cached
