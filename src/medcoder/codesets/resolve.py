"""Check the codes an index prints against the release's own Tabular List.

A release may pair an older Alphabetic Index with a newer Tabular (FY2025 index, FY2026
Tabular). A coder always verifies an index code in the Tabular (Guidelines I.A, I.B.1):
a code the newer Tabular subdivided is finished to the one descendant that fits when
that is unambiguous, otherwise flagged; a deleted code is flagged, never kept silently.
"""

from __future__ import annotations

from collections.abc import Iterable

from medcoder.codesets.codes import parse_ref
from medcoder.codesets.tabular import CodeRow
from medcoder.errors import MedcoderError

# resolution statuses
OK = "ok"  # billable code
INCOMPLETE = "incomplete"  # printed with '-': the coder finishes it in the Tabular
NEEDS_7TH = "needs_7th"  # valid up to the 7th character, which depends on the encounter
EXPANDED_RESOLVED = "expanded_resolved"  # subdivided in this Tabular; one descendant fits
EXPANDED_AMBIGUOUS = "expanded_ambiguous"  # subdivided; the coder must choose
DELETED = "deleted"  # not in this Tabular
UNPARSED = "unparsed"  # not a code (a cross-reference written in the code column)
NONE = "none"  # an empty table cell ('--')


class IndexCodeResolver:
    def __init__(self, rows: Iterable[CodeRow]) -> None:
        self._rows = {r.code: r for r in rows}
        self._children: dict[str, list[CodeRow]] = {}
        for row in self._rows.values():
            if row.parent is not None and not row.expansion:
                self._children.setdefault(row.parent, []).append(row)

    def resolve(self, printed: str) -> tuple[str | None, str]:
        text = printed.strip()
        if not text or set(text) <= {"-"}:
            return None, NONE
        try:
            ref = parse_ref(text)
        except MedcoderError:
            return None, UNPARSED
        row = self._rows.get(ref.code)
        if row is None:
            return None, DELETED
        if row.billable:
            return row.code, OK
        if row.seven_chr_from is not None and row.code not in self._children:
            return row.code, NEEDS_7TH
        if ref.incomplete:
            return row.code, INCOMPLETE
        choice = self._unambiguous_descendant(row.code)
        if choice is not None:
            return choice, EXPANDED_RESOLVED
        return row.code, EXPANDED_AMBIGUOUS

    def _unambiguous_descendant(self, code: str) -> str | None:
        """The only billable descendant, else the only 'unspecified' direct child.

        Deeper 'unspecified' codes are not chosen: they answer a different axis
        (Q99.8 'other specified' must not become Q99.819).
        """
        direct = self._children.get(code, [])
        unspecified = [r for r in direct if r.billable and "unspecified" in r.title.lower()]
        if len(unspecified) == 1:
            return unspecified[0].code
        billable: list[str] = []
        stack = list(direct)
        while stack and len(billable) < 2:
            row = stack.pop()
            if row.billable:
                billable.append(row.code)
            stack.extend(self._children.get(row.code, []))
        return billable[0] if len(billable) == 1 else None
