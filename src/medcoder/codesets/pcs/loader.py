"""Read the official ICD-10-PCS Tables and Definitions XML files (CMS layout).

Tables: ``ICD10PCS.tabular/pcsTable`` with three ``axis`` elements (positions 1-3, one
``label`` each; position 3 carries the root operation's ``definition``) and ``pcsRow``
elements holding the axes of positions 4-7. Definitions:
``ICD10PCS.definitions/section/axis/terms`` with ``title``, ``definition``,
``explanation`` and ``includes`` children. Index (partial, CSV): ``term,content`` rows
whose content sends a term to a root operation ("see Destruction").
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from pathlib import Path

from lxml import etree

from medcoder.codesets.pcs.model import AxisValue, PcsRow, PcsTable, PcsTables, PcsTerm
from medcoder.errors import SourceFormatError


def _line(element: etree._Element) -> int | None:
    line: object = element.sourceline  # lxml-stubs type it loosely
    return line if isinstance(line, int) else None


def _parse(path: Path, root_tag: str) -> etree._Element:
    try:
        root = etree.parse(str(path)).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        raise SourceFormatError(path, f"not a readable XML file ({exc})") from exc
    if root.tag != root_tag:
        raise SourceFormatError(
            path, f"root element is <{root.tag}>, expected <{root_tag}>",
            hint="expected the official CMS ICD-10-PCS XML file",
        )  # fmt: skip
    return root


def _axis_values(axis: etree._Element, path: Path) -> tuple[AxisValue, ...]:
    values = tuple(
        AxisValue(str(label.get("code", "")).upper(), (label.text or "").strip())
        for label in axis.iter("label")
    )
    if not values or any(len(v.code) != 1 for v in values):
        raise SourceFormatError(
            path, f"axis at position {axis.get('pos')} has no labels or a label without a code",
            line=_line(axis),
        )  # fmt: skip
    return values


def _table(element: etree._Element, path: Path) -> PcsTable:
    heads: dict[int, etree._Element] = {int(a.get("pos", "0")): a for a in element.findall("axis")}
    if sorted(heads) != [1, 2, 3]:
        raise SourceFormatError(path, "a pcsTable needs axes 1, 2 and 3", line=_line(element))
    first = [_axis_values(heads[p], path)[0] for p in (1, 2, 3)]
    rows = []
    for row in element.findall("pcsRow"):
        axes = {int(a.get("pos", "0")): a for a in row.findall("axis")}
        if sorted(axes) != [4, 5, 6, 7]:
            raise SourceFormatError(path, "a pcsRow needs axes 4-7", line=_line(row))
        rows.append(
            PcsRow(
                axes=tuple(_axis_values(axes[p], path) for p in (4, 5, 6, 7)),
                titles=tuple((axes[p].findtext("title") or "").strip() for p in (4, 5, 6, 7)),
            )
        )
    titles = tuple((heads[p].findtext("title") or "").strip() for p in (1, 2, 3))
    return PcsTable(
        section=first[0],
        body_system=first[1],
        operation=first[2],
        definition=(heads[3].findtext("definition") or "").strip(),
        titles=(titles[0], titles[1], titles[2]),
        rows=tuple(rows),
    )


def load_tables(path: Path, definitions: Path | None = None) -> PcsTables:
    """The tables of one Tables XML file, with the Definitions file's terms if given."""
    root = _parse(path, "ICD10PCS.tabular")
    tables = tuple(_table(t, path) for t in root.iter("pcsTable"))
    if not tables:
        raise SourceFormatError(path, "no pcsTable elements")
    terms = load_definitions(definitions) if definitions is not None else ()
    return PcsTables((root.findtext("version") or "").strip(), tables, terms)


def load_definitions(path: Path) -> tuple[PcsTerm, ...]:
    """Every Definitions term, section by section."""
    root = _parse(path, "ICD10PCS.definitions")
    terms = []
    for section in root.iter("section"):
        code = str(section.get("code", ""))
        for axis in section.findall("axis"):
            position = int(axis.get("pos", "0"))
            axis_title = (axis.findtext("title") or "").strip()
            for term in axis.findall("terms"):
                terms.append(
                    PcsTerm(
                        section=code,
                        position=position,
                        axis=axis_title,
                        titles=tuple((t.text or "").strip() for t in term.findall("title")),
                        definition=(term.findtext("definition") or "").strip(),
                        explanation=(term.findtext("explanation") or "").strip(),
                        includes=tuple((i.text or "").strip() for i in term.findall("includes")),
                    )
                )
    return tuple(terms)


def load_long_titles(path: Path) -> dict[str, str]:
    """``code,long title`` rows without a header (plain or gzip CSV)."""
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    titles: dict[str, str] = {}
    for number, row in enumerate(csv.reader(io.StringIO(raw.decode("utf-8"))), start=1):
        if not row:
            continue
        if len(row) < 2 or len(row[0].strip()) != 7:
            raise SourceFormatError(path, "expected a 7-character code and a title", line=number)
        titles[row[0].strip().upper()] = row[1].strip()
    return titles


# A target may hold its abbreviation: "see Computerized Tomography (CT Scan)".
_SEE = re.compile(
    r"\bsee ([A-Z][A-Za-z ]*?(?: \([A-Za-z ]+\)(?: [A-Z][a-z]+)?)?)(?=,| with |\s*\*\*|$)"
)
_PREFIX = re.compile(r"\*\*([0-9A-HJ-NP-Z]{3,7})\*\*")


def load_index_references(path: Path) -> tuple[tuple[str, str, str], ...]:
    """The "see" references of an Index CSV (``term,content``; the content may hold
    several lines): (term, what it sends to, the code prefix given or ""), e.g.
    ("Fulguration", "Destruction", "") or ("Cholecystectomy", "Resection", "0FT4").
    Lines that narrow the term first ("Hematoma see Extirpation") are kept apart: their
    term is "<term>, <narrowing words>"."""
    out: list[tuple[str, str, str]] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or [h.strip().lower() for h in header[:2]] != ["term", "content"]:
            raise SourceFormatError(path, "expected the header 'term,content'", line=1)
        for row in reader:
            if len(row) < 2:
                raise SourceFormatError(path, "expected a term and its content",
                                        line=reader.line_num)  # fmt: skip
            term = row[0].strip()
            for line in row[1].splitlines():
                match = _SEE.search(line)
                if match is None or not term:
                    continue
                narrowing = line[: match.start()].strip()
                if narrowing.startswith("\t") or narrowing.startswith("("):
                    continue
                prefix = _PREFIX.search(line)
                name = f"{term}, {narrowing}" if narrowing else term
                out.append((name, match.group(1).strip(), prefix.group(1) if prefix else ""))
    return tuple(out)
