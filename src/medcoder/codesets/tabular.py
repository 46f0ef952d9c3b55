"""Derive what the Tabular conventions imply: billable codes, inherited 7th characters.

ICD-10-CM Guidelines I.A.5 and I.B.1: a code is reportable only at its highest level
of detail; where a category defines 7th characters, its codes are reportable only with
one, padded with placeholder X (I.A.4). The Tabular XML lists such codes without their
7th character, so a release expands them here, as the CMS order file does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from medcoder.codesets.codes import with_seventh
from medcoder.codesets.model import NodeKind, OrderRecord, TabularNode


@dataclass(frozen=True, slots=True)
class CodeRow:
    """One row of a release's code table."""

    code: str
    kind: NodeKind
    title: str
    parent: str | None
    billable: bool
    seven_chr_from: str | None  # the node whose 7th-character definition applies
    expansion: bool  # True for a code the release made by adding a 7th character


# "7th characters D and S do not apply to codes in category S06 with 6th character 7 - ...,
# or 8 - ...": the Tabular states such exceptions as notes; they are read, not hard-coded.
_SEVENTH_EXCEPTION_RE = re.compile(
    r"7th characters? ((?:[A-Z](?:, | and |,? or )?)+) do(?:es)? not apply to codes in "
    r"category ([A-Z][0-9A-Z]{2}) with 6th characters? ([0-9A-Z])(?:.*?,? or ([0-9A-Z]) -)?",
    re.IGNORECASE,
)


def seventh_exceptions(nodes: Iterable[TabularNode]) -> dict[tuple[str, str], set[str]]:
    """(category, 6th character) -> 7th characters that the Tabular says do not apply."""
    found: dict[tuple[str, str], set[str]] = {}
    for node in nodes:
        texts = [n.text for n in node.notes]
        if node.seven_chr_note:
            texts.append(node.seven_chr_note)
        for text in texts:
            for m in _SEVENTH_EXCEPTION_RE.finditer(text):
                chars = set(re.findall(r"\b[A-Z]\b", m.group(1)))
                for sixth in (m.group(3), m.group(4)):
                    if sixth:
                        found.setdefault((m.group(2).upper(), sixth.upper()), set()).update(chars)
    return found


def code_rows(nodes: Iterable[TabularNode]) -> Iterator[CodeRow]:
    """Every node as a CodeRow, followed (after each leaf) by its 7th-character expansions."""
    node_list = list(nodes)
    exceptions = seventh_exceptions(node_list)
    has_children = {n.parent for n in node_list if n.parent is not None}
    by_code = {n.code: n for n in node_list}
    seven_from: dict[str, str | None] = {}
    for node in node_list:  # document order: a parent is always seen before its children
        if node.seven_chr:
            seven_from[node.code] = node.code
        else:
            seven_from[node.code] = seven_from.get(node.parent) if node.parent else None
    for node in node_list:
        source = seven_from[node.code]
        is_leaf = node.code not in has_children
        diag = node.kind in (NodeKind.CATEGORY, NodeKind.SUBCATEGORY, NodeKind.CODE)
        billable = diag and is_leaf and source is None
        yield CodeRow(
            code=node.code,
            kind=node.kind,
            title=node.title,
            parent=node.parent,
            billable=billable,
            seven_chr_from=source,
            expansion=False,
        )
        if diag and is_leaf and source is not None:
            flat = node.code.replace(".", "").ljust(6, "X")
            excluded = exceptions.get((flat[:3], flat[5]), set())
            for char, meaning in by_code[source].seven_chr:
                if char in excluded:
                    continue
                yield CodeRow(
                    code=with_seventh(node.code, char),
                    kind=NodeKind.CODE,
                    title=f"{node.title}, {meaning}",
                    parent=node.code,
                    billable=True,
                    seven_chr_from=source,
                    expansion=True,
                )


def order_rows(records: Iterable[OrderRecord]) -> Iterator[CodeRow]:
    """Code rows from an order file, which lists every header and code but no notes."""
    known: set[str] = set()
    for rec in records:
        flat = rec.code.replace(".", "")
        parent = None
        for n in range(len(flat) - 1, 2, -1):
            cut = f"{flat[:3]}.{flat[3:n]}" if n > 3 else flat[:3]
            if cut in known:
                parent = cut
                break
        if parent is None and len(flat) > 3 and flat[:3] in known:
            parent = flat[:3]
        if len(flat) == 3:
            kind = NodeKind.CATEGORY
        else:
            kind = NodeKind.CODE if rec.billable else NodeKind.SUBCATEGORY
        known.add(rec.code)
        yield CodeRow(rec.code, kind, rec.long_title, parent, rec.billable, None, False)
