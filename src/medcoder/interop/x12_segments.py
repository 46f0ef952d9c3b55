"""Writing X12 segments: delimiters, element cleaning, dates, and a segment counter.

Written here because pyx12 reads and validates X12 but does not generate it. Delimiters
are the customary ones of the 5010 implementation guides (ISA: element ``*``, repetition
``^``, component ``:``, segment ``~``).
"""

from __future__ import annotations

import datetime as dt
import re

ELEMENT = "*"
REPETITION = "^"
COMPONENT = ":"
TERMINATOR = "~"

# Delimiters may not appear in data (X12.6 section 3.3); the basic character set is
# upper case letters, digits, space and a few punctuation marks (5010 TR3 appendix B).
_NOT_BASIC = re.compile(r"[^A-Z0-9 !&'()+,\-./;?=%@\[\]_{}\\|<>#$\"]")
_SPACES = re.compile(r"\s+")


def clean(value: str, limit: int) -> str:
    """``value`` upper case, in the basic character set, at most ``limit`` long."""
    text = _SPACES.sub(" ", value.upper())
    return _NOT_BASIC.sub("", text).strip()[:limit].strip()


def d8(day: dt.date) -> str:
    """CCYYMMDD (date format qualifier D8)."""
    return day.strftime("%Y%m%d")


def rd8(first: dt.date, last: dt.date) -> str:
    """CCYYMMDD-CCYYMMDD (range of dates, qualifier RD8)."""
    return f"{d8(first)}-{d8(last)}"


def composite(*parts: str) -> str:
    """A composite element, its trailing empty components dropped."""
    values = list(parts)
    while values and not values[-1]:
        values.pop()
    return COMPONENT.join(values)


class Segments:
    """The segments of one interchange, in order; ``count_since`` gives SE01."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, segment_id: str, *elements: str) -> None:
        """One segment; trailing empty elements are dropped (X12.6 section 3.7)."""
        values = list(elements)
        while values and not values[-1]:
            values.pop()
        self.lines.append(ELEMENT.join((segment_id, *values)) + TERMINATOR)

    def count_since(self, start: int) -> int:
        """Segments from index ``start`` (the ST) to the last one written, both counted."""
        return len(self.lines) - start

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"
