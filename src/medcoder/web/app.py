"""The application ``medcoder serve`` runs: the REST API with the coder's workbench on it.

The workbench is built on the API (its pages call the same services, with the same
credentials and audit), so the two are put together here, above both; the API itself
never imports the workbench.
"""

from __future__ import annotations

from fastapi import FastAPI

from medcoder.api.app import create_app as create_api
from medcoder.api.settings import ApiSettings
from medcoder.web import dashboard_pages, encoder_pages, warmup
from medcoder.web.pages import install


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    """The API and the workbench pages over one home."""
    return create_api(settings, mounts=(install, encoder_pages.install, dashboard_pages.install))


def app_from_env() -> FastAPI:
    """The factory ``medcoder serve`` hands uvicorn (one call per worker process): the app,
    with the libraries the first pages load warmed in the background (``warmup``)."""
    settings = ApiSettings.from_env()
    app = create_app(settings)
    app.state.warmup = warmup.start(warmup.steps(settings.home))
    return app
