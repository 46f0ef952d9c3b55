"""``medcoder serve``: the API and the workbench under uvicorn (the ``api`` extra)."""

from __future__ import annotations

import copy
import os

import click

from medcoder.cli.common import friendly_errors, home, require_extra
from medcoder.settings import HOME_ENV

__all__ = ["serve"]


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes (coding is CPU-bound: about one per core).",
)
@click.pass_context
@friendly_errors
def serve(ctx: click.Context, host: str, port: int, workers: int) -> None:
    """Serve the REST API (/v1, /openapi.json) and the coder's workbench (/)."""
    require_extra("api", "`medcoder serve`")
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    from medcoder.records.service import Records

    given = home(ctx)
    if given is not None:
        os.environ[HOME_ENV] = str(given)  # the workers read it (from_env)
    Records.open(given).close()  # refuse at once when the database is missing or old
    # The access log is the app's own (medcoder.api.access): uvicorn's would write
    # request paths and query strings, which can carry identifiers.
    log_config = copy.deepcopy(LOGGING_CONFIG)
    log_config["loggers"]["medcoder"] = {
        "handlers": ["default"],
        "level": "INFO",
        "propagate": False,
    }
    uvicorn.run(
        "medcoder.web.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_level="info",
        log_config=log_config,
    )
