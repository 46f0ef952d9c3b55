"""Loader for the official ICD-10-CM Tabular List XML (``icd10cm_tabular_YYYY.xml``).

Schema: ``icd-10-cm-tabular-YYYY.xsd``. A chapter holds sections, a section holds
``diag`` elements, and a ``diag`` nests further ``diag`` elements. Every level may carry
instructional notes (includes, inclusionTerm, excludes1/2, codeFirst, useAdditionalCode,
codeAlso, notes) and the 7th-character definition (sevenChrNote / sevenChrDef).
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from medcoder.codesets.codes import normalize
from medcoder.codesets.model import (
    XML_NOTE_KINDS,
    NodeKind,
    Note,
    TabularList,
    TabularNode,
)
from medcoder.errors import SourceFormatError


def parse_xml(path: Path) -> etree._Element:
    """Parse an XML file, turning a syntax error into a SourceFormatError naming file and line."""
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        return etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise SourceFormatError(path, f"malformed XML: {exc.msg}", line=line) from exc
    except OSError as exc:
        raise SourceFormatError(path, f"cannot read file: {exc}") from exc


def line_of(element: etree._Element) -> int | None:
    """The source line of an element, for error messages."""
    line: object = element.sourceline  # lxml-stubs type this loosely
    return line if isinstance(line, int) else None


def text_of(element: etree._Element | None) -> str:
    """All text inside an element, whitespace collapsed."""
    if element is None:
        return ""
    return " ".join("".join(str(t) for t in element.itertext()).split())


def _notes(element: etree._Element) -> tuple[Note, ...]:
    notes: list[Note] = []
    for child in element:
        kind = XML_NOTE_KINDS.get(str(child.tag))
        if kind is None:
            continue
        for note in child.iterfind("note"):
            text = text_of(note)
            if text:
                notes.append(Note(kind, text))
    return tuple(notes)


def _seven_chr(element: etree._Element) -> tuple[tuple[tuple[str, str], ...], str | None]:
    definition = element.find("sevenChrDef")
    pairs: tuple[tuple[str, str], ...] = ()
    if definition is not None:
        pairs = tuple(
            (str(ext.get("char", "")).strip().upper(), text_of(ext))
            for ext in definition.iterfind("extension")
        )
    note_el = element.find("sevenChrNote")
    note = " ".join(text_of(n) for n in note_el.iterfind("note")) if note_el is not None else None
    return pairs, note or None


def load_tabular(path: Path) -> TabularList:
    """Read a Tabular List XML into nodes in document order (chapters, sections, diags)."""
    root = parse_xml(path)
    if root.tag != "ICD10CM.tabular":
        raise SourceFormatError(
            path, f"expected root element ICD10CM.tabular, found {root.tag}", line=line_of(root)
        )
    version = text_of(root.find("version"))
    nodes: list[TabularNode] = []
    seen: set[str] = set()

    def add(node: TabularNode, line: int | None) -> None:
        if node.code in seen:
            raise SourceFormatError(path, f"code {node.code} appears twice", line=line)
        seen.add(node.code)
        nodes.append(node)

    def walk_diag(diag: etree._Element, parent: str) -> None:
        name = text_of(diag.find("name"))
        if not name:
            raise SourceFormatError(path, "diag without a name", line=line_of(diag))
        try:
            code = normalize(name)
        except Exception as exc:
            raise SourceFormatError(path, f"bad code {name!r}", line=line_of(diag)) from exc
        children = diag.findall("diag")
        if len(code.replace(".", "")) == 3:
            kind = NodeKind.CATEGORY
        else:
            kind = NodeKind.SUBCATEGORY if children else NodeKind.CODE
        pairs, seven_note = _seven_chr(diag)
        add(
            TabularNode(
                code=code,
                kind=kind,
                title=text_of(diag.find("desc")),
                parent=parent,
                notes=_notes(diag),
                seven_chr=pairs,
                seven_chr_note=seven_note,
            ),
            line_of(diag),
        )
        for child in children:
            walk_diag(child, code)

    for chapter in root.iterfind("chapter"):
        number = text_of(chapter.find("name"))
        if not number:
            raise SourceFormatError(path, "chapter without a name", line=line_of(chapter))
        add(
            TabularNode(
                code=number,
                kind=NodeKind.CHAPTER,
                title=text_of(chapter.find("desc")),
                parent=None,
                notes=_notes(chapter),
            ),
            line_of(chapter),
        )
        for section in chapter.iterfind("section"):
            section_id = str(section.get("id", "")).strip().upper()
            if not section_id:
                raise SourceFormatError(path, "section without an id", line=line_of(section))
            if "-" not in section_id:  # a one-category section (B10) is the range B10-B10
                section_id = f"{section_id}-{section_id}"
            pairs, seven_note = _seven_chr(section)
            add(
                TabularNode(
                    code=section_id,
                    kind=NodeKind.SECTION,
                    title=text_of(section.find("desc")),
                    parent=number,
                    notes=_notes(section),
                    seven_chr=pairs,
                    seven_chr_note=seven_note,
                ),
                line_of(section),
            )
            for diag in section.iterfind("diag"):
                walk_diag(diag, section_id)
    if not nodes:
        raise SourceFormatError(path, "no chapters found: is this a Tabular List XML?")
    return TabularList(version=version, nodes=tuple(nodes))
