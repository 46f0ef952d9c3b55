"""The service objects one API process shares: the records service and the coding engine.

Both open on first use, so the app starts (and /v1/health answers) before the first
release is mapped or the database opened.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from medcoder.api.settings import ApiSettings
from medcoder.codesets import serialize
from medcoder.codesets.diff import diff_releases
from medcoder.codesets.registry import Registry
from medcoder.errors import TooManyAttemptsError
from medcoder.pipeline import CodingEngine, engine_for
from medcoder.records.service import Records

T = TypeVar("T")


class LoginThrottle:
    """At most ``limit`` failed logins per user name in ``window`` seconds, per process: a
    password cannot be guessed at the speed of the network (NIST SP 800-63B 5.2.2)."""

    def __init__(self, limit: int = 5, window: float = 300.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, name: str, now: float) -> list[float]:
        kept = [t for t in self._failures.get(name, []) if now - t < self.window]
        if kept:
            self._failures[name] = kept
        else:
            self._failures.pop(name, None)
        return kept

    def check(self, name: str) -> None:
        with self._lock:
            recent = self._recent(name, time.monotonic())
            if len(recent) >= self.limit:
                wait = int(self.window - (time.monotonic() - recent[0])) + 1
                raise TooManyAttemptsError(
                    f"too many failed logins for {name!r}",
                    hint=f"try again in {wait} s, or ask an admin to reset the password",
                )

    def failed(self, name: str) -> None:
        with self._lock:
            self._recent(name, time.monotonic())
            self._failures.setdefault(name, []).append(time.monotonic())

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name, None)


class Services:
    """Lazily opened shared services. Coding holds no lock: the engine keeps no per-note
    state and each thread reads the releases through its own connection, so requests
    code in parallel on the server's threads."""

    def __init__(self, settings: ApiSettings) -> None:
        self.settings = settings
        self._records: Records | None = None
        self._engine: CodingEngine | None = settings.engine
        self._open_lock = threading.Lock()
        self._diffs: dict[tuple[str, str], dict[str, Any]] = {}
        self.logins = LoginThrottle()

    def records(self) -> Records:
        with self._open_lock:
            if self._records is None:
                self._records = Records.open(self.settings.home, coder=self._engine)
            return self._records

    def engine(self, *, external_causes: bool | None = None) -> CodingEngine:
        """The shared engine (``engine_for`` the home, as ``medcoder code`` builds it), or
        one like it with external causes switched the other way."""
        with self._open_lock:
            if self._engine is None:
                self._engine = engine_for(self.settings.home)
            base = self._engine
        if external_causes is None or external_causes == base.external_causes:
            return base
        return engine_for(self.settings.home, external_causes=external_causes)

    def with_codesets(self, work: Callable[[Registry], T]) -> T:
        """Run ``work`` with the home's releases (safe from any thread: see the class)."""
        return work(self.engine().registry)

    def release_diff(self, old: str, new: str) -> dict[str, Any]:
        """``serialize.release_diff`` of two releases, kept: built releases never change,
        and comparing two full releases takes seconds."""

        def work(registry: Registry) -> dict[str, Any]:
            key = (old, new)
            if key not in self._diffs:
                diff = diff_releases(registry.open(old), registry.open(new))
                self._diffs[key] = serialize.release_diff(diff)
            return self._diffs[key]

        return self.with_codesets(work)

    def close(self) -> None:
        with self._open_lock:
            if self._records is not None:
                self._records.close()
                self._records = None
