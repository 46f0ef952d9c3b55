"""The coder's workbench: server-rendered pages over the REST API (see ``pages``)."""

from __future__ import annotations

from fastapi import FastAPI


def mount(app: FastAPI) -> None:
    """Add the workbench's pages and static files to the API app."""
    from medcoder.web.pages import install

    install(app)
