"""Every request is counted and reported, with what the engine needs to attribute its cost."""

from __future__ import annotations

import threading

import pytest

from bridge.postoria import CreatePost, Outcome, PostoriaClient, Priority, RequestRecord
from bridge.sandbox import FaultRule, SandboxServer

from .helpers import ACME, ACME_X, JPEG_BYTES

POST = CreatePost(publish_mode="publish_now", social_account_ids=[ACME_X], caption="Hello")


def test_listeners_get_a_record_per_attempt_with_tags_and_priority(
    client: PostoriaClient, sandbox: SandboxServer
) -> None:
    records: list[RequestRecord] = []
    client.add_listener(records.append)
    sandbox.faults.add(FaultRule(endpoint="get_post", kind="error", status=503, count=1))
    with client.tag(publication_id=42), client.tag(route="blog"):
        post = client.create_post(ACME, POST)
        with client.priority(Priority.OPTIONAL):
            client.get_post(ACME, post.id)
    client.list_workspaces()
    create, failed, retried, untagged = records
    assert (create.endpoint, create.outcome, create.status) == (
        "POST /workspaces/{ws}/posts",
        Outcome.OK,
        201,
    )
    assert create.path == "/workspaces/1/posts"
    assert create.priority is Priority.CREATE
    assert dict(create.tags) == {"publication_id": 42, "route": "blog"}
    assert (failed.outcome, failed.attempt, retried.attempt) == (Outcome.SERVER_ERROR, 1, 2)
    assert failed.error and "HTTP 503" in failed.error
    assert retried.priority is Priority.OPTIONAL
    assert all(r.request_id and r.request_id.startswith("req_") for r in records)
    assert all(r.duration > 0 and r.counts_against_budget for r in records)
    assert dict(untagged.tags) == {}
    assert untagged.priority is Priority.STATUS


def test_the_storage_put_is_counted_but_costs_no_budget(client: PostoriaClient) -> None:
    upload = client.create_upload(ACME, "photo.jpg", "image/jpeg")
    remaining = client.limiter.remaining()
    client.put_upload(upload, JPEG_BYTES, "image/jpeg")
    assert client.limiter.remaining() == remaining
    snapshot = client.ledger.snapshot()
    assert snapshot.by_endpoint()["PUT <signed upload URL>"] == {"ok": 1}
    assert (snapshot.total_requests, snapshot.budget_requests) == (2, 1)
    assert client.ledger.total(budget_only=True) == 1


def test_ledger_counts_by_endpoint_and_outcome(
    client: PostoriaClient, sandbox: SandboxServer
) -> None:
    sandbox.faults.add(FaultRule(endpoint="list_workspaces", kind="rate_limit", count=1))
    client.list_workspaces()
    client.list_queues(ACME)
    assert client.ledger.by_endpoint() == {
        "GET /workspaces": {"ok": 1, "rate_limited": 1},
        "GET /workspaces/{ws}/queues": {"ok": 1},
    }
    assert client.ledger.snapshot().by_outcome() == {"ok": 2, "rate_limited": 1}
    assert client.ledger.total() == 3
    client.ledger.reset()
    assert client.ledger.total() == 0


def test_a_failing_listener_does_not_break_requests(
    client: PostoriaClient, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(record: RequestRecord) -> None:
        raise RuntimeError("listener bug")

    client.add_listener(broken)
    assert client.list_workspaces()
    assert "listener failed" in caplog.text
    client.remove_listener(broken)


def test_tags_and_priority_do_not_leak_into_other_threads(client: PostoriaClient) -> None:
    records: list[RequestRecord] = []
    client.add_listener(records.append)
    with client.tag(publication_id=7), client.priority(Priority.CREATE):
        worker = threading.Thread(target=client.list_workspaces)
        worker.start()
        worker.join()
    [record] = records
    assert dict(record.tags) == {}
    assert record.priority is Priority.STATUS
