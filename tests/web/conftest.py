"""The web tests reuse the API fixtures (a coded database, a TestClient)."""

from tests.api.conftest import api_home, client, coding_engine, headers

__all__ = ["api_home", "client", "coding_engine", "headers"]
