"""Choose the PCS body part value (character 4) the statement documents.

The body part is scored against the anatomy words near the procedure words (a label
such as "Chest, Abdomen and Pelvis" needs each of its parts documented); the side of a
paired body part comes from "right", "left", "bilateral" or "both" (B4.3: a paired body
part without a bilateral value is coded on each side, ``contralateral``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from medcoder.codesets.pcs.model import AxisValue, PcsTable
from medcoder.procedures.pcs_labels import label_atoms, label_groups, same_organ

_SIDE_WORDS = frozenset({"right", "left", "bilateral", "both"})
MAX_DISTANCE = 15  # tokens between anatomy words and the procedure words


@dataclass(frozen=True, slots=True)
class Mention:
    """Anatomy documented in the statement: its atoms and distance from the procedure."""

    atoms: tuple[str, ...]
    distance: int
    text: str


@dataclass(frozen=True, slots=True)
class BodyPartChoice:
    table: PcsTable
    value: AxisValue
    score: float
    side_uncertain: bool
    evidence: str


def _hit(label_atom: str, wanted: str) -> float:
    if same_organ(label_atom, wanted):
        return 2.0
    if set(wanted.split()) <= set(label_atom.split()):
        return 1.0
    return 0.0


def score_body_part(
    label: str,
    mentions: Sequence[Mention],
    fixed: tuple[str, ...],
    sides: frozenset[str],
    prefer_bilateral: bool,
    said: frozenset[str] = frozenset(),
    fixed_words: frozenset[str] = frozenset(),
    alternatives: bool = False,
) -> tuple[float, bool, str]:
    """(score, side uncertain, the words that matched); score 0: not documented.

    ``said``: the statement's words. A label part whose every word the statement says, in
    any order ("upper lobe of the lung": Upper Lung Lobe), is documented; the share of a
    part's words said breaks ties between labels a mention fits alike (Upper Lung Lobe
    over Upper Eyelid). ``fixed_words``: the words of the body part the procedure word
    names and their synonyms ("colectomy": large intestine, colon), so that a more
    specific part written beside it (sigmoid colon) is chosen over the whole (B4.1: the
    body part value is the most specific documented)."""
    atoms, side = label_atoms(label)
    if not atoms:
        return 0.0, False, ""
    groups: tuple[tuple[str, ...], ...] = tuple((a,) for a in atoms)
    if alternatives:
        groups, side = label_groups(label)
    total = 0.0
    words: list[str] = []
    specific = False
    for group in groups:
        found = [_score_part(p, mentions, fixed, said, fixed_words) for p in group]
        best, best_text, part_specific, coverage = max(found)
        if best <= 0:
            return 0.0, False, ""
        specific = specific or part_specific
        total += best + 0.3 * coverage
        words.append(best_text)
    if fixed and not specific and not any(_hit(p, f) for p in atoms for f in fixed):
        return 0.0, False, ""
    uncertain = False
    if side is None:
        total += 0.1
    elif side in sides or (side == "bilateral" and "both" in sides):
        # Enough to choose among the sides of one organ, not to outweigh nearer anatomy.
        total += 0.2
    elif sides:
        total -= 0.6
    elif side == "bilateral" and prefer_bilateral:
        total += 0.15
    else:
        uncertain = True
    return total, uncertain, ", ".join(dict.fromkeys(w for w in words if w))


def _score_part(
    part: str,
    mentions: Sequence[Mention],
    fixed: tuple[str, ...],
    said: frozenset[str],
    fixed_words: frozenset[str],
) -> tuple[float, str, bool, float]:
    """(score, the words that matched, a more specific part of the named organ, share of
    the part's words said) for one part of a body part label."""
    specific = False
    part_words = part.split()
    coverage = sum(w in said for w in part_words) / len(part_words)
    best = max((_hit(part, f) + 1.0 for f in fixed if _hit(part, f)), default=0.0)
    best_text = "(procedure word)" if best else ""
    for m in mentions:
        # A mention's atoms are its parts ("thoracoabdominal": chest, abdomen) or,
        # for an ambiguous word, its readings, the likelier first ("cranial").
        for rank, a in enumerate(m.atoms):
            hit = _hit(part, a)
            value = hit - 0.05 * m.distance - 0.01 * rank if hit else 0.0
            if value > best:
                best, best_text = value, m.text
    if coverage == 1.0 and len(part_words) > 1 and 1.0 + 0.5 * len(part_words) > best:
        best, best_text = 1.0 + 0.5 * len(part_words), part
    elif best <= 0 and coverage and all(w in said or w in fixed_words for w in part_words):
        best, best_text = 0.9, part
    if any(w in fixed_words for w in part_words) and any(
        w in said and w not in fixed_words for w in part_words
    ):
        best, specific = best + 1.5, True  # a part of the named organ, said
    return best, best_text, specific, coverage


@dataclass(frozen=True, slots=True)
class BodyPartValue:
    """A table's body part value with its label parsed once."""

    value: AxisValue
    atoms: frozenset[str]
    words: frozenset[str]
    stems: frozenset[str] = frozenset()  # single-word parts' first letters (same_organ)


def body_part_values(table: PcsTable) -> tuple[BodyPartValue, ...]:
    seen: dict[str, BodyPartValue] = {}
    for row in table.rows:
        for value in row.values(4):
            if value.code not in seen:
                atoms = label_atoms(value.label)[0]
                words = frozenset(w for a in atoms for w in a.split())
                stems = frozenset(a[:4] for a in atoms if " " not in a and len(a) >= 5)
                seen[value.code] = BodyPartValue(value, atoms, words, stems)
    return tuple(seen.values())


@dataclass(frozen=True, slots=True)
class _WordIndex:
    tables: tuple[PcsTable, ...]  # held, so the ids of the cache key stay theirs
    items: tuple[tuple[PcsTable, BodyPartValue], ...]
    words: dict[str, tuple[int, ...]]
    stems: dict[str, tuple[int, ...]]


_INDEXES: dict[tuple[int, ...], _WordIndex] = {}
_INDEXES_MAX = 4096


def _word_index(tables: Sequence[tuple[PcsTable, tuple[BodyPartValue, ...]]]) -> _WordIndex:
    """The candidate tables' body part values by label word and stem, built once per set of
    tables (a generic word such as "excision" reaches dozens of tables)."""
    key = tuple(id(t) for t, _ in tables)
    found = _INDEXES.get(key)
    if found is not None and all(a is b for a, (b, _) in zip(found.tables, tables, strict=True)):
        return found
    items = tuple((t, item) for t, values in tables for item in values if item.words)
    words: dict[str, list[int]] = {}
    stems: dict[str, list[int]] = {}
    for k, (_, item) in enumerate(items):
        for w in item.words:
            words.setdefault(w, []).append(k)
        for st in item.stems:
            stems.setdefault(st, []).append(k)
    index = _WordIndex(
        tuple(t for t, _ in tables), items,
        {w: tuple(v) for w, v in words.items()}, {w: tuple(v) for w, v in stems.items()},
    )  # fmt: skip
    if len(_INDEXES) >= _INDEXES_MAX:
        _INDEXES.clear()
    _INDEXES[key] = index
    return index


def choose_body_part(
    tables: Sequence[tuple[PcsTable, tuple[BodyPartValue, ...]]],
    mentions: Sequence[Mention],
    fixed: tuple[str, ...],
    sides: frozenset[str],
    prefer_bilateral: bool,
    said: frozenset[str] = frozenset(),
    fixed_words: frozenset[str] = frozenset(),
) -> BodyPartChoice | None:
    """The best-documented body part value over the candidate tables. The statement's
    words (``said``) and the named organ's words (``fixed_words``) weigh only in the
    Medical and Surgical section, whose labels name tissues and regions ("Subcutaneous
    Tissue and Fascia, Right Upper Leg"); other sections match anatomy phrases alone."""
    mentioned = frozenset(w for a in fixed for w in a.split()) | frozenset(
        w for m in mentions for a in m.atoms for w in a.split()
    )
    # Side and short function words select nothing by themselves ("right", "of").
    extra = fixed_words if fixed else frozenset(w for w in said if len(w) > 3) - _SIDE_WORDS
    if not mentioned | extra:
        return None
    stems = frozenset(w[:4] for w in mentioned if len(w) >= 5)
    best: BodyPartChoice | None = None
    index = _word_index(tables)
    # Every part of the label must be documented: only values that share a word (or a
    # stem) with what was said are scored, in the tables' own order.
    every = mentioned | extra
    found = sorted({k for w in every for k in index.words.get(w, ())}
                   | {k for st in stems for k in index.stems.get(st, ())})  # fmt: skip
    scored: dict[tuple[str, bool], tuple[float, bool, str]] = {}  # one label, many tables
    for k in found:
        table, item = index.items[k]
        surgical = table.prefix[0] == "0"
        if not surgical and not (item.words & mentioned or item.stems & stems):
            continue  # other sections match anatomy phrases alone
        key = (item.value.label, surgical)
        if key not in scored:
            scored[key] = score_body_part(
                item.value.label, mentions, fixed, sides, prefer_bilateral,
                said if surgical else frozenset(), fixed_words if surgical else frozenset(),
                alternatives=surgical,
            )  # fmt: skip
        score, uncertain, words = scored[key]
        if score > 0 and (best is None or score > best.score):
            best = BodyPartChoice(table, item.value, score, uncertain, words)
    return best


def contralateral(table: PcsTable, value: AxisValue) -> AxisValue | None:
    """The other side's value of a paired body part (B4.3: code each side when the table
    has no bilateral value)."""
    atoms, side = label_atoms(value.label)
    if side not in ("right", "left"):
        return None
    other = "left" if side == "right" else "right"
    values = {v.code: v for r in table.rows for v in r.values(4)}.values()
    if any(_paired(label_atoms(v.label), atoms, "bilateral") for v in values):
        return None
    return next((v for v in values if _paired(label_atoms(v.label), atoms, other)), None)


def _paired(found: tuple[frozenset[str], str | None], atoms: frozenset[str], side: str) -> bool:
    parts, found_side = found
    return (
        found_side == side
        and len(parts) == len(atoms)
        and all(any(same_organ(p, a) for a in atoms) for p in parts)
    )
