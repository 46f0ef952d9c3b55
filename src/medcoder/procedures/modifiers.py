"""Modifiers the note supports: RT/LT from documented laterality, XS/59 only for a
documented distinct site. Each comes with its named rule."""

from __future__ import annotations

import re

from medcoder.results import RuleApplied

RIGHT_LEFT = RuleApplied(
    "modifier-rt-lt.v1",
    "HCPCS Level II modifiers RT (right side) and LT (left side)",
    "the side is documented with the service",
)
BILATERAL_ITEMS = RuleApplied(
    "modifier-rtlt-bilateral-item.v1",
    "DME MAC supplier manuals: bilateral items on one claim line with RTLT and 2 units",
    "the same item was supplied for both sides",
)
DISTINCT_SITE = RuleApplied(
    "modifier-xs-distinct-site.v1",
    "NCCI Policy Manual for Medicare Services, Ch. I §E.1 (modifiers 59 and XS)",
    "the same service at a separate, documented anatomic site; XS (Medicare) in place of 59",
)

_SIDE_RE = re.compile(r"\b(right|left|rt|lt|bilateral|both)\b", re.IGNORECASE)
_DISTINCT_RE = re.compile(
    r"\b(separate|distinct|different|second|additional|another)\s+"
    r"(site|lesion|incision|wound|joint|area|location|anatomic site|structure)\b",
    re.IGNORECASE,
)


def side_of(text: str) -> str | None:
    """``right``, ``left`` or ``bilateral`` when ``text`` documents exactly one of them."""
    sides = set()
    for word in _SIDE_RE.findall(text):
        low = word.lower()
        sides.add({"rt": "right", "lt": "left", "both": "bilateral"}.get(low, low))
    if "bilateral" in sides or sides == {"right", "left"}:
        return "bilateral"
    return next(iter(sides)) if len(sides) == 1 else None


def laterality_modifiers(side: str | None) -> tuple[str, ...]:
    return {"right": ("RT",), "left": ("LT",), "bilateral": ("RT", "LT")}.get(side or "", ())


def documents_distinct_site(text: str) -> bool:
    """True when the text says the service was at a separate site ("separate lesion")."""
    return _DISTINCT_RE.search(text) is not None
