"""Every Table 6I code acts as an MCC and every Table 6J code as a CC beside a principal
that does not exclude it, and Table 6K PDX exclusions hold (issue 12 part 3: the grouper
package's own lists missed 41 of them, e.g. J12.82, Z59.00, Z16.10, L49.3, D89.833, K77).

Every 6I and 6J code is grouped (about 18,400 stays); the 6K exclusions are sampled:
3,000 (CC/MCC, excluding principal) pairs drawn with a fixed seed from Part 1: the code
is reported as excluded, counts as neither, and leaves a CC/MCC-split DRG where the
principal alone puts it (a secondary trauma code may still move the stay to another
family, e.g. multiple significant trauma, at the same level)."""

from __future__ import annotations

import random

from medcoder.drg.grouper import MsDrgGrouper
from medcoder.drg.tables import DrgTables

# Principals whose DRG families split by MCC and CC (193-195, 291-293, 689-690, 377-379).
PRINCIPALS = ("J189", "I509", "N390", "K922")


def _dotted(code: str) -> str:
    return code if len(code) == 3 else f"{code[:3]}.{code[3:]}"


def _severe(title: str) -> bool:
    """A DRG title at the CC or MCC level of its family."""
    return " WITH MCC" in title or " WITH CC" in title


def _principal_for(tables: DrgTables, code: str) -> str:
    for principal in PRINCIPALS:
        if principal != code and tables.excluded_by(code, principal) is None:
            return principal
    raise AssertionError(f"no test principal leaves {code} counting")


def _failures(
    tables: DrgTables, grouper: MsDrgGrouper, codes: frozenset[str], level: str
) -> list[str]:
    failures = []
    for code in sorted(codes):
        principal = _principal_for(tables, code)
        result = grouper.group(_dotted(principal), [_dotted(code)], sex="F")
        counted = result.mcc if level == "MCC" else result.cc
        title = result.title
        acts = f"WITH {level}" in title or "WITH CC/MCC" in title or "WITH MCC OR" in title
        if counted != (_dotted(code),) or not acts:
            failures.append(f"{code} with {principal}: {result.drg} {title} {counted}")
    return failures


def test_every_table_6i_code_acts_as_mcc(
    drg_tables: DrgTables, table_grouper: MsDrgGrouper
) -> None:
    failures = _failures(drg_tables, table_grouper, drg_tables.mcc, "MCC")
    assert failures == [], f"{len(failures)} of {len(drg_tables.mcc)}: {failures[:10]}"


def test_every_table_6j_code_acts_as_cc(drg_tables: DrgTables, table_grouper: MsDrgGrouper) -> None:
    failures = _failures(drg_tables, table_grouper, drg_tables.cc, "CC")
    assert failures == [], f"{len(failures)} of {len(drg_tables.cc)}: {failures[:10]}"


def test_the_codes_drgpy_missed_count(table_grouper: MsDrgGrouper) -> None:
    assert table_grouper.group("J18.9", ["J12.82"], sex="F").drg == "193"
    for code in ("Z59.00", "Z16.10", "L49.3", "D89.833", "K77"):
        result = table_grouper.group("J18.9", [code], sex="F")
        assert (result.drg, result.cc) == ("194", (code,))


def test_table_6k_pdx_exclusions_hold(drg_tables: DrgTables, table_grouper: MsDrgGrouper) -> None:
    rng = random.Random(12)
    pairs = sorted(
        (code, principal)
        for code, collection in drg_tables.pdx_collection.items()
        for principal in drg_tables.collections[collection]
        if principal != code
    )
    failures = []
    checked = 0
    for code, principal in rng.sample(pairs, 3000):
        try:
            with_code = table_grouper.group(_dotted(principal), [_dotted(code)], sex="F")
        except Exception:  # a principal the grouper cannot take as principal (MCE)
            continue
        checked += 1
        reasons = [e.reason for e in with_code.excluded if e.code == _dotted(code)]
        collection = drg_tables.pdx_collection[code]
        without = table_grouper.group(_dotted(principal), [], sex="F")
        counted = bool(with_code.mcc or with_code.cc)
        unexplained = not reasons or collection not in reasons[0]
        moved_up = _severe(with_code.title) and not _severe(without.title)
        if counted or unexplained or moved_up:
            failures.append(f"{code} with principal {principal}: {with_code}")
    assert checked > 2500
    assert failures == [], f"{len(failures)} of {checked}: {failures[:5]}"


def test_table_6k_part3_severity_exclusion(table_grouper: MsDrgGrouper) -> None:
    # J15.0 is an MCC that J86.9 does not exclude, but not in DRGs 177-179 (6K Part 3).
    result = table_grouper.group("J86.9", ["J15.0"], sex="F")
    assert (result.drg, result.mcc) == ("179", ())
    assert "Table 6K Part 3" in result.excluded[0].reason


def test_dotted_undotted_and_lower_case_group_alike(table_grouper: MsDrgGrouper) -> None:
    dotted = table_grouper.group("S72.001A", ["N17.0", "E87.1"], ["0SR9019"], sex="F")
    plain = table_grouper.group("s72001a", ["n170", "E871"], ["0sr9019"], sex="F")
    assert plain == dotted
    assert (dotted.principal, dotted.mcc, dotted.cc) == ("S72.001A", ("N17.0",), ("E87.1",))
