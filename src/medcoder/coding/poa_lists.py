"""Code lists the POA proposal reads: the exempt list and the chronic categories.

Both are data (``coding/data/poa_exempt.json``, ``coding/data/poa_chronic.json``), each
entry a category, subcategory or code (``I25.2``) or an inclusive range of them
(``V00-V09``, ``Z77.110-Z77.128``) with the codes it leaves out (``except``). A code is
covered when its first characters fall in the range, so ``S72.001A`` (7th character)
and ``V43.52XA`` (placeholder X) are covered by their category. The files are read on
first use, never at import, and an entry the loader does not understand is refused with
the file and entry named (medspaCy's ``from_json`` rejects unknown keys the same way).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from importlib import resources

from medcoder.errors import ConfigurationError

_KEYS = frozenset({"codes", "title", "except", "sure"})
_SURE = frozenset({"high", "medium", "low"})
_CODE_RE = re.compile(r"^[A-Z][0-9][0-9A-Z](?:[0-9A-Z]{1,4})?$")


def code_key(code: str) -> str:
    """A code as the lists compare it: upper case, no dot, no spaces."""
    return code.strip().upper().replace(".", "")


@dataclass(frozen=True, slots=True)
class CodeRange:
    """One entry: ``low``..``high`` (equal length, no dots) less the ``excepted`` prefixes."""

    low: str
    high: str
    title: str
    excepted: tuple[str, ...] = ()
    sure: str = "high"

    @property
    def label(self) -> str:
        """The entry as published: ``V00-V09`` or ``I25.2``."""

        def dotted(key: str) -> str:
            return key if len(key) <= 3 else f"{key[:3]}.{key[3:]}"

        if self.low == self.high:
            return dotted(self.low)
        return f"{dotted(self.low)}-{dotted(self.high)}"

    def covers(self, key: str) -> bool:
        head = key[: len(self.low)]
        if len(head) < len(self.low) or not self.low <= head <= self.high:
            return False
        return not any(key.startswith(x) for x in self.excepted)


@dataclass(frozen=True, slots=True)
class CodeRanges:
    """A list of code ranges read from one data file, with the source it names."""

    name: str
    source: str
    entries: tuple[CodeRange, ...]
    # The entries that may cover a code, by its first letter (looked up for every code).
    by_letter: dict[str, tuple[CodeRange, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        index: dict[str, list[CodeRange]] = {}
        for entry in self.entries:
            for letter in range(ord(entry.low[0]), ord(entry.high[0]) + 1):
                index.setdefault(chr(letter), []).append(entry)
        self.by_letter.update({k: tuple(v) for k, v in index.items()})

    def find(self, code: str) -> CodeRange | None:
        """The entry that covers ``code`` (dotted or not), or None."""
        key = code_key(code)
        for entry in self.by_letter.get(key[:1], ()):
            if entry.covers(key):
                return entry
        return None

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.find(code) is not None

    @classmethod
    def from_json(cls, name: str, data: object) -> CodeRanges:
        """Validate the parsed JSON of list ``name``; anything unexpected is E100 naming
        the file and the entry."""
        if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
            raise ConfigurationError(f"{name}: expected an object with an 'entries' list")
        source = data.get("source")
        if not isinstance(source, str) or not source:
            raise ConfigurationError(f"{name}: the list names no 'source'")
        return cls(name, source, tuple(_entry(name, n, e) for n, e in enumerate(data["entries"])))


def _entry(name: str, number: int, raw: object) -> CodeRange:
    where = f"{name} entry {number}"
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{where}: expected an object, got {type(raw).__name__}")
    unknown = set(raw) - _KEYS
    if unknown:
        raise ConfigurationError(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))}",
            hint=f"an entry has only {', '.join(sorted(_KEYS))}",
        )
    codes, title = raw.get("codes"), raw.get("title", "")
    excepted, sure = raw.get("except", []), raw.get("sure", "high")
    if not isinstance(codes, str) or not isinstance(title, str) or sure not in _SURE:
        raise ConfigurationError(f"{where}: 'codes' and 'title' are text, 'sure' high|medium|low")
    low, _, high = (code_key(part) for part in codes.partition("-"))
    high = high or low
    if not _CODE_RE.match(low) or not _CODE_RE.match(high) or len(low) != len(high):
        raise ConfigurationError(f"{where}: {codes!r} is not a code or a range of equal length")
    if low > high:
        raise ConfigurationError(f"{where}: range {codes!r} runs backwards")
    if not isinstance(excepted, list) or not all(isinstance(x, str) for x in excepted):
        raise ConfigurationError(f"{where}: 'except' is a list of codes")
    keys = tuple(code_key(x) for x in excepted)
    for key in keys:
        if not _CODE_RE.match(key):
            raise ConfigurationError(f"{where}: exception {key!r} is not a code")
    return CodeRange(low, high, title, keys, str(sure))


def read_list(name: str) -> CodeRanges:
    """The list in ``coding/data/<name>``."""
    resource = resources.files("medcoder.coding") / "data" / name
    try:
        data = json.loads(resource.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigurationError(f"coding/data/{name}: cannot be read ({exc})") from exc
    return CodeRanges.from_json(f"coding/data/{name}", data)


@functools.lru_cache(maxsize=1)
def exempt_list() -> CodeRanges:
    """ICD-10-CM Official Guidelines, Appendix I: categories and codes exempt from
    diagnosis present-on-admission reporting (indicator "1")."""
    return read_list("poa_exempt.json")


@functools.lru_cache(maxsize=1)
def chronic_list() -> CodeRanges:
    """Categories of conditions chronic by definition (Appendix I: chronic conditions
    are POA "Y" even when diagnosed after admission)."""
    return read_list("poa_chronic.json")
