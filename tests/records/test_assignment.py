"""Assignment and the work lock (issue 16, part 4): two coders never work the same
encounter. Runs on SQLite and (marker ``postgres``) on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from sqlalchemy import select, update

from medcoder.errors import (
    EncounterLockedError,
    InvalidInputError,
    PermissionDeniedError,
    WorkflowError,
)
from medcoder.records.models import AuditEvent, Encounter
from medcoder.records.service import Records
from tests.records.conftest import doc, write_jsonl


@pytest.fixture
def two(coded: Records, tmp_path: Path) -> Records:
    """E-100 and E-300 in review; a second coder, cole."""
    coded.add_user("root", "cole", "coder")
    coded.import_path("mia", write_jsonl(tmp_path / "more.jsonl", [doc("E-300")]))
    coded.run_coding("cora", "E-300")
    return coded


def _actions(records: Records, action: str) -> list[AuditEvent]:
    with records._sessions() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_hold_refuses_another_coders_review_actions(two: Records) -> None:
    held = two.take("cora", "E-100")
    assert held.locked_by == "cora" and held.locked_until is not None
    with pytest.raises(EncounterLockedError) as caught:
        two.accept("cole", "E-100", "E11.9")
    message = caught.value.message
    assert caught.value.code == "E408"
    assert "cora" in message and held.locked_until.strftime("%Y-%m-%d %H:%M") in message
    with pytest.raises(EncounterLockedError):
        two.take("cole", "E-100")
    with pytest.raises(EncounterLockedError):
        two.finalize("cole", "E-100")
    two.accept("cora", "E-100", "E11.9")  # the holder works on
    # The queue shows the holder to everyone.
    items = {i.encounter: i for i in two.queue("cole")}
    assert items["E-100"].locked_by == "cora" and items["E-300"].locked_by is None


def test_activity_renews_the_hold(two: Records) -> None:
    two.accept("cora", "E-100", "E11.9")  # no hold taken: nobody is refused
    assert two.lock_state("cole", "E-100").locked_by is None
    first = two.take("cora", "E-100")
    two.accept("cora", "E-100", "I10")
    again = two.lock_state("cole", "E-100")
    assert again.locked_by == "cora"
    assert again.locked_until is not None and first.locked_until is not None
    assert again.locked_until >= first.locked_until
    with pytest.raises(EncounterLockedError):
        two.reject("cole", "E-100", "I10", "not documented")


def test_a_lapsed_hold_is_free(two: Records, monkeypatch: pytest.MonkeyPatch) -> None:
    two.take("cora", "E-100")
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    with two._sessions.begin() as session:
        session.execute(update(Encounter).values(locked_until=past))
    assert two.lock_state("cole", "E-100").locked_by is None
    assert two.take("cole", "E-100").locked_by == "cole"


def test_lock_minutes_setting(two: Records, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDCODER_LOCK_MINUTES", "5")
    held = two.take("cora", "E-100")
    assert held.locked_until is not None
    left = held.locked_until - dt.datetime.now(dt.UTC)
    assert dt.timedelta(minutes=4) < left <= dt.timedelta(minutes=5)


def test_release_own_and_manager_release_audited(two: Records) -> None:
    two.take("cora", "E-100")
    with pytest.raises(EncounterLockedError):
        two.release("cole", "E-100")  # not cole's to give up
    with pytest.raises(PermissionDeniedError):
        two.force_release("cole", "E-100", "stuck")  # a manager's act
    with pytest.raises(WorkflowError):  # a reason is required
        two.force_release("mia", "E-100", " ")
    assert two.force_release("mia", "E-100", "cora is out today").locked_by is None
    released = _actions(two, "lock_release")
    assert released and released[-1].actor == "mia"
    assert '"holder":"cora"' in released[-1].detail and '"reason":"sealed:' in released[-1].detail
    two.take("cole", "E-100")
    assert two.release("cole", "E-100").locked_by is None
    summaries = [e.summary for e in two.history("mia", "E-100")][-4:]
    assert summaries == [
        "took the encounter for work", "released cora's hold",
        "took the encounter for work", "released cole's hold",
    ]  # fmt: skip


def test_manager_assigns_and_mine(two: Records) -> None:
    with pytest.raises(PermissionDeniedError):
        two.assign("cora", "E-100", "cora")
    with pytest.raises(InvalidInputError):
        two.assign("mia", "E-100", "ann")  # an analyst does not review
    two.take("cole", "E-100")
    view = two.assign("mia", "E-100", "cora")
    assert view.assigned_to == "cora" and view.locked_by is None  # cole's hold ended
    with pytest.raises(EncounterLockedError) as caught:
        two.accept("cole", "E-100", "E11.9")
    assert "assigned to cora" in caught.value.message
    assert [i.encounter for i in two.queue("cora", mine=True)] == ["E-100"]
    assert two.queue("cole", mine=True) == []
    two.accept("cora", "E-100", "E11.9")
    assert two.assign("mia", "E-100", None).assigned_to is None
    assert _actions(two, "assign")


def test_take_next_skips_assigned_and_held(two: Records) -> None:
    two.assign("mia", "E-100", "cora")
    got = two.take_next("cole")
    assert got is not None and got.encounter == "E-300"
    assert got.assigned_to == "cole" and got.locked_by == "cole"
    assert two.take_next("cole") is None  # nothing unassigned left
    assert [i.encounter for i in two.queue("cole", mine=True)] == ["E-300"]


def test_finalize_ends_the_hold(two: Records) -> None:
    two.take("cora", "E-100")
    for code in [c.code for c in two.encounter_view("cora", "E-100").codes]:
        two.accept("cora", "E-100", code)
    two.finalize("cora", "E-100", acknowledge="synthetic test")
    assert two.lock_state("cole", "E-100").locked_by is None


def test_two_coders_taking_at_once_exactly_one_wins(two: Records) -> None:
    """Threads race to take the same encounter, and the next one: one winner each."""
    two.add_user("root", "cody", "coder")
    names = ["cora", "cole", "cody"]
    barrier = threading.Barrier(len(names))
    won: list[str] = []
    refused: list[str] = []
    nexts: list[str] = []

    def race(name: str) -> None:
        barrier.wait()
        try:
            two.take(name, "E-100")
            won.append(name)
        except EncounterLockedError:
            refused.append(name)
        barrier.wait()
        got = two.take_next(name)
        if got is not None:
            nexts.append(got.encounter)

    threads = [threading.Thread(target=race, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(won) == 1 and sorted(won + refused) == sorted(names)
    assert two.lock_state("cora", "E-100").locked_by == won[0]
    assert nexts == ["E-300"]  # E-100 is held; E-300 went to exactly one of them
