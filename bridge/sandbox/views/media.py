"""Media: upload slots, completion, imports and status."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from .. import media
from ..context import json_object, sandbox, workspace_or_404

bp = Blueprint("media", __name__, url_prefix="/v1/workspaces/<int:ws>/media")


@bp.post("/uploads")
def create_upload(ws: int) -> tuple[dict[str, Any], int]:
    """``POST /media/uploads``: a slot with a signed, expiring PUT URL."""
    workspace = workspace_or_404(ws)
    box = sandbox()
    body = json_object()
    return media.create_upload(box.state, workspace, body, box.clock.now(), request.host_url), 201


@bp.post("/<int:media_id>/complete")
def complete_upload(ws: int, media_id: int) -> dict[str, Any]:
    """``POST /media/{id}/complete``: processing starts."""
    box = sandbox()
    return media.complete(box.state, workspace_or_404(ws), media_id, box.clock.now())


@bp.post("/imports")
def import_media(ws: int) -> tuple[dict[str, Any], int]:
    """``POST /media/imports``: import from a public HTTPS URL."""
    workspace = workspace_or_404(ws)
    box = sandbox()
    body = json_object()
    return media.import_media(box.state, workspace, body, box.clock.now()), 201


@bp.get("/<int:media_id>")
def get_media(ws: int, media_id: int) -> dict[str, Any]:
    """``GET /media/{id}``: processing status."""
    box = sandbox()
    with box.state.lock:
        return media.to_json(media.get(box.state, workspace_or_404(ws), media_id, box.clock.now()))
