"""Alembic environment: runs migrations on the engine the bridge hands over."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from bridge.store import models  # noqa: F401  (registers the tables on SQLModel.metadata)

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
