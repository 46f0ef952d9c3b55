"""ICD-10-CM code syntax: normalization, formatting and the 7th-character / placeholder rules.

ICD-10-CM Guidelines I.A.4 (placeholder X) and I.A.5 (7th characters): a code that
needs a 7th character but has fewer than six characters is padded with the
placeholder ``X`` before the 7th character is added (S00.00 + A -> S00.00XA).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medcoder.errors import InvalidInputError

# Letter, then alphanumerics: categories such as C4A, M1A, Z3A and (FY2026) QA0;
# a code adds up to four more characters.
_CODE_RE = re.compile(r"[A-Z][0-9A-Z][0-9A-Z][0-9A-Z]{0,4}")
_SECTION_RE = re.compile(r"[A-Z][0-9A-Z][0-9A-Z]-[A-Z][0-9A-Z][0-9A-Z]")
PLACEHOLDER = "X"


@dataclass(frozen=True, slots=True)
class CodeRef:
    """A code as written in the index or a note: ``C79.8-`` means 'finish it in the Tabular'."""

    code: str
    incomplete: bool = False

    def __str__(self) -> str:
        return self.code + ("-" if self.incomplete else "")


def compact(code: str) -> str:
    """``s72.001a`` -> ``S72001A``: upper case, no dots, no spaces."""
    return re.sub(r"[\s.]", "", code).upper()


def is_code_syntax(code: str) -> bool:
    """True when ``code`` (any case, dots optional) has the shape of an ICD-10-CM code."""
    return _CODE_RE.fullmatch(compact(code)) is not None


def normalize(code: str) -> str:
    """Canonical dotted form: ``s72001a`` / ``S72.001a`` / `` S72.001A `` -> ``S72.001A``.

    Chapters (``1``..``22``) and sections (``A00-A09``) are returned as they are.
    Raises InvalidInputError for anything that cannot be an ICD-10-CM code.
    """
    raw = code.strip()
    if re.fullmatch(r"[0-9]{1,2}", raw) and 1 <= int(raw) <= 22:
        return str(int(raw))
    upper = raw.upper().replace(" ", "")
    if _SECTION_RE.fullmatch(upper):
        return upper
    flat = compact(raw)
    if not _CODE_RE.fullmatch(flat):
        raise InvalidInputError(
            f"{code!r} is not an ICD-10-CM code",
            hint="a code is a letter and 2 to 6 letters or digits, e.g. E11.9 or S72.001A",
        )
    return flat if len(flat) == 3 else f"{flat[:3]}.{flat[3:]}"


def parse_ref(text: str) -> CodeRef:
    """Parse a code as printed in the index (``E11.9``, ``C79.8-``, ``I63.-``)."""
    raw = text.strip()
    incomplete = raw.endswith("-")
    body = raw.rstrip("-").rstrip(".")
    return CodeRef(normalize(body), incomplete)


def with_seventh(code: str, seventh: str) -> str:
    """Add a 7th character, padding with placeholder X to six characters first (I.A.4)."""
    flat = compact(code)
    if len(flat) > 6:
        raise InvalidInputError(f"{normalize(code)} already has seven characters")
    if not is_code_syntax(flat):
        raise InvalidInputError(f"{code!r} cannot take a 7th character")
    if not re.fullmatch(r"[A-Za-z0-9]", seventh):
        raise InvalidInputError(f"{seventh!r} is not a 7th character: one letter or digit")
    flat = flat.ljust(6, PLACEHOLDER) + seventh.upper()
    return normalize(flat)


_PREFIX_RE = re.compile(r"[A-Z][0-9A-Z]{0,6}")


def code_prefix(text: str) -> str | None:
    """The dotted code prefix a search text spells, or None for words: ``e1142`` ->
    ``E11.42``, ``W00`` -> ``W00``, ``E11.`` -> ``E11``. A code has a digit among its first
    three characters (``C4A``, ``QA0``), so words such as ``ear`` stay words."""
    flat = compact(text)
    if not _PREFIX_RE.fullmatch(flat) or not any(ch.isdigit() for ch in flat[:3]):
        return None
    return flat if len(flat) <= 3 else f"{flat[:3]}.{flat[3:]}"


def category(code: str) -> str:
    """The 3-character category of a code (``E11.22`` -> ``E11``)."""
    return compact(code)[:3]


def parent_candidates(code: str) -> list[str]:
    """Shorter forms of a code, longest first, skipping trailing placeholders.

    ``T36.0X1A`` -> ``T36.0X1``, ``T36.0``, ``T36`` (``T36.0X`` is never a code).
    """
    flat = compact(code)
    out: list[str] = []
    for n in range(len(flat) - 1, 2, -1):
        cut = flat[:n]
        if cut.endswith(PLACEHOLDER) and n > 3:
            continue
        out.append(normalize(cut))
    return out
