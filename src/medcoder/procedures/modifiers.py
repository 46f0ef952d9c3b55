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

BILATERAL_50 = RuleApplied(
    "modifier-50-bilateral.v1",
    "AMA CPT Appendix A, modifier 50; CMS Claims Processing Manual Ch. 12 §40.7 and NCCI "
    "Policy Manual Ch. I §E: one line, modifier 50, 1 unit, when the same procedure is "
    "done on both sides and the descriptor does not already say bilateral",
    "the procedure was documented on both sides",
)
SEPARATE_ENCOUNTER = RuleApplied(
    "modifier-xe-separate-encounter.v1",
    "NCCI Policy Manual for Medicare Services, Ch. I §E.1: XE (separate encounter) in place of 59",
    "the same service at a separate encounter on the same date",
)
SEPARATE_PRACTITIONER = RuleApplied(
    "modifier-xp-separate-practitioner.v1",
    "NCCI Policy Manual for Medicare Services, Ch. I §E.1: XP (separate practitioner) in "
    "place of 59",
    "the same service by a different practitioner",
)
UNUSUAL_NON_OVERLAPPING = RuleApplied(
    "modifier-xu-unusual.v1",
    "NCCI Policy Manual for Medicare Services, Ch. I §E.1: XU (unusual non-overlapping "
    "service) in place of 59",
    "a service that does not overlap the usual components of the main service",
)
DISTINCT_59 = RuleApplied(
    "modifier-59-distinct.v1",
    "NCCI Policy Manual for Medicare Services, Ch. I §E.1: 59 only when no X{EPSU} "
    "modifier describes the distinction",
    "a distinct procedural service documented without site, encounter or practitioner",
)
_ENCOUNTER_RE = re.compile(
    r"\b(?:separate|second|another|later)\s+(?:encounter|visit|session)\b|"
    r"\breturned\s+later\b|\blater\s+(?:that|the\s+same)\s+day\b",
    re.IGNORECASE,
)
_PRACTITIONER_RE = re.compile(
    r"\b(?:different|another|second|separate)\s+(?:practitioner|physician|provider|"
    r"surgeon|clinician)\b",
    re.IGNORECASE,
)
_UNUSUAL_RE = re.compile(r"\bnon-?overlapping\b|\bdoes\s+not\s+overlap\b", re.IGNORECASE)
_DISTINCT_SERVICE_RE = re.compile(
    r"\bdistinct\s+procedural\s+service\b|\bseparate(?:ly)?\s+identifiable\s+procedure\b",
    re.IGNORECASE,
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


def distinct_service(text: str) -> tuple[str, RuleApplied] | None:
    """The NCCI modifier for a repeat of a service, most specific first: XE (separate
    encounter), XP (separate practitioner), XS (separate site), XU (unusual,
    non-overlapping), else 59 for a distinct service documented in no other way."""
    if _ENCOUNTER_RE.search(text):
        return "XE", SEPARATE_ENCOUNTER
    if _PRACTITIONER_RE.search(text):
        return "XP", SEPARATE_PRACTITIONER
    if _DISTINCT_RE.search(text):
        return "XS", DISTINCT_SITE
    if _UNUSUAL_RE.search(text):
        return "XU", UNUSUAL_NON_OVERLAPPING
    if _DISTINCT_SERVICE_RE.search(text):
        return "59", DISTINCT_59
    return None


def bilateral_modifier(descriptor: str, side: str | None) -> tuple[str, ...]:
    """("50",) for a procedure documented on both sides whose descriptor does not itself
    cover both sides ("bilateral", "unilateral or bilateral", "both")."""
    if side != "bilateral":
        return ()
    if re.search(r"\b(?:bilateral|both)\b", descriptor, re.IGNORECASE):
        return ()
    return ("50",)
