"""Alembic environment. The connection is passed in by `app.migrate`, or built from GONGKAI_DATABASE_URL."""

from __future__ import annotations

import os

from alembic import context
from sqlmodel import SQLModel

from app.model_registry import load_all_models

load_all_models()
target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from content.db.db import make_engine

    engine = make_engine(os.environ.get("GONGKAI_DATABASE_URL", "sqlite:///./gongkai.db"))
    with engine.connect() as conn:
        _run(conn)
        conn.commit()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
