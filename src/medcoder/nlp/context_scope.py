"""ConText scopes: the words each trigger of a sentence reaches (step 2).

Step 2 of the algorithm described in :mod:`medcoder.nlp.assertion`: given the triggers
``ContextRules`` found in a sentence, :func:`_scopes` walks each modifying trigger's
scope forward and/or backward, counted in words, with the default word budgets, the
list and chaining refinements, the template-answer look-back, and the section names that
change a scope (a review-of-systems negation runs to the end of its clause). Split out of
``assertion.py`` so that the scope walk reads on its own; the detector in
``assertion`` imports from here, and the public names here are also importable from
:mod:`medcoder.nlp.assertion`.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from medcoder.nlp.context_rules import MODIFIERS, Category, Direction, _Match
from medcoder.nlp.text import Token

__all__ = [
    "DEFAULT_BACKWARD_SCOPE",
    "DEFAULT_FORWARD_SCOPE",
    "SECTION_FAMILY_HISTORY",
    "SECTION_PAST_MEDICAL_HISTORY",
    "SECTION_PAST_SURGICAL_HISTORY",
    "SECTION_REVIEW_OF_SYSTEMS",
]

# Scope in words when a rule gives no max_scope. Negation and uncertainty reach about a
# clause; experiencer and hypothetical phrasing ("should you develop ...", "mother was
# diagnosed with ...") run a little longer. Lists renew the budget (see medcoder.nlp.assertion).
DEFAULT_FORWARD_SCOPE: dict[Category, int] = {
    Category.NEGATED_EXISTENCE: 8,
    Category.POSSIBLE_EXISTENCE: 8,
    Category.HISTORICAL: 8,
    Category.FAMILY: 10,
    Category.HYPOTHETICAL: 10,
}
DEFAULT_BACKWARD_SCOPE = 5  # "pneumonia has been ruled out", "kidney stones in the past"

SECTION_FAMILY_HISTORY = "family_history"
SECTION_PAST_MEDICAL_HISTORY = "past_medical_history"
SECTION_PAST_SURGICAL_HISTORY = "past_surgical_history"
SECTION_REVIEW_OF_SYSTEMS = "review_of_systems"

# Words that separate list items: each renews a forward scope's word budget.
_COORDINATORS = frozenset({"and", "or", "nor", "/"})
# Words allowed between two stacked triggers ("no known history of", "mother with a
# history of", "no personal or family history of").
_CHAIN_WORDS = frozenset(
    {"a", "an", "any", "the", "with", "of", "for", "known", "personal", "or", "and", "his", "her"}
)


def _scopes(
    tokens: Sequence[Token],
    norms: Sequence[str],
    matches: list[_Match],
    sentence_text: str,
    offset: int,
    section: str | None,
) -> list[tuple[_Match, list[tuple[int, int]]]]:
    """Each modifying trigger with its scope(s), as half-open word ranges.

    ``matches`` are in sentence order. Gap ``g`` is the text between word ``g - 1`` and
    word ``g`` (``g`` = 0 .. number of words).
    """
    n = len(tokens)
    comma = [False] * (n + 1)
    at = sentence_text.find(",")
    if at >= 0:
        starts = [t.start for t in tokens]
        while at >= 0:
            comma[bisect_left(starts, offset + at)] = True
            at = sentence_text.find(",", at + 1)
    in_trigger = [False] * n
    for m in matches:
        if m.rule.category is not Category.PSEUDO:
            for i in range(m.begin, m.end):
                in_trigger[i] = True
    blockers = [m for m in matches if m.rule.category is not Category.PSEUDO]

    def gap(g: int) -> str:
        left = tokens[g - 1].end - offset if g > 0 else 0
        right = tokens[g].start - offset if g < n else len(sentence_text)
        return sentence_text[left:right]

    def chained(a: _Match, b: _Match) -> bool:
        """``b`` follows ``a`` with only function words (or other triggers) between."""
        if b.end == b.begin or b.rule.category is Category.TERMINATE or comma[a.end]:
            return False
        return all(
            (in_trigger[i] or norms[i] in _CHAIN_WORDS) and not comma[i + 1]
            for i in range(a.end, b.begin)
        )

    out: list[tuple[_Match, list[tuple[int, int]]]] = []
    for index, m in enumerate(blockers):
        rule = m.rule
        category = rule.category
        if category not in MODIFIERS:
            continue
        ranges: list[tuple[int, int]] = []
        look_back = rule.direction is not Direction.FORWARD
        if rule.direction is not Direction.BACKWARD:
            if (
                rule.direction is Direction.FORWARD
                and m.begin > 0
                and ":" in gap(m.begin)
                and (m.end >= n or any(c in gap(m.end) for c in ",;."))
            ):
                look_back = True  # a template answer: "Fever: no."
            else:
                # Every later trigger ends the scope, unless it is stacked on this one.
                # A later trigger of the same category takes over ("no masses, no edema"):
                # the flags are the same and the trace names the nearest trigger.
                stop = n
                for b in blockers[index + 1 :]:
                    if b.begin >= m.end and not chained(m, b):
                        stop = b.begin
                        break
                budget: int | None = rule.max_scope or DEFAULT_FORWARD_SCOPE[category]
                if section == SECTION_REVIEW_OF_SYSTEMS and category is Category.NEGATED_EXISTENCE:
                    budget = None  # review-of-systems lines are lists to the end
                end = _walk_forward(m.end, stop, budget, norms, comma, in_trigger)
                if end > m.end:
                    ranges.append((m.end, end))
        if look_back:
            limit = 0
            for b in reversed(blockers[:index]):
                if b.end <= m.begin:
                    limit = b.end
                    break
            budget_back = rule.max_scope or DEFAULT_BACKWARD_SCOPE
            begin = _walk_back(m.begin, limit, budget_back, norms, comma, in_trigger)
            if begin < m.begin:
                ranges.append((begin, m.begin))
        if ranges:
            out.append((m, ranges))
    return out


def _walk_forward(
    begin: int,
    stop: int,
    budget: int | None,
    norms: Sequence[str],
    comma: list[bool],
    in_trigger: list[bool],
) -> int:
    """One past the last word a forward scope starting at ``begin`` covers."""
    if budget is None:
        return stop
    left = budget
    j = begin
    while j < stop and left > 0:
        if not in_trigger[j]:
            left -= 1
        j += 1
        if j < stop and (comma[j] or norms[j] in _COORDINATORS):
            left = budget  # the next list item
    return j


def _walk_back(
    begin: int,
    limit: int,
    budget: int,
    norms: Sequence[str],
    comma: list[bool],
    in_trigger: list[bool],
) -> int:
    """The first word a backward scope ending before ``begin`` covers."""
    left = budget
    coordinated = False
    j = begin
    while j > limit and left > 0:
        if j < begin and comma[j]:
            if not coordinated:
                break  # "chest pain, ACS versus GERD": not a list
            left = budget
        j -= 1
        if norms[j] in _COORDINATORS:
            coordinated = True
        if not in_trigger[j]:
            left -= 1
    return j
