"""The application factory: ``create_app(ApiSettings(home=...))``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI

from medcoder import __version__
from medcoder.api import errors
from medcoder.api.middleware import AccessLog, BodyLimit, SecurityHeaders
from medcoder.api.routes_auth import router as auth_router
from medcoder.api.routes_codes import router as codes_router
from medcoder.api.routes_queries import router as queries_router
from medcoder.api.routes_records import router as records_router
from medcoder.api.routes_reports import router as reports_router
from medcoder.api.routes_review import router as review_router
from medcoder.api.services import Services
from medcoder.api.settings import ApiSettings

DESCRIPTION = """\
Medical coding over HTTP: code a note (`POST /v1/code`), look up the ICD-10-CM code sets,
and review coded encounters in the records database.

Authenticate with a bearer token from `POST /v1/login` or an `X-API-Key` header. Every
error has one shape: `{"ok": false, "status": 404, "error": {"code", "message", "hint"}}`.
"""


Mount = Callable[[FastAPI], None]
"""Adds routes built on the API to its app (the workbench's pages: ``medcoder.web``)."""


def create_app(settings: ApiSettings | None = None, *, mounts: Sequence[Mount] = ()) -> FastAPI:
    """The REST API over one home, with ``mounts`` added after its own routes.

    The API never imports what is built on it: the served application (API + workbench)
    is assembled above both, by :func:`medcoder.web.app.create_app`."""
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
    app.include_router(review_router)
    app.include_router(queries_router)
    app.include_router(reports_router)
    for mount in mounts:
        mount(app)
    # The last added is the outermost: the body limit refuses before anything reads the
    # body, and the security headers go on every answer, the body limit's 413 included.
    app.add_middleware(AccessLog)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    return app
