"""The office/outpatient E/M rules as data (``procedures/data/em_rules.json``) and the
level arithmetic of the published medical decision making (MDM) table.

Source: AMA CPT E/M Services Guidelines for office or other outpatient services,
effective 2021-01-01 (Table 1, Levels of Medical Decision Making), and the total-time
thresholds as revised for 2024 (time is met or exceeded; 99211 has no time threshold).
Only CPT numbers live here: no CPT descriptor text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from medcoder.errors import EMRulesError
from medcoder.procedures.phrases import PhraseBook, PhraseIndex

# MDM levels, lowest first; "straightforward" also stands for "minimal or none".
LEVELS = ("straightforward", "low", "moderate", "high")
STATUSES = ("new", "established")


def level_rank(level: str) -> int:
    return LEVELS.index(level)


def mdm_level(problems: str, data: str, risk: str) -> str:
    """2 of 3 elements must meet or exceed a level: the middle of the three levels."""
    ranks = sorted(level_rank(x) for x in (problems, data, risk))
    return LEVELS[ranks[1]]


def data_level(
    tests_documents: int, historian: bool, interpretation: bool, discussion: bool
) -> str:
    """The data element from its three categories (AMA MDM table, "Amount and/or
    Complexity of Data to be Reviewed and Analyzed").

    Category 1 counts each unique test ordered or reviewed and each unique source of
    external notes; the independent historian joins it at the moderate and high levels
    and stands alone at the limited level. Category 2 is the independent interpretation
    of a test; category 3 the discussion of management with an external physician.
    """
    category1 = tests_documents + (1 if historian else 0) >= 3
    met = sum((category1, interpretation, discussion))
    if met >= 2:
        return "high"  # extensive: 2 of 3 categories
    if met == 1:
        return "moderate"  # 1 of 3 categories
    if tests_documents >= 2 or historian:
        return "low"  # limited: 2 tests/documents, or an independent historian
    return "straightforward"


@dataclass(frozen=True, slots=True)
class EMRules:
    """Everything the E/M stage matches and the code tables it reports from."""

    version: str
    source: str
    codes: Mapping[str, Mapping[str, str]]  # status -> level (or "minimal") -> CPT number
    time_thresholds: Mapping[str, tuple[tuple[int, str], ...]]  # status -> (minutes, code)
    book: PhraseBook  # every phrase list, named "<part>.<key>" ("risk.otc")
    tests: Mapping[str, str]  # test phrase -> unique test name
    imaging: frozenset[str]
    rx_suffixes: tuple[str, ...]  # drug-name endings: "-pril", "-sartan"
    # One problem written under two names counts once: "verruca" is the "wart".
    problem_synonyms: Mapping[str, str] = field(default_factory=dict)

    def index(self, lowered: str, spans: Sequence[tuple[int, int]] | None = None) -> PhraseIndex:
        """Every phrase list looked up in one note (lower-cased), in ``spans`` or all."""
        return self.book.index(lowered, spans)

    def time_code(self, status: str, minutes: int) -> str | None:
        """The code whose total-time threshold ``minutes`` meets or exceeds, if any."""
        found = None
        for threshold, code in self.time_thresholds[status]:
            if minutes >= threshold:
                found = code
        return found

    def mdm_code(self, status: str, level: str) -> str:
        return self.codes[status][level]


_KEYS: dict[str, set[str]] = {
    "": {"version", "source", "codes", "time_thresholds", "patient_status", "visit",
         "problems", "data", "risk", "procedures"},
    "patient_status": {*STATUSES, "same_group"},
    "visit": {"not_office", "not_office_narrative", "narrative_visit", "narrative_assessment",
              "staff_only"},
    "problems": {"life_threat", "worsening", "undiagnosed", "systemic", "systemic_illness",
                 "complicated_injury", "chronic", "acute", "minor", "not_resolving", "stable",
                 "synonyms"},
    "data": {"tests", "imaging", "review_cues", "order_cues", "negation_cues", "external_notes",
             "historian", "interpretation", "discussion", "discussion_party"},
    "risk": {"high", "precaution", "sdoh", "major_surgery", "surgical_risk_factors",
             "minor_surgery", "otc", "otc_cues", "low_other", "rx_words", "rx_drugs",
             "rx_suffixes", "management_cues"},
    "procedures": {"names", "performed_cues", "indication_cues"},
}  # fmt: skip


def _check(data: Any, part: str, source: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise EMRulesError(f"{source}: {part or 'the file'} must be an object")
    unknown = sorted(set(data) - _KEYS[part])
    missing = sorted(_KEYS[part] - set(data))
    where = f" in {part!r}" if part else ""
    if unknown:
        raise EMRulesError(
            f"{source}: unknown key(s){where}: {', '.join(unknown)}",
            hint=f"allowed: {', '.join(sorted(_KEYS[part]))}",
        )
    if missing:
        raise EMRulesError(f"{source}: missing key(s){where}: {', '.join(missing)}")
    return data


def _lists(parts: dict[str, dict[str, Any]], source: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part, data in parts.items():
        for key, words in data.items():
            if key in ("tests", "rx_suffixes", "synonyms"):
                continue
            if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                raise EMRulesError(f"{source}: {part}.{key} must be a list of strings")
            out[f"{part}.{key}"] = words
    return out


def rules_from_data(raw: Any, source: str = "<rules>") -> EMRules:
    """Validate the rules object (unknown or missing keys are refused, E321)."""
    top = _check(raw, "", source)
    parts = {p: _check(top[p], p, source) for p in _KEYS if p}
    codes = top["codes"]
    thresholds = top["time_thresholds"]
    for status in STATUSES:
        if status not in codes or status not in thresholds:
            raise EMRulesError(f"{source}: codes and time_thresholds need {status!r}")
        missing = [lv for lv in LEVELS if lv not in codes[status]]
        if missing:
            raise EMRulesError(f"{source}: codes.{status} lacks {', '.join(missing)}")
    tests_raw = parts["data"]["tests"]
    synonyms = parts["problems"]["synonyms"]
    if not isinstance(synonyms, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in synonyms.items()
    ):
        raise EMRulesError(f"{source}: problems.synonyms must map names to names")
    lists = _lists(parts, source)
    lists["tests"] = [phrase for phrases in tests_raw.values() for phrase in phrases]
    return EMRules(
        version=str(top["version"]),
        source=str(top["source"]),
        codes={s: dict(codes[s]) for s in STATUSES},
        time_thresholds={
            s: tuple((int(m), str(c)) for m, c in sorted(thresholds[s])) for s in STATUSES
        },
        book=PhraseBook.build(lists),
        tests={p.lower(): name for name, phrases in tests_raw.items() for p in phrases},
        rx_suffixes=tuple(parts["risk"]["rx_suffixes"]),
        imaging=frozenset(parts["data"]["imaging"]),
        problem_synonyms={k.lower(): v.lower() for k, v in synonyms.items()},
    )


@cache
def default_em_rules() -> EMRules:
    """em_rules.json as shipped, read once (never at import)."""
    resource = resources.files("medcoder.procedures") / "data" / "em_rules.json"
    return rules_from_data(json.loads(resource.read_text(encoding="utf-8")), str(resource))
