from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from bridge.clock import isoformat_z
from bridge.sandbox import SandboxServer

from .conftest import ACME, START, create_post, error_of


def list_ids(api: httpx.Client, **params: object) -> list[int]:
    response = api.get(f"/workspaces/{ACME}/posts", params=params)
    assert response.status_code == 200, response.text
    return [p["id"] for p in response.json()["data"]]


@pytest.fixture
def posts(api: httpx.Client, server: SandboxServer) -> dict[str, int]:
    """A mix of posts: posted, scheduled, queued, on different accounts and networks."""
    made = {}
    made["x_now"] = create_post(api, social_account_ids=[101]).json()["id"]
    made["li_fb_now"] = create_post(api, social_account_ids=[102, 103]).json()["id"]
    server.clock.advance(1)
    made["x_later"] = create_post(
        api,
        social_account_ids=[101],
        publish_mode="schedule",
        scheduled_time=isoformat_z(START + timedelta(days=2)),
    ).json()["id"]
    made["bsky_queue"] = create_post(
        api, social_account_ids=[106], publish_mode="queue", queue_id=11
    ).json()["id"]
    return made


def test_newest_first_by_default(api: httpx.Client, posts: dict[str, int]) -> None:
    assert list_ids(api) == sorted(posts.values(), reverse=True)


def test_filters(api: httpx.Client, posts: dict[str, int]) -> None:
    assert list_ids(api, account_ids=[101]) == [posts["x_later"], posts["x_now"]]
    assert list_ids(api, account_ids=[103, 106]) == [posts["bsky_queue"], posts["li_fb_now"]]
    assert list_ids(api, account_ids="103,106") == [posts["bsky_queue"], posts["li_fb_now"]]
    assert list_ids(api, networks=["linkedin"]) == [posts["li_fb_now"]]
    assert list_ids(api, networks=["bluesky", "x"]) == [
        posts["bsky_queue"],
        posts["x_later"],
        posts["x_now"],
    ]
    assert list_ids(api, queue_id=11) == [posts["bsky_queue"]]
    assert list_ids(api, status="posted") == [posts["li_fb_now"], posts["x_now"]]
    assert list_ids(api, status="scheduled") == [posts["x_later"]]
    assert list_ids(api, status="queued") == [posts["bsky_queue"]]
    assert list_ids(api, status="draft") == []
    day_two = isoformat_z(START + timedelta(days=1))
    assert list_ids(api, date_from=day_two) == [posts["x_later"]]
    assert list_ids(api, date_to=isoformat_z(START)) == [posts["li_fb_now"], posts["x_now"]]
    assert list_ids(
        api, date_from=isoformat_z(START), date_to=isoformat_z(START + timedelta(hours=2))
    ) == [posts["bsky_queue"], posts["li_fb_now"], posts["x_now"]]
    assert list_ids(api, account_ids=[101], status="posted") == [posts["x_now"]]


def test_status_filter_follows_the_clock(
    api: httpx.Client, server: SandboxServer, posts: dict[str, int]
) -> None:
    server.clock.advance(3 * 86400)
    assert len(list_ids(api, status="posted")) == 4


def test_cursor_paging_is_stable_under_inserts(api: httpx.Client, server: SandboxServer) -> None:
    ids = [create_post(api).json()["id"] for _ in range(7)]
    seen: list[int] = []
    page = api.get(f"/workspaces/{ACME}/posts", params={"limit": 3}).json()
    seen += [p["id"] for p in page["data"]]
    assert page["pagination"]["has_more"] is True
    create_post(api)  # a newer post must not shift the pages already being read
    while page["pagination"]["has_more"]:
        cursor = page["pagination"]["next_cursor"]
        page = api.get(f"/workspaces/{ACME}/posts", params={"limit": 3, "cursor": cursor}).json()
        seen += [p["id"] for p in page["data"]]
    assert seen == sorted(ids, reverse=True)
    assert page["pagination"] == {"has_more": False, "next_cursor": None}


def test_exact_page_has_no_more(api: httpx.Client) -> None:
    for _ in range(3):
        create_post(api)
    page = api.get(f"/workspaces/{ACME}/posts", params={"limit": 3}).json()
    assert page["pagination"] == {"has_more": False, "next_cursor": None}


def test_default_limit_is_25_and_max_100(api: httpx.Client) -> None:
    for _ in range(30):
        create_post(api)
    assert len(list_ids(api)) == 25
    assert len(list_ids(api, limit=100)) == 30


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": -1}, "limit"),
        ({"cursor": "garbage!"}, "cursor"),
        ({"cursor": "eyJ4IjogMX0"}, "cursor"),
        ({"date_from": "yesterday"}, "date_from"),
        ({"date_to": "2026-08-01"}, "date_to"),
        ({"account_ids": "abc"}, "account_ids"),
        ({"queue_id": "main"}, "queue_id"),
    ],
)
def test_list_validation(api: httpx.Client, params: dict, param: str) -> None:
    response = api.get(f"/workspaces/{ACME}/posts", params=params)
    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["param"]) == ("validation_error", param)


def test_deleted_posts_are_not_listed(api: httpx.Client, posts: dict[str, int]) -> None:
    api.delete(f"/workspaces/{ACME}/posts/{posts['x_later']}")
    assert posts["x_later"] not in list_ids(api)
    assert posts["x_later"] not in list_ids(api, account_ids=[101])
