"""The built-release fixtures live in tests/conftest.py, shared by every test folder."""
