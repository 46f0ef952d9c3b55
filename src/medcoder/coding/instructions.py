"""What the Tabular's instructional notes name (Excludes1, use additional code, code
first, code also): a code, a category or header with a dash, or a range.

Kept apart from the guideline rules so that every module that reads a note (rules,
companions, external causes) imports it from below, never from each other.
"""

from __future__ import annotations

import re

_CODE_IN_NOTE_RE = re.compile(
    r"\b([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?)"
    r"(?:\.?(-)(?![A-Z][0-9])|-([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?))?"
)


def note_refers_to(note: str, code: str) -> bool:
    """Does an instructional note name ``code``: exactly (I10), as a category or header
    with a dash (N18.-, S78.-), or within a range (N18.1-N18.6, P10-P15)?"""
    flat = code.replace(".", "")
    for first, dash, last in _CODE_IN_NOTE_RE.findall(note):
        start = first.replace(".", "")
        if last:
            end = last.replace(".", "")
            if start <= flat[: len(start)] and flat[: len(end)] <= end:
                return True
        elif dash:
            if flat.startswith(start):
                return True
        elif flat == start:
            return True
    return False
