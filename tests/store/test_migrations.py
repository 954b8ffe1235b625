"""The migrations build the schema the models describe, from a blank database, on every backend."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel, select

from bridge.store import Database, SourceRecord


def _schema_diff(database: Database) -> list[object]:
    with database.engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)


def test_migrate_blank_sqlite_matches_models(tmp_path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'bridge.db'}")
    assert _schema_diff(database) == []
    with database.engine.connect() as connection:
        mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    assert mode == "wal"


def test_migrate_is_idempotent_and_keeps_data(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'bridge.db'}"
    first = Database(url)
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    with first.session() as session:
        session.add(SourceRecord(name="blog", type="rss", created_at=now))
    first.dispose()
    second = Database(url)
    with second.session() as session:
        stored = session.exec(select(SourceRecord)).one()
    assert stored.name == "blog"
    assert stored.created_at == now


def test_naive_datetimes_are_refused(tmp_path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'bridge.db'}")
    with pytest.raises(sa.exc.StatementError), database.session() as session:
        session.add(SourceRecord(name="blog", type="rss", created_at=datetime(2026, 1, 1)))
        session.flush()


@pytest.mark.postgres
def test_migrate_blank_postgres_matches_models(postgres_url: str) -> None:
    database = Database(postgres_url)
    assert _schema_diff(database) == []
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    with database.session() as session:
        session.add(SourceRecord(name="blog", type="rss", created_at=now))
    with database.session() as session:
        assert session.exec(select(SourceRecord)).one().created_at == now
    database.dispose()
