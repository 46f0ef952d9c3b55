"""Code many notes from a JSONL file, keeping going past bad lines.

Input lines: ``{"id", "text", "setting"?, "date"?, "age"?, "sex"?, "patient_status"?}``
(``patient_status``: new | established, for the office E/M level). Output lines:
``{"id", "codes", "dropped", "procedures", "em_level", "release",
"encounter_confidence"}``, or
``{"id", "line", "error"}`` for a line that could not be coded; the run reports how
many failed and never stops on one.

Each line is checked before it is coded: an unknown key (a misspelt ``settting`` would
otherwise code under the outpatient rules) or a field of the wrong type is a one-line
``[E300]`` error naming the field, never a ``TypeError``; a line is read no further than
:data:`MAX_LINE_BYTES`.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import multiprocessing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from medcoder.errors import InputTooLargeError, InvalidInputError, MedcoderError
from medcoder.kinds import PatientStatus, Setting, Sex
from medcoder.nlp.document import MAX_TEXT_CHARS
from medcoder.nlp.normalize import BOMS
from medcoder.serialize import loads_input, result_json

#: The keys a batch line may carry; any other is refused by name.
BATCH_KEYS = ("id", "text", "setting", "date", "age", "sex", "patient_status")
#: The longest line read: a note at its limit, every character JSON-escaped (``\uXXXX``).
MAX_LINE_BYTES = 6 * MAX_TEXT_CHARS + 65_536


@dataclass(frozen=True, slots=True)
class BatchSummary:
    total: int
    coded: int
    failed: int


@dataclass(frozen=True, slots=True)
class BatchLine:
    """One batch line, every field checked (``setting`` and ``patient_status`` as given,
    lower case; ``date`` YYYY-MM-DD)."""

    id: str | None
    text: str
    setting: str | None = None
    date: str | None = None
    age: int | None = None
    sex: str | None = None  # F | M
    patient_status: str | None = None


def _optional_text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidInputError(f"{key} must be a string, not {_kind(value)}")
    return value.strip()


def _kind(value: object) -> str:
    """The JSON kind of a value, for messages that must not echo a huge value."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dict):
        return "an object"
    return "a list" if isinstance(value, list) else type(value).__name__


def _choice(data: dict[str, Any], key: str, choices: tuple[str, ...]) -> str | None:
    value = _optional_text(data, key)
    if value is None:
        return None
    if value.lower() not in choices:
        shown = value if len(value) <= 40 else value[:40] + "..."
        raise InvalidInputError(f"{key} {shown!r} is not one of {', '.join(choices)}")
    return value.lower()


def _patient_status(data: dict[str, Any]) -> str | None:
    value = _optional_text(data, "patient_status")
    status = PatientStatus.parse(value[:40] if value else None)  # E320 for a bad value
    return None if status is None else status.value


def parse_line(data: object) -> BatchLine:
    """Check one decoded batch line; anything wrong is E300 naming the field."""
    if not isinstance(data, dict):
        raise InvalidInputError(f"a line must be a JSON object, not {_kind(data)}")
    unknown = sorted(set(data) - set(BATCH_KEYS))
    if unknown:
        named = ", ".join(repr(k[:40]) for k in unknown[:5])
        raise InvalidInputError(f"unknown key(s) {named} (allowed: {', '.join(BATCH_KEYS)})")
    record_id = data.get("id")
    if record_id is not None and (
        isinstance(record_id, bool) or not isinstance(record_id, str | int)
    ):
        raise InvalidInputError(f"id must be a string or a whole number, not {_kind(record_id)}")
    if isinstance(record_id, int) and abs(record_id) >= 10**30:
        raise InvalidInputError("id is a number too long to be an id")
    text = data.get("text")
    if text is None:
        raise InvalidInputError('missing "text"')
    if not isinstance(text, str):
        raise InvalidInputError(f"text must be a string, not {_kind(text)}")
    if len(text) > MAX_TEXT_CHARS:
        raise InputTooLargeError(
            f"text is {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,}"
        )
    age = data.get("age")
    if age is not None and (isinstance(age, bool) or not isinstance(age, int)):
        raise InvalidInputError(f"age must be a whole number 0-130, not {_kind(age)}")
    if age is not None and not 0 <= age <= 130:
        raise InvalidInputError("age must be a whole number 0-130")
    date = _optional_text(data, "date")
    if date is not None:
        try:
            dt.date.fromisoformat(date)
        except ValueError:
            raise InvalidInputError(f"date {date[:40]!r} is not a YYYY-MM-DD date") from None
    raw_sex = _optional_text(data, "sex")
    sex = Sex.parse(raw_sex)  # exact values only (E300), never the first letter
    return BatchLine(
        id=None if record_id is None else str(record_id),
        text=text,
        setting=_choice(data, "setting", tuple(s.value for s in Setting)),
        date=date,
        age=age,
        sex=None if sex is None else sex.value,
        patient_status=_patient_status(data),
    )


def _decode(line: str) -> object:
    try:
        return loads_input(line)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"not JSON: {exc.msg}") from None
    except RecursionError:
        raise InvalidInputError("not JSON this program reads: nested too deeply") from None


def parse_line_text(line: str) -> BatchLine:
    """Decode and check one batch line (JSON nested too deeply is E300, as any other
    malformed line)."""
    return parse_line(_decode(line))


def _read_lines(path: Path) -> Iterator[tuple[int, str | None]]:
    """Each line, decoded; ``None`` for a line over MAX_LINE_BYTES, which is skipped in
    bounded pieces and never held whole. UTF-8, its byte-order mark skipped; a file that
    starts with a UTF-16 or UTF-32 mark is read in that encoding, a line at a time."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
            mark, encoding = next(
                ((m, name) for m, name in BOMS if head.startswith(m)), (b"", "utf-8")
            )
            handle.seek(len(mark))
            if encoding != "utf-8":
                yield from _read_wide_lines(handle, encoding)
                return
            number = 0
            while raw := handle.readline(MAX_LINE_BYTES + 1):
                number += 1
                if len(raw) <= MAX_LINE_BYTES or raw.endswith(b"\n"):
                    yield number, raw.decode("utf-8", errors="replace")
                    continue
                while (rest := handle.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                    pass
                yield number, None
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path}: {exc.strerror}") from exc


def _read_wide_lines(handle: BinaryIO, encoding: str) -> Iterator[tuple[int, str | None]]:
    """The lines of a UTF-16/32 file (mark skipped), bounded as UTF-8 lines are: a line
    too long is skipped in bounded pieces, never held whole."""
    limit = MAX_LINE_BYTES // 4 + 1
    text = io.TextIOWrapper(handle, encoding=encoding, errors="replace", newline=None)
    try:
        number = 0
        while line := text.readline(limit):
            number += 1
            if len(line) < limit or line.endswith("\n"):
                yield number, line
                continue
            while (rest := text.readline(limit)) and not rest.endswith("\n"):
                pass
            yield number, None
    finally:
        text.detach()  # the caller's ``with`` closes the file


def _reported_id(data: object) -> str | int | None:
    """The line's id for its error record, where it is one."""
    found = data.get("id") if isinstance(data, dict) else None
    return found if isinstance(found, str | int) and not isinstance(found, bool) else None


def code_record(data: object, *, line: int | None, home: Path | str | None) -> dict[str, Any]:
    """One decoded batch line (a note's fields as a dict) coded into its output record:
    ``{"id", "codes", ..., "encounter_confidence"}``, or ``{"id", "line", "error"}`` when
    it cannot be coded. Never raises: one bad note must not stop a batch (nor a Spark
    job, :mod:`medcoder.spark`, which codes each row through here)."""
    record_id = _reported_id(data)
    try:
        checked = parse_line(data)
        from medcoder.pipeline import engine_for, make_document

        document = make_document(
            checked.text,
            setting=checked.setting,
            date_of_service=checked.date,
            age=checked.age,
            sex=checked.sex,
            id=checked.id,
            patient_status=checked.patient_status,
        )
        result = engine_for(Path(home) if home else None).code(document)
        out = result_json(result)
        return {"id": record_id, "codes": out["codes"], "dropped": out["dropped"],
                "procedures": out["procedures"], "em_level": out["em_level"],
                "release": out["release"],
                "encounter_confidence": out["encounter_confidence"]}  # fmt: skip
    except MedcoderError as exc:
        return error_record(record_id, line, f"[{exc.code}] {exc.message}")
    except Exception as exc:  # one bad note must not stop the batch
        return error_record(record_id, line, f"{type(exc).__name__}: {exc}")


def error_record(record_id: str | int | None, line: int | None, error: str) -> dict[str, Any]:
    """The output record of a line that could not be coded."""
    return {"id": record_id, "line": line, "error": error}


def _code_line(item: tuple[int, str | None, str | None]) -> dict[str, Any]:
    number, line, home = item
    try:
        if line is None:
            raise InputTooLargeError(f"the line is over {MAX_LINE_BYTES:,} bytes")
        data = _decode(line)
    except MedcoderError as exc:
        return error_record(None, number, f"[{exc.code}] {exc.message}")
    except Exception as exc:  # as code_record: never stop the batch
        return error_record(None, number, f"{type(exc).__name__}: {exc}")
    return code_record(data, line=number, home=home)


def run_batch(
    source: Path,
    output: Path,
    *,
    home: Path | None = None,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
) -> BatchSummary:
    """Code every line of ``source`` into ``output`` (written atomically at the end)."""
    items = [(n, line, str(home) if home else None) for n, line in _read_lines(source)]
    items = [i for i in items if i[1] is None or i[1].strip()]
    tmp = output.with_name(output.name + ".partial")
    coded = failed = 0
    with tmp.open("w", encoding="utf-8") as out:
        results: Iterator[dict[str, Any]]
        pool = None
        if jobs > 1 and len(items) > 1:
            pool = multiprocessing.get_context("spawn").Pool(jobs)
            results = pool.imap(_code_line, items, chunksize=4)
        else:
            results = map(_code_line, items)
        try:
            for record in results:
                if "error" in record:
                    failed += 1
                else:
                    coded += 1
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                if progress is not None:
                    progress(1)
        finally:
            if pool is not None:
                pool.close()
                pool.join()
    tmp.replace(output)
    return BatchSummary(len(items), coded, failed)
