"""The OpenAPI 3.1 document of the Postoria Public API v1 (being filled in)."""

from __future__ import annotations

from typing import Any

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Postoria Public API", "version": "1"},
    "paths": {},
}
