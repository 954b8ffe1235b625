from __future__ import annotations

import httpx
import pytest

from bridge.clock import isoformat_z
from bridge.sandbox import SandboxConfig, SandboxServer, create_app

from .conftest import ACME, PLAIN, START, create_post, error_of


def test_state_holds_everything(api: httpx.Client, server: SandboxServer, upload) -> None:
    media = upload()
    kept = create_post(api, media_ids=[media["id"]]).json()
    gone = create_post(api, publish_mode="queue", queue_id=11).json()
    api.delete(f"/workspaces/{ACME}/posts/{gone['id']}")
    state = PLAIN.get(server.admin_url + "/state").json()
    assert state["now"] == isoformat_z(server.clock.now())
    assert {w["name"] for w in state["workspaces"]} >= {"Acme Corp", "Hooli"}
    acme = state["workspaces"][0]
    assert acme["queues"][0]["slots"] == ["09:00", "13:00", "17:30"]
    assert len(acme["social_accounts"]) == 9
    assert [m["id"] for m in state["media"]] == [media["id"]]
    by_id = {p["id"]: p for p in state["posts"]}
    assert by_id[kept["id"]]["deleted"] is False
    assert by_id[gone["id"]]["deleted"] is True
    assert by_id[gone["id"]]["workspace_id"] == ACME
    assert "pst_test_agency_key" not in repr(state)
    assert {k["name"] for k in state["keys"]} >= {"agency (main test key)"}


def test_request_log(api: httpx.Client, server: SandboxServer) -> None:
    api.get("/workspaces")
    PLAIN.get(server.url + "/workspaces")
    response = create_post(api)
    PLAIN.get(server.admin_url + "/state")  # admin requests are not logged
    log = PLAIN.get(server.admin_url + "/requests").json()["data"]
    assert [(e["seq"], e["endpoint"], e["status"], e["key_id"]) for e in log] == [
        (1, "list_workspaces", 200, 1),
        (2, "list_workspaces", 401, None),
        (3, "create_post", 201, 1),
    ]
    assert log[2]["request_id"] == response.headers["X-Request-Id"]
    assert log[2]["method"] == "POST" and log[2]["path"] == "/v1/workspaces/1/posts"
    assert log[0]["time"] == isoformat_z(START)
    assert "pst_test" not in repr(log)


def test_clock_endpoints(server: SandboxServer) -> None:
    clock_url = server.admin_url + "/clock"
    assert PLAIN.get(clock_url).json() == {"now": isoformat_z(START)}
    assert PLAIN.post(clock_url, json={"advance": 90}).json() == {"now": "2026-08-03T12:01:30Z"}
    moved = PLAIN.post(clock_url, json={"set": "2026-08-04T00:00:00Z"}).json()
    assert moved == {"now": "2026-08-04T00:00:00Z"}
    assert server.clock.now().isoformat() == "2026-08-04T00:00:00+00:00"
    backwards = PLAIN.post(clock_url, json={"set": "2026-08-01T00:00:00Z"})
    assert backwards.status_code == 400
    for bad in ({}, {"advance": "soon"}, {"advance": -5}, {"set": "later"}):
        response = PLAIN.post(clock_url, json=bad)
        assert response.status_code == 400, bad
        error_of(response)


def test_faults_endpoints(api: httpx.Client, server: SandboxServer) -> None:
    faults_url = server.admin_url + "/faults"
    added = PLAIN.post(faults_url, json={"endpoint": "list_workspaces", "kind": "error"})
    assert added.status_code == 201
    rule = added.json()
    assert (rule["kind"], rule["endpoint"], rule["id"]) == ("error", "list_workspaces", 1)
    assert PLAIN.get(faults_url).json()["data"] == [rule]
    assert api.get("/workspaces").status_code == 500
    assert PLAIN.delete(f"{faults_url}/{rule['id']}").status_code == 204
    assert PLAIN.delete(f"{faults_url}/{rule['id']}").status_code == 404
    PLAIN.post(faults_url, json={"kind": "error"})
    assert PLAIN.delete(faults_url).status_code == 204
    assert api.get("/workspaces").status_code == 200
    assert PLAIN.post(faults_url, json={"kind": "boom"}).status_code == 400
    assert PLAIN.post(faults_url, json={"kind": "error", "x": 1}).status_code == 400


def test_queue_pause_endpoint(api: httpx.Client, server: SandboxServer) -> None:
    url = server.admin_url + "/queues/11"
    assert PLAIN.post(url, json={"is_paused": True}).json()["is_paused"] is True
    assert api.get(f"/workspaces/{ACME}/queues").json()["data"][0]["is_paused"] is True
    assert PLAIN.post(url, json={"is_paused": "yes"}).status_code == 400
    assert PLAIN.post(server.admin_url + "/queues/999", json={"is_paused": True}).status_code == 404


def test_reset_goes_back_to_the_seed(api: httpx.Client, server: SandboxServer) -> None:
    create_post(api)
    PLAIN.post(server.admin_url + "/faults", json={"kind": "latency", "latency": 0.01})
    PLAIN.post(server.admin_url + "/queues/12", json={"is_paused": False})
    assert PLAIN.post(server.admin_url + "/reset").status_code == 200
    state = PLAIN.get(server.admin_url + "/state").json()
    assert state["posts"] == [] and state["media"] == []
    assert PLAIN.get(server.admin_url + "/faults").json()["data"] == []
    assert PLAIN.get(server.admin_url + "/requests").json()["data"] == []
    assert api.get(f"/workspaces/{ACME}/queues").json()["data"][1]["is_paused"] is True
    assert create_post(api).json()["id"] == 7001


def test_real_time_clock_can_be_advanced() -> None:
    with SandboxServer(SandboxConfig()) as server:
        before = server.clock.now()
        server.clock.advance(3600)
        assert (server.clock.now() - before).total_seconds() >= 3600
        with pytest.raises(ValueError):
            server.clock.advance(-1)


def test_in_process_flask_client() -> None:
    app = create_app(SandboxConfig(), TESTING=True)
    client = app.test_client()
    response = client.get("/v1/workspaces", headers={"Authorization": "Bearer pst_test_agency_key"})
    assert response.status_code == 200
    assert len(response.get_json()["data"]) == 4
    assert client.get("/_sandbox/state").status_code == 200
