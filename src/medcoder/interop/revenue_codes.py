"""The UB-04 revenue code (NUBC, FL 42; 837I SV201) of an institutional service line.

The records hold no charge master, so each CPT/HCPCS line gets the revenue centre its
code range belongs to (the CPT sections; the HCPCS Level II letter blocks):

======================================  =====  ======================================
code                                    rev    revenue centre (NUBC)
======================================  =====  ======================================
CPT 99281-99285, HCPCS G0380-G0384      0450   emergency room
CPT 99202-99215 (office/outpatient E/M) 0510   clinic
other E/M (99217-99499)                 0960   professional fees, general
CPT 10004-69990 (surgery)               0360   operating room services
CPT 70010-79999 (radiology)             0320   radiology, diagnostic
CPT 80047-89398, PLA (....U)            0300   laboratory
CPT 93000-93010 (ECG)                   0730   EKG/ECG
other CPT (medicine, Category II, III)  0940   other therapeutic services
HCPCS J (drugs)                         0636   drugs requiring detailed coding
HCPCS A, E, K, L (supplies, DME)        0270   medical/surgical supplies
other HCPCS                             0940   other therapeutic services
inpatient room and board (no code)      0120   room and board, semi-private
======================================  =====  ======================================

A billing system with a charge master overrides these; they are a sensible default, not
the facility's own mapping.
"""

from __future__ import annotations

from medcoder.kinds import CodeSystem

ROOM_AND_BOARD = "0120"  # semi-private, 2 beds: units are days (SV204 DA)


def revenue_code(system: CodeSystem, code: str) -> str:
    """The revenue code of a CPT or HCPCS line ``code`` (bare, upper case)."""
    if system is CodeSystem.HCPCS:
        if "G0380" <= code <= "G0384":
            return "0450"
        letter = code[0]
        if letter == "J":
            return "0636"
        if letter in "AEKL":
            return "0270"
        return "0940"
    if code.endswith("U"):
        return "0300"
    if not code.isdigit():  # Category II (F) and III (T)
        return "0940"
    number = int(code)
    if 99281 <= number <= 99285:
        return "0450"
    if 99202 <= number <= 99215:
        return "0510"
    if 99217 <= number <= 99499:
        return "0960"
    if 10004 <= number <= 69990:
        return "0360"
    if 70010 <= number <= 79999:
        return "0320"
    if 80047 <= number <= 89398:
        return "0300"
    if 93000 <= number <= 93010:
        return "0730"
    return "0940"
