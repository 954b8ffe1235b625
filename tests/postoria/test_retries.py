"""What is retried and what is not, checked against what the sandbox actually served."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest

from bridge.clock import ManualClock
from bridge.errors import (
    OutcomeUnknownError,
    PostoriaTransportError,
    RateLimitedError,
    ServerError,
)
from bridge.postoria import NO_RETRY, CreatePost, Outcome, PostoriaClient, Timeouts
from bridge.sandbox import FaultRule, SandboxServer

from .helpers import ACME, ACME_X, JPEG_BYTES, MakeClient, served

POST = CreatePost(publish_mode="publish_now", social_account_ids=[ACME_X], caption="Hello")
CREATE = "POST /workspaces/{ws}/posts"


def test_get_is_retried_through_a_503_burst(client: PostoriaClient, sandbox: SandboxServer) -> None:
    post = client.create_post(ACME, POST)
    sandbox.faults.add(FaultRule(endpoint="get_post", kind="error", status=503, count=2))
    assert client.get_post(ACME, post.id).id == post.id
    assert [e["status"] for e in served(sandbox, "get_post")] == [503, 503, 200]
    endpoint = client.ledger.by_endpoint()["GET /workspaces/{ws}/posts/{id}"]
    assert endpoint == {"server_error": 2, "ok": 1}


def test_delete_is_retried_after_a_502(client: PostoriaClient, sandbox: SandboxServer) -> None:
    post = client.create_post(
        ACME,
        CreatePost(publish_mode="queue", queue_id=11, social_account_ids=[ACME_X], caption="q"),
    )
    sandbox.faults.add(FaultRule(endpoint="delete_post", kind="error", status=502, count=1))
    client.delete_post(ACME, post.id)
    assert [e["status"] for e in served(sandbox, "delete_post")] == [502, 204]


def test_create_is_not_retried_after_a_5xx(client: PostoriaClient, sandbox: SandboxServer) -> None:
    sandbox.faults.add(FaultRule(endpoint="create_post", kind="error", status=500, count=1))
    with pytest.raises(ServerError):
        client.create_post(ACME, POST)
    assert len(served(sandbox, "create_post")) == 1
    assert client.ledger.count(CREATE) == 1


@pytest.mark.parametrize("kind", ["drop_after_create", "invalid_json", "missing_fields"])
def test_create_whose_answer_is_lost_is_outcome_unknown(
    client: PostoriaClient, sandbox: SandboxServer, kind: str
) -> None:
    sandbox.faults.add(FaultRule(endpoint="create_post", kind=kind, count=1))
    with pytest.raises(OutcomeUnknownError) as caught:
        client.create_post(ACME, POST)
    assert "reconcile" in str(caught.value)
    assert len(sandbox.state.posts(ACME, include_deleted=True)) == 1  # it was created, once
    assert len(served(sandbox, "create_post")) == 1  # and never resent
    assert client.ledger.count(CREATE, Outcome.OUTCOME_UNKNOWN) == 1


def test_create_answered_by_a_proxy_page_is_outcome_unknown(
    client: PostoriaClient, sandbox: SandboxServer
) -> None:
    sandbox.faults.add(FaultRule(endpoint="create_post", kind="html", status=502, count=1))
    with pytest.raises(OutcomeUnknownError):
        client.create_post(ACME, POST)
    assert len(served(sandbox, "create_post")) == 1


def test_create_timing_out_after_sending_is_outcome_unknown(
    make_client: MakeClient, sandbox: SandboxServer
) -> None:
    client = make_client(timeouts=Timeouts(read=0.2))
    sandbox.faults.add(FaultRule(endpoint="create_post", kind="latency", latency=1.0, count=1))
    with pytest.raises(OutcomeUnknownError, match="ReadTimeout"):
        client.create_post(ACME, POST)
    assert client.ledger.count(CREATE) == 1
    _wait_until_served(sandbox, "create_post")
    assert len(sandbox.state.posts(ACME, include_deleted=True)) == 1


def _wait_until_served(sandbox: SandboxServer, endpoint: str) -> None:
    pause = threading.Event()
    for _ in range(300):  # an upper bound for a busy machine, not a measured duration
        if served(sandbox, endpoint):
            return
        pause.wait(0.1)
    pytest.fail(f"the sandbox never finished {endpoint}")


def test_other_posts_are_not_retried_after_a_5xx(
    client: PostoriaClient, sandbox: SandboxServer
) -> None:
    upload = client.create_upload(ACME, "photo.jpg", "image/jpeg")
    sandbox.faults.add(FaultRule(endpoint="complete_upload", kind="error", status=503, count=1))
    with pytest.raises(ServerError):
        client.complete_upload(ACME, upload.id)
    assert len(served(sandbox, "complete_upload")) == 1


def test_other_posts_are_not_retried_after_a_lost_answer(
    client: PostoriaClient, sandbox: SandboxServer
) -> None:
    sandbox.faults.add(FaultRule(endpoint="create_upload", kind="drop", count=1))
    with pytest.raises(PostoriaTransportError) as caught:
        client.create_upload(ACME, "photo.jpg", "image/jpeg")
    assert not isinstance(caught.value, OutcomeUnknownError)
    assert len(served(sandbox, "create_upload")) == 1


def test_a_429_on_create_is_retried_after_retry_after(
    client: PostoriaClient, sandbox: SandboxServer, clock: ManualClock
) -> None:
    sandbox.faults.add(FaultRule(endpoint="create_post", kind="rate_limit", retry_after=7, count=1))
    start = clock.monotonic()
    client.create_post(ACME, POST)
    assert clock.monotonic() - start >= 7
    assert [e["status"] for e in served(sandbox, "create_post")] == [429, 201]
    assert client.ledger.by_endpoint()[CREATE] == {"rate_limited": 1, "ok": 1}
    assert len(sandbox.state.posts(ACME)) == 1


def test_a_429_without_retries_left_raises_with_retry_after(
    make_client: MakeClient, sandbox: SandboxServer
) -> None:
    client = make_client(retry=NO_RETRY)
    sandbox.faults.add(FaultRule(endpoint="list_workspaces", kind="rate_limit", retry_after=42))
    with pytest.raises(RateLimitedError) as caught:
        client.list_workspaces()
    assert caught.value.retry_after == 42
    assert client.limiter.remaining() == 0  # the whole key waits, not just this call


class RefuseFirstConnect(httpx.BaseTransport):
    """Refuses the first connection, then sends for real.

    A real server cannot refuse one connection on demand and accept the next, so this one
    fault is simulated; every byte that is sent still goes to the sandbox.
    """

    def __init__(self) -> None:
        self.refused = 0
        self._real = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.refused == 0:
            self.refused += 1
            raise httpx.ConnectError("connection refused", request=request)
        return self._real.handle_request(request)

    def close(self) -> None:
        self._real.close()


def test_create_is_retried_when_it_was_never_sent(
    make_client: MakeClient, sandbox: SandboxServer
) -> None:
    transport = RefuseFirstConnect()
    client = make_client(transport=transport)
    client.create_post(ACME, POST)
    assert transport.refused == 1
    assert client.ledger.by_endpoint()[CREATE] == {"transport_error": 1, "ok": 1}
    assert len(sandbox.state.posts(ACME)) == 1


def test_a_storage_put_is_resent_when_its_body_can_be_replayed(
    client: PostoriaClient, sandbox: SandboxServer, jpeg_file: Path
) -> None:
    sandbox.faults.add(FaultRule(endpoint="put_upload", kind="error", status=503, count=1))
    media = client.upload_file(ACME, jpeg_file)
    assert [e["status"] for e in served(sandbox, "put_upload")] == [503, 200]
    assert client.wait_for_media(ACME, media.id).is_ready


def test_a_storage_put_from_a_one_shot_iterator_is_not_resent(
    client: PostoriaClient, sandbox: SandboxServer
) -> None:
    upload = client.create_upload(ACME, "photo.jpg", "image/jpeg")
    sandbox.faults.add(FaultRule(endpoint="put_upload", kind="error", status=503, count=1))
    chunks = iter([JPEG_BYTES[:10], JPEG_BYTES[10:]])
    with pytest.raises(ServerError):
        client.put_upload(upload, chunks, "image/jpeg", content_length=len(JPEG_BYTES))
    assert len(served(sandbox, "put_upload")) == 1
