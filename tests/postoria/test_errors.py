"""Every error class, produced by the real sandbox (faults injected there) over loopback."""

from __future__ import annotations

import socket

import pytest

from bridge.clock import ManualClock
from bridge.errors import (
    AuthenticationError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    PostoriaProtocolError,
    PostoriaTransportError,
    ServerError,
)
from bridge.postoria import CreatePost, Outcome, PostoriaClient
from bridge.sandbox import FaultRule, SandboxServer

from .helpers import ACME, ACME_X, JPEG_BYTES, OTHER_PROFILE_KEY, REVOKED_KEY, MakeClient, served

POST = CreatePost(publish_mode="publish_now", social_account_ids=[ACME_X], caption="Hello")


@pytest.mark.parametrize("key", [REVOKED_KEY, "pst_live_not_a_real_key_at_all"])
def test_bad_keys_are_authentication_errors(make_client: MakeClient, key: str) -> None:
    client = make_client(key)
    with pytest.raises(AuthenticationError) as caught:
        client.list_workspaces()
    error = caught.value
    assert (error.status, error.code) == (401, "invalid_api_key")
    assert error.request_id and error.request_id.startswith("req_")
    assert error.request_id in str(error)
    assert client.ledger.count("GET /workspaces", Outcome.CLIENT_ERROR) == 1


def test_another_profiles_workspace_is_not_found(make_client: MakeClient) -> None:
    other = make_client(OTHER_PROFILE_KEY)
    [hooli] = other.list_workspaces()
    with pytest.raises(NotFoundError) as caught:
        make_client().list_queues(hooli.id)
    assert caught.value.status == 404
    assert caught.value.request_line == f"GET /workspaces/{hooli.id}/queues"


def test_rejected_post_names_the_param(client: PostoriaClient, sandbox: SandboxServer) -> None:
    post = CreatePost(publish_mode="publish_now", social_account_ids=[999], caption="Hi")
    with pytest.raises(InvalidRequestError) as caught:
        client.create_post(ACME, post)
    assert caught.value.status == 422
    assert caught.value.param == "social_account_ids"
    assert caught.value.code == "invalid_reference"
    assert len(served(sandbox, "create_post")) == 1


def test_a_post_with_nothing_to_say_is_a_400_naming_the_param(client: PostoriaClient) -> None:
    post = CreatePost(publish_mode="publish_now", social_account_ids=[ACME_X])
    with pytest.raises(InvalidRequestError) as caught:
        client.create_post(ACME, post)
    assert (caught.value.status, caught.value.param) == (400, "caption")
    assert caught.value.code == "validation_error"


def test_deleting_a_post_being_published_is_a_conflict(client: PostoriaClient) -> None:
    post = client.create_post(ACME, POST)
    with pytest.raises(ConflictError) as caught:
        client.delete_post(ACME, post.id)
    assert caught.value.status == 409


def test_expired_upload_url_is_permission_denied(
    client: PostoriaClient, clock: ManualClock
) -> None:
    upload = client.create_upload(ACME, "photo.jpg", "image/jpeg")
    clock.advance(3600)
    with pytest.raises(PermissionDeniedError) as caught:
        client.put_upload(upload, JPEG_BYTES, "image/jpeg")
    assert caught.value.status == 403
    assert caught.value.code == "AccessDenied"
    assert caught.value.request_line == "PUT <signed upload URL>"


def test_persistent_503_is_a_server_error_after_retries(
    client: PostoriaClient, sandbox: SandboxServer
) -> None:
    sandbox.faults.add(FaultRule(endpoint="list_workspaces", kind="error", status=503))
    with pytest.raises(ServerError) as caught:
        client.list_workspaces()
    assert caught.value.status == 503
    assert len(served(sandbox, "list_workspaces")) == client.retry.attempts
    assert client.ledger.count("GET /workspaces", Outcome.SERVER_ERROR) == client.retry.attempts


@pytest.mark.parametrize("status", [502, 200])
def test_html_from_a_proxy_is_a_protocol_error(
    client: PostoriaClient, sandbox: SandboxServer, status: int
) -> None:
    sandbox.faults.add(FaultRule(endpoint="list_queues", kind="html", status=status))
    with pytest.raises(PostoriaProtocolError) as caught:
        client.list_queues(ACME)
    message = str(caught.value)
    assert f"GET /workspaces/{{ws}}/queues answered HTTP {status}" in message
    assert "HTML" in message and "<" in message  # a short excerpt of what came instead
    assert len(message) < 300
    assert client.ledger.count("GET /workspaces/{ws}/queues", Outcome.PROTOCOL_ERROR) >= 1


def test_truncated_json_is_a_protocol_error(client: PostoriaClient, sandbox: SandboxServer) -> None:
    sandbox.faults.add(FaultRule(endpoint="list_social_accounts", kind="invalid_json"))
    with pytest.raises(PostoriaProtocolError, match="invalid JSON"):
        client.list_social_accounts(ACME)


def test_missing_fields_are_a_protocol_error_and_not_retried(
    client: PostoriaClient, sandbox: SandboxServer
) -> None:
    post = client.create_post(ACME, POST)
    sandbox.faults.add(FaultRule(endpoint="get_post", kind="missing_fields"))
    with pytest.raises(PostoriaProtocolError) as caught:
        client.get_post(ACME, post.id)
    assert "invalid Post" in str(caught.value)
    assert len(served(sandbox, "get_post")) == 1


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_closed_port_is_a_transport_error_retried(clock: ManualClock) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    with PostoriaClient("pst_test_agency_key", url, clock=clock) as client:
        with pytest.raises(PostoriaTransportError) as caught:
            client.list_workspaces()
        assert "nothing was sent" in str(caught.value)
        assert client.ledger.count("GET /workspaces", Outcome.TRANSPORT_ERROR) == 4


def test_create_to_a_closed_port_was_never_sent_so_not_unknown(clock: ManualClock) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    with PostoriaClient("pst_test_agency_key", url, clock=clock) as client:
        with pytest.raises(PostoriaTransportError) as caught:
            client.create_post(ACME, POST)
        assert not isinstance(caught.value, OutcomeUnknownError)


def test_dropped_connection_on_a_read_is_retried(
    client: PostoriaClient, sandbox: SandboxServer
) -> None:
    sandbox.faults.add(FaultRule(endpoint="list_workspaces", kind="drop", count=1))
    assert client.list_workspaces()
    assert client.ledger.by_endpoint()["GET /workspaces"] == {"ok": 1, "transport_error": 1}
