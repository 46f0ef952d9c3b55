"""Which code a reviewer means, and whether a code line may be reported as given.

A code is addressed by its system and its code: ``J1885`` (HCPCS Level II, ketorolac) and
``J18.85`` (ICD-10-CM) differ only by the dot, so a code whose shape two systems share
needs its system named (``--system`` in the CLI, ``system`` in the API). The shape alone
decides only where it is unambiguous:

- a dot, or a letter and a digit then 1-5 more characters that no procedure system
  writes that way: ICD-10-CM (``E11.9``, ``E119``, ``S72001A``);
- 5 digits, or 4 digits and F/T/U (Category II, III, PLA): CPT;
- 7 characters whose first is a digit, or whose second is a letter: ICD-10-PCS
  (ICD-10-CM codes have a digit second);
- a HCPCS Level II letter and 4 digits is HCPCS, or ICD-10-CM without its dot: ambiguous.

On a stored encounter the rows themselves narrow it: a code that matches an active line
of only one system means that line.

Units and modifiers belong to CPT / HCPCS service lines (CMS-1500 item 24G / 837P SV104;
UB-04 FL46 / 837I SV205): at most four modifiers, each two letters or digits.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from medcoder.codesets.codes import normalize
from medcoder.errors import (
    InvalidInputError,
    ProcedureCodeSetMissingError,
    UnknownModifierError,
    WorkflowError,
)
from medcoder.kinds import CodeSystem, PoaIndicator, Setting
from medcoder.records.models import CodeAssignment, CodeSource, CodeStatus, Encounter, User

if TYPE_CHECKING:  # the procedure stores open only when a procedure is validated
    from medcoder.codesets.in_force import CodeSetChooser

#: A code system as a caller names it (None: inferred from the code's shape).
System = str | CodeSystem | None

#: The most units one line carries: the claim reader's bound (``edits/claim.py``); a
#: clotting factor billed per IU (J7192 and the like) reaches the thousands.
MAX_UNITS = 100_000
#: Modifiers on one line: the CMS-1500 / 837P line takes four.
MAX_MODIFIERS = 4

_CPT = re.compile(r"[0-9]{5}|[0-9]{4}[FTU]")
_PCS = re.compile(r"[0-9A-HJ-NP-Z]{7}")
_HCPCS = re.compile(r"[A-Z][0-9]{4}")
# HCPCS Level II codes begin with these letters (D: CDT, held in the CPT/CDT table).
_HCPCS_LETTERS = frozenset("ABCDEGHJKLMPQRSTUV")
# ICD-10-PCS sections that are letters: imaging, nuclear medicine, radiation therapy,
# physical rehabilitation, mental health, substance abuse, new technology.
_PCS_LETTER_SECTIONS = frozenset("BCDFGHX")
_ICD = re.compile(r"[A-Z][0-9][0-9A-Z]([0-9A-Z]{1,4})?")
_MODIFIER = re.compile(r"[0-9A-Z]{2}")


def parse_system(value: str | CodeSystem | None) -> CodeSystem | None:
    """A code system named by the caller (None: not named)."""
    if value is None or isinstance(value, CodeSystem):
        return value
    text = value.strip().lower().replace("-", "").replace("_", "")
    if not text:
        return None
    try:
        return CodeSystem(text)
    except ValueError:
        raise InvalidInputError(
            f"unknown code system {value!r}",
            hint="use one of " + ", ".join(s.value for s in CodeSystem),
        ) from None


def key_in(system: CodeSystem, code: str) -> str:
    """The code as stored for ``system``: ICD-10-CM dotted, the others upper case without
    dots or spaces. InvalidInputError when it cannot be a code of ``system``."""
    if system is CodeSystem.ICD10CM:
        return normalize(code)
    flat = "".join(code.split()).upper().replace(".", "")
    shapes = {CodeSystem.CPT: _CPT, CodeSystem.ICD10PCS: _PCS, CodeSystem.HCPCS: _HCPCS}
    if not shapes[system].fullmatch(flat):
        examples = {
            CodeSystem.CPT: "5 digits, or 4 digits and F, T or U (e.g. 99213, 0001U)",
            CodeSystem.ICD10PCS: "7 letters or digits, no I or O (e.g. 0DTJ4ZZ)",
            CodeSystem.HCPCS: "a letter and 4 digits (e.g. J1885)",
        }
        raise InvalidInputError(
            f"{code!r} is not a {system.value} code", hint=f"a {system.value} code is "
            + examples[system]
        )  # fmt: skip
    return flat


def systems_for(code: str) -> tuple[CodeSystem, ...]:
    """The systems whose shape ``code`` has (two when ambiguous; none when no system's)."""
    raw = "".join(code.split()).upper()
    if "." in raw:
        return (CodeSystem.ICD10CM,) if _ICD.fullmatch(raw.replace(".", "")) else ()
    if _CPT.fullmatch(raw):
        return (CodeSystem.CPT,)
    if len(raw) == 7 and _PCS.fullmatch(raw):
        if raw[0].isdigit() or raw[1].isalpha():
            return (CodeSystem.ICD10PCS,)
        if raw[0] in _PCS_LETTER_SECTIONS and _ICD.fullmatch(raw):
            return (CodeSystem.ICD10CM, CodeSystem.ICD10PCS)
    if _HCPCS.fullmatch(raw) and raw[0] in _HCPCS_LETTERS:
        return (CodeSystem.ICD10CM, CodeSystem.HCPCS)
    return (CodeSystem.ICD10CM,) if _ICD.fullmatch(raw) else ()


def ambiguous(code: str, systems: Sequence[CodeSystem]) -> InvalidInputError:
    """The error for a code that more than one system could mean."""
    named = " or ".join(f"{s.value} {key_in(s, code)}" for s in systems)
    return InvalidInputError(
        f"{code!r} is ambiguous: it may be {named}",
        hint="name the system: --system " + "|".join(s.value for s in systems)
        + " (API: \"system\"), or write an ICD-10-CM code with its dot",
    )  # fmt: skip


def resolve_new(code: str, system: str | CodeSystem | None) -> tuple[CodeSystem, str]:
    """A code to add: its system (named, else from an unambiguous shape) and its key."""
    named = parse_system(system)
    if named is not None:
        return named, key_in(named, code)
    found = systems_for(code)
    if not found:
        raise InvalidInputError(
            f"{code!r} is not a code of any system",
            hint="ICD-10-CM E11.9, ICD-10-PCS 0DTJ4ZZ, CPT 99213, HCPCS J1885",
        )
    if len(found) > 1:
        raise ambiguous(code, found)
    return found[0], key_in(found[0], code)


def candidates(code: str, system: str | CodeSystem | None) -> list[tuple[CodeSystem, str]]:
    """Every (system, key) ``code`` may mean, for finding it among stored lines."""
    named = parse_system(system)
    if named is not None:
        return [(named, key_in(named, code))]
    out: list[tuple[CodeSystem, str]] = []
    for each in systems_for(code):
        try:
            out.append((each, key_in(each, code)))
        except InvalidInputError:
            continue
    if not out:  # kept as typed, so the not-found message names it
        out.append((CodeSystem.ICD10CM, code.strip().upper()))
    return out


def check_units(units: int | None, system: CodeSystem) -> int:
    """Service units: 1 for diagnoses and ICD-10-PCS; 1..MAX_UNITS on a CPT/HCPCS line."""
    if units is None:
        return 1
    if isinstance(units, bool) or not isinstance(units, int) or not 1 <= units <= MAX_UNITS:
        raise InvalidInputError(f"units must be a whole number 1-{MAX_UNITS}, not {units!r}")
    if units != 1 and not system.is_line_item:
        raise InvalidInputError(
            f"units are reported on CPT and HCPCS lines only, not on {system.value} codes"
        )
    return units


def check_modifiers(modifiers: Sequence[str] | None, system: CodeSystem) -> tuple[str, ...]:
    """Modifiers in claim order, upper case; their validity on the date is checked against
    the HCPCS modifier list by the caller."""
    if not modifiers:
        return ()
    if not system.is_line_item:
        raise InvalidInputError(
            f"modifiers go on CPT and HCPCS lines only, not on {system.value} codes"
        )
    mods = tuple(m.strip().upper() for m in modifiers if m.strip())
    if len(mods) > MAX_MODIFIERS:
        raise InvalidInputError(f"at most {MAX_MODIFIERS} modifiers on a line, not {len(mods)}")
    bad = [m for m in mods if not _MODIFIER.fullmatch(m)]
    if bad:
        raise InvalidInputError(
            f"{bad[0]!r} is not a modifier", hint="a modifier is two letters or digits (59, RT)"
        )
    if len(set(mods)) != len(mods):
        raise InvalidInputError(f"a modifier is given twice: {', '.join(mods)}")
    return mods


def split_modifiers(text: str | None) -> list[str] | None:
    """``"59,RT"`` or ``"59 RT"`` as a list; None stays None (not given), "" is []."""
    if text is None:
        return None
    return [m for m in re.split(r"[,\s]+", text) if m]


# -- validity on the date of service ------------------------------------------------------
def validate_procedure(
    chooser: CodeSetChooser, system: CodeSystem, code: str, day: dt.date | None
) -> tuple[str, str, str]:
    """(code, title, release) of a procedure code valid on ``day`` in its own system's
    release: the ICD-10-PCS tables of the fiscal year, HCPCS Level II and CPT as dated
    code by code (CPT numbers are validated without descriptors: title "" unless a
    licensed CPT file is installed). InvalidInputError says why a code is not valid."""
    if system is CodeSystem.ICD10PCS:
        choice = chooser.pcs_for(day)
        if choice.release is None:
            raise ProcedureCodeSetMissingError(
                choice.notice or "no ICD-10-PCS release is installed",
                hint="run `medcoder setup --data DIR` with the ICD-10-PCS files in DIR/icd10pcs",
            )
        check = choice.release.validate(code)
        if not check.valid:
            raise InvalidInputError(f"{check.message()} ({check.release})")
        title = choice.release.title(check.code)
        return check.code, title[0] if title else "", check.release
    sets = chooser.procedure_code_sets
    if sets is None:
        raise ProcedureCodeSetMissingError(
            "no HCPCS Level II or CPT code set is installed",
            hint="run `medcoder setup --data DIR` with the CMS HCPCS files in DIR/hcpcs",
        )
    status = sets.lookup(code, day)
    if status.system != system.value:
        raise InvalidInputError(
            f"{code} is a {status.system} code, not {system.value}",
            hint=f"give --system {status.system}",
        )
    if not status.valid:
        why = {
            "terminated": f"deleted: terminated {status.terminated}",
            "not_yet_effective": f"not yet effective: valid from {status.effective_from}",
        }.get(status.status, f"not a {system.value} code")
        note = f"; {status.note}" if status.note else ""
        raise InvalidInputError(f"{code}: {why} on {day or 'the newest quarter'} "
                                f"({status.release}{note})")  # fmt: skip
    return status.code, status.title, status.release


def validate_modifiers(
    chooser: CodeSetChooser, modifiers: Sequence[str], day: dt.date | None
) -> None:
    """Every modifier a HCPCS Level II modifier valid on ``day`` or a CPT modifier number
    (CMS HCPCS Alpha-Numeric file, RECID 7); UnknownModifierError names the others."""
    if not modifiers:
        return
    sets = chooser.procedure_code_sets
    if sets is None or not sets.has_hcpcs:
        raise ProcedureCodeSetMissingError(
            "no HCPCS Level II release is installed to check modifiers against",
            hint="run `medcoder setup --data DIR` with the CMS HCPCS files in DIR/hcpcs",
        )
    bad = sets.unknown_modifiers(modifiers, day)
    if bad:
        quarter = sets.anweb_for(day)
        raise UnknownModifierError(bad, quarter.name if quarter else "no HCPCS release")


def check_inpatient_pcs(system: CodeSystem, inpatient: bool, encounter: str) -> None:
    """ICD-10-PCS reports inpatient procedures (UB-04 FL74); outpatient ones are CPT/HCPCS."""
    if system is CodeSystem.ICD10PCS and not inpatient:
        raise WorkflowError(
            f"encounter {encounter} is not an inpatient stay: ICD-10-PCS codes are reported "
            "on inpatient stays only",
            hint="report the procedure with a CPT or HCPCS code",
        )


# -- lines as stored ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewLine:
    """A validated code to store, with its claim fields."""

    system: CodeSystem
    code: str
    title: str
    release: str
    units: int
    modifiers: tuple[str, ...]
    poa: PoaIndicator | None

    def row(
        self,
        encounter: Encounter,
        user: User,
        sequence: int,
        status: CodeStatus,
        reason: str | None,
    ) -> CodeAssignment:
        return CodeAssignment(
            encounter_id=encounter.id,
            system=self.system.value,
            code=self.code,
            title=self.title,
            sequence=sequence,
            source=CodeSource.CODER.value,
            status=status.value,
            reason=reason,
            release=self.release,
            units=self.units,
            modifiers=list(self.modifiers) or None,
            poa=self.poa.value if self.poa else None,
            poa_source=CodeSource.CODER.value if self.poa else None,
            updated_by=user.name,
        )

    def audit(self) -> dict[str, Any]:
        """The claim fields an audit event records (only those that say something)."""
        out: dict[str, Any] = {}
        if self.system.is_line_item:
            out.update(units=self.units, modifiers=list(self.modifiers))
        if self.poa:
            out["poa"] = self.poa.value
        return out


def poa_complete(encounter: Encounter, reported: list[CodeAssignment]) -> None:
    """Every diagnosis of an inpatient claim carries a POA indicator; an exempt code
    carries 1 (ICD-10-CM Official Guidelines, Appendix I; UB-04 FL67 / 837I K3)."""
    if not Setting.parse(encounter.setting).is_inpatient:
        return
    missing = [c.code for c in sorted(reported, key=lambda c: c.sequence) if is_dx(c) and not c.poa]
    if missing:
        raise WorkflowError(
            f"inpatient stay {encounter.external_id}: {len(missing)} diagnosis code(s) "
            f"without a present-on-admission indicator: {', '.join(missing)}",
            hint=f"medcoder review {encounter.external_id} poa CODE Y|N|U|W|1 "
            "(1: on the POA exempt list)",
        )


def is_dx(row: CodeAssignment) -> bool:
    return row.system == CodeSystem.ICD10CM.value


def label(row: CodeAssignment) -> str:
    """A code as a resequence lists it: bare for a diagnosis, SYSTEM:CODE otherwise."""
    return row.code if is_dx(row) else f"{row.system}:{row.code}"


def split_named(code: str, system: System) -> tuple[str, System]:
    """``hcpcs:J1885`` -> (J1885, hcpcs); a bare code keeps ``system``."""
    head, sep, tail = code.partition(":")
    return (tail, head) if sep else (code, system)
