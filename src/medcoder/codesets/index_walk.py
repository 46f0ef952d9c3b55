"""Walk the Alphabetic Index the way a coder does: main term, then subterms, following see.

ICD-10-CM Guidelines I.A (conventions) and I.B.1: locate the main term, follow the
subterms that the documentation supports, follow "see" cross-references, and verify
the code in the Tabular List (here: the index code's resolution in this release).
A query is the index path written with commas, as the index prints it:
``Diabetes, type 2, with, chronic kidney disease``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from medcoder.codesets.index_books import Term
from medcoder.codesets.store import Release
from medcoder.codesets.text import core_title, norm_term, title_alternatives

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


def _rank(result: IndexResult) -> tuple[int, int, bool]:
    """Prefer the walk that matched most, then the deeper one, then one ending on a code.

    Ties keep the first seen: candidates come exact title first, principal entry first.
    """
    return (-len(result.unmatched), len(result.steps), result.code is not None)


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
        self._children: dict[int, list[tuple[Term, frozenset[str], frozenset[str]]]] = {}
        self._candidates: dict[tuple[str, str], list[Term]] = {}
        self._titles: dict[str, list[str]] = {}

    @classmethod
    def for_release(cls, release: Release) -> IndexNavigator:
        """The release's shared navigator (its caches outlive one lookup)."""
        navigator = release.memo.get("index_navigator")
        if not isinstance(navigator, IndexNavigator):
            navigator = cls(release)
            release.memo["index_navigator"] = navigator
        return navigator

    def _subterms(self, term_id: int) -> list[tuple[Term, frozenset[str], frozenset[str]]]:
        """Subterms with their exact forms and all accepted forms, computed once per term."""
        cached = self._children.get(term_id)
        if cached is None:
            cached = []
            for child in self.release.subterms(term_id):
                exact = {norm_term(child.title), core_title(child.title)}
                forms = set(title_alternatives(child.title)) | exact
                # "urinary (tract)": the subterm with its nonessential modifier is named too.
                for modifier in child.nonessential:
                    forms.add(norm_term(f"{child.title} {modifier}"))
                    forms.add(norm_term(f"{modifier} {child.title}"))
                cached.append((child, frozenset(exact), frozenset(forms)))
            if len(self._children) > 50_000:
                self._children.clear()
            self._children[term_id] = cached
        return cached

    def _main_terms(self, book: str) -> dict[str, list[int]]:
        if book not in self._main:
            table: dict[str, list[int]] = {}
            for term_id, title in self.release.main_term_titles(book):
                for form in title_alternatives(title, split_or=False):
                    table.setdefault(form, []).append(term_id)
            self._main[book] = table
        return self._main[book]

    def walk(self, query: str, book: str = "index", *, suggest: bool = True) -> IndexResult:
        """Walk an index path; ``suggest=False`` skips the fuzzy main-term suggestions
        (milliseconds each) when nobody will read them."""
        return self._walk(query, split_path(query), book, depth=0, suggest=suggest)

    def walk_segments(self, query: str, segments: list[str], book: str) -> IndexResult:
        """Walk already-split segments (a table lookup prefixes the table's main term)."""
        return self._walk(query, segments, book, depth=0)

    def _walk(
        self, query: str, segments: list[str], book: str, depth: int, *, suggest: bool = True
    ) -> IndexResult:
        name = self.release.name
        best: IndexResult | None = None
        for start, used in self._main_candidates(segments, book):
            result = self._walk_from(query, start, segments[used:], book, depth)
            if best is None or _rank(result) > _rank(best):
                best = result
            if not result.unmatched and result.code is not None:
                break  # nothing ranks higher; candidates come principal entry first
        if best is None and segments and len(segments[0].split()) > 1:
            # A first segment that is not a main term as written: the index inverts
            # ("multiple sclerosis" -> "Sclerosis, multiple") or splits it ("carbon
            # monoxide" -> "Carbon, monoxide").
            words = segments[0].split()
            splits = [
                [" ".join(words[i:]), " ".join(words[:i])] for i in range(len(words) - 1, 0, -1)
            ]
            splits += [
                [" ".join(words[:i]), " ".join(words[i:])] for i in range(len(words) - 1, 0, -1)
            ]
            for split in splits:
                candidate_path = [*split, *segments[1:]]
                for start, used in self._main_candidates(candidate_path, book):
                    if used == 1:
                        result = self._walk_from(query, start, candidate_path[1:], book, depth)
                        if not result.unmatched and (best is None or _rank(result) > _rank(best)):
                            best = result
                if best is not None:
                    break
        if best is None:
            first = segments[0] if segments else ""
            return IndexResult(
                query, book, name, unmatched=tuple(segments),
                suggestions=self.near_main_terms(first, book) if suggest else (),
            )  # fmt: skip
        return best

    def _main_candidates(self, segments: list[str], book: str) -> list[tuple[Term, int]]:
        """Main terms naming the longest run of leading segments; exact titles first."""
        main = self._main_terms(book)
        for k in range(len(segments), 0, -1):
            wanted = norm_term(", ".join(segments[:k]))
            key = (book, wanted)
            if key in self._candidates:
                return [(t, k) for t in self._candidates[key]]
            ids = main.get(wanted)
            if ids:
                terms = [t for t in (self.release.term(i) for i in ids) if t is not None]
                # Exact titles first, then the principal entry (the one with most subterms:
                # "Fracture, traumatic" rather than "Fracture, burst").
                terms.sort(
                    key=lambda t: (
                        wanted not in (norm_term(t.title), core_title(t.title)),
                        -self.release.subterm_count(t.id),
                    )
                )
                self._candidates[key] = terms
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
        suggestions = tuple(t.title for t, _, _ in self._subterms(last.id))[:25]
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
        children = self._subterms(current.id)
        wanted_forms = [norm_term(", ".join(rest[:k])) for k in range(len(rest), 0, -1)]
        for k, wanted in zip(range(len(rest), 0, -1), wanted_forms, strict=True):
            exact = [c for c, ex, _ in children if wanted in ex]
            partial = [c for c, _, forms in children if wanted in forms]
            if exact or partial:
                return [(exact or partial)[0]], k
        first = rest[0].strip().lower()
        # "with neuropathy" written as one segment: the connector, then the condition.
        for connector in CONNECTORS:
            if first.startswith(connector + " "):
                for child, exact_forms, _ in children:
                    if connector in exact_forms:
                        tail = [rest[0][len(connector) :].strip(), *rest[1:]]
                        deeper, taken = self._match_child(child, tail)
                        if deeper:
                            return [child, *deeper], taken
        # A segment whose words the index spreads over two levels, in either order:
        # "irritable bowel" is "Syndrome, irritable, bowel"; "polycystic ovary" is
        # "Syndrome, ovary, polycystic".
        seg_words = rest[0].split()
        if len(seg_words) > 1:
            for i in range(len(seg_words)):
                word = norm_term(seg_words[i])
                remainder = " ".join(seg_words[:i] + seg_words[i + 1 :])
                for child, exact_forms, _ in children:
                    if word in exact_forms:
                        deeper, taken = self._match_child(child, [remainder, *rest[1:]])
                        if deeper and taken >= 1:
                            return [child, *deeper], taken
        # The condition named without its connector: look under "with", "in", "due to".
        for child, exact_forms, _ in children:
            if exact_forms & set(CONNECTORS):
                for grandchild, _, forms in self._subterms(child.id):
                    for k, wanted in zip(range(len(rest), 0, -1), wanted_forms, strict=True):
                        if wanted in forms:
                            return [child, grandchild], k
        return [], 0

    def near_main_terms(self, text: str, book: str, limit: int = 8) -> tuple[str, ...]:
        from rapidfuzz import fuzz, process

        if book not in self._titles:
            self._titles[book] = [t for _, t in self.release.main_term_titles(book)]
        titles = self._titles[book]
        if not text or not titles:
            return ()
        found = process.extract(text, titles, scorer=fuzz.WRatio, limit=limit)
        return tuple(str(match[0]) for match in found)
