"""The curated word -> HCPCS Level II pointers (``procedures/data/hcpcs_hints.json``).

Rules are data, loaded and checked like the ConText rules: unknown keys are refused.
Only code numbers are stored; descriptors and units come from the installed release.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from medcoder.errors import SourceFormatError

KINDS = ("drug", "dme", "supply", "service")
_HINT_KEYS = {"kind", "names", "codes", "cue", "lateral", "count", "alternates", "pair",
              "products"}  # fmt: skip
_ALTERNATE_KEYS = {"cues", "unless", "codes"}


@dataclass(frozen=True, slots=True)
class Alternate:
    """Other codes for the same service when the note's history calls for them."""

    cues: re.Pattern[str]  # what calls for these codes ("family history of colon cancer")
    unless: re.Pattern[str] | None  # what rules them out ("average risk")
    codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HcpcsHint:
    kind: str
    names: tuple[str, ...]
    codes: tuple[str, ...]  # newest first: the first valid on the date of service is used
    cue: str
    lateral: bool = False
    count: str = ""  # regex for the counted item of a supply ("strips?")
    alternates: tuple[Alternate, ...] = ()
    pair: str = ""  # a vaccine administration: the product it is reported with
    products: tuple[tuple[str, str], ...] = ()  # product name -> CPT number


@dataclass(frozen=True, slots=True)
class HintBook:
    version: str
    hints: tuple[HcpcsHint, ...]
    cues: dict[str, tuple[str, ...]]

    def pattern(self) -> re.Pattern[str]:
        """One regex over every name, on word boundaries, the longest name winning.

        The names are merged into a trie ("cane|quad cane|crutches" shares prefixes), which
        the regex engine scans two to three times faster than a flat alternation: this
        runs over every note ``medcoder code`` reads.
        """
        return re.compile(
            r"(?<![\w-])(" + _trie({n for h in self.hints for n in h.names}) + r")(?![\w-])"
        )

    def by_name(self) -> dict[str, HcpcsHint]:
        return {name: hint for hint in self.hints for name in hint.names}

    @classmethod
    def from_json(cls, path: Path | str, text: str | None = None) -> HintBook:
        try:
            data = json.loads(text if text is not None else Path(path).read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise SourceFormatError(path, f"unreadable HCPCS hints: {exc}") from exc
        cues = {k: tuple(v) for k, v in data.get("cues", {}).items()}
        hints = []
        for number, item in enumerate(data.get("hints", []), start=1):
            unknown = set(item) - _HINT_KEYS
            if unknown:
                raise SourceFormatError(path, f"hint {number}: unknown keys {sorted(unknown)}")
            if item.get("kind") not in KINDS or item.get("cue") not in cues:
                raise SourceFormatError(path, f"hint {number}: bad kind or cue")
            if not item.get("names") or not item.get("codes"):
                raise SourceFormatError(path, f"hint {number}: needs names and codes")
            hints.append(
                HcpcsHint(
                    kind=item["kind"],
                    names=tuple(n.lower() for n in item["names"]),
                    codes=tuple(c.upper() for c in item["codes"]),
                    cue=item["cue"],
                    lateral=bool(item.get("lateral", False)),
                    count=str(item.get("count", "")),
                    alternates=tuple(
                        _alternate(path, number, a) for a in item.get("alternates", [])
                    ),
                    pair=str(item.get("pair", "")),
                    products=tuple(
                        (str(k).lower(), str(v)) for k, v in item.get("products", {}).items()
                    ),
                )
            )
        return cls(str(data.get("version", "")), tuple(hints), cues)


def _regex(path: Path | str, number: int, words: Any) -> re.Pattern[str]:
    if not isinstance(words, list) or not words:
        raise SourceFormatError(path, f"hint {number}: alternate cues must be a list")
    try:
        return re.compile(r"\b(?:" + "|".join(str(w) for w in words) + r")\b", re.IGNORECASE)
    except re.error as exc:
        raise SourceFormatError(path, f"hint {number}: bad alternate cue: {exc}") from exc


def _alternate(path: Path | str, number: int, item: Any) -> Alternate:
    if not isinstance(item, dict) or set(item) - _ALTERNATE_KEYS or not item.get("codes"):
        raise SourceFormatError(path, f"hint {number}: alternates need cues and codes only")
    return Alternate(
        cues=_regex(path, number, item.get("cues")),
        unless=_regex(path, number, item["unless"]) if item.get("unless") else None,
        codes=tuple(str(c).upper() for c in item["codes"]),
    )


def _trie(names: set[str]) -> str:
    root: dict[str, Any] = {}
    for name in names:
        node = root
        for char in name:
            node = node.setdefault(char, {})
        node[""] = {}
    return _branch(root)


def _branch(node: dict[str, Any]) -> str:
    ends = "" in node
    parts = [re.escape(char) + _branch(child) for char, child in sorted(node.items()) if char]
    if not parts:
        return ""
    if ends:  # greedy: the longer name is tried first
        return "(?:" + "|".join(parts) + ")?"
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


def choose_codes(hint: HcpcsHint, text: str) -> tuple[HcpcsHint, str]:
    """The hint's codes, or an alternate's when the note gives the history that calls for
    it ("father had colon cancer": G0105, not G0121) and none of its exclusions."""
    for alternate in hint.alternates:
        if alternate.unless is not None and alternate.unless.search(text):
            continue
        found = alternate.cues.search(text)
        if found is not None:
            return replace(hint, codes=alternate.codes), f"{found.group(0)!r}: {alternate.codes[0]}"
    if hint.alternates:
        return hint, f"no history calling for {hint.alternates[0].codes[0]}: {hint.codes[0]}"
    return hint, ""


def vaccine_pair(hint: HcpcsHint, text: str) -> str:
    """The vaccine product the note names (its CPT number) for the administration code."""
    lowered = text.lower()
    for name, code in hint.products:
        if name in lowered:
            return f"pair with the product {name!r}: CPT {code} (reported by the CPT stage)"
    return f"pair with the {hint.pair} product code (CPT 90xxx; product not named)"


@cache
def default_hints() -> HintBook:
    source = resources.files("medcoder.procedures").joinpath("data/hcpcs_hints.json")
    return HintBook.from_json(
        "medcoder/procedures/data/hcpcs_hints.json", source.read_text("utf-8")
    )
