"""``medcoder serve`` answers on loopback and logs no PHI."""

from __future__ import annotations

from pathlib import Path

import httpx
from click.testing import CliRunner

from medcoder.cli import main
from tests.api.conftest import PASSWORD
from tests.api.serving import serving
from tests.records.conftest import PATIENT


def test_serve_answers_and_logs_no_phi(api_home: Path, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with serving(api_home, log) as base:
        token = httpx.post(
            f"{base}/v1/login", json={"username": "coder", "password": PASSWORD}
        ).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        view = httpx.get(f"{base}/v1/encounters/E-100", headers=auth, timeout=30)
        assert view.json()["patient"]["mrn"] == PATIENT["mrn"]
    written = log.read_text()
    assert "/v1/encounters/{encounter_id} 200" in written
    assert "E-100" not in written and PATIENT["mrn"] not in written


def test_serve_refuses_a_home_without_a_database(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--home", str(tmp_path / "empty"), "serve"])
    assert result.exit_code == 2
    assert "E401" in result.output
