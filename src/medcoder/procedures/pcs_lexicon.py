"""One release's PCS vocabulary, compiled for matching: procedure words with their
candidate tables, anatomy words (the vocabulary's, every body part label's parts, the
Definitions' "includes" terms), approach and device words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from medcoder.codesets.pcs.model import PcsTable
from medcoder.codesets.pcs.store import PcsRelease
from medcoder.nlp.text import norm_word
from medcoder.procedures.pcs_body_part import BodyPartValue, body_part_values
from medcoder.procedures.pcs_derived import derived_entries, index_entries
from medcoder.procedures.pcs_labels import label_atoms
from medcoder.procedures.pcs_sections import section_entries, substance_words
from medcoder.procedures.pcs_vocabulary import (
    PcsVocabulary,
    PhraseIndex,
    ProcedureEntry,
    norm_phrase,
)


@dataclass(frozen=True, slots=True)
class Lexicon:
    """What :func:`compile_lexicon` makes of the vocabulary for one release."""

    """One release's vocabulary, compiled: procedure words with their candidate tables."""

    procedures: PhraseIndex
    anatomy: PhraseIndex
    anatomy_phrases: dict[str, tuple[tuple[str, ...], ...]]  # atom -> phrases naming it
    approaches: PhraseIndex
    devices: PhraseIndex
    tables: dict[int, tuple[tuple[PcsTable, tuple[BodyPartValue, ...]], ...]]  # id(entry) ->
    fixed_codes: dict[str, str | None]  # whole codes the vocabulary names -> title (None: invalid)
    every_table: dict[str, tuple[PcsTable, tuple[BodyPartValue, ...]]]  # prefix ->
    matter: frozenset[tuple[str, ...]]  # solid matter words (Extirpation)
    substances: dict[str, tuple[tuple[str, ...], ...]]  # Administration substance -> phrases


def _tables_for(
    entry: ProcedureEntry, tables: dict[str, PcsTable],
    by_operation: dict[tuple[str, str], list[PcsTable]],
) -> tuple[PcsTable, ...]:  # fmt: skip
    if entry.table:
        return (tables[entry.table],) if entry.table in tables else ()
    return tuple(
        t for t in by_operation.get((entry.section or "", entry.operation or ""), ())
        if entry.body_system is None or t.prefix[1] == entry.body_system
    )  # fmt: skip


def _phrases_by_atom(
    anatomy: dict[tuple[str, ...], tuple[str, ...]],
) -> dict[str, tuple[tuple[str, ...], ...]]:
    out: dict[str, list[tuple[str, ...]]] = {}
    for phrase, atoms in anatomy.items():
        for a in atoms:
            out.setdefault(a, []).append(phrase)
    return {a: tuple(phrases) for a, phrases in out.items()}


def compile_lexicon(vocabulary: PcsVocabulary, release: PcsRelease) -> Lexicon:
    """Anatomy words: the vocabulary's, every body part label's parts, and the
    Definitions' "includes" terms ("Vermiform appendix" is the Appendix)."""
    anatomy: dict[tuple[str, ...], tuple[str, ...]] = {}
    for atoms, words in vocabulary.anatomy.items():
        for w in words:
            anatomy.setdefault(norm_phrase(w), atoms)
    for table in release.tables.values():
        for row in table.rows:
            for value in row.values(4):
                for part in label_atoms(value.label)[0]:
                    anatomy.setdefault(tuple(part.split()), (part,))
    for (_, position, title), term in release.terms.items():
        if position == 4:
            for text in term.includes:
                anatomy.setdefault(norm_phrase(text), tuple(label_atoms(title)[0]))
    values = {prefix: body_part_values(t) for prefix, t in release.tables.items()}
    fixed = {e.code for e in vocabulary.procedures if e.code}
    # The curated words first; the Definitions' words of each root operation beside them
    # (pcs_derived): a phrase the curated vocabulary names keeps its curated meaning.
    curated = [(norm_phrase(w), e) for e in vocabulary.procedures for w in e.words]
    known = {words for words, _ in curated}
    # A derived phrase holding a curated word ("liver biopsy", "total nephrectomy") would
    # hide the curated meaning (biopsy: qualifier Diagnostic): the curated word decides.
    derived = [
        (norm_phrase(w), e)
        for e in (
            *index_entries(release, vocabulary.findings),
            *derived_entries(release),
            *section_entries(release, vocabulary.findings),
        )
        for w in e.words
        if norm_phrase(w) not in known and not any((t,) in known for t in norm_phrase(w))
    ]
    entries = {id(e): e for _, e in curated + derived}
    by_operation: dict[tuple[str, str], list[PcsTable]] = {}
    for prefix, table in sorted(release.tables.items()):
        by_operation.setdefault((prefix[0], table.operation.label), []).append(table)
    substances: dict[str, set[tuple[str, ...]]] = {}
    for source in (vocabulary.substances, substance_words(release)):
        for label, words in source.items():
            substances.setdefault(label, set()).update(norm_phrase(w) for w in words)
    return Lexicon(
        substances={k: tuple(sorted(v, key=len, reverse=True)) for k, v in substances.items()},
        fixed_codes={
            c: (release.title(c) or ("", True))[0] if release.validate(c).valid else None
            for c in fixed
        },
        procedures=PhraseIndex(curated + derived),
        every_table={p: (t, values[p]) for p, t in release.tables.items()},
        matter=frozenset(norm_phrase(w) for w in vocabulary.matter),
        anatomy=PhraseIndex(anatomy.items()),
        anatomy_phrases=_phrases_by_atom(anatomy),
        approaches=vocabulary.label_index(vocabulary.approaches),
        devices=vocabulary.label_index(vocabulary.devices),
        tables={
            key: tuple((t, values[t.prefix]) for t in _tables_for(e, release.tables, by_operation))
            for key, e in entries.items()
        },
    )


_WORDS = re.compile(r"[a-z0-9]+")


def procedure_hits(text: str, procedures: PhraseIndex) -> list[int]:
    """Offsets of the words that may start a procedure phrase, normalized as the
    tokenizer normalizes them: most sentences have none and are never tokenized.
    A word that only starts longer phrases ("heart" in "heart catheterization") is a hit
    only when a second word of one of them may follow: its first two letters, the part a
    word keeps through normalization ("catheterizations"). One pass over the words."""
    words = list(_WORDS.finditer(text.lower()))
    out = []
    for k, word in enumerate(words):
        norm = norm_word(word[0])
        if norm not in procedures:
            continue
        heads = _heads(procedures, norm)
        if heads is None or (k + 1 < len(words) and words[k + 1][0][:2] in heads):
            out.append(word.start())
    return out


def _heads(procedures: PhraseIndex, norm: str) -> frozenset[str] | None:
    """The first two letters of the words that may follow ``norm`` in a phrase; None when
    ``norm`` alone is a phrase."""
    then = procedures.next_words(norm)
    return None if then is None else frozenset(w[:2] for w in then)


_SIDES = frozenset({"right", "left", "bilateral", "bilaterally", "both"})


def anatomy_found(index: PhraseIndex, norms: list[str]) -> list[tuple[int, int, tuple[str, ...]]]:
    """Anatomy phrases of the sentence; also those a side word hides by starting a longer
    phrase ("right lower extremity | veins": Lower Extremity Veins, with the side apart)."""
    found = [(i, j, a) for i, j, a in index.find(norms) if isinstance(a, tuple)]
    if not any(n in _SIDES for n in norms):
        return found
    masked = ["" if n in _SIDES else n for n in norms]
    spans = {(i, j) for i, j, _ in found}
    found += [(i, j, a) for i, j, a in index.find(masked)
              if isinstance(a, tuple) and (i, j) not in spans]  # fmt: skip
    return found
