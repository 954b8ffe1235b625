"""The API key and signed upload URLs never show: not in logs, errors or reprs."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

import httpx
import pytest

from bridge.clock import ManualClock
from bridge.errors import PostoriaError
from bridge.postoria import PostoriaClient
from bridge.sandbox import FaultRule, SandboxServer

from .helpers import ACME, JPEG_BYTES, REVOKED_KEY, MakeClient


def _everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)


def test_key_and_signed_url_stay_out_of_debug_logs(
    client: PostoriaClient,
    sandbox: SandboxServer,
    jpeg_file: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    upload = client.create_upload(ACME, "photo.jpg", "image/jpeg")
    signed_url = upload.upload.url.get_secret_value()
    client.put_upload(upload, JPEG_BYTES, "image/jpeg")
    client.upload_file(ACME, jpeg_file)
    logged = _everything_logged(caplog)
    assert "PUT <signed upload URL>" in logged
    assert "_storage" in signed_url and "signature=" in signed_url
    assert signed_url not in logged
    assert signed_url.split("?")[1] not in logged
    assert "signature=" not in logged
    assert sandbox.api_key not in logged


def test_key_stays_out_of_errors_and_reprs(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client(REVOKED_KEY)
    with pytest.raises(PostoriaError) as caught:
        client.list_workspaces()
    shown = "".join(traceback.format_exception(caught.value)) + repr(client) + str(client)
    shown += repr(client.limiter) + _everything_logged(caplog)
    assert REVOKED_KEY not in shown
    assert "pst_test_" in repr(client)  # the kind of key is still visible


def test_signed_url_stays_out_of_upload_errors(
    client: PostoriaClient,
    sandbox: SandboxServer,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    upload = client.create_upload(ACME, "photo.jpg", "image/jpeg")
    signed_url = upload.upload.url.get_secret_value()
    failures = []
    sandbox.faults.add(FaultRule(endpoint="put_upload", kind="drop", count=1))
    sandbox.faults.add(FaultRule(endpoint="put_upload", kind="html", status=503))
    with pytest.raises(PostoriaError) as caught:
        client.put_upload(upload, JPEG_BYTES, "image/jpeg")
    failures.append(caught.value)
    sandbox.faults.clear()
    clock.advance(3600)  # the URL expires: storage answers 403
    with pytest.raises(PostoriaError) as caught:
        client.put_upload(upload, JPEG_BYTES, "image/jpeg")
    failures.append(caught.value)
    for error in failures:
        shown = "".join(traceback.format_exception(error)) + repr(error)
        assert signed_url not in shown
        assert "signature=" not in shown
    records = [r for r in client.ledger.snapshot().counts]
    assert all("_storage" not in endpoint for endpoint, _ in records)
    assert signed_url not in _everything_logged(caplog)
    assert repr(upload).count("**********") == 1


class RecordingTransport(httpx.HTTPTransport):
    """The real HTTP transport, keeping the headers of what it sends for inspection."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, str, httpx.Headers]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.method, request.url.path, request.headers))
        return super().handle_request(request)


def test_the_key_goes_to_the_api_only(make_client: MakeClient, jpeg_file: Path) -> None:
    transport = RecordingTransport()
    client = make_client(transport=transport)
    client.upload_file(ACME, jpeg_file)
    [create, put, complete] = transport.sent
    assert create[2]["authorization"] == f"Bearer {client._api_key}"
    assert complete[2]["authorization"].startswith("Bearer ")
    assert put[0] == "PUT" and "authorization" not in put[2]
    assert put[2]["content-type"] == "image/jpeg"
    assert put[2]["content-length"] == str(jpeg_file.stat().st_size)
    assert "transfer-encoding" not in put[2]
