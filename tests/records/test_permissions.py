"""Roles are enforced in the service layer: every action against every role."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from medcoder.errors import PermissionDeniedError
from medcoder.records.models import AuditEvent, Role
from medcoder.records.permissions import PERMISSIONS, Action
from medcoder.records.service import Records

from .conftest import USERS

# Written out here independently of permissions.py, so a change to the table is a
# deliberate change to this test too.
EXPECTED = {
    Action.IMPORT: {"manager", "admin"},
    Action.RUN_CODING: {"coder", "reviewer", "manager"},
    Action.VIEW_QUEUE: {"coder", "reviewer", "manager"},
    Action.VIEW_ENCOUNTER: {"coder", "reviewer", "manager"},
    Action.REVIEW: {"coder", "reviewer"},
    Action.FINALIZE: {"coder", "reviewer"},
    Action.REOPEN: {"reviewer", "manager"},
    Action.EXPORT_IDENTIFIED: {"manager"},
    Action.EXPORT_DEIDENTIFIED: {"reviewer", "manager", "analyst"},
    Action.VERIFY_AUDIT: {"reviewer", "manager", "admin"},
    Action.MANAGE_USERS: {"admin"},
    Action.ROTATE_KEYS: {"admin"},
    Action.OWN_CREDENTIALS: {"coder", "reviewer", "manager", "admin", "analyst"},
    Action.VIEW_REPORTS: {"manager", "admin", "analyst"},
    Action.MANAGE_REGISTRIES: {"manager", "admin"},
    Action.SET_AUTONOMY: {"manager"},
    Action.VIEW_AUTONOMY: {"coder", "reviewer", "manager", "admin"},
    Action.ASSIGN: {"manager"},
}


def test_the_table_covers_every_action() -> None:
    assert set(PERMISSIONS) == set(Action) == set(EXPECTED)


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
@pytest.mark.parametrize("user", list(USERS))
def test_role_matrix(records: Records, action: Action, user: str) -> None:
    role = USERS[user]
    if role in EXPECTED[action]:
        with records._acting(user, action) as (_session, acting):
            assert acting.name == user
    else:
        refused = pytest.raises(PermissionDeniedError, match=f"{user} \\({role}\\) may not")
        with refused, records._acting(user, action):
            pytest.fail("a refused action must not run")
        with records._sessions() as session:
            last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert last is not None
        assert (last.actor, last.action, last.entity_id) == (user, "denied", action.value)


def test_analyst_sees_no_phi(records: Records) -> None:
    with pytest.raises(PermissionDeniedError):
        records.export_rows("ann", deidentified=False)
    with pytest.raises(PermissionDeniedError):
        records.encounter_view("ann", "E-100")
    assert records.export_rows("ann", deidentified=True) == []


def test_unknown_or_missing_user_is_refused(records: Records) -> None:
    with pytest.raises(PermissionDeniedError, match="no active user named 'nobody'"):
        records.queue("nobody")
    with pytest.raises(PermissionDeniedError, match="no acting user"):
        records.queue(None)


def test_first_user_must_be_admin(records_home: Path) -> None:
    service = Records.init(records_home)
    with pytest.raises(PermissionDeniedError, match="first user must be an admin"):
        service.add_user(None, "cora", "coder")
    service.add_user(None, "root", "admin")
    with pytest.raises(PermissionDeniedError):
        service.add_user(None, "eve", "admin")  # the bootstrap is over
    service.add_user("root", "aud", "auditor")  # the auditor is the reviewer role
    assert ("aud", Role.REVIEWER.value, True) in service.list_users("root")
    service.close()
