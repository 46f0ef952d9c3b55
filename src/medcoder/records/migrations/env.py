"""Alembic environment: run on the connection ``medcoder.records.db`` passes in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from medcoder.records.models import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # `alembic -x url=...` from a shell, for developers writing revisions
    url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///records.sqlite")
    with create_engine(url).begin() as conn:
        _run(conn)
