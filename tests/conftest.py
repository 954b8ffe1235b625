"""Fixtures shared by every test area."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

REPO_ROOT = Path(__file__).resolve().parents[1]
POSTGRES_ADMIN_URL = os.environ.get(
    "BRIDGE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep tests from reading the developer's bridge settings or loading stray plugins."""
    for name in list(os.environ):
        if name.startswith("BRIDGE_") and name != "BRIDGE_SHARED_DIR":
            monkeypatch.delenv(name)
    monkeypatch.setenv("BRIDGE_LOAD_PLUGINS", "postoria-bridge")
    monkeypatch.delenv("POSTORIA_API_KEY", raising=False)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh empty database on the loopback PostgreSQL server, dropped afterwards."""
    name = f"bridge_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        pytest.fail(f"PostgreSQL at {POSTGRES_ADMIN_URL} is needed for this test: {exc}")
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()
