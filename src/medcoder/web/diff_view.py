"""The release diff on a page (issue 16: "the release diff counts changed notes without
listing them"): one list at a time (added, deleted, revised titles, changed notes), each
row what changed from the old release to the new one, a page of rows at a time."""

from __future__ import annotations

from math import ceil
from typing import Any

LISTS = {
    "added": "Added",
    "deleted": "Deleted",
    "revised": "Titles revised",
    "notes_changed": "Notes changed",
}
PAGE_ROWS = 100


def diff_page(diff: dict[str, Any], show: str, page: int) -> dict[str, Any]:
    """The rows of list ``show`` on page ``page`` (from 1; past the last: the last) with
    the counts of every list, as ``serialize.release_diff`` gives them."""
    rows: list[dict[str, Any]] = diff[show]
    pages = max(1, ceil(len(rows) / PAGE_ROWS))
    page = min(max(page, 1), pages)
    return {
        "old": diff["old"],
        "new": diff["new"],
        "show": show,
        "page": page,
        "pages": pages,
        "first": (page - 1) * PAGE_ROWS + 1 if rows else 0,
        "rows": rows[(page - 1) * PAGE_ROWS : page * PAGE_ROWS],
        "counts": {name: len(diff[name]) for name in LISTS},
        "total": len(rows),
    }
