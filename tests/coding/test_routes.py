"""The per-release Index routes refinement reads: the same subterms, in the same order,
as a walk over the subterms and their written forms would find for each note."""

from __future__ import annotations

import itertools

import pytest

from medcoder.codesets.index_walk import CONNECTORS, IndexNavigator
from medcoder.codesets.store import Release, Term
from medcoder.codesets.text import norm_term
from medcoder.coding.lexicon import _UNSPECIFIED_RE, _forms
from medcoder.coding.routes import IndexRoutes, fit_words
from medcoder.coding.select import CodeSelector, context_words
from medcoder.nlp.text import tokenize

MAIN_TERMS = ["Diabetes", "Pain", "Fracture, traumatic", "Disease, kidney", "Hypertension"]
NOTES = [
    "type 2 diabetes with chronic kidney disease stage 3a and foot ulcer",
    "chronic low back pain radiating to the left leg",
    "closed fracture of the right distal radius, initial encounter",
    "hypertensive heart and chronic kidney disease with heart failure",
    "stage 2 pressure ulcer, no fracture",
]


def _forms_of(term: Term) -> list[tuple[str, ...]]:
    title = _UNSPECIFIED_RE.sub("", term.title) or term.title
    return [fit_words(f) for f in _forms(title, ()) if f]


def _naive_routes(release: Release, term_id: int, context: frozenset[str]) -> list[tuple[int, ...]]:
    routes: list[tuple[Term, ...]] = []
    for child in release.subterms(term_id):
        if norm_term(child.title) in CONNECTORS:
            routes += [(child, g) for g in release.subterms(child.id)]
        else:
            routes.append((child,))
    keys = {
        tuple(t.id for t in route)
        for route in routes
        if any(set(form) & context for form in _forms_of(route[-1]))
    }
    return sorted(keys)


def _naive_fit(term: Term, context: frozenset[str]) -> int:
    best = 0
    for form in _forms_of(term):
        if not set(form) <= context:
            continue
        numbered = len(form) > 1 and any(ch.isdigit() for w in form for ch in w)
        if numbered and not {f"{a}_{b}" for a, b in itertools.pairwise(form)} <= context:
            continue
        best = max(best, len(set(form)))
    return best


@pytest.mark.parametrize("path", MAIN_TERMS)
def test_routes_and_fits_match_a_walk_of_the_subterms(release_2026: Release, path: str) -> None:
    walk = IndexNavigator.for_release(release_2026).walk(path)
    assert walk.found and not walk.unmatched, path
    term_id = walk.steps[-1].term_id
    index = IndexRoutes(release_2026)
    below = index.below(term_id)
    assert below.routes, path  # every listed term has subterms
    for note in NOTES:
        context = context_words(tokenize(note))
        found = index.routes(term_id, context)
        assert [tuple(t.id for t in r) for r in found] == _naive_routes(
            release_2026, term_id, context
        )
        for route in below.routes:
            assert index.fits(route[-1], context) == _naive_fit(route[-1], context)


def test_the_memo_stays_within_its_bound(release_2026: Release) -> None:
    walk = IndexNavigator.for_release(release_2026).walk("Pain")
    index = IndexRoutes(release_2026, limit=1)
    first = index.below(walk.steps[-1].term_id)
    for route in first.routes[:3]:
        index.below(route[-1].id)
    assert len(index._below) == 1 and len(index._forms) == 1
    assert index.below(walk.steps[-1].term_id) is first


def test_a_term_refined_with_no_subterm_to_take_gives_what_the_full_descent_gives(
    release_2026: Release, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The selector keeps, per term, the choice a descent with no route makes where the
    # note cannot change it; the descent itself must agree for every term and note.
    kept = CodeSelector(release_2026)
    walked = CodeSelector(release_2026)
    monkeypatch.setattr(walked, "_plain_choice", lambda start: None)
    mains = release_2026.main_terms("index")
    terms = [t.id for t in mains[::40]]
    terms += [t.id for t in mains if t.see and not t.code][:40]  # "Abscess, kidney - see ..."
    for path in ("Adenocarcinoma", "Carcinoma, ductal", "Acute", "Metastasis", "Pain"):
        walk = IndexNavigator.for_release(release_2026).walk(path)
        terms += [s.term_id for s in walk.steps]
    contexts = [context_words(tokenize(n)) for n in ["", "stage 0 breast", *NOTES]]
    contexts.append(contexts[2] | {"__followed__"})
    plain = 0
    for term_id in terms:
        for context in contexts:
            assert kept.refine(term_id, context) == walked.refine(term_id, context), term_id
        plain += kept._plain.get(term_id) is not None
    assert plain and plain < len(set(terms))  # both ways were taken
