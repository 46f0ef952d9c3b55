"""The warm-up ``medcoder serve`` starts: it runs in the background (the server answers
before it ends), it warms what the first claim panel would load, and a step that fails is
logged, never fatal."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from medcoder.settings import HOME_ENV
from medcoder.web import app as web_app
from medcoder.web import warmup


def test_a_failing_step_is_logged_and_the_rest_run(caplog: pytest.LogCaptureFixture) -> None:
    ran = []

    def broken() -> None:
        raise OSError("tables missing")

    with caplog.at_level(logging.INFO, logger="medcoder.web.warmup"):
        done = warmup.run([("broken", broken), ("after", lambda: ran.append("after"))])
    assert done == {"broken": False, "after": True} and ran == ["after"]
    failed = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(failed) == 1 and "warm-up broken failed" in failed[0].getMessage()
    assert failed[0].exc_info is not None and "tables missing" in caplog.text


def test_the_server_answers_before_warm_up_ends(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    release = threading.Event()
    started = threading.Event()
    finished = threading.Event()

    def slow() -> None:
        started.set()
        assert release.wait(30)
        finished.set()

    asked: list[Path | None] = []

    def steps(home: Path | None) -> list[warmup.Step]:
        asked.append(home)
        return [("slow", slow)]

    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    monkeypatch.setattr(warmup, "steps", steps)
    app = web_app.app_from_env()
    with TestClient(app) as client:
        assert started.wait(30)
        assert client.get("/v1/health").status_code == 200  # while warm-up still runs
        assert not finished.is_set() and app.state.warmup.is_alive()
        release.set()
        app.state.warmup.join(30)
    assert finished.is_set() and asked == [tmp_path]


def test_the_real_steps_warm_the_hcc_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    from medcoder.hcc import model

    monkeypatch.setattr(model, "_tables", {})  # as a fresh process
    named = dict(warmup.steps(None))
    assert set(named) == {"hcc", "drg"}
    assert warmup.run([("hcc", named["hcc"])]) == {"hcc": True}
    assert set(model._tables) == set(model.BLENDS)
