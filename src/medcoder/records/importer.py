"""Reading import files: JSONL, or a plain-text note with a JSON sidecar.

One JSONL line (or one note + ``NOTE.json`` sidecar) is one document::

    {"mrn", "name", "dob", "sex", "encounter_id", "setting", "date", "kind", "text"}

plus optional ``payer``, ``attending``, ``admit_date``, ``discharge_date``. Unknown keys
are refused (a misspelt ``payer`` would be lost silently otherwise). A bad line becomes an
``ImportFormatError`` naming file and line; the good lines go on. Storing is the service's
job (``service.Records.import_path``), one transaction per encounter.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medcoder.errors import ImportFormatError
from medcoder.kinds import Setting

REQUIRED = ("mrn", "name", "dob", "encounter_id", "setting", "kind", "text")
OPTIONAL = ("sex", "date", "payer", "attending", "admit_date", "discharge_date")


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


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ValueError(f"{key} must be a string")
    return str(value).strip() or None


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
    try:
        setting = Setting(str(data["setting"]).strip().lower())
    except ValueError:
        choices = ", ".join(s.value for s in Setting)
        raise ValueError(f"setting {data['setting']!r} is not one of {choices}") from None
    sex = _text(data, "sex")
    if sex is not None:
        sex = sex.upper()[:1]
        if sex not in ("F", "M", "U"):
            raise ValueError(f"sex {data['sex']!r} is not F, M or U")
    dob = _date(data, "dob")
    service = _date(data, "date")
    admit, discharge = _date(data, "admit_date"), _date(data, "discharge_date")
    if service is None and admit is None and discharge is None:
        raise ValueError("missing date (or admit_date / discharge_date)")
    if admit and discharge and discharge < admit:
        raise ValueError("discharge_date is before admit_date")
    return ImportDocument(
        source=source,
        line=line,
        mrn=str(_text(data, "mrn")),
        name=str(_text(data, "name")),
        dob=dob or dt.date.min,
        sex=sex,
        encounter_id=str(_text(data, "encounter_id")),
        setting=setting,
        service_date=service,
        admit_date=admit,
        discharge_date=discharge,
        payer=_text(data, "payer"),
        attending=_text(data, "attending"),
        kind=str(_text(data, "kind")),
        text=text,
    )


def read_jsonl(path: Path) -> Iterator[ImportDocument | ImportFormatError]:
    """Each line as a document, or the error that keeps it out."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                data = json.loads(raw.decode("utf-8"))
                yield parse_document(data, source=str(path), line=number)
            except UnicodeDecodeError:
                yield ImportFormatError(path, "not UTF-8", line=number)
            except json.JSONDecodeError as exc:
                yield ImportFormatError(path, f"not JSON ({exc.msg})", line=number)
            except ValueError as exc:
                yield ImportFormatError(path, str(exc), line=number)


def read_text_note(path: Path) -> ImportDocument | ImportFormatError:
    """A plain-text note with its sidecar ``NOTE.json`` (the JSONL fields except text)."""
    sidecar = path.with_suffix(".json")
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ImportFormatError(path, f"no sidecar {sidecar.name} beside the note")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return ImportFormatError(path, f"unreadable note or sidecar: {exc}")
    if not isinstance(data, dict) or "text" in data:
        return ImportFormatError(sidecar, "the sidecar must be an object without 'text'")
    try:
        return parse_document({**data, "text": text}, source=str(path), line=1)
    except ValueError as exc:
        return ImportFormatError(sidecar, str(exc))


def read_path(path: Path) -> Iterator[ImportDocument | ImportFormatError]:
    """A ``.jsonl`` file, a ``.txt`` note with sidecar, or a folder of either."""
    if path.is_dir():
        for child in sorted(path.iterdir()):
            if child.suffix in (".jsonl", ".txt"):
                yield from read_path(child)
    elif path.suffix == ".jsonl":
        yield from read_jsonl(path)
    elif path.suffix == ".txt":
        yield read_text_note(path)
    elif not path.exists():
        yield ImportFormatError(path, "no such file or folder")
    else:
        yield ImportFormatError(path, "not a .jsonl file, a .txt note or a folder of them")
