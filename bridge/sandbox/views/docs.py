"""The OpenAPI document of the contract (no key needed)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from ..openapi import OPENAPI

bp = Blueprint("docs", __name__, url_prefix="/v1")


@bp.get("/openapi.json")
def openapi() -> dict[str, Any]:
    """``GET /v1/openapi.json``."""
    return OPENAPI
