"""Workspaces, social accounts and queues."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from ..context import caller, sandbox, workspace_or_404
from ..state import account_json, workspace_json

bp = Blueprint("workspaces", __name__, url_prefix="/v1/workspaces")


def listing(data: list[dict[str, Any]]) -> dict[str, Any]:
    """A complete (single-page) list in the contract's shape."""
    return {"data": data, "pagination": {"has_more": False, "next_cursor": None}}


@bp.get("")
def list_workspaces() -> dict[str, Any]:
    """``GET /workspaces``: the key's workspaces."""
    return listing([workspace_json(w) for w in sandbox().state.workspaces_of(caller())])


@bp.get("/<int:ws>/social-accounts")
def list_social_accounts(ws: int) -> dict[str, Any]:
    """``GET /workspaces/{ws}/social-accounts``."""
    return listing([account_json(a) for a in workspace_or_404(ws).accounts])


@bp.get("/<int:ws>/queues")
def list_queues(ws: int) -> dict[str, Any]:
    """``GET /workspaces/{ws}/queues``."""
    state = sandbox().state
    return listing([state.queue_json(q) for q in workspace_or_404(ws).queues])
