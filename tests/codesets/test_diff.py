"""diff_releases(): FY2025 April -> FY2026 April, checked against the Tabular XMLs themselves."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from medcoder.codesets.diff import ReleaseDiff, diff_releases
from medcoder.codesets.model import NoteKind
from medcoder.codesets.store import Release

pytestmark = pytest.mark.slow

TABULAR_2025 = "icd10cm/fy2025-april/icd10cm-tabular-April-2025.xml"
TABULAR_2026 = "icd10cm/fy2026-april/icd10cm-tabular-April-1-2026.xml"


def _diag_titles(path: Path) -> dict[str, str]:
    """Every <diag> name in a Tabular XML with its <desc>, whitespace collapsed."""
    titles: dict[str, str] = {}
    for _, diag in etree.iterparse(str(path), tag="diag"):
        titles[diag.findtext("name") or ""] = " ".join((diag.findtext("desc") or "").split())
    return titles


@pytest.fixture(scope="module")
def diff(release_2025: Release, release_2026: Release) -> ReleaseDiff:
    return diff_releases(release_2025, release_2026)


@pytest.fixture(scope="module")
def xml_titles(cms_data: Path) -> tuple[dict[str, str], dict[str, str]]:
    return _diag_titles(cms_data / TABULAR_2025), _diag_titles(cms_data / TABULAR_2026)


def test_names_the_releases(diff: ReleaseDiff) -> None:
    assert (diff.old, diff.new) == ("icd10cm-2025-04", "icd10cm-2026-04")


def test_added_codes(diff: ReleaseDiff) -> None:
    assert len(diff.added) >= 500
    added = {c.code: c for c in diff.added}
    assert len(added) == len(diff.added)
    assert added["G35.D"].title == "Multiple sclerosis, unspecified"
    assert added["G35.D"].billable is True
    assert added["G35.B"].billable is False  # a new header
    assert "S30.11XA" in added  # 7th-character expansions count


def test_every_diag_added_in_the_xml_is_in_added(
    diff: ReleaseDiff, xml_titles: tuple[dict[str, str], dict[str, str]]
) -> None:
    old, new = xml_titles
    new_in_xml = set(new) - set(old)
    assert len(new_in_xml) > 300
    assert new_in_xml <= {c.code for c in diff.added}


def test_every_diag_dropped_from_the_xml_is_in_deleted(
    diff: ReleaseDiff, xml_titles: tuple[dict[str, str], dict[str, str]]
) -> None:
    old, new = xml_titles
    assert set(old) - set(new) <= {c.code for c in diff.deleted}


def test_every_diag_retitled_in_the_xml_is_in_revised(
    diff: ReleaseDiff, xml_titles: tuple[dict[str, str], dict[str, str]]
) -> None:
    old, new = xml_titles
    retitled = {code for code in set(old) & set(new) if old[code] != new[code]}
    assert retitled
    assert retitled <= {c.code for c in diff.revised}


def test_added_and_deleted_against_the_releases(
    diff: ReleaseDiff, release_2025: Release, release_2026: Release
) -> None:
    for change in diff.added:
        assert release_2025.get(change.code) is None, change.code
        entry = release_2026.get(change.code)
        assert entry is not None and entry.title == change.title
    assert diff.deleted
    for change in diff.deleted:
        assert release_2026.get(change.code) is None, change.code
        assert release_2025.get(change.code) is not None, change.code


def test_subdivided_code_loses_its_expansions(diff: ReleaseDiff) -> None:
    # FY2026 split S30.1 (contusion of abdominal wall) into S30.11-S30.13.
    deleted = {c.code for c in diff.deleted}
    assert {"S30.1XXA", "S30.1XXD", "S30.1XXS"} <= deleted


def test_revised_codes_exist_in_both_with_different_titles(
    diff: ReleaseDiff, release_2025: Release, release_2026: Release
) -> None:
    assert diff.revised
    for change in diff.revised:
        before, after = release_2025.lookup(change.code), release_2026.lookup(change.code)
        assert change.old_title == before.title
        assert change.title == after.title
        assert " ".join(before.title.split()) != " ".join(after.title.split())
    revised = {c.code: c for c in diff.revised}
    assert revised["L02.212"].old_title == "Cutaneous abscess of back [any part, except buttock]"
    assert revised["L02.212"].title == (
        "Cutaneous abscess of back [any part, except buttock and flank]"
    )


def test_notes_changed_are_real_changes(
    diff: ReleaseDiff, release_2025: Release, release_2026: Release
) -> None:
    assert diff.notes_changed
    for change in diff.notes_changed:
        assert release_2025.get(change.code) is not None
        assert release_2026.get(change.code) is not None
        assert change.added or change.removed
        assert not set(change.added) & set(change.removed)
        kind = NoteKind(change.kind)
        before = release_2025.own_notes(change.code).get(kind, [])
        after = release_2026.own_notes(change.code).get(kind, [])
        assert before != after
        assert set(change.added) <= set(after)
        assert set(change.removed) <= set(before)


def test_notes_changed_example(diff: ReleaseDiff) -> None:
    changes = {(n.code, n.kind): n for n in diff.notes_changed}
    b18 = changes[("B18", "use_additional_code")]
    assert b18.added == ("code, if applicable, for ascites (R18.8)",)
    assert b18.removed == ()


def test_diff_of_a_release_with_itself_is_empty(release_2025: Release) -> None:
    same = diff_releases(release_2025, release_2025)
    assert (same.added, same.deleted, same.revised, same.notes_changed) == ((), (), (), ())
