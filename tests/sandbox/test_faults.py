from __future__ import annotations

import json
import time

import httpx
import pytest

from bridge.sandbox import FaultRule, SandboxServer
from bridge.sandbox.faults import FaultSet

from .conftest import ACME, PLAIN, client_for, create_post, error_of
from .samples import png

CONNECTION_LOST = (httpx.RemoteProtocolError, httpx.ReadError)


@pytest.mark.parametrize("status", [500, 503])
def test_error_fault_answers_the_envelope(
    api: httpx.Client, server: SandboxServer, status: int
) -> None:
    server.faults.add(FaultRule(endpoint="create_post", kind="error", status=status, count=1))
    response = create_post(api)
    assert response.status_code == status
    assert error_of(response)["code"] in ("internal_error", "service_unavailable")
    assert server.state.posts() == []  # not processed
    assert create_post(api).status_code == 201  # count=1: the next one goes through


def test_fault_only_on_its_endpoint(api: httpx.Client, server: SandboxServer) -> None:
    server.faults.add(FaultRule(endpoint="get_post", kind="error"))
    post = create_post(api).json()
    assert api.get(f"/workspaces/{ACME}/posts/{post['id']}").status_code == 500
    assert api.get(f"/workspaces/{ACME}/posts").status_code == 200


def test_latency_fault(api: httpx.Client, server: SandboxServer) -> None:
    server.faults.add(FaultRule(endpoint="list_workspaces", kind="latency", latency=0.3, count=1))
    started = time.monotonic()
    assert api.get("/workspaces").status_code == 200
    assert time.monotonic() - started >= 0.3
    with pytest.raises(httpx.ReadTimeout):
        server.faults.add(FaultRule(kind="latency", latency=0.5, count=1))
        api.get("/workspaces", timeout=0.1)


@pytest.mark.parametrize("status", [502, 200])
def test_html_fault(api: httpx.Client, server: SandboxServer, status: int) -> None:
    server.faults.add(FaultRule(endpoint="list_posts", kind="html", status=status, count=1))
    response = api.get(f"/workspaces/{ACME}/posts")
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<html" in response.text.lower()
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_invalid_json_fault_after_processing(api: httpx.Client, server: SandboxServer) -> None:
    server.faults.add(FaultRule(endpoint="create_post", kind="invalid_json", count=1))
    response = create_post(api)
    assert response.status_code == 201
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert len(server.state.posts()) == 1


def test_missing_fields_fault(api: httpx.Client, server: SandboxServer) -> None:
    server.faults.add(FaultRule(endpoint="get_media", kind="missing_fields", count=1))
    server.faults.add(FaultRule(endpoint="list_posts", kind="missing_fields", count=1))
    slot = api.post(
        f"/workspaces/{ACME}/media/uploads", json={"name": "a.png", "content_type": "image/png"}
    ).json()
    media = api.get(f"/workspaces/{ACME}/media/{slot['id']}")
    assert media.status_code == 200 and "id" not in media.json() and "status" not in media.json()
    create_post(api)
    listing = api.get(f"/workspaces/{ACME}/posts").json()
    assert "pagination" not in listing and "id" not in listing["data"][0]


def test_drop_after_create_creates_the_post_but_no_answer(
    api: httpx.Client, server: SandboxServer
) -> None:
    server.faults.add(FaultRule(endpoint="create_post", kind="drop_after_create", count=1))
    with pytest.raises(CONNECTION_LOST):
        create_post(api, caption="exactly once")
    posts = server.state.posts()
    assert [p["x"]["caption"] for p in posts] == ["exactly once"]
    listed = api.get(f"/workspaces/{ACME}/posts").json()["data"]
    assert [p["id"] for p in listed] == [posts[0]["id"]]
    entry = next(e for e in server.state.requests() if e["endpoint"] == "create_post")
    assert (entry["fault"], entry["dropped"], entry["processed"]) == (
        "drop_after_create",
        True,
        True,
    )


def test_drop_without_processing(api: httpx.Client, server: SandboxServer) -> None:
    server.faults.add(FaultRule(endpoint="create_post", kind="drop", count=1))
    with pytest.raises(CONNECTION_LOST):
        create_post(api)
    assert server.state.posts() == []


def test_put_upload_fault(api: httpx.Client, server: SandboxServer) -> None:
    server.faults.add(FaultRule(endpoint="put_upload", kind="error", status=503, count=1))
    slot = api.post(
        f"/workspaces/{ACME}/media/uploads", json={"name": "a.png", "content_type": "image/png"}
    ).json()
    headers = {"Content-Type": "image/png"}
    assert PLAIN.put(slot["upload"]["url"], content=png(), headers=headers).status_code == 503
    assert PLAIN.put(slot["upload"]["url"], content=png(), headers=headers).status_code == 200


def test_rate_is_deterministic_for_a_seed(make_server) -> None:
    def pattern(seed: int) -> list[int]:
        server = make_server(fault_seed=seed)
        server.faults.add(FaultRule(endpoint="list_workspaces", kind="error", rate=0.5))
        with client_for(server) as api:
            return [api.get("/workspaces").status_code for _ in range(20)]

    first, again, other = pattern(7), pattern(7), pattern(8)
    assert first == again
    assert first != other
    assert 500 in first and 200 in first


def test_star_matches_every_endpoint_and_clear_removes(
    api: httpx.Client, server: SandboxServer
) -> None:
    server.faults.add(FaultRule(kind="error", count=2))
    assert api.get("/workspaces").status_code == 500
    assert api.get(f"/workspaces/{ACME}/queues").status_code == 500
    assert api.get("/workspaces").status_code == 200
    server.faults.add(FaultRule(kind="error"))
    server.faults.clear()
    assert api.get("/workspaces").status_code == 200


def test_fault_rule_validation() -> None:
    with pytest.raises(ValueError):
        FaultRule(kind="explode")
    with pytest.raises(ValueError):
        FaultRule(kind="error", status=404)
    with pytest.raises(ValueError):
        FaultRule(rate=1.5)
    with pytest.raises(ValueError):
        FaultRule.from_dict({"kind": "error", "colour": "red"})


def test_count_rules_expire_and_latency_stacks() -> None:
    faults = FaultSet()
    faults.add(FaultRule(endpoint="get_post", kind="latency", latency=0.1, count=1))
    faults.add(FaultRule(endpoint="*", kind="latency", latency=0.2))
    faults.add(FaultRule(endpoint="get_post", kind="error", count=1))
    latency, rule = faults.pick("get_post")
    assert latency == pytest.approx(0.3)
    assert rule is not None and rule.kind == "error"
    latency, rule = faults.pick("get_post")
    assert (latency, rule) == (pytest.approx(0.2), None)
    assert len(faults.rules()) == 1
