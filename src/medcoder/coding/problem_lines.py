"""Problem lines and clauses: how an assessment's sentences are read before coding.

An assessment is often written as a problem list: short heading lines ("Kidney stones.",
"2. Hypertension, stable.") with the reasoning under each (Guidelines IV.I / IV.J: the
problems assessed are what is reported); a field label ("Medical Reasoning:") is not a
finding. A mention's Index words come from its own comma / semicolon clause.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from medcoder.nlp.sections import DIAGNOSTIC_SECTIONS, Section
from medcoder.nlp.text import Sentence, Token

# An assessment written as a problem list: "Kidney stones." / "2. Hypertension, stable."
PROBLEM_LINE_WORDS = 14
PLAN_VERBS = frozenset(
    {
        "continue",
        "start",
        "stop",
        "increase",
        "decrease",
        "order",
        "obtain",
        "refer",
        "return",
        "follow",
        "recheck",
        "check",
        "schedule",
        "discuss",
        "advise",
        "advised",
        "encourage",
        "encouraged",
        "counsel",
        "counseled",
        "monitor",
        "repeat",
        "consider",
        "initiate",
        "prescribe",
        "prescribed",
        "recommend",
        "recommended",
        "will",
        "we",
        "plan",
        "see",
        "call",
        "add",
        "hold",
        "resume",
        "titrate",
        "avoid",
        "begin",
        "take",
        "send",
        "continued",
        "started",
    }
)
# "Medical Reasoning:", "Patient Education and Counseling:": a field label, not findings.
_LABEL_RE = re.compile(r"^[\s•*\-–\d.)]*([A-Za-z][A-Za-z /&'-]{0,60}):")


def field_label(sentence: Sentence) -> re.Match[str] | None:
    """The sentence's leading field label ("Medical Reasoning:"), at most six words."""
    label = _LABEL_RE.match(sentence.text)
    return label if label and len(label.group(1).split()) <= 6 else None


_CLAUSE_BREAK_RE = re.compile(r"[,;:()]|\s-\s")


def clause_bounds(sentence: Sentence) -> list[tuple[int, int]]:
    """Character ranges (document offsets) of the sentence's comma / semicolon clauses."""
    bounds: list[tuple[int, int]] = []
    start = sentence.start
    for m in _CLAUSE_BREAK_RE.finditer(sentence.text):
        bounds.append((start, sentence.start + m.start()))
        start = sentence.start + m.end()
    bounds.append((start, sentence.end))
    return bounds


def _is_problem_line(section: Section, sentence: Sentence, tokens: Sequence[Token]) -> bool:
    if section.kind not in DIAGNOSTIC_SECTIONS:
        return False
    if field_label(sentence) is not None:
        return False
    words = [t.norm for t in tokens if t.norm.isalnum()]
    if words and words[0].isdigit():
        words = words[1:]  # "2. Hypertension."
    if not words or words[0] in PLAN_VERBS:
        return False  # "Continue headache diary.": an order, not a problem
    return len(words) <= PROBLEM_LINE_WORDS


def problem_blocks(
    section: Section, sentences: Sequence[Sentence], tokens: Sequence[Sequence[Token]]
) -> list[frozenset[str] | None]:
    """For each problem line, the words of the lines under it (until the next problem)."""
    flags = [_is_problem_line(section, s, t) for s, t in zip(sentences, tokens, strict=True)]
    out: list[frozenset[str] | None] = []
    for i, flag in enumerate(flags):
        if not flag:
            out.append(None)
            continue
        words: set[str] = set()
        for j in range(i + 1, len(sentences)):
            if flags[j]:
                break
            words.update(t.norm for t in tokens[j])
        out.append(frozenset(words))
    return out
