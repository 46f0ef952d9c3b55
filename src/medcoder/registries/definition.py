"""A registry definition: a JSON file naming the encounters a registry collects.

::

    {"name": "heart-failure", "title": "Heart failure registry",
     "include": {"icd10cm": ["I50", "I11.0", "I13.0-I13.2"]},
     "exclude": {"icd10cm": ["I50.1"]},
     "exclude_encounter": {"icd10cm": ["O09"]},
     "age": {"min": 18, "max": null},
     "settings": ["inpatient"],
     "principal_only": false}

A value-set entry is a code or category (``I50`` matches I50 and every code under it: the
ICD-10-CM convention that a category includes its subcategories), or a range ``A-B``
(inclusive, compared on the leading characters as long as the bounds). Codes are compared
without the dot. ``include``, ``exclude`` (carve-outs: a code in ``include`` that also
matches ``exclude`` does not count) and ``exclude_encounter`` (any reported code matching
it keeps the whole encounter out) take the systems ``icd10cm``, ``icd10pcs``, ``cpt`` and
``hcpcs``. An encounter qualifies when its setting is listed (none listed: every setting),
the patient's age on the date of service is within ``age``, a reported code matches
``include`` and not ``exclude`` (with ``principal_only``, the first-listed diagnosis must
be that code, or a procedure code is) and no reported code matches ``exclude_encounter``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from medcoder.errors import RegistryDefinitionError
from medcoder.kinds import CodeSystem, Setting

SYSTEMS = (CodeSystem.ICD10CM, CodeSystem.ICD10PCS, CodeSystem.CPT, CodeSystem.HCPCS)
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_ENTRY = re.compile(r"^[A-Z0-9]{1,8}$")
_KEYS = {
    "name",
    "title",
    "include",
    "exclude",
    "exclude_encounter",
    "age",
    "settings",
    "principal_only",
    "note",
}


def _compact(code: str) -> str:
    return code.replace(".", "").strip().upper()


@dataclass(frozen=True, slots=True)
class ValueSet:
    """Codes, categories (prefixes) and ranges of one code system, dotless."""

    prefixes: tuple[str, ...]
    ranges: tuple[tuple[str, str], ...]

    def matches(self, code: str) -> bool:
        key = _compact(code)
        if key.startswith(self.prefixes):
            return True
        return any(lo <= key[: len(lo)] <= hi for lo, hi in self.ranges)


@dataclass(frozen=True, slots=True)
class Registry:
    """A registry definition, checked and compiled."""

    name: str
    title: str
    include: dict[CodeSystem, ValueSet]
    exclude: dict[CodeSystem, ValueSet]
    exclude_encounter: dict[CodeSystem, ValueSet]
    min_age: int | None
    max_age: int | None
    settings: frozenset[Setting]
    principal_only: bool
    source: dict[str, Any]  # the definition as given (stored in the database)

    def qualifies(
        self,
        setting: str,
        age: int | None,
        codes: Iterable[tuple[str, str]],
    ) -> bool:
        """Whether an encounter qualifies: ``codes`` are its reported (system, code) pairs
        in claim order (the first ICD-10-CM code is the first-listed diagnosis)."""
        return self.age_qualifies(age) and self.codes_qualify(setting, codes)

    def age_qualifies(self, age: int | None) -> bool:
        if self.min_age is None and self.max_age is None:
            return True
        if age is None:
            return False
        return (self.min_age is None or age >= self.min_age) and (
            self.max_age is None or age <= self.max_age
        )

    def codes_qualify(self, setting: str, codes: Iterable[tuple[str, str]]) -> bool:
        """The setting and code tests alone (no age): see the module."""
        if self.settings and setting not in self.settings:
            return False
        pairs = list(codes)
        for system, code in pairs:
            barred = self.exclude_encounter.get(CodeSystem(system))
            if barred is not None and barred.matches(code):
                return False
        if self.principal_only:
            diagnoses = [c for s, c in pairs if s == CodeSystem.ICD10CM]
            others = [(s, c) for s, c in pairs if s != CodeSystem.ICD10CM]
            pairs = [(CodeSystem.ICD10CM.value, diagnoses[0])] if diagnoses else []
            pairs += others
        for system, code in pairs:
            included = self.include.get(CodeSystem(system))
            if included is None or not included.matches(code):
                continue
            excluded = self.exclude.get(CodeSystem(system))
            if excluded is None or not excluded.matches(code):
                return True
        return False


def _value_set(where: str, entries: Any) -> ValueSet:
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        raise RegistryDefinitionError(f"{where}: give a list of codes, categories or ranges")
    prefixes: list[str] = []
    ranges: list[tuple[str, str]] = []
    for entry in entries:
        lo, dash, hi = entry.partition("-")
        lo, hi = _compact(lo), _compact(hi)
        if not _ENTRY.match(lo) or (dash and not _ENTRY.match(hi)):
            raise RegistryDefinitionError(f"{where}: {entry!r} is not a code or a range A-B")
        if dash:
            if len(lo) != len(hi) or lo > hi:
                raise RegistryDefinitionError(
                    f"{where}: range {entry!r} needs bounds of one length, low to high"
                )
            ranges.append((lo, hi))
        else:
            prefixes.append(lo)
    return ValueSet(tuple(prefixes), tuple(ranges))


def _systems(where: str, given: Any) -> dict[CodeSystem, ValueSet]:
    if given is None:
        return {}
    if not isinstance(given, Mapping):
        raise RegistryDefinitionError(f"{where}: give an object of code system -> codes")
    found: dict[CodeSystem, ValueSet] = {}
    for system, entries in given.items():
        try:
            kind = CodeSystem(system)
        except ValueError:
            kind = None
        if kind not in SYSTEMS:
            names = ", ".join(s.value for s in SYSTEMS)
            raise RegistryDefinitionError(f"{where}.{system}: not a code system ({names})")
        assert kind is not None
        found[kind] = _value_set(f"{where}.{system}", entries)
    return found


def _age(where: str, value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 124:
        raise RegistryDefinitionError(f"{where}: {value!r} is not an age 0-124")
    return value


def parse(data: Any, where: str = "registry") -> Registry:
    """Check and compile a definition; E409 naming ``where`` and the field at fault."""
    if not isinstance(data, Mapping):
        raise RegistryDefinitionError(f"{where}: a registry is a JSON object")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise RegistryDefinitionError(
            f"{where}: unknown field {unknown[0]!r}", hint=f"fields: {', '.join(sorted(_KEYS))}"
        )
    name = data.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise RegistryDefinitionError(
            f"{where}.name: {name!r} is not a registry name (lower-case letters, digits, -)"
        )
    include = _systems(f"{where}.include", data.get("include"))
    if not include:
        raise RegistryDefinitionError(f"{where}.include: a registry needs an inclusion value set")
    age = data.get("age") or {}
    if not isinstance(age, Mapping) or set(age) - {"min", "max"}:
        raise RegistryDefinitionError(f"{where}.age: give {{'min': N, 'max': N}}")
    low, high = _age(f"{where}.age.min", age.get("min")), _age(f"{where}.age.max", age.get("max"))
    if low is not None and high is not None and low > high:
        raise RegistryDefinitionError(f"{where}.age: min {low} is above max {high}")
    settings = data.get("settings") or []
    try:
        chosen = frozenset(Setting(s) for s in settings)
    except (ValueError, TypeError):
        names = ", ".join(s.value for s in Setting)
        raise RegistryDefinitionError(f"{where}.settings: use {names}") from None
    principal = data.get("principal_only", False)
    if not isinstance(principal, bool):
        raise RegistryDefinitionError(f"{where}.principal_only: true or false")
    title = data.get("title") or name
    if not isinstance(title, str):
        raise RegistryDefinitionError(f"{where}.title: a string")
    return Registry(
        name,
        title,
        include,
        _systems(f"{where}.exclude", data.get("exclude")),
        _systems(f"{where}.exclude_encounter", data.get("exclude_encounter")),
        low,
        high,
        chosen,
        principal,
        dict(data),
    )


def load(path: Path) -> Registry:
    """Read a definition file (JSON); E409 naming the file, and the line of a JSON error."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RegistryDefinitionError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RegistryDefinitionError(f"{path}:{exc.lineno}: not JSON ({exc.msg})") from None
    return parse(data, str(path))


def examples() -> dict[str, Registry]:
    """The registries shipped with medcoder (``data/*.json``), by name."""
    found = {}
    for entry in sorted(resources.files(__package__).joinpath("data").iterdir(), key=str):
        if entry.name.endswith(".json"):
            registry = parse(json.loads(entry.read_text(encoding="utf-8")), entry.name)
            found[registry.name] = registry
    return found
