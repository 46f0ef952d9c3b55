"""The encounter page in place (issue 16, part 4): GET /encounters/{id}/fragment renders the
named parts with the page's own blocks (one template per part), the page and each
fragment are one audited read, and a new order is one PUT /sequence checked whole."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from medcoder.records.models import AuditEvent
from medcoder.records.service import Records
from tests.web.test_pages import _log_in

Headers = dict[str, dict[str, str]]
PARTS = ("head", "note", "history", "codes", "claim", "queries", "decided", "dropped")


def _part(fragment: str, name: str) -> str:
    """One part of a fragment response (parts only): its wrapper up to the next part."""
    start = fragment.index(f'<div class="part" data-part="{name}">')
    following = fragment.find('<div class="part" data-part=', start + 1)
    return fragment[start : following if following > 0 else len(fragment)].strip()


def _reads(home: Path) -> list[dict[str, object]]:
    records = Records.open(home)
    try:
        with records._sessions() as session:
            rows = session.scalars(
                select(AuditEvent).where(AuditEvent.action == "read").order_by(AuditEvent.id)
            ).all()
            return [{"entity": r.entity, **json.loads(r.detail)} for r in rows]
    finally:
        records.close()


def test_every_part_of_the_page_renders_alone(client: TestClient) -> None:
    _log_in(client)
    page = client.get("/encounters/E-100").text
    assert re.findall(r'<div class="part" data-part="(\w+)">', page) == list(PARTS)
    query = "&".join(f"part={p}" for p in PARTS)
    fragment = client.get(f"/encounters/E-100/fragment?{query}")
    assert fragment.status_code == 200, fragment.text
    assert fragment.headers["cache-control"] == "no-store"
    assert "<html" not in fragment.text and '<header class="top"' not in fragment.text
    for name in PARTS:  # the same block: the same HTML as the page's own part
        assert _part(fragment.text, name) in page, name
    codes = client.get("/encounters/E-100/fragment?part=codes").text
    assert re.findall(r'data-part="(\w+)"', codes) == ["codes"]
    assert 'data-key="c:E11.9"' in codes and 'draggable="true"' in codes


def test_a_fragment_shows_the_change_just_made(client: TestClient, headers: Headers) -> None:
    _log_in(client)
    accepted = client.post(
        "/v1/encounters/E-100/codes/E11.9/accept", json={}, headers=headers["coder"]
    )
    assert accepted.status_code == 200
    parts = client.get("/encounters/E-100/fragment?part=codes&part=history&part=claim").text
    card = re.search(r'<article class="code-card st-(\w+)" data-key="c:E11.9"', parts)
    assert card is not None and card.group(1) == "accepted"
    assert "accepted E11.9" in _part(parts, "history")
    assert 'id="claim"' in _part(parts, "claim")


def test_fragment_refusals(client: TestClient) -> None:
    ended = client.get("/encounters/E-100/fragment?part=codes", follow_redirects=False)
    assert ended.status_code == 401  # workbench.js sends the coder to log in, and back
    _log_in(client)
    assert client.get("/encounters/E-100/fragment?part=nowhere").status_code == 422
    assert client.get("/encounters/E-100/fragment").status_code == 422  # name a part
    missing = client.get("/encounters/E-404/fragment?part=codes")
    assert missing.status_code == 404 and "E-404" in missing.text


def test_the_page_and_a_fragment_are_one_audited_read_each(
    client: TestClient, api_home: Path
) -> None:
    _log_in(client)
    before = len(_reads(api_home))
    assert client.get("/encounters/E-100").status_code == 200
    assert client.get("/encounters/E-100/fragment?part=codes&part=claim").status_code == 200
    reads = _reads(api_home)[before:]
    assert len(reads) == 2  # were three for the page alone (encounter, runs, the rest)
    for read in reads:  # each names every PHI field and every record it opened
        assert read["entity"] == "encounter"
        assert read["fields"] == ["mrn", "name", "dob", "sex", "text", "evidence"]
        assert read["also"] == ["coding_runs", "history", "claim_check", "queries"]
    records = Records.open(api_home)
    try:
        assert records.verify_audit("admin").ok
    finally:
        records.close()


def test_a_new_order_is_one_call_checked_whole(client: TestClient, headers: Headers) -> None:
    coder, url = headers["coder"], "/v1/encounters/E-100"
    codes = [c["code"] for c in client.get(url, headers=coder).json()["codes"]]
    assert len(codes) >= 2, codes
    for bad in ([codes[0], *codes], codes[:1]):  # not a permutation of the diagnoses
        refused = client.put(f"{url}/sequence", json={"codes": bad}, headers=coder)
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["code"] == "E300"
        assert "give every active code once (diagnoses)" in refused.json()["error"]["message"]
    stranger = client.put(f"{url}/sequence", json={"codes": [*codes, "Z79.84"]}, headers=coder)
    assert stranger.status_code == 404 and "Z79.84" in stranger.json()["error"]["message"]
    assert [c["code"] for c in client.get(url, headers=coder).json()["codes"]] == codes
    turned = list(reversed(codes))
    assert client.put(f"{url}/sequence", json={"codes": turned}, headers=coder).status_code == 200
    view = client.get(url, headers=coder).json()["codes"]
    assert [(c["code"], c["sequence"]) for c in view] == [
        (code, n) for n, code in enumerate(turned, start=1)
    ]
