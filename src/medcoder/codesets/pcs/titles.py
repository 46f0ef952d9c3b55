"""Compose a long title from the axis labels, for codes the long-title list lacks.

The CMS long titles follow the axes in a phrase that depends on the root operation
("Excision of Appendix, ...", "Extirpation of Matter from ...", "Bypass Cerebral
Ventricle to Intestine with ..."). New codes of a fiscal year are missing from older
title lists, so their title is written in the phrase of a titled sibling: the sibling's
title with its own axis labels replaced by the new code's labels. Where a table has no
titled sibling of the same shape, a generic phrase is used. Composed titles are marked.
"""

from __future__ import annotations

from collections.abc import Mapping

# Labels that mean "nothing on this axis"; they are left out of a composed title.
_EMPTY = ("No Device", "No Qualifier", "None", "No Contrast", "No Substance")
Labels = tuple[str, ...]  # the seven axis labels of a code, section first


def _meaningful(label: str) -> bool:
    return bool(label) and label not in _EMPTY


def shape(code: str, labels: Labels) -> tuple[str, ...]:
    """Codes of one table share a title phrase when the same axes are empty, the same
    labels carry a side ("..., Left") and the approach is of the same kind (titles
    write "Open Approach" but "Via Natural or Artificial Opening")."""
    return (
        code[:3],
        *(f"{_meaningful(label)}{', ' in label}" for label in labels[3:]),
        str(labels[4].startswith("Via")),
    )


def flipped(label: str) -> str:
    """Titles put a label's trailing part first: "Vertebral Artery, Right" -> "Right
    Vertebral Artery"."""
    head, sep, tail = label.rpartition(", ")
    return f"{tail} {head}" if sep else label


def template_of(title: str, labels: Labels) -> str | None:
    """The title with its axis 4-7 labels replaced by ``{4}`` ... ``{7}`` (``{4r}`` where
    written flipped), if each appears exactly once; else no template is made."""
    template = title
    order = sorted(
        ((p, labels[p - 1]) for p in (4, 5, 6, 7) if _meaningful(labels[p - 1])),
        key=lambda item: -len(item[1]),
    )
    for position, label in order:
        for form, mark in ((label, ""), (flipped(label), "r")):
            if template.count(form) == 1:
                template = template.replace(form, "{" + f"{position}{mark}" + "}")
                break
        else:
            return None
    return template


def fill(template: str, labels: Labels) -> str:
    out = template
    for position in (4, 5, 6, 7):
        label = labels[position - 1]
        out = out.replace("{" + f"{position}r" + "}", flipped(label))
        out = out.replace("{" + str(position) + "}", label)
    return out


def compose_title(
    code: str, labels: Labels, templates: Mapping[tuple[str, ...], str] | None = None
) -> str:
    """A title for ``code`` from its labels, in a titled sibling's phrase where known."""
    if templates:
        template = templates.get(shape(code, labels))
        if template is not None:
            return fill(template, labels)
    operation, body_part, approach, device, qualifier = labels[2:7]
    title = f"{operation} of {body_part}"
    if code[0] in "0X":
        if _meaningful(device):
            title += f" with {device}"
        if _meaningful(approach):
            title += f", {approach} Approach"
        if _meaningful(qualifier):
            title += f", {qualifier}"
        return title
    return ", ".join([title, *(x for x in (approach, device, qualifier) if _meaningful(x))])
