from __future__ import annotations

import httpx
import pytest

from bridge.sandbox import SandboxServer

from .conftest import PLAIN, client_for, error_of


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer pst_live_nope"},
        {"Authorization": "Bearer pst_test_revoked_key"},
        {"Authorization": "Basic cHN0X3Rlc3RfYWdlbmN5X2tleTo="},
        {"Authorization": "Bearer"},
    ],
    ids=["missing", "invalid", "revoked", "not-bearer", "empty"],
)
def test_bad_keys_are_401_invalid_api_key(server: SandboxServer, headers: dict[str, str]) -> None:
    response = PLAIN.get(server.url + "/workspaces", headers=headers)
    assert response.status_code == 401
    error = error_of(response)
    assert error["code"] == "invalid_api_key"
    assert response.headers["X-Request-Id"] == error["request_id"]


def test_bad_key_on_an_unknown_path_is_still_401(server: SandboxServer) -> None:
    assert PLAIN.get(server.url + "/nothing-here").status_code == 401


def test_other_profile_sees_only_its_workspace(server: SandboxServer) -> None:
    with client_for(server, "pst_test_other_key") as other:
        names = [w["name"] for w in other.get("/workspaces").json()["data"]]
        assert names == ["Hooli"]
        for path in (
            "/workspaces/1/social-accounts",
            "/workspaces/1/queues",
            "/workspaces/1/posts",
        ):
            response = other.get(path)
            assert response.status_code == 404
            assert error_of(response)["code"] == "not_found"


def test_main_key_cannot_reach_the_other_profiles_workspace(api: httpx.Client) -> None:
    for path in ("/workspaces/5/social-accounts", "/workspaces/5/queues", "/workspaces/5/posts"):
        assert api.get(path).status_code == 404
    body = {"publish_mode": "publish_now", "social_account_ids": [501], "caption": "x"}
    assert api.post("/workspaces/5/posts", json=body).status_code == 404


def test_posts_of_another_profile_are_invisible(server: SandboxServer) -> None:
    with client_for(server, "pst_test_other_key") as other, client_for(server) as main:
        body = {"publish_mode": "publish_now", "social_account_ids": [501], "caption": "x"}
        post = other.post("/workspaces/5/posts", json=body).json()
        assert main.get(f"/workspaces/5/posts/{post['id']}").status_code == 404
        assert main.get(f"/workspaces/1/posts/{post['id']}").status_code == 404
