"""Registry enrollment at finalize (issue 15): the one hook the review workflow calls.

When an encounter is finalized, each registry (``medcoder.registries``) is asked whether
it qualifies; a qualifying encounter enrolls its patient (or re-enrolls one removed). An
encounter that enrolled a patient and is finalized again (after a re-open) without
qualifying removes the patient, with the reason, unless another finalized encounter of the
patient still qualifies (it becomes the enrolling one). Each change is an audit event
(``registry_enroll`` / ``registry_remove``) in the finalize's own transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from medcoder.records import audit
from medcoder.records.gate import age_on
from medcoder.records.models import (
    REPORTED_STATUSES,
    CodeAssignment,
    Encounter,
    EncounterStatus,
    RegistryDefinition,
    RegistryMember,
    utcnow,
)
from medcoder.registries.definition import Registry, parse

_compiled: dict[tuple[int, str], Registry] = {}


def _version(registry_id: int, defined_at: object) -> tuple[int, str]:
    """A stored definition's version: its id and when it was defined."""
    return registry_id, str(defined_at)


def compiled(row: RegistryDefinition) -> Registry:
    """The stored definition, compiled once per process and version."""
    key = _version(row.id, row.defined_at)
    found = _compiled.get(key)
    if found is None:
        found = _compiled[key] = parse(row.definition, f"registry {row.name}")
    return found


def reported_pairs(codes: Iterable[CodeAssignment]) -> list[tuple[str, str]]:
    """(system, code) of the reported codes, in claim order."""
    reported = (c for c in codes if c.status in REPORTED_STATUSES)
    return [(c.system, c.code) for c in sorted(reported, key=lambda c: c.sequence)]


def qualifies(registry: Registry, encounter: Encounter, dob: dt.date) -> bool:
    if not registry.codes_qualify(encounter.setting, reported_pairs(encounter.codes)):
        return False
    return registry.age_qualifies(age_on(dob, encounter.date_of_service))


def on_finalize(session: Session, actor: str, encounter: Encounter, dob: dt.date) -> None:
    """Enroll or remove the encounter's patient in every registry (see the module).

    One statement reads every registry with the patient's membership in it (a finalize
    with nothing to change costs that round trip alone); the encounter's codes are those
    finalize has loaded, their (system, code) pairs and the age computed once for all
    registries; the enrollments are written in the finalize's own flush, one audit event
    per change."""
    found = session.execute(
        select(
            RegistryDefinition.id,
            RegistryDefinition.name,
            RegistryDefinition.defined_at,
            RegistryMember,
        )
        .outerjoin(
            RegistryMember,
            (RegistryMember.registry_id == RegistryDefinition.id)
            & (RegistryMember.patient_id == encounter.patient_id),
        )
        .order_by(RegistryDefinition.id)
    ).all()
    if not found:
        return
    pairs = reported_pairs(encounter.codes)
    age = age_on(dob, encounter.date_of_service)
    for registry_id, name, defined_at, joined in found:
        member: RegistryMember | None = joined  # None: not a member (the outer join)
        registry = _compiled_by_key(session, registry_id, defined_at)
        if registry.codes_qualify(encounter.setting, pairs) and registry.age_qualifies(age):
            if member is None:
                session.add(
                    RegistryMember(
                        registry_id=registry_id,
                        patient_id=encounter.patient_id,
                        encounter_id=encounter.id,
                    )
                )
            elif member.removed_at is not None:
                member.removed_at, member.removed_reason = None, None
                member.encounter_id, member.enrolled_at = encounter.id, utcnow()
            else:
                continue
            _audit(session, actor, name, encounter, "registry_enroll")
        elif (
            member is not None and member.removed_at is None and member.encounter_id == encounter.id
        ):
            _settle(session, actor, name, registry, member, encounter, dob)


def _compiled_by_key(session: Session, registry_id: int, defined_at: object) -> Registry:
    """The compiled definition of this version; its text is read only on a miss."""
    found = _compiled.get(_version(registry_id, defined_at))
    if found is None:
        row = session.get(RegistryDefinition, registry_id)
        assert row is not None  # just read by the caller's join, in this transaction
        found = compiled(row)
    return found


def _settle(
    session: Session,
    actor: str,
    name: str,
    registry: Registry,
    member: RegistryMember,
    encounter: Encounter,
    dob: dt.date,
) -> None:
    """The enrolling encounter no longer qualifies: another one does, or the patient goes."""
    others = session.scalars(
        select(Encounter)
        .where(Encounter.patient_id == encounter.patient_id)
        .where(Encounter.status == EncounterStatus.FINALIZED)
        .where(Encounter.id != encounter.id)
        .options(selectinload(Encounter.codes))
        .order_by(Encounter.id)
    ).all()
    for other in others:
        if qualifies(registry, other, dob):
            member.encounter_id = other.id
            return
    reason = (
        f"encounter {encounter.external_id} finalized again without a qualifying code; "
        "no other finalized encounter of the patient qualifies"
    )
    member.removed_at, member.removed_reason = utcnow(), reason
    _audit(session, actor, name, encounter, "registry_remove", removal=reason)


def _audit(
    session: Session, actor: str, registry: str, encounter: Encounter, action: str, **extra: str
) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        entity="registry",
        entity_id=registry,
        encounter=encounter.external_id,
        patient=encounter.patient_id,
        **extra,
    )
