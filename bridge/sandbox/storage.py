"""The sandbox's object storage: signed, expiring PUT URLs and streamed uploads.

An upload URL looks like ``/_storage/<media id>?expires=<unix time>&signature=<hmac>``. Like a
presigned object-storage URL it needs no bearer header; an expired or tampered URL gets a 403
with an XML ``<Error>`` body the way S3-style storage answers. The body is streamed to a file in
1 MiB chunks, never held in memory, and cut off past ``max_upload_bytes``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from datetime import datetime
from typing import TYPE_CHECKING, BinaryIO
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from .state import SandboxState

CHUNK = 1 << 20


class StorageError(Exception):
    """A storage refusal, rendered as S3-style XML."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def xml(self, request_id: str) -> str:
        """The XML error document."""
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{escape(self.code)}</Code><Message>{escape(self.message)}</Message>"
            f"<RequestId>{escape(request_id)}</RequestId></Error>"
        )


def sign(secret: str, media_id: int, expires: int) -> str:
    """The URL signature: HMAC-SHA256 over the method, the object and the expiry."""
    message = f"PUT\n{media_id}\n{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_upload_url(base_url: str, secret: str, media_id: int, expires: int) -> str:
    """The absolute signed PUT URL for one media record."""
    signature = sign(secret, media_id, expires)
    return f"{base_url.rstrip('/')}/_storage/{media_id}?expires={expires}&signature={signature}"


def check_signature(
    secret: str, media_id: int, expires: str | None, signature: str | None, now: datetime
) -> None:
    """Refuse a URL that is unsigned, tampered with or expired."""
    if not expires or not signature or not expires.isdigit():
        raise StorageError(
            403,
            "AccessDenied",
            "Query-string authentication requires the expires and signature parameters.",
        )
    if not hmac.compare_digest(sign(secret, media_id, int(expires)), signature):
        raise StorageError(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        )
    if now.timestamp() > int(expires):
        raise StorageError(403, "AccessDenied", "Request has expired.")


def receive(
    state: SandboxState,
    media_id: int,
    stream: BinaryIO,
    content_type: str | None,
    content_length: int | None,
) -> int:
    """Stream one upload's bytes to disk; returns the number of bytes stored."""
    limit = state.config.max_upload_bytes
    with state.lock:
        record = state.media_records.get(media_id)
        if record is None or record.source != "upload":
            raise StorageError(404, "NoSuchKey", "The specified key does not exist.")
        if record.status != "waiting_for_upload":
            raise StorageError(409, "InvalidObjectState", "The upload was already completed.")
    sent_type = (content_type or "").split(";")[0].strip().lower()
    if sent_type != record.content_type:
        # The slot was signed for a content type, as presigned URLs are.
        raise StorageError(
            403,
            "SignatureDoesNotMatch",
            f"Content-Type {sent_type or '(none)'} does not match the signed "
            f"content type {record.content_type}.",
        )
    if content_length is not None and content_length > limit:
        raise StorageError(
            413,
            "EntityTooLarge",
            f"Your proposed upload exceeds the maximum allowed size of {limit} bytes.",
        )
    path = os.path.join(state.storage_dir, f"upload-{media_id}.part")
    size = _stream_to_file(stream, path, limit)
    final = path[: -len(".part")]
    os.replace(path, final)
    with state.lock:
        record.upload_path = final
        record.uploaded_bytes = size
        record.uploaded_content_type = sent_type
    return size


def _stream_to_file(stream: BinaryIO, path: str, limit: int) -> int:
    size = 0
    with open(path, "wb") as fh:
        while True:
            chunk = stream.read(CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                fh.close()
                os.unlink(path)
                raise StorageError(
                    413,
                    "EntityTooLarge",
                    f"Your upload exceeds the maximum allowed size of {limit} bytes.",
                )
            fh.write(chunk)
    return size
