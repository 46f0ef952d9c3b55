"""Walk the Alphabetic Index the way a coder does: main term, then subterms, following see.

ICD-10-CM Guidelines I.A (conventions) and I.B.1: locate the main term, follow the
subterms that the documentation supports, follow "see" cross-references, and verify
the code in the Tabular List (here: the index code's resolution in this release).
A query is the index path written with commas, as the index prints it:
``Diabetes, type 2, with, chronic kidney disease``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from medcoder.codesets.store import Release, Term
from medcoder.codesets.text import norm_term, title_alternatives

# Subterms that only connect: "with", "in", "due to" (Guidelines I.A.15) group the
# conditions below them, so a path may name the condition without the connector.
CONNECTORS = ("with", "in", "due to", "without", "associated with", "following")
# Index cross-references such as "Diabetes, by type, with ..." name a choice, not a term.
WILDCARD_PREFIXES = ("by ",)
MAX_SEE_DEPTH = 4


@dataclass(frozen=True, slots=True)
class IndexStep:
    term_id: int
    level: int
    title: str
    nonessential: tuple[str, ...]
    code: str | None  # as printed
    resolved: str | None  # as verified in this release's Tabular
    resolution: str | None
    see: str | None
    see_also: str | None


@dataclass(frozen=True, slots=True)
class IndexResult:
    query: str
    book: str
    release: str
    steps: tuple[IndexStep, ...] = ()
    unmatched: tuple[str, ...] = ()
    followed: tuple[str, ...] = ()  # "see" references followed, in order
    suggestions: tuple[str, ...] = ()  # subterms (or main terms) available where the walk stopped
    manifestation: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return bool(self.steps)

    @property
    def coded_step(self) -> IndexStep | None:
        """The deepest step on the path that carries a code."""
        return next((s for s in reversed(self.steps) if s.code), None)

    @property
    def code(self) -> str | None:
        step = self.coded_step
        return (step.resolved or step.code) if step else None

    @property
    def path(self) -> str:
        return ", ".join(s.title for s in self.steps)


def _rank(result: IndexResult) -> tuple[int, int, int]:
    """Prefer the walk that matched most, then one that ends on a code, then the shorter."""
    return (-len(result.unmatched), result.code is not None, -len(result.steps))


def _step(term: Term) -> IndexStep:
    return IndexStep(
        term_id=term.id,
        level=term.level,
        title=term.title,
        nonessential=term.nonessential,
        code=term.code,
        resolved=term.resolved,
        resolution=term.resolution,
        see=term.see,
        see_also=term.see_also,
    )


def split_path(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


class IndexNavigator:
    """Index walks over one release; main-term alternatives are cached per book."""

    def __init__(self, release: Release) -> None:
        self.release = release
        self._main: dict[str, dict[str, list[int]]] = {}

    def _main_terms(self, book: str) -> dict[str, list[int]]:
        if book not in self._main:
            table: dict[str, list[int]] = {}
            for term_id, title in self.release.main_term_titles(book):
                for form in title_alternatives(title):
                    table.setdefault(form, []).append(term_id)
            self._main[book] = table
        return self._main[book]

    def walk(self, query: str, book: str = "index") -> IndexResult:
        return self._walk(query, split_path(query), book, depth=0)

    def walk_segments(self, query: str, segments: list[str], book: str) -> IndexResult:
        """Walk already-split segments (a table lookup prefixes the table's main term)."""
        return self._walk(query, segments, book, depth=0)

    def _walk(self, query: str, segments: list[str], book: str, depth: int) -> IndexResult:
        name = self.release.name
        best: IndexResult | None = None
        for start, used in self._main_candidates(segments, book):
            result = self._walk_from(query, start, segments[used:], book, depth)
            if best is None or _rank(result) > _rank(best):
                best = result
        if best is None and segments and len(segments[0].split()) > 1:
            # Inverted form: the index lists "Sclerosis, multiple", notes say "multiple sclerosis".
            words = segments[0].split()
            for i in range(len(words) - 1, 0, -1):
                inverted = [" ".join(words[i:]), " ".join(words[:i]), *segments[1:]]
                for start, used in self._main_candidates(inverted, book):
                    if used == 1:
                        result = self._walk_from(query, start, inverted[1:], book, depth)
                        if not result.unmatched and (best is None or _rank(result) > _rank(best)):
                            best = result
                if best is not None:
                    break
        if best is None:
            first = segments[0] if segments else ""
            return IndexResult(
                query, book, name, unmatched=tuple(segments),
                suggestions=self.near_main_terms(first, book),
            )  # fmt: skip
        return best

    def _main_candidates(self, segments: list[str], book: str) -> list[tuple[Term, int]]:
        """Main terms naming the longest run of leading segments; exact titles first."""
        main = self._main_terms(book)
        for k in range(len(segments), 0, -1):
            wanted = norm_term(", ".join(segments[:k]))
            ids = main.get(wanted)
            if ids:
                terms = [t for t in (self.release.term(i) for i in ids) if t is not None]
                terms.sort(key=lambda t: norm_term(t.title) != wanted)
                return [(t, k) for t in terms]
        return []

    def _walk_from(
        self, query: str, start: Term, rest: list[str], book: str, depth: int
    ) -> IndexResult:
        name = self.release.name
        steps = [start]
        unmatched: list[str] = []
        while rest:
            current = steps[-1]
            if rest[0].lower().startswith(WILDCARD_PREFIXES):
                rest = rest[1:]  # "by type", "by site": the next segment names the choice
                continue
            if norm_term(rest[0]) in {norm_term(n) for n in current.nonessential}:
                rest = rest[1:]  # a nonessential modifier changes nothing
                continue
            matched, taken = self._match_child(current, rest)
            if not matched:
                unmatched = rest
                break
            steps.extend(matched)
            rest = rest[taken:]
        followed: list[str] = []
        last = steps[-1]
        result_steps = [_step(t) for t in steps]
        # Follow "see" where the walk ended on a cross-reference, not a code.
        if last.see and not last.code and depth < MAX_SEE_DEPTH and not unmatched:
            target = self._walk(last.see, split_path(last.see), book, depth + 1)
            if target.found:
                return IndexResult(
                    query, book, name,
                    steps=tuple(result_steps) + target.steps,
                    unmatched=target.unmatched,
                    followed=(last.see, *target.followed),
                    suggestions=target.suggestions,
                    manifestation=target.manifestation,
                )  # fmt: skip
        suggestions = tuple(t.title for t in self.release.subterms(last.id))[:25]
        return IndexResult(
            query, book, name,
            steps=tuple(result_steps),
            unmatched=tuple(unmatched),
            followed=tuple(followed),
            suggestions=suggestions,
            manifestation=last.manifestation,
        )  # fmt: skip

    def _match_child(self, current: Term, rest: list[str]) -> tuple[list[Term], int]:
        """Subterm(s) of ``current`` naming the longest run of leading segments."""
        children = self.release.subterms(current.id)
        for k in range(len(rest), 0, -1):
            wanted = norm_term(", ".join(rest[:k]))
            exact = [c for c in children if norm_term(c.title) == wanted]
            partial = [c for c in children if wanted in title_alternatives(c.title)]
            if exact or partial:
                return [(exact or partial)[0]], k
        first = rest[0].strip().lower()
        # "with neuropathy" written as one segment: the connector, then the condition.
        for connector in CONNECTORS:
            if first.startswith(connector + " "):
                for child in children:
                    if norm_term(child.title) == norm_term(connector):
                        tail = [rest[0][len(connector) :].strip(), *rest[1:]]
                        deeper, taken = self._match_child(child, tail)
                        if deeper:
                            return [child, *deeper], taken
        # The condition named without its connector: look under "with", "in", "due to".
        for child in children:
            if norm_term(child.title) in CONNECTORS:
                for grandchild in self.release.subterms(child.id):
                    for k in range(len(rest), 0, -1):
                        if norm_term(", ".join(rest[:k])) in title_alternatives(grandchild.title):
                            return [child, grandchild], k
        return [], 0

    def near_main_terms(self, text: str, book: str, limit: int = 8) -> tuple[str, ...]:
        from rapidfuzz import fuzz, process

        titles = [t for _, t in self.release.main_term_titles(book)]
        if not text or not titles:
            return ()
        found = process.extract(text, titles, scorer=fuzz.WRatio, limit=limit)
        return tuple(str(match[0]) for match in found)
