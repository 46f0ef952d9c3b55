"""Validate a PCS code against its table row and explain each of its characters.

A code is valid when one row of the table named by its first three characters allows
each of characters 4-7 (ICD-10-PCS Tables, "Code Structure"). When it is not, the first
character that no row allows is named with its axis and the values allowed there given
the characters before it ("character 5 (approach) 'X' is not allowed for 0DT + body part
J: allowed 0 (Open), 4 (Percutaneous Endoscopic)").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from medcoder.codesets.pcs.model import CODE_LENGTH, PCS_ALPHABET, AxisValue, PcsRow, PcsTable


@dataclass(frozen=True, slots=True)
class CharacterProblem:
    """The first character of a code that its table does not allow."""

    position: int
    axis: str
    value: str
    allowed: tuple[AxisValue, ...]
    context: str  # what the allowed values depend on, e.g. "0DT + body part J"

    def message(self) -> str:
        allowed = ", ".join(f"{v.code} ({v.label})" for v in self.allowed)
        where = f" for {self.context}" if self.context else ""
        return (
            f"character {self.position} ({self.axis.lower()}) {self.value!r} is not "
            f"allowed{where}: allowed {allowed or 'none'}"
        )


@dataclass(frozen=True, slots=True)
class PcsValidation:
    """Whether a code is valid in a release, and if not, which character and why."""

    code: str
    release: str
    valid: bool
    valid_characters: tuple[str, ...] = ()  # "character 4 (body part) 'J' is valid (Appendix)"
    problem: CharacterProblem | None = None
    format_error: str | None = None

    def message(self) -> str:
        if self.valid:
            return f"{self.code} is a valid ICD-10-PCS code in {self.release}"
        if self.format_error:
            return f"{self.code}: {self.format_error}"
        parts = [*self.valid_characters]
        if self.problem is not None:
            parts.append(self.problem.message())
        return f"{self.code}: " + "; ".join(parts)


def normalize_pcs(code: str) -> str:
    """Upper case without whitespace, dots or dashes (PCS codes have no punctuation).

    Whitespace is dropped wherever it stands, so normalizing twice gives the same code
    (".\x1f0" would otherwise keep its control character until a second pass).
    """
    return "".join(ch for ch in code.upper() if ch not in ".-" and not ch.isspace())


def _format_error(code: str) -> str | None:
    if len(code) != CODE_LENGTH:
        return f"an ICD-10-PCS code has 7 characters, this has {len(code)}"
    bad = [(i, ch) for i, ch in enumerate(code, start=1) if ch not in PCS_ALPHABET]
    if bad:
        i, ch = bad[0]
        hint = " (PCS never uses the letters I and O)" if ch in "IO" else ""
        return f"character {i} {ch!r} is not a PCS character: 0-9 and A-Z except I, O{hint}"
    return None


def validate_pcs(code: str, tables: Mapping[str, PcsTable], release: str) -> PcsValidation:
    """Check ``code`` against ``tables`` (prefix -> table) of ``release``."""
    code = normalize_pcs(code)
    problem = _format_error(code)
    if problem:
        return PcsValidation(code, release, False, format_error=problem)
    # Characters 1-3 name the table: check section, then body system, then operation.
    for position, axis in ((1, "Section"), (2, "Body System"), (3, "Operation")):
        head = code[:position]
        matching = [t for p, t in tables.items() if p.startswith(head)]
        if not matching:
            choices = {
                t.prefix[position - 1]: (t.section, t.body_system, t.operation)[position - 1]
                for p, t in sorted(tables.items()) if p.startswith(code[: position - 1])
            }  # fmt: skip
            axis_name = next(
                (t.titles[position - 1] for p, t in tables.items()
                 if p.startswith(code[: position - 1])), axis,
            )  # fmt: skip
            return PcsValidation(
                code, release, False,
                problem=CharacterProblem(position, axis_name, code[position - 1],
                                         tuple(choices.values()), code[: position - 1]),
            )  # fmt: skip
    table = tables[code[:3]]
    return _check_rows(code, table, release)


def _check_rows(code: str, table: PcsTable, release: str) -> PcsValidation:
    rows: list[PcsRow] = list(table.rows)
    valid_parts: list[str] = []
    context = table.prefix
    for position in (4, 5, 6, 7):
        char = code[position - 1]
        axis = table.axis_title(position)
        keep = [r for r in rows if r.allows(position, char)]
        if not keep:
            allowed: dict[str, AxisValue] = {}
            for r in rows:
                for v in r.values(position):
                    allowed.setdefault(v.code, v)
            ordered = tuple(sorted(allowed.values(), key=lambda v: v.code))
            return PcsValidation(
                code, release, False, tuple(valid_parts),
                CharacterProblem(position, axis, char, ordered, context),
            )  # fmt: skip
        label = keep[0].label(position, char)
        valid_parts.append(f"character {position} ({axis.lower()}) {char!r} is valid ({label})")
        context += f" + {axis.lower()} {char}"
        rows = keep
    return PcsValidation(code, release, True, tuple(valid_parts))


@dataclass(frozen=True, slots=True)
class CharacterMeaning:
    """One character of a code: its axis, value, label and the Definitions text."""

    position: int
    axis: str
    value: str
    label: str
    definition: str = ""
    explanation: str = ""
    includes: tuple[str, ...] = ()


def explain_characters(code: str, table: PcsTable) -> tuple[CharacterMeaning, ...]:
    """The meaning of each of the seven characters of a valid ``code``."""
    row = next(r for r in table.rows if all(r.allows(p, code[p - 1]) for p in (4, 5, 6, 7)))
    out = [
        CharacterMeaning(1, table.axis_title(1), code[0], table.section.label),
        CharacterMeaning(2, table.axis_title(2), code[1], table.body_system.label),
        CharacterMeaning(3, table.axis_title(3), code[2], table.operation.label, table.definition),
    ]
    for position in (4, 5, 6, 7):
        label = row.label(position, code[position - 1]) or ""
        out.append(CharacterMeaning(position, table.axis_title(position), code[position - 1],
                                    label))  # fmt: skip
    return tuple(out)
