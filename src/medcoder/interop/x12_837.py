"""X12 5010 837 claims: professional (837P, 005010X222A1) and institutional (837I,
005010X223A2, the version pyx12's 837I map carries).

One interchange (ISA/IEA) with one functional group (GS/GE) holds every claim given, in
transaction sets (ST/SE) of at most 5,000 claims (the TR3s' recommended limit, section
1.4.3). Each transaction: BHT, submitter 1000A, receiver 1000B, billing provider
2000A/2010AA, then per claim the subscriber 2000B/2010BA (the patient is the
subscriber) and payer 2010BB, the claim 2300 and its service lines 2400
(``x12_claim``). Every code is checked (``code_values.check_claim``) before a segment
is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum

from medcoder.errors import ClaimContentError
from medcoder.interop.claim import ClaimDocument
from medcoder.interop.code_values import CodeCatalog, check_claim
from medcoder.interop.x12_claim import write_claim
from medcoder.interop.x12_segments import COMPONENT, REPETITION, TERMINATOR, Segments, clean, d8
from medcoder.settings import ClaimParties

CLAIMS_PER_TRANSACTION = 5000


class ClaimFormat(StrEnum):
    """The X12 837 claim a claim document is written as."""

    PROFESSIONAL = "837p"
    INSTITUTIONAL = "837i"

    @property
    def version(self) -> str:
        """GS08 / ST03: the implementation guide's version, release and industry id."""
        if self is ClaimFormat.PROFESSIONAL:
            return "005010X222A1"
        return "005010X223A2"


def build_837(
    claims: Sequence[ClaimDocument],
    kind: ClaimFormat,
    *,
    control_number: int = 1,
    created: dt.datetime | None = None,
    production: bool = False,
    catalog: CodeCatalog | None = None,
) -> str:
    """The 837 interchange of ``claims`` (one billing provider: the first claim's parties).

    ``control_number`` is ISA13 and GS06 (1..999999999); ST02 counts from 0001.
    ``production`` sets ISA15 to P (else T, test data). ``catalog`` adds the release
    checks (billable, valid on the date) to the form checks.
    """
    if not claims:
        raise ClaimContentError("no claims to write", hint="pass at least one claim")
    if not 1 <= control_number <= 999_999_999:
        raise ClaimContentError(f"control number {control_number} is not 1..999999999")
    for claim in claims:
        check_claim(claim, catalog)
    parties = claims[0].parties
    if any(c.parties != parties for c in claims):
        raise ClaimContentError("claims of one interchange share one submitter and provider")
    when = created or dt.datetime.now(dt.UTC)
    out = Segments()
    _interchange_header(out, parties, when, control_number, production, kind)
    batches = [
        claims[i : i + CLAIMS_PER_TRANSACTION]
        for i in range(0, len(claims), CLAIMS_PER_TRANSACTION)
    ]
    for number, batch in enumerate(batches, start=1):
        _transaction(out, batch, kind, parties, when, f"{number:04d}", control_number)
    out.add("GE", str(len(batches)), str(control_number))
    out.add("IEA", "1", f"{control_number:09d}")
    return out.text()


def _interchange_header(
    out: Segments,
    parties: ClaimParties,
    when: dt.datetime,
    control: int,
    production: bool,
    kind: ClaimFormat,
) -> None:
    sender = clean(parties.submitter_id, 15)
    receiver = clean(parties.receiver_id, 15)
    # ISA elements are fixed width (X12.5): padded, never trimmed.
    isa = [
        "ISA", "00", " " * 10, "00", " " * 10,
        "ZZ", f"{sender:<15}", "ZZ", f"{receiver:<15}",
        when.strftime("%y%m%d"), when.strftime("%H%M"), REPETITION, "00501",
        f"{control:09d}", "0", "P" if production else "T", COMPONENT,
    ]  # fmt: skip
    out.lines.append("*".join(isa) + TERMINATOR)
    out.add("GS", "HC", sender, receiver, d8(when), when.strftime("%H%M"), str(control), "X",
            kind.version)  # fmt: skip


def _transaction(
    out: Segments,
    claims: Sequence[ClaimDocument],
    kind: ClaimFormat,
    parties: ClaimParties,
    when: dt.datetime,
    st_control: str,
    control: int,
) -> None:
    start = len(out.lines)
    out.add("ST", "837", st_control, kind.version)
    # BHT: 0019 structure; 00 original; CH chargeable (TR3 2.3.1 BHT).
    out.add("BHT", "0019", "00", f"{control}{st_control}", d8(when), when.strftime("%H%M"), "CH")
    # 1000A submitter (46 = ETIN) and its EDI contact.
    out.add("NM1", "41", "2", clean(parties.submitter_name, 60), "", "", "", "", "46",
            clean(parties.submitter_id, 80))  # fmt: skip
    out.add("PER", "IC", clean(parties.submitter_name, 60), "TE", parties.submitter_phone)
    # 1000B receiver.
    out.add("NM1", "40", "2", clean(parties.receiver_name, 60), "", "", "", "", "46",
            clean(parties.receiver_id, 80))  # fmt: skip
    # 2000A billing provider hierarchical level (HL03 20), with subscriber children.
    out.add("HL", "1", "", "20", "1")
    out.add("NM1", "85", "2", clean(parties.billing_name, 60), "", "", "", "", "XX",
            parties.billing_npi)  # fmt: skip
    out.add("N3", clean(parties.billing_street, 55))
    out.add("N4", clean(parties.billing_city, 30), clean(parties.billing_state, 2),
            parties.billing_zip)  # fmt: skip
    out.add("REF", "EI", parties.billing_tax_id)
    for number, claim in enumerate(claims, start=2):
        write_claim(out, claim, institutional=kind is ClaimFormat.INSTITUTIONAL, hl=number)
    out.add("SE", str(out.count_since(start) + 1), st_control)
