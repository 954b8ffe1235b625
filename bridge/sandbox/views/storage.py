"""The object storage that signed upload URLs point at (no bearer header: the URL is the key)."""

from __future__ import annotations

from flask import Blueprint, Response, g, request

from .. import storage
from ..context import sandbox

bp = Blueprint("storage", __name__, url_prefix="/_storage")


@bp.put("/<int:media_id>")
def put_upload(media_id: int) -> Response:
    """``PUT <upload.url>``: stream the bytes to disk after checking the signature."""
    box = sandbox()
    storage.check_signature(
        box.config.signing_secret,
        media_id,
        request.args.get("expires"),
        request.args.get("signature"),
        box.clock.now(),
    )
    size = storage.receive(
        box.state, media_id, request.stream, request.content_type, request.content_length
    )
    response = Response(status=200)
    response.headers["ETag"] = f'"{media_id}-{size}"'
    return response


@bp.errorhandler(storage.StorageError)
def storage_error(exc: storage.StorageError) -> Response:
    """Storage refusals are XML, like S3-style object storage."""
    return Response(exc.xml(g.request_id), status=exc.status, mimetype="application/xml")
