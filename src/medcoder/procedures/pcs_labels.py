"""PCS body part labels parsed into the anatomy words they name and their side.

"Kidneys, Bilateral" names the kidney on both sides; "Chest, Abdomen and Pelvis" names
three parts, each to be documented; "All" / "Other" / "Whole Body" name no part.
"""

from __future__ import annotations

import functools
import re

from medcoder.nlp.text import norm_word

_SIDES = ((", Right and Left", "bilateral"), (", Bilateral", "bilateral"),
          (", Right", "right"), (", Left", "left"))  # fmt: skip
_SCOPES = (", All", ", Other", ", Whole Body")
_PARTS = re.compile(r",\s*|\s+and\s+")
_WORD = re.compile(r"[A-Za-z0-9]+")


def atom(text: str) -> str:
    return " ".join(norm_word(w) for w in _WORD.findall(text))


@functools.lru_cache(maxsize=65536)
def atom_cached(text: str) -> str:
    return atom(text)


@functools.lru_cache(maxsize=8192)
def label_atoms(label: str) -> tuple[frozenset[str], str | None]:
    """ "Kidneys, Bilateral" -> ({"kidney"}, "bilateral"); "Chest, Abdomen and Pelvis" ->
    ({"chest", "abdomen", "pelvis"}, None); "Musculoskeletal System, All" ->
    ({"musculoskeletal system"}, None): "All" / "Other" / "Whole Body" name no part."""
    side = None
    for suffix, name in _SIDES:
        if label.endswith(suffix):
            label, side = label[: -len(suffix)], name
            break
    for suffix in _SCOPES:
        if label.endswith(suffix):
            label = label[: -len(suffix)]
    return frozenset(atom(p) for p in _PARTS.split(label) if atom(p)), side


@functools.lru_cache(maxsize=8192)
def label_groups(label: str) -> tuple[tuple[tuple[str, ...], ...], str | None]:
    """The label's comma parts, each as its "and" alternatives, and its side:
    "Subcutaneous Tissue and Fascia, Right Upper Leg" -> ((("subcutaneous tissue",
    "fascia"), ("upper leg",)), "right"). In the Medical and Surgical section a part
    named "X and Y" is one body part value documented by either name."""
    atoms_side = label_atoms(label)[1]
    side = atoms_side
    for suffix, _ in _SIDES:
        if atoms_side and label.endswith(suffix):
            label = label[: -len(suffix)]
            break
    for suffix in _SCOPES:
        if label.endswith(suffix):
            label = label[: -len(suffix)]
    groups = []
    for segment in label.split(","):
        words = atom(segment).split()
        if words and words[0] in ("right", "left") and len(words) > 1 and side is None:
            side, words = words[0], words[1:]
        alternatives = tuple(atom(p) for p in re.split(r"\s+and\s+", " ".join(words)))
        if any(alternatives):
            groups.append(tuple(a for a in alternatives if a))
    return tuple(groups), side


def same_organ(a: str, b: str) -> bool:
    """One organ in singular and plural label forms ("Testis, Right" / "Testes,
    Bilateral"), which the word normalizer leaves apart."""
    if a == b:
        return True
    return (" " not in a and " " not in b and min(len(a), len(b)) >= 5
            and a[:4] == b[:4] and abs(len(a) - len(b)) <= 1)  # fmt: skip
