"""Tabular completion: from the code the Index prints to the reportable code(s).

ICD-10-CM Guidelines I.B.1-3: verify the Index code in the Tabular and report it to the
highest level of detail: laterality from the note (else the unspecified side; both sides
with no bilateral code: the right and the left code, I.B.13), 7th character from the
encounter (initial unless the note says subsequent care or sequela), placeholder X.
"""

from __future__ import annotations

from medcoder.codesets.codes import with_seventh
from medcoder.codesets.store import CodeEntry, Release
from medcoder.coding.memo import remember
from medcoder.coding.routes import WITHOUT, scope_without
from medcoder.nlp.text import tokenize

SUBSEQUENT_WORDS = frozenset({"subsequent", "healing", "followup", "follow_up", "recheck"})
SEQUELA_WORDS = frozenset({"sequela", "sequelae", "late"})
BOTH_SIDES = frozenset({"bilateral", "both", "bilaterally"})


class TabularCompletion:
    """Finishes Index codes in one release's Tabular; memoizes the Tabular's children and
    title words it reads (never a note's)."""

    def __init__(self, release: Release) -> None:
        self.release = release
        self._children: dict[str, tuple[CodeEntry, ...]] = {}
        self._title_words: dict[str, frozenset[str]] = {}

    def _subdivisions(self, code: str) -> tuple[CodeEntry, ...]:
        found = self._children.get(code)
        if found is None:
            found = tuple(self.release.children(code))
            remember(self._children, code, found)
        return found

    def _words_of(self, entry: CodeEntry) -> frozenset[str]:
        found = self._title_words.get(entry.code)
        if found is None:
            norms = [t.norm for t in tokenize(entry.title)]
            found = frozenset(norms) if WITHOUT not in norms else frozenset(scope_without(norms))
            remember(self._title_words, entry.code, found)
        return found

    def complete(self, printed: str, context: frozenset[str]) -> tuple[list[str], list[str]]:
        """Finish an index code in the Tabular: the billable code(s) and the checks made.

        Two codes come back where the note says both sides and the Tabular has a right
        and a left code but no bilateral one (Guidelines I.B.13).
        """
        checks: list[str] = []
        code = printed.rstrip("-").rstrip(".")
        entry = self.release.get(code)
        if entry is None:
            return [], [f"{printed}: not in {self.release.name}"]
        for _ in range(6):
            if entry.billable:
                checks.append(f"{entry.code}: valid for reporting in {self.release.name}")
                return [entry.code], checks
            children = self._subdivisions(entry.code)
            if children and all(c.expansion for c in children):
                char = "A"
                if context & SEQUELA_WORDS:
                    char = "S"
                elif context & SUBSEQUENT_WORDS:
                    char = "D"
                chosen = self.release.get(with_seventh(entry.code, char))
                if chosen is None:
                    chosen = children[0]
                checks.append(f"7th character {chosen.code[-1]} ({_encounter(chosen.code[-1])})")
                entry = chosen
                continue
            subdivisions = [c for c in children if not c.expansion]
            if context & BOTH_SIDES or {"right", "left"} <= context:
                titles = [c.title.lower() for c in subdivisions]
                if not any("bilateral" in t for t in titles):
                    right = [c for c in subdivisions if "right" in c.title.lower()]
                    left = [c for c in subdivisions if "left" in c.title.lower()]
                    if len(right) == 1 and len(left) == 1:
                        checks.append(f"{entry.code}: both sides, no bilateral code (I.B.13)")
                        side_free = context - BOTH_SIDES - {"right", "left"}
                        r_codes, r_checks = self.complete(right[0].code, side_free | {"right"})
                        l_codes, l_checks = self.complete(left[0].code, side_free | {"left"})
                        return r_codes + l_codes, checks + r_checks + l_checks
            nxt = self._choose_child(subdivisions, context)
            if nxt is None:
                return [], [*checks, f"{entry.code}: header, no subdivision fits the note"]
            checks.append(f"{entry.code} is a header: {nxt.code} ({nxt.title})")
            entry = nxt
        return [], checks

    def _choose_child(self, children: list[CodeEntry], context: frozenset[str]) -> CodeEntry | None:
        """The subdivision the note's words describe best (site, side, type), else the
        unspecified one (Guidelines I.B.1: code what is documented, nothing more)."""
        sides: list[str] = []
        if context & BOTH_SIDES or {"right", "left"} <= context:
            sides.append("bilateral")
        sides += [side for side in ("right", "left") if side in context]

        def score(child: CodeEntry) -> tuple[int, int]:
            title = self._words_of(child)
            side_hit = next((i for i, side in enumerate(sides) if side in title), len(sides))
            wrong_side = any(
                s in title for s in ("right", "left", "bilateral")
            ) and side_hit == len(sides)
            words = len((title - {"right", "left", "bilateral", "unspecified"}) & context)
            if wrong_side:
                return (-1, 0)
            return (words + (2 if side_hit < len(sides) else 0), -side_hit)

        scores = {c.code: score(c) for c in children}  # tokenizes each title once
        ranked = sorted(children, key=lambda c: scores[c.code], reverse=True)
        if ranked and scores[ranked[0].code][0] > 0:
            best = scores[ranked[0].code]
            tied = [c for c in ranked if scores[c.code] == best]
            if len(tied) == 1:
                return tied[0]
            unspecified_tied = [c for c in tied if "unspecified" in c.title.lower()]
            return unspecified_tied[0] if unspecified_tied else tied[0]
        unspecified = [c for c in children if "unspecified" in c.title.lower()]
        if unspecified:
            return unspecified[0]
        if len(children) == 1:
            return children[0]
        return None


def _encounter(char: str) -> str:
    return {"A": "initial encounter", "D": "subsequent encounter", "S": "sequela"}.get(
        char, "encounter"
    )
