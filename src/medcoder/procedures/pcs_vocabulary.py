"""The words of operative text that name PCS axis values: procedures, approaches,
devices and anatomy, read from ``data/pcs_vocabulary.json`` (rules as data, unknown keys
rejected) and matched on normalized words."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from medcoder.errors import SourceFormatError
from medcoder.nlp.text import norm_word, tokenize

_ENTRY_KEYS = frozenset(
    {"words", "code", "table", "section", "operation", "body_system", "body_part", "approach",
     "device", "qualifier", "inspection", "rule", "usual_body_part"}
)  # fmt: skip
_TOP_KEYS = frozenset(
    {
        "version",
        "source",
        "procedures",
        "approaches",
        "devices",
        "anatomy",
        "matter",
        "findings",
        "substances",
    }
)


def norm_phrase(text: str) -> tuple[str, ...]:
    """The normalized words of a phrase, as the note's words are normalized."""
    return tuple(t.norm for t in tokenize(text.replace("-", " ")))


@dataclass(frozen=True, slots=True)
class ProcedureEntry:
    """Words that name a procedure and the axis values they fix.

    ``code``: a whole code (an ECG is always 4A02X4Z). ``table``: characters 1-3.
    ``section`` + ``operation`` (+ ``body_system``): every table of that root operation.
    ``body_part``: anatomy words of the body part, else found near the words in the note.
    ``approach`` / ``device`` / ``qualifier``: labels of those axes the words imply
    (``device``: character 6 whatever its axis: the Substance of Administration).
    ``usual_body_part``: the body part when the statement names none, named in
    ``uncertain_axes`` ("intravenous chemotherapy" with no line named: a peripheral vein).
    ``inspection``: an inspection, not coded beside a definitive procedure on the same
    body system (ICD-10-PCS Guidelines B3.11a).
    """

    words: tuple[str, ...]
    code: str | None = None
    table: str | None = None
    section: str | None = None
    operation: str | None = None
    body_system: str | None = None
    body_part: str | None = None
    approach: str | None = None
    device: str | None = None
    qualifier: str | None = None
    inspection: bool = False
    rule: str | None = None
    usual_body_part: str | None = None

    @property
    def generic(self) -> bool:
        """A root operation word alone ("excision"): it needs anatomy documented nearby."""
        return self.code is None and self.table is None


class PhraseIndex:
    """Phrases (tuples of normalized words) found in a token sequence, longest first."""

    def __init__(self, phrases: Iterable[tuple[tuple[str, ...], object]]) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], object]]] = {}
        for words, value in phrases:
            if words:
                self._by_first.setdefault(words[0], []).append((words, value))
        for items in self._by_first.values():
            items.sort(key=lambda item: -len(item[0]))

    def find(self, norms: Sequence[str]) -> Iterator[tuple[int, int, object]]:
        """(first token, one past the last token, value), without overlaps."""
        by_first = self._by_first
        after = 0  # the first token a match may start at
        for i in [k for k, word in enumerate(norms) if word in by_first]:
            if i < after:
                continue
            for words, value in by_first[norms[i]]:
                size = len(words)
                if size == 1 or tuple(norms[i : i + size]) == words:
                    yield i, i + size, value
                    after = i + size
                    break

    def __contains__(self, word: str) -> bool:
        return word in self._by_first

    def next_words(self, word: str) -> frozenset[str] | None:
        """The second words of the phrases ``word`` starts; None when ``word`` alone is a
        phrase (any occurrence may be one)."""
        items = self._by_first.get(word, ())
        if any(len(words) == 1 for words, _ in items):
            return None
        return frozenset(words[1] for words, _ in items)


@dataclass(frozen=True, slots=True)
class PcsVocabulary:
    version: str
    procedures: tuple[ProcedureEntry, ...]
    approaches: dict[str, tuple[str, ...]]  # approach label -> words
    devices: dict[str, tuple[str, ...]]  # device label -> words
    anatomy: dict[tuple[str, ...], tuple[str, ...]]  # anatomy atoms -> words
    matter: tuple[str, ...] = ()  # solid matter taken out by Extirpation ("stone", "clot")
    findings: frozenset[str] = frozenset()  # Index terms notes use for findings, not procedures
    substances: dict[str, tuple[str, ...]] = field(default_factory=dict)  # Administration

    def procedure_index(self) -> PhraseIndex:
        return PhraseIndex((norm_phrase(w), e) for e in self.procedures for w in e.words)

    def label_index(self, table: dict[str, tuple[str, ...]]) -> PhraseIndex:
        return PhraseIndex((norm_phrase(w), label) for label, ws in table.items() for w in ws)

    def anatomy_index(self) -> PhraseIndex:
        return PhraseIndex((norm_phrase(w), atoms) for atoms, ws in self.anatomy.items()
                           for w in ws)  # fmt: skip


def _fail(problem: str) -> SourceFormatError:
    return SourceFormatError("pcs_vocabulary.json", problem)


def _entry(item: Any, number: int) -> ProcedureEntry:
    if not isinstance(item, dict) or not item.get("words"):
        raise _fail(f"procedure {number}: an object with a non-empty 'words' list")
    unknown = set(item) - _ENTRY_KEYS
    if unknown:
        raise _fail(f"procedure {number}: unknown keys {sorted(unknown)}")
    if not any(k in item for k in ("code", "table", "operation")):
        raise _fail(f"procedure {number}: needs 'code', 'table' or 'operation'")
    data = {k: v for k, v in item.items() if k != "words"}
    return ProcedureEntry(words=tuple(item["words"]), **data)


def _atoms(key: str) -> tuple[str, ...]:
    """``"abdomen|pelvis"`` -> ("abdomen", "pelvis"), words normalized like the note's."""
    return tuple(" ".join(norm_word(w) for w in part.split()) for part in key.split("|"))


def load_vocabulary(data: Any = None) -> PcsVocabulary:
    """The bundled vocabulary, or ``data`` in the same shape (for tests)."""
    if data is None:
        resource = resources.files("medcoder.procedures") / "data" / "pcs_vocabulary.json"
        data = json.loads(resource.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or set(data) - _TOP_KEYS:
        raise _fail(f"top-level keys must be among {sorted(_TOP_KEYS)}")
    return PcsVocabulary(
        version=str(data.get("version", "")),
        procedures=tuple(_entry(e, n) for n, e in enumerate(data.get("procedures", ()), 1)),
        approaches={k: tuple(v) for k, v in data.get("approaches", {}).items()},
        devices={k: tuple(v) for k, v in data.get("devices", {}).items()},
        anatomy={_atoms(key): tuple(v) for key, v in data.get("anatomy", {}).items()},
        matter=tuple(data.get("matter", ())),
        findings=frozenset(data.get("findings", ())),
        substances={k: tuple(v) for k, v in data.get("substances", {}).items()},
    )
