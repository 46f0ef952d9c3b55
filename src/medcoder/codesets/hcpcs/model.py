"""What the HCPCS Level II and CPT loaders produce and what a lookup answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class HcpcsRecord:
    """One code or modifier of the CMS Alpha-Numeric HCPCS file, continuation lines joined.

    Dates are as the file gives them: ``added`` (ADD DT), ``action_effective`` (ACT EFF DT,
    when ``action_code`` took effect) and ``terminated`` (TERM DT, the last day the code
    may be reported; None while it is active).
    """

    code: str
    is_modifier: bool
    long_description: str
    short_description: str
    added: date | None
    action_effective: date | None
    terminated: date | None
    action_code: str  # A added, C changed, D discontinued, N no change, P/R/S/T/B ...
    coverage: str = ""
    betos: str = ""
    pricing: str = ""  # PRICE1 (first pricing indicator)


@dataclass(frozen=True, slots=True)
class ValiditySpan:
    """A code valid from ``start`` to ``end`` (inclusive) as the I/OCE tables hold it."""

    code: str
    start: date
    end: date
    short_description: str = ""
    status_indicator: str = ""
    apc: str = ""
    terminated: date | None = None


@dataclass(frozen=True, slots=True)
class CodeStatus:
    """The answer to ``lookup(code, date_of_service)``.

    ``status`` is one of ``active``, ``terminated`` (after its termination date),
    ``not_yet_effective`` (before it was added), ``unknown`` (in no installed list).
    ``source`` names what decided it: ``anweb`` (the quarter's Alpha-Numeric file),
    ``ioce`` (the I/OCE tables, across quarters), or ``cpt-file`` (a licensed CPT file).
    ``title`` is empty for a CPT number when no licensed CPT file is installed.
    """

    code: str
    system: str  # hcpcs | cpt
    valid: bool
    status: str
    title: str
    short_title: str
    effective_from: date | None
    terminated: date | None
    release: str
    source: str
    action_code: str = ""
    status_indicator: str = ""
    note: str = ""


def is_cpt_number(code: str) -> bool:
    """CPT numbers start with a digit (Category I, and II/III/PLA ending F/T/U)."""
    return bool(code) and code[0].isdigit()


def normalize_code(code: str) -> str:
    """Upper case without spaces or a trailing modifier ("j1100-rt" -> "J1100")."""
    return code.strip().upper().split("-")[0].replace(" ", "")


def status_json(status: CodeStatus) -> dict[str, object]:
    """The JSON shape of a lookup (dates ISO, None as null)."""
    return {
        "code": status.code,
        "system": status.system,
        "valid": status.valid,
        "status": status.status,
        "title": status.title,
        "short_title": status.short_title,
        "effective_from": status.effective_from.isoformat() if status.effective_from else None,
        "terminated": status.terminated.isoformat() if status.terminated else None,
        "release": status.release,
        "source": status.source,
        "action_code": status.action_code,
        "status_indicator": status.status_indicator,
        "note": status.note,
    }


def record_json(record: HcpcsRecord) -> dict[str, object]:
    return {
        "code": record.code,
        "modifier": record.is_modifier,
        "long_description": record.long_description,
        "short_description": record.short_description,
        "added": record.added.isoformat() if record.added else None,
        "action_effective": record.action_effective.isoformat()
        if record.action_effective
        else None,
        "terminated": record.terminated.isoformat() if record.terminated else None,
        "action_code": record.action_code,
    }
