"""Every error medcoder raises on purpose, each with a stable code.

The hierarchy::

    MedcoderError                    E000
    ├── ConfigurationError           E100
    │   ├── DataNotFoundError        E101  no CMS data folder / file where we looked
    │   ├── MissingExtraError        E102  an optional part whose pip extra is not installed
    │   ├── JavaRuntimeError         E103  no Java runtime for Spark (medcoder spark-code)
    │   └── EMRulesError             E321  the E/M rules file is malformed (unknown key...)
    ├── CodeSetError                 E200
    │   ├── ReleaseNotFoundError     E201  no release by that name, or none built
    │   ├── NoReleaseForDateError    E202  no release covers the date of service
    │   ├── ReleaseBuildError        E203  a release could not be built
    │   ├── SourceFormatError        E204  a CMS file is malformed (names file and line)
    │   ├── UnknownCodeError         E205  a code not in the release (with nearest codes)
    │   ├── MissingComponentError    E206  the release lacks a part (index, table)
    │   ├── InvalidPcsCodeError      E240  a PCS code or table its release does not allow
    │   ├── CptLayoutError           E220  a CPT file in no accepted layout (names columns)
    │   ├── UnknownModifierError     E221  a modifier in no installed HCPCS/CPT list
    │   └── ProcedureCodeSetMissing  E222  no HCPCS/CPT code set installed for the lookup
    ├── InvalidInputError            E300  malformed user input (code, date, option)
    │   ├── InputTooLargeError       E301  a note, claim or file over its size limit
    │   ├── TimeBudgetError          E302  a note not coded within its time budget
    │   └── PatientStatusError       E320  a patient status other than new / established
    ├── RecordsError                 E400  the coded-records database
    │   ├── DatabaseError            E401  no database, not migrated, or unreachable
    │   ├── EncryptionKeyError       E402  no key, a malformed key, or data under another key
    │   ├── PermissionDeniedError    E403  the acting user's role does not allow the action
    │   ├── RecordNotFoundError      E404  no such encounter, code, user
    │   ├── WorkflowError            E405  finalized (locked), undecided codes, missing reason
    │   ├── ImportFormatError        E406  a bad import line (names file and line)
    │   ├── ExportError              E407  an export format that cannot be written here
    │   ├── EncounterLockedError     E408  another user holds the encounter (or it is
    │   │                                  assigned to another); names who and until when
    │   └── RegistryDefinitionError  E409  a registry file that cannot be read (names file
    │                                      and field)
    ├── ApiError                     E500  the REST API (HTTP-level problems)
    │   ├── AuthenticationError      E501  no credentials, a wrong password, an expired token
    │   ├── RequestTooLargeError     E502  a request body over the configured limit
    │   ├── RouteNotFoundError       E503  no such URL, or a method the URL does not take
    │   ├── RequestValidationError   E504  a request body or parameter of the wrong shape
    │   └── TooManyAttemptsError     E505  too many failed logins for a user name; wait
    ├── ClaimEditError               E600  claim edits (medcoder.edits)
    │   ├── ClaimFormatError         E601  a claim that cannot be read (JSON, system, date)
    │   ├── EditTableError           E602  an edit table (MCE, NCCI, MUE) missing or malformed
    │   └── EditsBlockedError        E603  finalizing blocked by edit errors or unacknowledged
    │                                      warnings
    ├── GroupingError                E700  MS-DRG grouping and CMS-HCC risk adjustment
    │   ├── GroupingTableError       E701  a CMS table (Table 5, 6I/6J/6K, RA lists) missing
    │   │                                  or malformed (names file and line)
    │   ├── GroupingInputError       E702  a code not valid on the date, a bad age, sex,
    │   │                                  discharge status, model or payment year
    │   └── UngroupableError         E703  the grouper assigns no MS-DRG (000/998/999)
    └── InteropError                 E800  claims and records out (medcoder.interop)
        ├── ClaimCodeValueError      E801  a code, modifier, unit or POA a claim may not carry
        └── ClaimContentError        E802  a claim missing what its format requires

The CLI prints ``error[E205]: message`` and, where known, a ``hint:`` line; it never
shows a traceback for these.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class MedcoderError(Exception):
    """Base of every deliberate medcoder error."""

    code = "E000"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class ConfigurationError(MedcoderError):
    code = "E100"


class DataNotFoundError(ConfigurationError):
    code = "E101"


class MissingExtraError(ConfigurationError):
    """A command needs optional packages (a pip extra of medcoder) that are not installed.

    The message names the extra and the command that installs it, on one line.
    """

    code = "E102"

    def __init__(self, what: str, extra: str, packages: Sequence[str]) -> None:
        super().__init__(
            f"{what} needs the optional {extra!r} packages ({', '.join(packages)}), "
            f"not installed here: pip install 'medcoder[{extra}]'"
        )
        self.extra = extra
        self.packages = tuple(packages)


class JavaRuntimeError(ConfigurationError):
    """Spark (``medcoder spark-code``) found no Java runtime to start its gateway."""

    code = "E103"


class CodeSetError(MedcoderError):
    code = "E200"


class ReleaseNotFoundError(CodeSetError):
    code = "E201"


class NoReleaseForDateError(CodeSetError):
    code = "E202"


class ReleaseBuildError(CodeSetError):
    code = "E203"


class SourceFormatError(CodeSetError):
    """A source file does not have the layout its loader expects."""

    code = "E204"

    def __init__(
        self, path: Path | str, problem: str, *, line: int | None = None, hint: str | None = None
    ) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}", hint=hint)
        self.path = Path(path)
        self.line = line


class UnknownCodeError(CodeSetError):
    """A code that is not in the release; carries the nearest valid codes."""

    code = "E205"

    def __init__(self, code: str, release: str, suggestions: Sequence[str] = ()) -> None:
        hint = f"nearest valid codes: {', '.join(suggestions)}" if suggestions else None
        super().__init__(f"{code} is not a code in {release}", hint=hint)
        self.unknown_code = code
        self.release = release
        self.suggestions = tuple(suggestions)


class MissingComponentError(CodeSetError):
    """The release was built without the part asked for (e.g. no Alphabetic Index)."""

    code = "E206"


class CptLayoutError(SourceFormatError):
    """A CPT file whose header matches no accepted layout; names the missing columns."""

    code = "E220"


class UnknownModifierError(CodeSetError):
    """Modifiers not in the HCPCS Level II modifier list nor the CPT modifier numbers."""

    code = "E221"

    def __init__(self, modifiers: Sequence[str], release: str) -> None:
        named = ", ".join(modifiers)
        super().__init__(
            f"unknown modifier{'s' if len(modifiers) > 1 else ''} {named} (not in {release})",
            hint="run `medcoder hcpcs modifiers` to list the valid modifiers",
        )
        self.modifiers = tuple(modifiers)


class ProcedureCodeSetMissingError(CodeSetError):
    """No HCPCS Level II / CPT release is installed for the lookup asked for."""

    code = "E222"


class InvalidPcsCodeError(CodeSetError):
    """An ICD-10-PCS code (or table prefix) that its release does not allow: the message
    names the character position, its axis and the values allowed there."""

    code = "E240"


class InvalidInputError(MedcoderError):
    code = "E300"


class InputTooLargeError(InvalidInputError):
    """An input over its size limit (a note, a claim file, a line): refused, never
    truncated, and never read further than the limit."""

    code = "E301"


class TimeBudgetError(InvalidInputError):
    """Coding a note took longer than the request's time budget: stopped, nothing
    returned (a REST request must not hold a worker for minutes; issue 17 item 6)."""

    code = "E302"


class PatientStatusError(InvalidInputError):
    """An E/M patient status that is neither new nor established."""

    code = "E320"


class EMRulesError(ConfigurationError):
    """The E/M rules file (procedures/data/em_rules.json or a replacement) is malformed."""

    code = "E321"


class RecordsError(MedcoderError):
    code = "E400"


class DatabaseError(RecordsError):
    code = "E401"


class EncryptionKeyError(RecordsError):
    code = "E402"


class PermissionDeniedError(RecordsError):
    code = "E403"


class RecordNotFoundError(RecordsError):
    code = "E404"


class WorkflowError(RecordsError):
    code = "E405"


class ImportFormatError(RecordsError):
    """A line of an import file that cannot be stored; names the file and line."""

    code = "E406"

    def __init__(self, path: Path | str, problem: str, *, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}")
        self.path = Path(path)
        self.line = line
        self.problem = problem


class ExportError(RecordsError):
    code = "E407"


class EncounterLockedError(WorkflowError):
    """Another user holds the encounter's lock, or it is assigned to another (issue 16,
    part 4): the message names who holds it and until when."""

    code = "E408"


class RegistryDefinitionError(RecordsError):
    """A registry definition (JSON) that cannot be used; names the file and the field."""

    code = "E409"


class ApiError(MedcoderError):
    """An HTTP-level problem of the REST API (``medcoder.api``)."""

    code = "E500"


class AuthenticationError(ApiError):
    code = "E501"


class RequestTooLargeError(ApiError):
    code = "E502"


class RouteNotFoundError(ApiError):
    code = "E503"


class RequestValidationError(ApiError):
    code = "E504"


class TooManyAttemptsError(ApiError):
    code = "E505"


class ClaimEditError(MedcoderError):
    code = "E600"


class ClaimFormatError(ClaimEditError):
    """A claim (JSON) that cannot be checked: malformed, an unknown system, a bad date."""

    code = "E601"


class EditTableError(ClaimEditError):
    """An edit table (MCE, NCCI PTP, add-on, MUE) that is missing or not in its layout."""

    code = "E602"


class EditsBlockedError(ClaimEditError):
    """Finalizing an encounter refused: claim-edit errors, or warnings not acknowledged."""

    code = "E603"


class GroupingError(MedcoderError):
    code = "E700"


class GroupingTableError(GroupingError):
    """A CMS grouping table (MS-DRG Table 5, 6I, 6J, 6K; the risk-adjustment procedure
    list) that is missing or not in its layout; the message names the file and line."""

    code = "E701"


class GroupingInputError(GroupingError):
    """Input the grouper refuses: a code not valid on the date of service (named), an age,
    sex, discharge status, model or payment year it does not take."""

    code = "E702"


class UngroupableError(GroupingError):
    """The MS-DRG grouper assigns no DRG to the stay (000, 998, 999)."""

    code = "E703"


class InteropError(MedcoderError):
    """Claims and records out (``medcoder.interop``): X12 837 and FHIR."""

    code = "E800"


class ClaimCodeValueError(InteropError):
    """A code value a claim may not carry (not billable, not valid, malformed), named with
    its place in the claim (diagnosis 2, line 3 modifier 1)."""

    code = "E801"


class ClaimContentError(InteropError):
    """A claim missing what its format requires (a principal diagnosis, a date, a DRG)."""

    code = "E802"
