"""Recall and precision of a scrubber over the planted identifiers.

``python -m tests.records.deid_cases.evaluate`` prints the figures for ``deid.scrub``
on the synthetic set and on the held-back notes.

An identifier counts as removed when none of its identifying tokens is left in the
output (the year of a date of someone 89 or younger, the words "County" or "year old"
and the like are not identifying; see ``GENERIC``). Every token of a planted identifier
occurs nowhere else in its note (``generate.unique``), so a token left is that
identifier leaking. Precision is measured on the changes: the original text is split
into tokens, aligned with the output, and each run of original tokens that was replaced
is one redaction, right when it overlaps a planted identifier.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from medcoder.records.deid import PatientIdentifiers, scrub

from .generate import MARK, TOKEN, parse

HERE = Path(__file__).parent
GENERIC = frozenset(
    [
        "county",
        "the",
        "of",
        "th",
        "st",
        "nd",
        "rd",
        "and",
        "year",
        "years",
        "old",
        "yo",
        "y",
        "o",
        "aged",
        "mr",
        "ms",
        "mrs",
        "dr",
        "s",
        "road",
        "street",
        "avenue",
        "lane",
        "drive",
        "court",
        "blvd",
        "way",
        "rd",
    ]
)
Scrubber = Callable[[str, PatientIdentifiers], str]


@dataclass(frozen=True, slots=True)
class Case:
    """One note, the record's identifiers, what is planted in it and what must stay."""

    text: str
    who: PatientIdentifiers
    identifiers: tuple[tuple[int, int, str], ...]
    keep: tuple[str, ...] = ()


@dataclass(slots=True)
class Figures:
    """Counts behind recall (per kind) and precision."""

    planted: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    redactions: int = 0
    right: int = 0
    lost_clinical: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return sum(self.removed.values()) / max(1, sum(self.planted.values()))

    @property
    def precision(self) -> float:
        return self.right / max(1, self.redactions)


def _who(names: list[str], mrns: list[str], dob: str | None) -> PatientIdentifiers:
    return PatientIdentifiers(
        names=tuple(names), mrns=tuple(mrns), dob=dt.date.fromisoformat(dob) if dob else None
    )


def synthetic() -> Iterator[Case]:
    for line in (HERE / "synthetic.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        w = item["who"]
        yield Case(
            item["text"],
            _who(w["names"], w["mrns"], w["dob"]),
            tuple((s["start"], s["end"], s["kind"]) for s in item["identifiers"]),
            tuple(item["keep"]),
        )


def heldback() -> Iterator[Case]:
    body = "\n".join(
        ln for ln in (HERE / "heldback.txt").read_text(encoding="utf-8").splitlines()
        if not ln.startswith("#")
    )  # fmt: skip
    for block in body.split("\n---\n"):
        head, _, marked = block.strip().partition("\n")
        name, mrn, dob = (p.strip() for p in head.removeprefix("who:").split("|"))
        text, spans = parse(marked)
        assert MARK.search(text) is None
        yield Case(
            text,
            _who([name], [mrn], dob),
            tuple((int(str(s["start"])), int(str(s["end"])), str(s["kind"])) for s in spans),
        )


def _identifying(token: str, kind: str) -> bool:
    low = token.lower()
    if low in GENERIC:
        return False
    # A year stays (Safe Harbor keeps it) unless it shows an age over 89.
    oldest = dt.date.today().year - 90
    return not (kind == "date" and re.fullmatch(r"(19|20)\d\d", low) and int(low) > oldest)


def _left(token: str, output: str) -> bool:
    pattern = rf"(?<![A-Za-z0-9]){re.escape(token)}(?![A-Za-z0-9])"
    return re.search(pattern, output, re.IGNORECASE) is not None


_PIECE = re.compile(r"\w+|[^\w\s]")


def _redactions(original: str, output: str) -> list[tuple[int, int]]:
    """Character spans of ``original`` whose tokens were replaced or dropped."""
    before = [(m.start(), m.end(), m.group()) for m in _PIECE.finditer(original)]
    after = [m.group() for m in _PIECE.finditer(output)]
    matcher = difflib.SequenceMatcher(None, [t for *_, t in before], after, autojunk=False)
    spans = []
    for op, i1, i2, _j1, _j2 in matcher.get_opcodes():
        if op in ("replace", "delete") and i2 > i1:
            spans.append((before[i1][0], before[i2 - 1][1]))
    return spans


def evaluate(cases: Iterator[Case], scrubber: Scrubber = scrub) -> Figures:
    """Recall per kind and precision of ``scrubber`` over ``cases``."""
    fig = Figures()
    for case in cases:
        out = scrubber(case.text, case.who)
        seen = out.replace("90+", "[AGE]")  # Safe Harbor's own category for 90 and over
        for start, end, kind in case.identifiers:
            surface = case.text[start:end]
            fig.planted[kind] = fig.planted.get(kind, 0) + 1
            left = [t for t in TOKEN.findall(surface) if _identifying(t, kind) and _left(t, seen)]
            if left:
                fig.leaks.append(f"{kind}: {surface!r} left {left}")
            else:
                fig.removed[kind] = fig.removed.get(kind, 0) + 1
        for start, end in _redactions(case.text, out):
            fig.redactions += 1
            if any(s < end and start < e for s, e, _ in case.identifiers):
                fig.right += 1
            else:
                fig.wrong.append(case.text[start:end])
        fig.lost_clinical += [k for k in case.keep if k not in out]
    return fig


def report(name: str, fig: Figures) -> str:
    lines = [
        f"{name}: recall {fig.recall:.4f} ({sum(fig.removed.values())}/"
        f"{sum(fig.planted.values())}), precision {fig.precision:.4f} "
        f"({fig.right}/{fig.redactions}), clinical phrases lost {len(fig.lost_clinical)}"
    ]
    for kind in sorted(fig.planted):
        lines.append(f"  {kind:10} {fig.removed.get(kind, 0)}/{fig.planted[kind]}")
    lines += [f"  LEAK {x}" for x in fig.leaks]
    lines += [f"  OVER {x!r}" for x in fig.wrong]
    lines += [f"  LOST {x!r}" for x in fig.lost_clinical]
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    print(report("synthetic", evaluate(synthetic())))
    if "--heldback" in sys.argv:
        print(report("held-back", evaluate(heldback())))
