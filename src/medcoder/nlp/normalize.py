"""Note text as written, made readable: the byte-order mark decides the encoding, and the
invisible format characters (Unicode category Cf: zero-width space and joiners, soft
hyphen, a stray BOM) are taken out before coding, with every offset mapped back.

Why removal and not a same-length space: a zero-width space inside a word
("dia\\u200bbetes") must vanish for the word to be read, and a space would split it in
two. So the engine codes the cleaned text and :func:`restore_offsets` maps each evidence
span of the result back onto the original characters (the stored note, the workbench's
highlights and the evidence quoted all keep pointing at what was written).
"""

from __future__ import annotations

import bisect
import codecs
import dataclasses
import functools
import re
from dataclasses import dataclass
from typing import Any, TypeVar

from medcoder.results import Evidence

T = TypeVar("T")

# Longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_note(raw: bytes, source: str = "the note") -> tuple[str, list[str]]:
    """The text of a note file and any notices: a byte-order mark (UTF-8, UTF-16 or
    UTF-32, little or big endian) names the encoding and is dropped; without one the bytes
    are UTF-8, and bytes that are not are replaced, with a notice (never fatal)."""
    for mark, encoding in BOMS:
        if raw.startswith(mark):
            body = raw[len(mark) :]
            text = body.decode(encoding, errors="replace")
            bad = text.count("\ufffd")
            if bad:
                return text, [
                    f"{source}: {bad} character(s) were not valid {encoding.upper()} and were "
                    "replaced; save the note again to keep every character"
                ]
            return text, []
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        text = raw.decode("utf-8", errors="replace")
        bad = text.count("\ufffd")
        return text, [
            f"{source}: {bad} byte(s) were not UTF-8 (first at byte {exc.start}) and were "
            "replaced; save the note as UTF-8 to keep every character"
        ]


# Unicode 14 category Cf as ranges (a test checks them against this Python's unicodedata):
# scanning every code point for them would cost a quarter second per process.
FORMAT_RANGES: tuple[tuple[int, int], ...] = (
    (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD),
    (0x070F, 0x070F), (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E),
    (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F),
    (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD),
    (0x13430, 0x13438), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)  # fmt: skip


@functools.cache
def _invisible() -> re.Pattern[str]:
    """One character class of every format (Cf) character, compiled on first use."""
    parts = (f"\\U{a:08x}-\\U{b:08x}" if a != b else f"\\U{a:08x}" for a, b in FORMAT_RANGES)
    return re.compile("[" + "".join(parts) + "]")


@dataclass(frozen=True, slots=True)
class CleanText:
    """The text without its invisible characters, and where they were.

    ``shifts[k]`` is the position in ``text`` where the k-th removed character stood
    (``original position - k``); offsets in ``text`` map back by counting the removed
    characters at or before them."""

    text: str
    original: str
    shifts: tuple[int, ...]

    @property
    def changed(self) -> bool:
        return bool(self.shifts)

    def to_original(self, offset: int) -> int:
        """The original position of the character at ``offset`` of the cleaned text."""
        return offset + bisect.bisect_right(self.shifts, offset)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of cleaned ``[start, end)``: from its first character to just
        after its last, so an invisible character inside the span stays inside it."""
        if end <= start:
            at = self.to_original(start)
            return at, at
        return self.to_original(start), self.to_original(end - 1) + 1


def remove_invisible(text: str) -> CleanText:
    """``text`` without format (Cf) characters; unchanged text costs one regex scan."""
    pattern = _invisible()
    if pattern.search(text) is None:
        return CleanText(text, text, ())
    shifts = tuple(m.start() - k for k, m in enumerate(pattern.finditer(text)))
    return CleanText(pattern.sub("", text), text, shifts)


def restore_offsets(value: T, clean: CleanText) -> T:
    """``value`` (a result, or any frozen dataclass holding evidence) with every
    :class:`Evidence` span mapped back onto the original text and quoting it."""
    if not clean.changed:
        return value
    return _restore(value, clean)  # type: ignore[no-any-return]


def _restore(value: Any, clean: CleanText) -> Any:
    if isinstance(value, Evidence):
        start, end = clean.span(value.start, value.end)
        return dataclasses.replace(value, start=start, end=end, text=clean.original[start:end])
    if isinstance(value, tuple):
        return tuple(_restore(item, clean) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if isinstance(item, tuple | Evidence) or dataclasses.is_dataclass(item):
                changes[f.name] = _restore(item, clean)
        return dataclasses.replace(value, **changes) if changes else value
    return value
