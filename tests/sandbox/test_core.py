from __future__ import annotations

import httpx

from bridge.sandbox import FaultRule, SandboxServer

from .conftest import ACME, PLAIN, error_of


def test_workspaces_of_the_main_key(api: httpx.Client) -> None:
    body = api.get("/workspaces").json()
    assert [(w["name"], w["timezone"]) for w in body["data"]] == [
        ("Acme Corp", "America/New_York"),
        ("Globex", "Europe/Berlin"),
        ("Initech", "Asia/Tokyo"),
        ("Umbrella", "UTC"),
    ]
    assert body["pagination"] == {"has_more": False, "next_cursor": None}


def test_missing_key_is_401(server: SandboxServer) -> None:
    response = PLAIN.get(server.url + "/workspaces")
    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_api_key"


def test_publish_now_post_is_posted_after_the_delay(
    api: httpx.Client, server: SandboxServer, upload
) -> None:
    media = upload("image/png")
    assert media["status"] == "ready"
    created = api.post(
        f"/workspaces/{ACME}/posts",
        json={
            "publish_mode": "publish_now",
            "social_account_ids": [101, 104],
            "caption": "Hello",
            "media_ids": [media["id"]],
        },
    )
    assert created.status_code == 201
    post = created.json()
    assert post["status"] == "in_progress"
    server.clock.advance(server.config.publish_delay)
    post = api.get(f"/workspaces/{ACME}/posts/{post['id']}").json()
    assert post["status"] == "posted"
    assert all(r["link_to_post"] and r["error"] is None for r in post["results"])


def test_drop_after_create_closes_the_connection(api: httpx.Client, server: SandboxServer) -> None:
    server.faults.add(FaultRule(endpoint="create_post", kind="drop_after_create", count=1))
    body = {"publish_mode": "publish_now", "social_account_ids": [101], "caption": "once"}
    try:
        api.post(f"/workspaces/{ACME}/posts", json=body)
    except (httpx.RemoteProtocolError, httpx.ReadError):
        pass
    else:
        raise AssertionError("the connection was not dropped")
    assert [p["x"]["caption"] for p in server.state.posts()] == ["once"]
