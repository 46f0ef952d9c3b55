"""API fixtures: a records database with a user of every role (each with a password),
two synthetic encounters imported and one coded, and a TestClient over ``create_app``."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from medcoder.api import ApiSettings
from medcoder.codesets.in_force import CodeSetChooser
from medcoder.codesets.registry import Registry
from medcoder.pipeline import CodingEngine, default_stages
from medcoder.records.service import Records
from medcoder.web.app import create_app
from tests.records.conftest import doc, write_jsonl

TEST_KEY = base64.b64encode(bytes(range(32))).decode()
ROLES = ("admin", "coder", "reviewer", "manager", "analyst")
# One user per role, named after it; synthetic passwords for these tests only.
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def coding_engine(built_home: Path) -> CodingEngine:
    chooser = CodeSetChooser(Registry(built_home, quiet=True))
    return CodingEngine(chooser, stages=default_stages(chooser))


@pytest.fixture
def api_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, built_home: Path, coding_engine: CodingEngine
) -> Iterator[Path]:
    """A home whose database holds E-100 (coded, in review) and E-200 (pending)."""
    home = tmp_path / "home"
    home.mkdir()
    # The built releases (and the engine's lexicon cache) serve this home too, so that a
    # `medcoder serve --home` subprocess finds them; the records database is the home's own.
    for part in ("releases", "cache"):
        if (built_home / part).exists():
            (home / part).symlink_to(built_home / part, target_is_directory=True)
    monkeypatch.setenv("MEDCODER_KEY", TEST_KEY)
    monkeypatch.delenv("MEDCODER_DATABASE_URL", raising=False)
    monkeypatch.delenv("MEDCODER_USER", raising=False)
    Records.init(home).close()
    records = Records.open(home, coder=coding_engine)
    records.add_user(None, "admin", "admin")
    for role in ROLES[1:]:
        records.add_user("admin", role, role)
    for role in ROLES:
        records.set_password("admin", role, PASSWORD)
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [doc("E-100"), doc("E-200", "ASSESSMENT: Asthma.", date="2026-05-02", payer="Beta")],
    )
    records.import_path("manager", source)
    records.run_coding("coder", "E-100")
    records.close()
    yield home


@pytest.fixture
def client(api_home: Path, coding_engine: CodingEngine) -> Iterator[TestClient]:
    app = create_app(ApiSettings(home=api_home, engine=coding_engine))  # API + workbench
    with TestClient(app) as test_client:
        yield test_client


def login(client: TestClient, user: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/v1/login", json={"username": user, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.fixture
def headers(client: TestClient) -> dict[str, dict[str, str]]:
    """Authorization headers per role (the user of each role is named after it)."""
    return {role: login(client, role) for role in ROLES}
