"""Reading import files: JSONL, or a plain-text note with a JSON sidecar.

One JSONL line (or one note + ``NOTE.json`` sidecar) is one document::

    {"mrn", "name", "dob", "sex", "encounter_id", "setting", "date", "kind", "text"}

plus optional ``payer``, ``attending``, ``admit_date``, ``discharge_date`` and
``discharge_status`` (the UB-04 patient discharge status, two digits: 01 home). Unknown keys
are refused (a misspelt ``payer`` would be lost silently otherwise). Values are exact:
``sex`` is F, M or U (or female, male, unknown, in any case); the date of birth is on or
before every date of the encounter and at most 130 years before it; an encounter id is
:data:`ENCOUNTER_ID` (letters, digits and ``-_.:``, not starting with a dot, at most 64
characters), so that every stored encounter has a URL. A bad line becomes an
``ImportFormatError`` naming file and line; the good lines go on. Storing is the service's
job (``service.Records.import_path``), one transaction per encounter.

FHIR R4 Bundles and HL7 v2 messages are read by ``medcoder.interop`` into records of the
same schema and validated here by the same rules; an error then names the Bundle's
resource path or the message's segment and field, and refuses that whole Bundle or
message. The format is told (``--format``) or seen in the file (:func:`detect_format`).
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medcoder.errors import ImportFormatError
from medcoder.interop.source import SourceMessage
from medcoder.kinds import SEX_WORDS, ImportFormat, Setting
from medcoder.nlp.document import MAX_TEXT_CHARS
from medcoder.nlp.normalize import BOMS, decode_note
from medcoder.serialize import loads_input

# Letters, digits and - _ . : only, not starting with a dot ("." and ".." are path steps),
# at most 64: an id is one path segment of /v1/encounters/{id} as written.
ENCOUNTER_ID = re.compile(r"[A-Za-z0-9_:-][A-Za-z0-9_.:-]{0,63}")
MAX_AGE_YEARS = 130  # as ClinicalDocument's age
#: The earliest date of service taken: anything before is a typing error (1899 for 1989).
EARLIEST_SERVICE = dt.date(1900, 1, 1)
REQUIRED = ("mrn", "name", "dob", "encounter_id", "setting", "kind", "text")
OPTIONAL = (
    "sex",
    "date",
    "payer",
    "attending",
    "admit_date",
    "discharge_date",
    "discharge_status",
)
#: UB-04 patient discharge status codes (NUBC UB-04 Data Specifications, Form Locator 17),
#: as the MS-DRG grouper reads them: home, transfers, left against advice, expired,
#: hospice, and the planned-readmission variants (81-95).
DISCHARGE_STATUSES = frozenset(
    {
        *("01", "02", "03", "04", "05", "06", "07", "09", "20", "21", "30"),
        *("40", "41", "42", "43", "50", "51", "61", "62", "63", "64", "65", "66", "69", "70"),
        *("81", "82", "83", "84", "85", "86", "87", "88", "89", "90", "91", "92", "93", "94"),
        "95",
    }
)


@dataclass(frozen=True, slots=True)
class ImportDocument:
    """One validated document with its patient and encounter, from ``source`` line ``line``."""

    source: str
    line: int
    mrn: str
    name: str
    dob: dt.date
    sex: str | None
    encounter_id: str
    setting: Setting  # emergency is coded under the outpatient guidelines (IV)
    service_date: dt.date | None
    admit_date: dt.date | None
    discharge_date: dt.date | None
    payer: str | None
    attending: str | None
    kind: str
    text: str
    discharge_status: str | None = None  # UB-04 FL17, two digits


def _date(data: dict[str, Any], key: str) -> dt.date | None:
    value = data.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError(f"{key} must be a YYYY-MM-DD string")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{key} {value!r} is not a YYYY-MM-DD date") from None


def _service_day(data: dict[str, Any], key: str) -> dt.date | None:
    """A date of service, admission or discharge: refused before 1900 or more than a day
    ahead of today (a day allows for time zones). A date merely outside the installed
    releases is taken; coding that encounter then fails alone (E202), not the import."""
    day = _date(data, key)
    if day is not None and day < EARLIEST_SERVICE:
        raise ValueError(f"{key} {day.isoformat()} is before 1900")
    if day is not None and day > dt.date.today() + dt.timedelta(days=1):
        raise ValueError(f"{key} {day.isoformat()} is in the future")
    return day


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ValueError(f"{key} must be a string")
    return str(value).strip() or None


def _check_dob(dob: dt.date, dates: list[dt.date]) -> None:
    """A birth on or before the first date of the encounter, at most 130 years before the
    last (the values are not echoed: they are PHI)."""
    first, last = min(dates), max(dates)
    if dob > first:
        raise ValueError("dob is after the date of service (or admit_date)")
    if last.year - dob.year > MAX_AGE_YEARS:
        raise ValueError(f"dob is more than {MAX_AGE_YEARS} years before the date of service")


def parse_document(data: object, *, source: str, line: int) -> ImportDocument:
    """Validate one record; ``ValueError`` says what is wrong with it."""
    if not isinstance(data, dict):
        raise ValueError("a line must be a JSON object")
    unknown = sorted(set(data) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(unknown)}")
    missing = [key for key in REQUIRED if key != "text" and not _text(data, key)]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("text must be a non-empty string")
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(
            f"text is {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,} (split it)"
        )
    try:
        setting = Setting(str(data["setting"]).strip().lower())
    except ValueError:
        choices = ", ".join(s.value for s in Setting)
        raise ValueError(f"setting {data['setting']!r} is not one of {choices}") from None
    encounter_id = str(_text(data, "encounter_id"))
    if not ENCOUNTER_ID.fullmatch(encounter_id):
        raise ValueError(
            "encounter_id may hold only letters, digits and - _ . : (not first a dot), "
            "at most 64 characters"
        )
    sex = _text(data, "sex")
    if sex is not None:
        if sex.strip().lower() not in SEX_WORDS:
            raise ValueError("sex is not F, M or U (or female, male, unknown)")
        sex = SEX_WORDS[sex.strip().lower()]
    dob = _date(data, "dob")
    service = _service_day(data, "date")
    admit, discharge = _service_day(data, "admit_date"), _service_day(data, "discharge_date")
    if service is None and admit is None and discharge is None:
        raise ValueError("missing date (or admit_date / discharge_date)")
    if admit and discharge and discharge < admit:
        raise ValueError("discharge_date is before admit_date")
    if dob is not None:
        _check_dob(dob, [d for d in (service, admit, discharge) if d is not None])
    status = data.get("discharge_status")
    if status is not None:
        if not isinstance(status, str) or status.strip() not in DISCHARGE_STATUSES:
            raise ValueError(
                "discharge_status must be a UB-04 patient discharge status, two digits "
                'such as "01" (home) or "06" (home health)'
            )
        status = status.strip()
    return ImportDocument(
        source=source,
        line=line,
        mrn=str(_text(data, "mrn")),
        name=str(_text(data, "name")),
        dob=dob or dt.date.min,
        sex=sex,
        encounter_id=encounter_id,
        setting=setting,
        service_date=service,
        admit_date=admit,
        discharge_date=discharge,
        payer=_text(data, "payer"),
        attending=_text(data, "attending"),
        kind=str(_text(data, "kind")),
        text=text,
        discharge_status=status,
    )


def _jsonl_line(path: Path, number: int, line: str) -> ImportDocument | ImportFormatError:
    try:
        # A number too long to read becomes infinity, refused by its field's check.
        return parse_document(loads_input(line), source=str(path), line=number)
    except json.JSONDecodeError as exc:
        return ImportFormatError(path, f"not JSON ({exc.msg})", line=number)
    except RecursionError:
        return ImportFormatError(path, "not JSON this reads: nested too deeply", line=number)
    except ValueError as exc:
        return ImportFormatError(path, str(exc), line=number)


def read_jsonl(path: Path) -> Iterator[ImportDocument | ImportFormatError]:
    """Each line as a document, or the error that keeps it out. UTF-8 (a byte-order mark
    is skipped); a file that starts with a UTF-16 or UTF-32 mark is read in that encoding."""
    with path.open("rb") as handle:
        head = handle.read(4)
        if any(head.startswith(mark) for mark, name in BOMS if name != "utf-8"):
            text, notices = decode_note(head + handle.read(), path.name)
            if notices:
                yield ImportFormatError(path, notices[0].split(": ", 1)[1])
                return
            for number, line in enumerate(text.splitlines(), start=1):
                if line.strip():
                    yield _jsonl_line(path, number, line)
            return
        handle.seek(0)
        for number, raw in enumerate(handle, start=1):
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                yield ImportFormatError(path, "not UTF-8", line=number)
                continue
            yield _jsonl_line(path, number, line)


def read_text_note(path: Path) -> ImportDocument | ImportFormatError:
    """A plain-text note with its sidecar ``NOTE.json`` (the JSONL fields except text)."""
    sidecar = path.with_suffix(".json")
    try:
        data = loads_input(sidecar.read_text(encoding="utf-8-sig"))
        text, notices = decode_note(path.read_bytes(), path.name)
    except FileNotFoundError:
        return ImportFormatError(path, f"no sidecar {sidecar.name} beside the note")
    except RecursionError:
        return ImportFormatError(sidecar, "not JSON this reads: nested too deeply")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return ImportFormatError(path, f"unreadable note or sidecar: {exc}")
    if notices:  # stored text must be what was written, not replacement characters
        return ImportFormatError(path, notices[0].split(": ", 1)[1])
    if not isinstance(data, dict) or "text" in data:
        return ImportFormatError(sidecar, "the sidecar must be an object without 'text'")
    try:
        return parse_document({**data, "text": text}, source=str(path), line=1)
    except ValueError as exc:
        return ImportFormatError(sidecar, str(exc))


# A file read whole (FHIR, HL7) may be at most this large: split a bigger export.
MAX_FILE_BYTES = 256 * 1024 * 1024
SUFFIXES = (".jsonl", ".txt", ".json", ".ndjson", ".hl7")
_KEY = re.compile(r"(?:missing )?([a-z_]+)")


def detect_format(head: bytes) -> ImportFormat:
    """HL7 v2 when the text starts with MSH, a batch header or an MLLP start byte; FHIR
    when it starts with a JSON object that has a ``resourceType`` (a JSONL line never
    has one) or with a JSON object that spans lines; else JSONL."""
    text = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if text.startswith((b"\x0b", b"MSH", b"FHS", b"BHS")):
        return ImportFormat.HL7
    if not text.startswith(b"{"):
        return ImportFormat.JSONL
    first = text.split(b"\n", 1)[0]
    try:
        value = loads_input(first)
    except (ValueError, RecursionError):
        return ImportFormat.FHIR if b'"resourceType"' in text else ImportFormat.JSONL
    is_fhir = isinstance(value, dict) and "resourceType" in value
    return ImportFormat.FHIR if is_fhir else ImportFormat.JSONL


def _field_of(problem: str) -> str | None:
    """The JSONL key a validation message is about (it starts with it, or 'missing KEY')."""
    match = _KEY.match(problem)
    key = match.group(1) if match else None
    return key if key in REQUIRED or key in OPTIONAL else None


def _validated(path: Path, message: SourceMessage) -> list[ImportDocument | ImportFormatError]:
    """The documents of one Bundle or message, or (if one is bad) only the errors."""
    docs: list[ImportDocument] = []
    errors: list[ImportDocument | ImportFormatError] = []
    for document in message.documents:
        try:
            docs.append(parse_document(document.data, source=str(path), line=message.line))
        except ValueError as exc:
            where = document.fields.get(_field_of(str(exc)) or "", document.where)
            errors.append(ImportFormatError(path, f"{where}: {exc}", line=message.line))
    return errors or list(docs)


def _read_whole(path: Path) -> bytes | ImportFormatError:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return ImportFormatError(path, f"larger than {MAX_FILE_BYTES // 2**20} MiB: split it")
        return path.read_bytes()
    except OSError as exc:
        return ImportFormatError(path, f"cannot be read ({exc.strerror})")


def read_interop(path: Path, fmt: ImportFormat) -> Iterator[ImportDocument | ImportFormatError]:
    """A file of FHIR Bundles or HL7 v2 messages, each all or nothing."""
    data = _read_whole(path)
    if isinstance(data, ImportFormatError):
        yield data
    else:
        yield from read_interop_bytes(data, path, fmt)


def read_interop_bytes(
    data: bytes, path: Path, fmt: ImportFormat
) -> Iterator[ImportDocument | ImportFormatError]:
    """FHIR Bundles or HL7 v2 messages from ``data`` (named ``path`` in errors)."""
    from medcoder.interop.fhir_in import read_fhir
    from medcoder.interop.hl7_in import read_hl7

    if fmt is ImportFormat.FHIR:
        try:
            items = read_fhir(data.decode("utf-8-sig"), str(path))
        except UnicodeDecodeError:
            yield ImportFormatError(path, "not UTF-8")
            return
    else:
        items = read_hl7(data, str(path))
    for item in items:
        if isinstance(item, ImportFormatError):
            yield item
        else:
            yield from _validated(path, item)


def read_file(
    path: Path, fmt: ImportFormat | None = None
) -> Iterator[ImportDocument | ImportFormatError]:
    """One file in the format told, else the one its content shows (a ``.txt`` with a
    sidecar is a note)."""
    if fmt is None:
        if path.suffix == ".txt" and path.with_suffix(".json").exists():
            yield read_text_note(path)
            return
        with path.open("rb") as handle:
            fmt = detect_format(handle.read(65536))
        if fmt is ImportFormat.JSONL and path.suffix == ".txt":
            yield read_text_note(path)  # names the missing sidecar
            return
    if fmt is ImportFormat.JSONL:
        yield from read_jsonl(path)
    else:
        yield from read_interop(path, fmt)


def read_path(
    path: Path, fmt: ImportFormat | None = None
) -> Iterator[ImportDocument | ImportFormatError]:
    """A file (JSONL, FHIR Bundles, HL7 v2 messages, or a ``.txt`` note with sidecar), or
    a folder of them (``.jsonl .txt .json .ndjson .hl7``; a note's sidecar is not a file
    to import)."""
    if path.is_dir():
        children = sorted(path.iterdir())
        notes = {c.with_suffix(".json") for c in children if c.suffix == ".txt"}
        for child in children:
            if child.is_file() and child.suffix in SUFFIXES and child not in notes:
                yield from read_file(child, fmt)
    elif not path.exists():
        yield ImportFormatError(path, "no such file or folder")
    else:
        yield from read_file(path, fmt)
