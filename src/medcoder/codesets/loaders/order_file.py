"""Loaders for the official ICD-10-CM order file and the plain code-list format.

Order file (``icd10cm_order_YYYY.txt``), fixed width: order number (cols 1-5), blank,
code without dot (7-13), blank, billable flag 0/1 (15), blank, short title (17-76),
blank, long title (78-). Code list: one chapter number, section range, category or
code per line (the form simple-icd-10-cm ships).
"""

from __future__ import annotations

from pathlib import Path

from medcoder.codesets.codes import is_code_syntax, normalize
from medcoder.codesets.model import OrderRecord
from medcoder.errors import SourceFormatError


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        # Older order files are Latin-1 (accented eponyms).
        return path.read_text(encoding="latin-1").splitlines()
    except OSError as exc:
        raise SourceFormatError(path, f"cannot read file: {exc}") from exc


def load_order_file(path: Path) -> list[OrderRecord]:
    """Parse the fixed-width order file; every malformed line is named."""
    records: list[OrderRecord] = []
    for number, line in enumerate(_lines(path), start=1):
        if not line.strip():
            continue
        order_text, code_text, flag = line[0:5], line[6:13].strip(), line[14:15]
        if not order_text.strip().isdigit() or flag not in ("0", "1") or len(line) < 17:
            raise SourceFormatError(
                path,
                "not an order-file line (expected: 5-digit order, code, 0/1 flag, titles)",
                line=number,
            )
        if not is_code_syntax(code_text):
            raise SourceFormatError(path, f"bad code {code_text!r}", line=number)
        records.append(
            OrderRecord(
                order=int(order_text),
                code=normalize(code_text),
                billable=flag == "1",
                short_title=line[16:76].strip(),
                long_title=line[77:].strip(),
            )
        )
    if not records:
        raise SourceFormatError(path, "no records found")
    return records


def load_code_list(path: Path) -> list[str]:
    """Parse a code list: chapters, sections and codes, normalized, in file order."""
    codes: list[str] = []
    for number, line in enumerate(_lines(path), start=1):
        text = line.strip()
        if not text:
            continue
        try:
            codes.append(normalize(text))
        except Exception as exc:
            raise SourceFormatError(path, f"bad code {text!r}", line=number) from exc
    return codes
