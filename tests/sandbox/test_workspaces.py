from __future__ import annotations

import httpx
import pytest

from bridge.sandbox import SandboxServer

from .conftest import ACME, PLAIN, error_of

ACME_NETWORKS = {
    "x",
    "linkedin",
    "facebook",
    "instagram",
    "tiktok",
    "bluesky",
    "youtube",
    "threads",
    "pinterest",
}


def test_acme_accounts_cover_the_main_networks(api: httpx.Client) -> None:
    body = api.get(f"/workspaces/{ACME}/social-accounts").json()
    accounts = body["data"]
    assert {a["network"] for a in accounts} == ACME_NETWORKS
    assert "Acme on X" in {a["name"] for a in accounts}
    for account in accounts:
        assert set(account) == {"id", "name", "description", "network", "url"}
        assert isinstance(account["id"], int)
        assert account["url"].startswith("https://")
    assert body["pagination"] == {"has_more": False, "next_cursor": None}


def test_every_workspace_has_accounts_and_queues(api: httpx.Client) -> None:
    networks: set[str] = set()
    for workspace in api.get("/workspaces").json()["data"]:
        accounts = api.get(f"/workspaces/{workspace['id']}/social-accounts").json()["data"]
        assert len(accounts) >= 3
        networks |= {a["network"] for a in accounts}
        assert api.get(f"/workspaces/{workspace['id']}/queues").json()["data"]
    assert len(networks) >= 6


def test_acme_queues_main_and_paused_evergreen(api: httpx.Client) -> None:
    queues = api.get(f"/workspaces/{ACME}/queues").json()["data"]
    assert queues == [
        {"id": 11, "name": "Main", "is_paused": False},
        {"id": 12, "name": "Evergreen", "is_paused": True},
    ]


@pytest.mark.parametrize("path", ["/workspaces/999/queues", "/workspaces/999/social-accounts"])
def test_unknown_workspace_is_404(api: httpx.Client, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_unknown_path_and_method_use_the_envelope(api: httpx.Client) -> None:
    missing = api.get("/workspaces/1/nothing")
    assert missing.status_code == 404
    assert error_of(missing)["code"] == "not_found"
    wrong = api.put("/workspaces")
    assert wrong.status_code == 405
    assert error_of(wrong)["code"] == "method_not_allowed"
    assert "GET" in wrong.headers["Allow"]


def test_paths_outside_v1_are_404_envelopes(server: SandboxServer) -> None:
    response = PLAIN.get(server.base_url + "/")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_rate_headers_on_every_authenticated_answer(api: httpx.Client) -> None:
    for response in (api.get("/workspaces"), api.get("/workspaces/999/queues")):
        assert response.headers["X-RateLimit-Limit"] == "300"
        assert int(response.headers["X-RateLimit-Remaining"]) < 300
        assert int(response.headers["X-RateLimit-Reset"]) > 0
