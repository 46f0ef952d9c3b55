"""The REST API (FastAPI, versioned under ``/v1``) and ``medcoder serve``.

``create_app(ApiSettings(...))`` builds the application; every route calls the same
service layer the CLI uses (``medcoder.records.service.Records``, the code-set registry,
the coding engine), so role checks and audit are the service's, not the API's.
"""

from __future__ import annotations

from medcoder.api.app import create_app
from medcoder.api.settings import ApiSettings

__all__ = ["ApiSettings", "create_app"]
