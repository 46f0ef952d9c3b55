"""``medcoder serve``: the API and the workbench under uvicorn."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import click

from medcoder.errors import ConfigurationError


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
def serve(ctx: click.Context, host: str, port: int, workers: int) -> None:
    """Serve the REST API (/v1, /openapi.json) and the coder's workbench (/)."""
    from medcoder.cli import friendly_errors

    @friendly_errors
    def run() -> None:
        try:
            import uvicorn
        except ImportError:
            raise ConfigurationError(
                "the API needs its extra packages", hint="pip install 'medcoder[api]'"
            ) from None
        from medcoder.records.service import Records

        home: Path | None = (ctx.find_root().obj or {}).get("home")
        if home is not None:
            os.environ["MEDCODER_HOME"] = str(home)  # the workers read it (from_env)
        Records.open(home).close()  # refuse at once when the database is missing or old
        # The access log is the app's own (medcoder.api.access): uvicorn's would write
        # request paths and query strings, which can carry identifiers.
        from uvicorn.config import LOGGING_CONFIG

        log_config = copy.deepcopy(LOGGING_CONFIG)
        log_config["loggers"]["medcoder"] = {
            "handlers": ["default"],
            "level": "INFO",
            "propagate": False,
        }
        uvicorn.run(
            "medcoder.api.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=False,
            log_level="info",
            log_config=log_config,
        )

    run()
