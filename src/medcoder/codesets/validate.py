"""Is a code reportable on the date of service, and if not, why and what to use instead.

ICD-10-CM Guidelines I.B.1: report codes to the highest number of characters available;
I.A.4-5: placeholder X and 7th characters; a header (category or subcategory with
subdivisions) is not valid for reporting.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from medcoder.codesets.codes import compact, normalize, with_seventh
from medcoder.codesets.store import Release
from medcoder.errors import InvalidInputError


class Validity(StrEnum):
    VALID = "valid"
    NOT_BILLABLE = "not_billable"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class Validation:
    code: str  # as given, normalized where possible
    status: Validity
    reason: str
    release: str
    title: str | None = None
    suggestions: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return self.status is Validity.VALID


def validate(release: Release, code: str) -> Validation:
    """Say whether ``code`` is valid for reporting in ``release``, and why not."""
    name = release.name
    try:
        key = normalize(code)
    except InvalidInputError as exc:
        return Validation(code.strip(), Validity.INVALID, exc.message, name)
    entry = release.get(key)
    if entry is not None:
        if entry.billable:
            return Validation(key, Validity.VALID, "valid for reporting", name, entry.title)
        seven = release.seven_character(key)
        # A leaf whose only children are its 7th-character expansions.
        if seven is not None and all(c.expansion for c in release.children(key)):
            chars = ", ".join(char for char, _ in seven.values)
            return Validation(
                key,
                Validity.NOT_BILLABLE,
                f"{key} requires a 7th character: {chars}",
                name,
                entry.title,
                tuple(with_seventh(key, c) for c, _ in seven.values[:3]),
            )
        if entry.kind in ("chapter", "section"):
            reason = f"{key} is a {entry.kind}, not a code"
        else:
            reason = f"{key} is a header: it has subdivisions, report one of them"
        suggestions = tuple(c.code for c in release.billable_descendants(key, 8))
        return Validation(key, Validity.NOT_BILLABLE, reason, name, entry.title, suggestions)
    return _explain_unknown(release, key)


def _explain_unknown(release: Release, key: str) -> Validation:
    name = release.name
    flat = compact(key)
    # A 7th character on a code that needs placeholder X first (S00.00A -> S00.00XA).
    if 5 <= len(flat) <= 6:
        base = release.get(flat[:-1])
        seven = release.seven_character(base.code) if base is not None else None
        if base is not None and seven is not None:
            fixed = with_seventh(base.code, flat[-1])
            if release.get(fixed) is not None:
                return Validation(
                    key,
                    Validity.INVALID,
                    f"{key} lacks the placeholder X before its 7th character: use {fixed}",
                    name,
                    suggestions=(fixed,),
                )
    # A 7th character that the category does not define.
    if len(flat) == 7:
        base = release.get(flat[:6].rstrip("X") if flat[:6].endswith("X") else flat[:6])
        # Only where the base is a leaf awaiting its 7th character: a base that a newer
        # release subdivided (S30.1 -> S30.11..S30.13) needs a deeper code instead.
        is_leaf = base is not None and all(c.expansion for c in release.children(base.code))
        if base is not None and is_leaf:
            seven = release.seven_character(base.code)
            if seven is not None and flat[6] not in {c for c, _ in seven.values}:
                allowed = ", ".join(c for c, _ in seven.values)
                return Validation(
                    key,
                    Validity.INVALID,
                    f"{flat[6]} is not a 7th character of {base.code}: use one of {allowed}",
                    name,
                    suggestions=tuple(with_seventh(base.code, c) for c, _ in seven.values[:3]),
                )
    suggestions = tuple(c for c in release.nearest(key) if release.get(c) is not None)
    return Validation(key, Validity.INVALID, f"{key} is not a code in {name}", name,
                      suggestions=suggestions)  # fmt: skip
