"""Posts: create, list, get, delete."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from .. import posts
from ..context import json_body, sandbox, workspace_or_404

bp = Blueprint("posts", __name__, url_prefix="/v1/workspaces/<int:ws>/posts")


@bp.post("")
def create_post(ws: int) -> tuple[dict[str, Any], int]:
    """``POST /posts``."""
    workspace = workspace_or_404(ws)
    box = sandbox()
    return posts.create(box.state, workspace, json_body(), box.clock.now()), 201


@bp.get("")
def list_posts(ws: int) -> dict[str, Any]:
    """``GET /posts`` with filters and paging."""
    box = sandbox()
    return posts.list_page(box.state, workspace_or_404(ws), request.args, box.clock.now())


@bp.get("/<int:post_id>")
def get_post(ws: int, post_id: int) -> dict[str, Any]:
    """``GET /posts/{id}``."""
    box = sandbox()
    with box.state.lock:
        record = posts.get(box.state, workspace_or_404(ws), post_id, box.clock.now())
        return posts.to_json(box.state, record)


@bp.delete("/<int:post_id>")
def delete_post(ws: int, post_id: int) -> tuple[str, int]:
    """``DELETE /posts/{id}``: 204, then the post is gone."""
    box = sandbox()
    posts.delete(box.state, workspace_or_404(ws), post_id, box.clock.now())
    return "", 204
