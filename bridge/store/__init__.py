"""The store: tables, database setup and migrations (SQLite by default, PostgreSQL too)."""

from .database import Database, create_db_engine, migrate
from .models import (
    AccountRecord,
    AccountResult,
    Approval,
    Attempt,
    FetchRecord,
    ItemIdentity,
    ItemRecord,
    Publication,
    PublicationMedia,
    PublicationState,
    SourceRecord,
)

__all__ = [
    "AccountRecord",
    "AccountResult",
    "Approval",
    "Attempt",
    "Database",
    "FetchRecord",
    "ItemIdentity",
    "ItemRecord",
    "Publication",
    "PublicationMedia",
    "PublicationState",
    "SourceRecord",
    "create_db_engine",
    "migrate",
]
