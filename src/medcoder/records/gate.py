"""The one door into the records: a database, a key ring and ``_acting``.

Every action of the records service opens its transaction through ``_acting``, which
checks the acting user's role against ``permissions`` and audits a refusal before raising
it. The concerns built on this door (``users``, ``intake``, ``queue``, ``review``,
``export``, ``admin``) are mixins of ``RecordsGate``; ``service.Records`` composes them.
The lookups more than one concern needs (a user, an encounter, the release in force) live
here too, so no concern imports another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from sqlalchemy import Engine, select
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from medcoder.codesets.store import Release
from medcoder.errors import (
    EncryptionKeyError,
    PermissionDeniedError,
    RecordNotFoundError,
    WorkflowError,
)
from medcoder.kinds import CodeSystem
from medcoder.pipeline import CodingEngine
from medcoder.records import audit, crypto, db, locks
from medcoder.records.code_lines import ambiguous, candidates
from medcoder.records.models import (
    ACTIVE_STATUSES,
    CodeAssignment,
    Encounter,
    EncounterStatus,
    KeyState,
    Role,
    User,
)
from medcoder.records.permissions import Action, KeyActor, allowed
from medcoder.settings import home_dir

if TYPE_CHECKING:
    from medcoder.codesets.registry import Registry

KEY_CHECK = "medcoder-key-check"


def age_on(dob: dt.date, on: dt.date | None) -> int | None:
    """Age in whole years on the date ``on`` (None when there is no date)."""
    if on is None:
        return None
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


class RecordsGate:
    """A records database opened with its key ring; every action passes ``_acting``."""

    def __init__(
        self,
        engine: Engine,
        cipher: crypto.FieldCipher,
        *,
        home: Path | None = None,
        coder: CodingEngine | None = None,
    ) -> None:
        self.engine = engine
        self.cipher = cipher
        self.home = home_dir(home)
        self._coder = coder
        self._sessions = db.session_factory(engine)
        audit.attach(self._sessions, self.home)  # events signed, and anchored in the home
        # A code's reason is free text a user typed (PHI, possibly): sealed on every write
        # path at flush, under the PHI key, and opened by ``reason_text``.
        sa_event.listen(self._sessions, "before_flush", self._seal_reasons)

    def _seal_reasons(self, session: Session, _context: object, _instances: object) -> None:
        for row in (*session.new, *session.dirty):
            if (
                isinstance(row, CodeAssignment)
                and row.reason
                and not row.reason.startswith(crypto.SEALED_TEXT)
            ):
                row.reason = self.cipher.seal_text(row.reason, field="code_assignments.reason")

    def reason_text(self, stored: str | None) -> str | None:
        """A code's reason as typed (sealed at rest; one from before sealing, as stored)."""
        if stored is None or not stored.startswith(crypto.SEALED_TEXT):
            return stored
        return self.cipher.open_text(stored, field="code_assignments.reason")

    # -- opening ------------------------------------------------------------------------
    @classmethod
    def init(cls, home: Path | None = None) -> Self:
        """Create the key file (unless ``MEDCODER_KEY`` is set) and migrate to head."""
        where = home_dir(home)
        crypto.create_key_file(where)
        engine = db.make_engine(db.database_url(where))
        try:
            db.upgrade(engine)
            records = cls(engine, crypto.load_cipher(where), home=where)
            records._check_key(create=True)
        except BaseException:
            engine.dispose()  # no pooled connection outlives a refusal
            raise
        return records

    @classmethod
    def open(cls, home: Path | None = None, *, coder: CodingEngine | None = None) -> Self:
        """Open a migrated database with the key it was written under (E-codes otherwise)."""
        where = home_dir(home)
        engine = db.make_engine(db.database_url(where))
        try:
            db.check_current(engine)
            records = cls(engine, crypto.load_cipher(where), home=where, coder=coder)
            records._check_key()
        except BaseException:
            engine.dispose()
            raise
        return records

    def close(self) -> None:
        """Release the database's pooled connections."""
        self.engine.dispose()

    def _check_key(self, *, create: bool = False) -> None:
        """Refuse a key the database was not written with before anything is stored, and
        settle a key rotation that a crash cut short (issue 17 item 7)."""
        with self._sessions.begin() as session:
            state = session.get(KeyState, 1)
            if state is None:
                if create:
                    token = self.cipher.encrypt(KEY_CHECK, field="key_state.check")
                    session.add(KeyState(id=1, key_id=self.cipher.current, check_enc=token))
                return
            if state.key_id != self.cipher.current and state.key_id in self.cipher.keys:
                # The key file names the new key but the re-encryption never committed (it
                # is one transaction with key_state): every row is still under the old key,
                # so roll the file back. Left as it was, blind indexes made under the new
                # key would miss every stored MRN and duplicate each patient.
                self.cipher = crypto.roll_back_rotation(self.home, self.cipher, state.key_id)
            elif state.key_id == self.cipher.current and len(self.cipher.keys) > 1:
                # The re-encryption committed; the crash came before the retired keys were
                # dropped from the file: finish that step now.
                crypto.finish_rotation(self.home, self.cipher)
                current = self.cipher.current
                self.cipher = crypto.FieldCipher({current: self.cipher.keys[current]}, current)
            try:
                self.cipher.decrypt(state.check_enc, field="key_state.check")
            except EncryptionKeyError as exc:
                raise EncryptionKeyError(
                    f"the loaded key cannot read this database (it was written under key "
                    f"{state.key_id})",
                    hint="set MEDCODER_KEY or records.key to the key the database uses",
                ) from exc

    # -- acting users -------------------------------------------------------------------
    @contextmanager
    def _acting(self, actor: str | None, action: Action) -> Iterator[tuple[Session, User]]:
        """One transaction as ``actor``; a refused action is audited, then raised. Every
        event of an actor acting through an API key names the key (``audit.VIA_KEY``)."""
        session = self._sessions()
        if isinstance(actor, KeyActor):
            session.info[audit.VIA_KEY] = actor.key_id
        try:
            user, refusal = self._authorize(session, actor, action)
            if refusal is not None or user is None:
                audit.record(
                    session,
                    actor=actor or "(none)",
                    action="denied",
                    entity="action",
                    entity_id=action.value,
                )
                session.commit()
                raise refusal or PermissionDeniedError("no acting user")
            yield session, user
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def _reading(
        self,
        actor: str | None,
        encounter_id: str,
        entity: str,
        *,
        action: Action = Action.VIEW_ENCOUNTER,
        event: str = "read",
        **detail: Any,
    ) -> Iterator[tuple[Session, Encounter]]:
        """One audited read of an encounter (45 CFR 164.312(b), audit controls): the block
        reads in ``actor``'s transaction; once it ends without an error the read is audited
        as (``event``, ``entity``, the encounter's external id, ``detail``) in that same
        transaction, which then commits. A block that raises leaves no event."""
        with self._acting(actor, action) as (session, user):
            encounter = self._encounter(session, encounter_id)
            yield session, encounter
            audit.record(
                session,
                actor=user.name,
                action=event,
                entity=entity,
                entity_id=encounter.external_id,
                **detail,
            )

    @staticmethod
    def _audit_line(
        session: Session,
        user: User,
        encounter: Encounter,
        action: str,
        line: CodeAssignment,
        before: object,
        after: object,
        **extra: Any,
    ) -> None:
        """An edit of one of the encounter's code lines, audited with the line's code and
        system and its values before and after."""
        audit.record(
            session,
            actor=user.name,
            action=action,
            entity="encounter",
            entity_id=encounter.external_id,
            code=line.code,
            system=line.system,
            before=before,
            after=after,
            **extra,
        )

    def _authorize(
        self, session: Session, actor: str | None, action: Action
    ) -> tuple[User | None, PermissionDeniedError | None]:
        if not actor:
            return None, PermissionDeniedError(
                "no acting user", hint="pass --user NAME or set MEDCODER_USER"
            )
        user = session.scalar(select(User).where(User.name == actor))
        if user is None or not user.active:
            return None, PermissionDeniedError(
                f"no active user named {actor!r}",
                hint="an admin adds users with `medcoder users add NAME --role ROLE`",
            )
        if not allowed(Role(user.role), action):
            return user, PermissionDeniedError(
                f"{actor} ({user.role}) may not {action.value.replace('_', ' ')}",
                hint="ask an admin for a role that allows it",
            )
        return user, None

    # -- code sets ----------------------------------------------------------------------
    def coding_engine(self) -> CodingEngine:
        """The coding engine, built on first use over this home's code sets."""
        if self._coder is None:
            from medcoder.pipeline import engine_for

            self._coder = engine_for(self.home)
        return self._coder

    def release_in_force(self, encounter: Encounter) -> Release:
        """The ICD-10-CM release in force on the encounter's date of service (the nearest
        installed one where none covers it: see ``release_choice``)."""
        return self.release_choice(encounter)[0]

    def release_choice(self, encounter: Encounter) -> tuple[Release, str | None]:
        """The release to code and validate the encounter with, and a notice when no
        installed release covers its date of service (then the nearest is used: one such
        encounter must not stall the queue, and the notice goes on the run, the encounter
        and the claim, so the coder decides; issue 16, part 5)."""
        registry = getattr(self.coding_engine(), "registry", None)
        if registry is None:  # an engine that brings no releases of its own (a test double)
            from medcoder.codesets.registry import Registry

            registry = Registry(self.home, quiet=True)
        if encounter.date_of_service is None:
            return registry.latest(), None
        return registry.nearest_for(encounter.date_of_service)

    def _registry(self) -> Registry:
        """The installed releases: the engine's registry when one is open, else a fresh
        one (the claim edits need no engine, so none is built for them)."""
        from medcoder.codesets.registry import Registry

        return self._coder.registry if self._coder is not None else Registry(self.home, quiet=True)

    # -- shared lookups -----------------------------------------------------------------
    @staticmethod
    def _user(session: Session, name: str) -> User:
        target = session.scalar(select(User).where(User.name == name))
        if target is None:
            raise RecordNotFoundError(f"no user named {name!r}")
        return target

    def _encounter(self, session: Session, encounter_id: str) -> Encounter:
        encounter = session.scalar(select(Encounter).where(Encounter.external_id == encounter_id))
        if encounter is None:
            raise RecordNotFoundError(
                f"no encounter {encounter_id!r}",
                hint="`medcoder queue` lists encounters awaiting review",
            )
        return encounter

    def _date_shift(self, patient_id: int) -> dt.timedelta:
        """-182..-1 or +1..+182 days: never zero, so no real date passes through (the
        de-identified exports, rows and FHIR, shift every date of a patient by this)."""
        digest = self.cipher.blind_index(str(patient_id), purpose="date-shift")
        n = int(digest[:8], 16) % 364
        return dt.timedelta(days=n - 182 if n < 182 else n - 181)

    @staticmethod
    def _active_line(
        encounter: Encounter, code: str, system: str | CodeSystem | None = None
    ) -> CodeAssignment:
        """The active line ``code`` names: of ``system`` when given, else of the one system
        whose active line matches it (``code_lines``: J1885 may be HCPCS or J18.85)."""
        wanted = candidates(code, system)
        found = [
            row
            for row in encounter.codes
            if row.status in ACTIVE_STATUSES and (CodeSystem(row.system), row.code) in wanted
        ]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise ambiguous(code, [CodeSystem(r.system) for r in found])
        active = ", ".join(
            f"{c.code} ({c.system})" for c in encounter.codes if c.status in ACTIVE_STATUSES
        )
        shown = " or ".join(f"{key} ({each.value})" for each, key in wanted)
        raise RecordNotFoundError(
            f"{shown} is not an active code of encounter {encounter.external_id}",
            hint=f"active codes: {active or 'none'}",
        )

    @staticmethod
    def _editable(encounter: Encounter) -> None:
        if encounter.status == EncounterStatus.FINALIZED:
            raise WorkflowError(
                f"encounter {encounter.external_id} is finalized (locked)",
                hint=f"re-open it with a reason: medcoder review {encounter.external_id} "
                "reopen --reason TEXT",
            )

    def _workable(self, session: Session, encounter: Encounter, user: User) -> None:
        """Not finalized, and not held by another user (E408: ``locks``); ``user``'s own
        hold is renewed (every review action is activity)."""
        self._editable(encounter)
        locks.check(session, encounter, user.name)

    @staticmethod
    def _reason(reason: str | None, what: str) -> str:
        text = (reason or "").strip()
        if not text:
            raise WorkflowError(f"{what} needs a reason", hint="pass --reason TEXT")
        return text
