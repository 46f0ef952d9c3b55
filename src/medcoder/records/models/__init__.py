"""The records schema (SQLAlchemy 2 typed ORM); Alembic migrations in ``migrations/``.

One door: every table and enumeration is imported from here (the migrations' ``env.py``
reads ``Base.metadata`` with every table mapped). The models live by concern: users and
API keys (``users``), patients, encounters and code lines (``encounters``), registries and
HCC scores (``registries``), the autonomy policy and physician queries (``workflow``), the
audit chain and key state (``audit``); the base and naming convention (``base``) and the
enumerations (``kinds``) under them.

PHI columns (``*_enc``) hold AES-GCM tokens from ``crypto.FieldCipher``, never plain text;
``*_index`` columns hold keyed blind indexes (HMAC) so a record can be found by MRN or
content without decrypting every row.
"""

from medcoder.records.models.audit import AuditEvent, AuditHead, KeyState
from medcoder.records.models.base import NAMING, Base, utcnow
from medcoder.records.models.encounters import (
    CodeAssignment,
    CodingRun,
    Document,
    Encounter,
    Patient,
    date_of_service_sql,
)
from medcoder.records.models.kinds import (
    ACTIVE_STATUSES,
    REPORTED_STATUSES,
    CodeSource,
    CodeStatus,
    EncounterStatus,
    QueryStatus,
    Role,
)
from medcoder.records.models.registries import HccPatientYear, RegistryDefinition, RegistryMember
from medcoder.records.models.users import ApiKey, User
from medcoder.records.models.workflow import AutonomyPolicy, PhysicianQuery

__all__ = [
    "ACTIVE_STATUSES",
    "NAMING",
    "REPORTED_STATUSES",
    "ApiKey",
    "AuditEvent",
    "AuditHead",
    "AutonomyPolicy",
    "Base",
    "CodeAssignment",
    "CodeSource",
    "CodeStatus",
    "CodingRun",
    "Document",
    "Encounter",
    "EncounterStatus",
    "HccPatientYear",
    "KeyState",
    "Patient",
    "PhysicianQuery",
    "QueryStatus",
    "RegistryDefinition",
    "RegistryMember",
    "Role",
    "User",
    "date_of_service_sql",
    "utcnow",
]
