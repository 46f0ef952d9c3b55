"""Choose PCS characters 5-7 (approach, device, qualifier), only among values a row allows.

Each takes the value the note documents when the row allows it, else the value the
procedure words imply, else the only value allowed, else the value that means nothing on
that axis ("No Device", "No Qualifier", "None"); any other default is reported as an
uncertain axis.
"""

from __future__ import annotations

from dataclasses import dataclass

from medcoder.codesets.pcs.model import AxisValue, PcsRow, PcsTable

NOTHING = ("No Device", "No Qualifier", "None", "No Contrast")
ADMINISTRATION = "3"  # section character


@dataclass(frozen=True, slots=True)
class AxisChoice:
    position: int
    value: AxisValue
    how: str  # documented | implied | default | only value | uncertain
    words: str = ""


def choose_axes(
    table: PcsTable,
    body_part: str,
    documented: dict[int, list[tuple[str, str]]],
    implied: dict[int, str],
    open_default: bool,
) -> tuple[PcsRow, list[AxisChoice]]:
    """Characters 5-7 for ``body_part``, narrowing the rows one axis at a time.

    ``documented[position]``: (label, words) found in the note, nearest first;
    ``implied[position]``: the label the procedure words imply (colonoscopy -> endoscopic).
    """
    rows = [r for r in table.rows if r.allows(4, body_part)]
    if not open_default:
        # Outside the Medical and Surgical section a later axis the words imply (a
        # mechanical ventilation's "No Qualifier", not "Nonmechanical") narrows the rows
        # before the earlier axes are chosen.
        for position, label in sorted(implied.items()):
            narrowed = [r for r in rows if any(v.label == label for v in r.values(position))]
            rows = narrowed or rows
    choices: list[AxisChoice] = []
    for position in (5, 6, 7):
        allowed: dict[str, AxisValue] = {}
        for r in rows:
            for v in r.values(position):
                allowed.setdefault(v.label, v)
        choice = _pick(position, allowed, documented.get(position, []),
                       implied.get(position), table.axis_title(position), open_default,
                       table.prefix[0] == ADMINISTRATION)  # fmt: skip
        choices.append(choice)
        rows = [r for r in rows if r.allows(position, choice.value.code)]
    return rows[0], choices


def _allowed(allowed: dict[str, AxisValue], label: str | None) -> AxisValue | None:
    """The allowed value labelled ``label``, or one whose label names it as its kind
    ("Intraluminal Device, Endotracheal Airway" for "Endotracheal Airway")."""
    if not label:
        return None
    if label in allowed:
        return allowed[label]
    return next((v for name, v in allowed.items() if name.endswith(", " + label)), None)


def _pick(
    position: int,
    allowed: dict[str, AxisValue],
    documented: list[tuple[str, str]],
    implied: str | None,
    axis: str,
    open_default: bool,
    administration: bool = False,
) -> AxisChoice:
    for label, words in documented:
        found = _allowed(allowed, label)
        if found is not None:
            return AxisChoice(position, found, "documented", words)
    implied_value = _allowed(allowed, implied) if implied else None
    if implied_value is not None:
        return AxisChoice(position, implied_value, "implied")
    if len(allowed) == 1:
        return AxisChoice(position, next(iter(allowed.values())), "only value")
    for label in NOTHING:
        if label in allowed:
            return AxisChoice(position, allowed[label], "default")
    others = [v for name, v in allowed.items() if name.startswith("Other ")]
    if axis == "Qualifier" and administration and len(others) == 1:
        # Administration: the residual value ("Other Antineoplastic") is the one for a
        # substance the statement names no more specifically.
        return AxisChoice(position, others[0], "default")
    if axis == "Approach" and open_default and "Open" in allowed:
        return AxisChoice(position, allowed["Open"], "uncertain")
    first = min(allowed.values(), key=lambda v: v.code)
    return AxisChoice(position, first, "uncertain")
