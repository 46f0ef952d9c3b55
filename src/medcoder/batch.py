"""Code many notes from a JSONL file, keeping going past bad lines.

Input lines: ``{"id", "text", "setting"?, "date"?, "age"?, "sex"?, "patient_status"?}``
(``patient_status``: new | established, for the office E/M level). Output lines:
``{"id", "codes", "dropped", "procedures", "em_level", "release"}``, or
``{"id", "line", "error"}`` for a line that could not be coded; the run reports how
many failed and never stops on one.
"""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medcoder.errors import InvalidInputError, MedcoderError
from medcoder.serialize import result_json


@dataclass(frozen=True, slots=True)
class BatchSummary:
    total: int
    coded: int
    failed: int


def _read_lines(path: Path) -> Iterator[tuple[int, str]]:
    try:
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                yield number, raw.decode("utf-8", errors="replace")
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path}: {exc.strerror}") from exc


def _code_line(item: tuple[int, str, str | None]) -> dict[str, Any]:
    number, line, home = item
    record_id: Any = None
    try:
        data = json.loads(line)
        if not isinstance(data, dict):
            raise InvalidInputError("a line must be a JSON object")
        record_id = data.get("id")
        if "text" not in data:
            raise InvalidInputError('missing "text"')
        from medcoder.pipeline import engine_for, make_document

        document = make_document(
            data["text"],
            setting=data.get("setting"),
            date_of_service=data.get("date"),
            age=data.get("age"),
            sex=data.get("sex"),
            id=None if record_id is None else str(record_id),
            patient_status=data.get("patient_status"),
        )
        result = engine_for(Path(home) if home else None).code(document)
        out = result_json(result)
        return {"id": record_id, "codes": out["codes"], "dropped": out["dropped"],
                "procedures": out["procedures"], "em_level": out["em_level"],
                "release": out["release"]}  # fmt: skip
    except json.JSONDecodeError as exc:
        return {"id": record_id, "line": number, "error": f"not JSON: {exc.msg}"}
    except MedcoderError as exc:
        return {"id": record_id, "line": number, "error": f"[{exc.code}] {exc.message}"}
    except Exception as exc:  # one bad note must not stop the batch
        return {"id": record_id, "line": number, "error": f"{type(exc).__name__}: {exc}"}


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
    items = [i for i in items if i[1].strip()]
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
