"""The application factory: ``create_app(ApiSettings(home=...))``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from medcoder import __version__
from medcoder.api import errors
from medcoder.api.middleware import AccessLog, BodyLimit
from medcoder.api.routes_auth import router as auth_router
from medcoder.api.routes_codes import router as codes_router
from medcoder.api.routes_records import router as records_router
from medcoder.api.services import Services
from medcoder.api.settings import ApiSettings

DESCRIPTION = """\
Medical coding over HTTP: code a note (`POST /v1/code`), look up the ICD-10-CM code sets,
and review coded encounters in the records database.

Authenticate with a bearer token from `POST /v1/login` or an `X-API-Key` header. Every
error has one shape: `{"ok": false, "status": 404, "error": {"code", "message", "hint"}}`.
"""


def create_app(settings: ApiSettings | None = None, *, web: bool = True) -> FastAPI:
    """The API (and, with ``web``, the coder's workbench pages) over one home."""
    settings = settings or ApiSettings()
    services = Services(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        services.close()

    app = FastAPI(
        title="medcoder",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.services = services
    errors.install(app)
    app.include_router(auth_router)
    app.include_router(codes_router)
    app.include_router(records_router)
    if web:
        from medcoder.web import mount

        mount(app)
    # Outermost first: the body limit refuses before anything reads the body.
    app.add_middleware(AccessLog)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    return app


def app_from_env() -> FastAPI:
    """The factory ``medcoder serve`` hands uvicorn (one call per worker process)."""
    return create_app(ApiSettings.from_env())
