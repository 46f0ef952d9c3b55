"""Administration of the records: verifying the audit chain, rotating the PHI and audit keys."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from medcoder.records import audit, crypto
from medcoder.records.gate import KEY_CHECK, RecordsGate
from medcoder.records.models import CodeAssignment, CodingRun, Document, KeyState, Patient
from medcoder.records.permissions import Action


class AdminMixin(RecordsGate):
    """The audit chain's check and the key rotation (every PHI value re-encrypted)."""

    def verify_audit(self, actor: str | None) -> audit.ChainReport:
        """Walk the audit chain; the report names the first edited, missing or extra event."""
        with self._acting(actor, Action.VERIFY_AUDIT) as (session, _user):
            return audit.verify(session)

    def reanchor_audit(self, actor: str | None) -> audit.ChainReport:
        """Write the audit anchor anew (lost or deleted) if the chain verifies (audit.py)."""
        with self._acting(actor, Action.ROTATE_KEYS) as (session, user):
            return audit.reanchor(session, actor=user.name)

    def rotate_audit_key(self, actor: str | None) -> str:
        """Sign audit events with a new key from now on; returns its id (audit_keys.py)."""
        with self._acting(actor, Action.ROTATE_KEYS) as (session, user):
            return audit.rotate_key(session, actor=user.name)

    def rotate_keys(self, actor: str | None) -> Counter[str]:
        """Re-encrypt every PHI value under a new key, in one transaction."""
        # Refuse (and audit the refusal) before a new key is written to the key file.
        with self._acting(actor, Action.ROTATE_KEYS) as (_session, _user):
            pass
        rotated = crypto.begin_rotation(self.home, self.cipher)
        counts: Counter[str] = Counter()
        with self._acting(actor, Action.ROTATE_KEYS) as (session, user):

            def again(token: bytes, field: str) -> bytes:
                counts[field] += 1
                return rotated.encrypt(rotated.decrypt(token, field=field), field=field)

            for p in session.scalars(select(Patient)):
                mrn = rotated.decrypt(p.mrn_enc, field="patients.mrn")
                p.mrn_index = rotated.blind_index(mrn, purpose="mrn")
                p.mrn_enc = again(p.mrn_enc, "patients.mrn")
                p.name_enc = again(p.name_enc, "patients.name")
                p.dob_enc = again(p.dob_enc, "patients.dob")
            for d in session.scalars(select(Document)):
                text = rotated.decrypt(d.text_enc, field="documents.text")
                d.content_index = rotated.blind_index(text, purpose="document")
                d.text_enc = again(d.text_enc, "documents.text")
            for r in session.scalars(select(CodingRun)):
                r.result_enc = again(r.result_enc, "coding_runs.result")
            for a in session.scalars(
                select(CodeAssignment).where(
                    CodeAssignment.evidence_enc.is_not(None)
                    | CodeAssignment.poa_evidence_enc.is_not(None)
                    | CodeAssignment.reason.is_not(None)
                )
            ):
                if a.reason is not None:  # sealed anew (a reason from before sealing too)
                    plain = (
                        rotated.open_text(a.reason, field="code_assignments.reason")
                        if a.reason.startswith(crypto.SEALED_TEXT)
                        else a.reason
                    )
                    counts["code_assignments.reason"] += 1
                    a.reason = rotated.seal_text(plain, field="code_assignments.reason")
                if a.evidence_enc is not None:
                    a.evidence_enc = again(a.evidence_enc, "code_assignments.evidence")
                if a.poa_evidence_enc is not None:
                    a.poa_evidence_enc = again(a.poa_evidence_enc, "code_assignments.poa_evidence")
            state = session.get(KeyState, 1)
            if state is not None:
                state.key_id = rotated.current
                state.check_enc = rotated.encrypt(KEY_CHECK, field="key_state.check")
            audit.record(
                session,
                actor=user.name,
                action="rotate_keys",
                entity="keys",
                entity_id=rotated.current,
                before={"key": self.cipher.current},
                after={"key": rotated.current, "values": sum(counts.values())},
            )
        crypto.finish_rotation(self.home, rotated)
        self.cipher = crypto.FieldCipher(
            {rotated.current: rotated.keys[rotated.current]}, rotated.current
        )
        return counts
