"""Fixtures for the hardening attacks (issue 17): the records service of every role
(tests/records) and the served API with its workbench (tests/api), reused as they are."""

from tests.api.conftest import api_home, client, coding_engine, headers
from tests.records.conftest import backend, records, records_home

__all__ = ["api_home", "backend", "client", "coding_engine", "headers", "records", "records_home"]
