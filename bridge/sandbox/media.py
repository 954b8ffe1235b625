"""Media: upload slots, completion, imports, and processing that advances with the clock.

Processing is decided when it starts (the bytes are sniffed then) and revealed once
``media_delay`` seconds of sandbox time have passed, as ``ready`` with a ``file_id`` or
``failed`` with ``error_code``/``error_message``.
"""

from __future__ import annotations

import hashlib
import os
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .errors import ApiError, not_found, validation
from .imports import fetch_outcome
from .records import MediaRecord, failed, ready
from .sniff import MIME_KINDS, MediaRejected, sniff_file
from .storage import signed_upload_url

if TYPE_CHECKING:
    from .seed import Workspace
    from .state import SandboxState


def to_json(record: MediaRecord) -> dict[str, Any]:
    """A media record as served (the contract's ``Media``)."""
    return {
        "id": record.id,
        "status": record.status,
        "file_id": record.file_id,
        "error_code": record.error_code,
        "error_message": record.error_message,
    }


def refresh(record: MediaRecord, now: datetime) -> None:
    """Finish processing once its time has come."""
    if record.status != "processing" or record.ready_at is None or now < record.ready_at:
        return
    outcome = record.outcome
    record.status = outcome["status"]
    if outcome.get("digest"):
        record.file_id = f"file_{record.id}_{outcome['digest'][:12]}"
    record.kind = outcome.get("kind")
    record.mime = outcome.get("mime")
    record.error_code = outcome.get("error_code")
    record.error_message = outcome.get("error_message")


def create_upload(
    state: SandboxState,
    workspace: Workspace,
    body: dict[str, Any],
    now: datetime,
    base_url: str,
) -> dict[str, Any]:
    """``POST /media/uploads``: a media record waiting for its bytes, and the signed PUT URL."""
    name = body.get("name")
    content_type = body.get("content_type")
    if not isinstance(name, str) or not name.strip():
        raise validation("`name` is required: the file name, like photo.jpg.", "name")
    if not isinstance(content_type, str) or not content_type.strip():
        raise validation("`content_type` is required, like image/jpeg.", "content_type")
    content_type = content_type.split(";")[0].strip().lower()
    if content_type not in MIME_KINDS:
        accepted = ", ".join(MIME_KINDS)
        raise validation(f"Unsupported content_type; accepted: {accepted}.", "content_type")
    record = MediaRecord(
        id=state.next_media_id(),
        workspace_id=workspace.id,
        source="upload",
        created_at=now,
        name=name,
        content_type=content_type,
    )
    with state.lock:
        state.media_records[record.id] = record
    expires = int(now.timestamp() + state.config.upload_url_ttl)
    url = signed_upload_url(base_url, state.config.signing_secret, record.id, expires)
    return {"id": record.id, "status": record.status, "upload": {"url": url}}


def get(state: SandboxState, workspace: Workspace, media_id: int, now: datetime) -> MediaRecord:
    """The workspace's media record, brought up to ``now``; 404 if it is not the workspace's."""
    with state.lock:
        record = state.media_records.get(media_id)
        if record is None or record.workspace_id != workspace.id:
            raise not_found("media")
        refresh(record, now)
        return record


def complete(
    state: SandboxState, workspace: Workspace, media_id: int, now: datetime
) -> dict[str, Any]:
    """``POST /media/{id}/complete``: start processing whatever bytes arrived."""
    with state.lock:
        record = get(state, workspace, media_id, now)
        if record.source != "upload" or record.status != "waiting_for_upload":
            raise ApiError(
                409,
                "conflict",
                f"Media {media_id} is already {record.status}; nothing to complete.",
            )
        record.outcome = _upload_outcome(record)
        _start_processing(state, record, now)
        return to_json(record)


def import_media(
    state: SandboxState, workspace: Workspace, body: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """``POST /media/imports``: processing starts at once, from a (simulated) fetch."""
    url = body.get("url")
    if not isinstance(url, str) or not url.strip():
        raise validation("`url` is required: a public HTTPS URL.", "url")
    outcome = fetch_outcome(state.config, url.strip(), state.storage_dir)  # outside the lock
    record = MediaRecord(
        id=state.next_media_id(),
        workspace_id=workspace.id,
        source="import",
        created_at=now,
        url=url.strip(),
        outcome=outcome,
    )
    with state.lock:
        state.media_records[record.id] = record
        _start_processing(state, record, now)
        return to_json(record)


def _start_processing(state: SandboxState, record: MediaRecord, now: datetime) -> None:
    record.status = "processing"
    record.ready_at = now + timedelta(seconds=state.config.media_delay)
    refresh(record, now)  # a zero delay is ready at once


def _upload_outcome(record: MediaRecord) -> dict[str, Any]:
    path = record.upload_path
    if path is None or not os.path.exists(path):
        return failed("upload_missing", "No file was uploaded to the upload URL.")
    try:
        sniffed = sniff_file(path)
        return ready(_file_digest(path), sniffed.mime, sniffed.kind)
    except MediaRejected as exc:
        return failed(exc.code, exc.message)
    finally:
        os.unlink(path)  # the bytes are judged; only the outcome is kept


def _file_digest(path: str) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            sha.update(chunk)
    return sha.hexdigest()
