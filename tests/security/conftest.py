"""The security suite reuses the API fixtures: a home with a user of every role."""

from tests.api.conftest import api_home, client, coding_engine, headers

__all__ = ["api_home", "client", "coding_engine", "headers"]
