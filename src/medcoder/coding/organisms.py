"""The infectious agent of an infection coded elsewhere (B95-B97).

ICD-10-CM Guidelines I.A.13 and the Tabular's "use additional code (B95-B97) to identify
infectious agent" at codes such as N39.0 (urinary tract infection), L03.- (cellulitis)
and H66.- (otitis): where the sentence that names the infection names its organism
("urinary tract infection due to E. coli"), the agent's code follows. The organisms and
their codes are read off the release's Alphabetic Index, from its entries "..., as cause
of disease classified elsewhere" (Infection, Escherichia, as cause of disease classified
elsewhere B96.20), never from a list kept here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace

from medcoder.codesets.store import Release
from medcoder.codesets.text import norm_term
from medcoder.coding.candidate import Candidate
from medcoder.coding.companions import sentence_of
from medcoder.coding.instructions import note_refers_to
from medcoder.nlp.document import ClinicalDocument
from medcoder.results import RuleApplied

_CAUSE_RE = re.compile(r"as (?:the )?cause of diseases? classified elsewhere", re.IGNORECASE)
_AGENT_RANGE = "B96.20"  # a code inside B95-B97: does a note ask for the agent?
# Words of the Index entries that do not name an organism.
_NOT_ORGANISM = frozenset(
    {"infection", "infected", "infective", "nec", "nos", "unspecified", "site", "intestinal",
     "as", "cause", "of", "disease", "diseases", "classified", "elsewhere", "type", "and",
     "or", "the"}
)  # fmt: skip
# An entry that names no organism at all ("bacterial NOS", "agent NEC"): never matched.
_GENERIC = frozenset({"bacterium", "bacteria", "bacterial", "agent", "virus", "viral"})
_STEM = 9  # "staphylococcus" and "staphylococcal" meet at their first letters
_WORD_RE = re.compile(r"[a-z]+")
# What notes write for an organism the Index spells out.
_SAYS = {"coli": "escherichia", "h": "hemophilus", "pylori": "helicobacter"}


def _stem(word: str) -> str:
    return word[:_STEM] if len(word) >= _STEM else word


def _agents(release: Release) -> tuple[tuple[frozenset[str], str], ...]:
    """(organism word stems, agent code) of every "as cause of disease classified
    elsewhere" entry of the release's Index; memoized per release."""
    cached = release.memo.get("infectious_agents")
    if isinstance(cached, tuple):
        return cached
    rows = release.index_rows("index") if "index" in release.books() else []
    by_id = {row[0]: row for row in rows}
    found: list[tuple[frozenset[str], str]] = []
    under: set[int] = set()  # the "as cause ..." entries and the subterms below them
    for term_id, parent_id, _level, title, _nonessential, _see in rows:
        if _CAUSE_RE.search(title) or (parent_id is not None and parent_id in under):
            under.add(term_id)  # rows come parent before child
        else:
            continue
        term = release.term(term_id)
        code = term.code if term is not None else None
        entry = release.get(code) if code else None
        if entry is None or not entry.billable:
            continue
        chain = [title]
        parent = parent_id
        while parent is not None:
            chain.insert(0, by_id[parent][3])
            parent = by_id[parent][1]
        words = set(_WORD_RE.findall(norm_term(" ".join(chain)))) - _NOT_ORGANISM
        if words and not words <= _GENERIC:
            found.append((frozenset(_stem(w) for w in words - _GENERIC), entry.code))
    agents = tuple(sorted(found, key=lambda item: -len(item[0])))
    release.memo["infectious_agents"] = agents
    return agents


def asks_for_agent(release: Release, code: str, refers: object) -> bool:
    """Does the Tabular ask for the infectious agent (B95-B97) with this code?"""
    notes = release.notes(code).get("use_additional_code", [])  # type: ignore[call-overload]
    return any(refers(n.text, _AGENT_RANGE) for n in notes)  # type: ignore[operator]


def agent_named(release: Release, sentences: Iterable[str]) -> str | None:
    """The agent code of the organism the sentences name (the most words first)."""
    for sentence in sentences:
        words = _WORD_RE.findall(sentence.lower())
        stems = {_stem(_SAYS.get(w, w)) for w in words} | {_stem(w) for w in words}
        for organism, code in _agents(release):
            if organism and organism <= stems:
                return code
    return None


_AGENT_TITLE_WORDS = frozenset({"unspecified", "other", "infection", "specified", "nos"})


def named_by(release: Release, agent: str, reported: Iterable[str]) -> bool:
    """Does a reported code already name the organism ("Sepsis due to Escherichia coli
    [E. coli]" A41.51 beside B96.20)? Then the agent code adds nothing."""
    entry = release.get(agent)
    if entry is None:
        return False
    head = re.split(r"\bas the cause\b", entry.title.lower())[0]
    organism = set(_WORD_RE.findall(head)) - _AGENT_TITLE_WORDS
    if not organism:
        return False
    for code in reported:
        other = release.get(code) if code != agent else None
        if other is not None and organism <= set(_WORD_RE.findall(other.title.lower())):
            return True
    return False


AGENT = RuleApplied(
    "infectious-agent.v1",
    "ICD-10-CM Guidelines I.A.13 (use additional code B95-B97)",
    "the organism the note names for the infection, from the Index's 'as cause of "
    "disease classified elsewhere' entries",
)


def add_agents(
    document: ClinicalDocument,
    release: Release,
    by_code: dict[str, list[Candidate]],
    order: list[str],
) -> list[str]:
    """After an infection whose code asks for its agent, the agent the same sentence
    names (coding/organisms.py): urinary tract infection due to E. coli, N39.0 B96.20."""
    if any(code.startswith(("B95", "B96", "B97")) for code in by_code):
        return order
    result = list(order)
    for code in order:
        if not asks_for_agent(release, code, note_refers_to):
            continue
        sentences = [
            sentence_of(document.text, c.evidence.start, c.evidence.end) for c in by_code[code]
        ]
        agent = agent_named(release, sentences)
        if agent is None or agent in by_code or named_by(release, agent, by_code):
            continue
        entry = release.get(agent)
        by_code[agent] = [
            replace(by_code[code][0], code=agent, title=entry.title if entry else "",
                    index_path="Infection, as cause of disease classified elsewhere",
                    tabular_checks=(), rules=(AGENT,))
        ]  # fmt: skip
        result.insert(result.index(code) + 1, agent)
        break  # one agent for the note's infections: the coder adds others
    return result


_UNSPECIFIED_SITE_RE = re.compile(r"\binfection, unspecified site$", re.IGNORECASE)


def localized_infection(release: Release, code: str, refers: object) -> bool:
    """A code for an infection at a known site: its Tabular asks for the agent (B95-B97:
    N39.0, L03.-) or "to identify infection" (T81.4-, T84.5- and the other infections
    that complicate care)."""
    if asks_for_agent(release, code, refers):
        return True
    notes = release.notes(code).get("use_additional_code", [])  # type: ignore[call-overload]
    return any("identify infection" in n.text.lower() for n in notes)


def agents_for_unspecified_sites(
    release: Release,
    reported: Iterable[str],
    sentences_of: Callable[[str], list[str]],
    refers: object,
) -> dict[str, str]:
    """Organism codes "..., unspecified site" (A49.01 MSSA infection) reported beside an
    infection whose site is known: each becomes the agent code of its organism (B95.61),
    the Tabular's Excludes1 at A49 ("bacterial agents as the cause of diseases classified
    elsewhere (B95-B96)") and I.A.13. ``sentences_of``: the sentences a code was found in.
    Returns {organism code: agent code}."""
    codes = list(reported)
    if not any(localized_infection(release, c, refers) for c in codes):
        return {}
    out: dict[str, str] = {}
    for code in codes:
        entry = release.get(code)
        if entry is None or not _UNSPECIFIED_SITE_RE.search(entry.title):
            continue
        agent = agent_named(release, sentences_of(code))
        if agent is not None and agent not in codes:
            out[code] = agent
    return out


def swap_agents_for_unspecified_sites(
    document: ClinicalDocument,
    release: Release,
    by_code: dict[str, list[Candidate]],
    order: list[str],
) -> list[str]:
    """ "MRSA infection" beside an infection whose site is known (a prosthetic joint
    infection T84.5-): the organism is the agent B95.62, not A49.02."""

    def sentences(code: str) -> list[str]:
        return [sentence_of(document.text, c.evidence.start, c.evidence.end) for c in by_code[code]]

    swaps = agents_for_unspecified_sites(release, order, sentences, note_refers_to)
    result = list(order)
    for code, agent in swaps.items():
        entry = release.get(agent)
        by_code[agent] = [
            replace(c, code=agent, title=entry.title if entry else "",
                    index_path="Infection, as cause of disease classified elsewhere",
                    tabular_checks=(), rules=(*c.rules, AGENT))
            for c in by_code.pop(code)
        ]  # fmt: skip
        result[result.index(code)] = agent
    return result
