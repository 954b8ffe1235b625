from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from bridge.clock import isoformat_z
from bridge.sandbox import SandboxServer

from .conftest import ACME, START, create_post, error_of

LATER = isoformat_z(START + timedelta(hours=2))


def get_post(api: httpx.Client, post_id: int) -> dict:
    response = api.get(f"/workspaces/{ACME}/posts/{post_id}")
    assert response.status_code == 200
    return response.json()


def test_publish_now_lifecycle(api: httpx.Client, server: SandboxServer) -> None:
    response = create_post(api, social_account_ids=[101, 102, 103])
    assert response.status_code == 201
    post = response.json()
    assert post["status"] == "in_progress"
    assert post["date"] == isoformat_z(START)
    assert post["queue_id"] is None
    assert [r["account_id"] for r in post["results"]] == [101, 102, 103]
    assert all(r["link_to_post"] is None and r["error"] is None for r in post["results"])
    server.clock.advance(0.5)
    assert get_post(api, post["id"])["status"] == "in_progress"
    server.clock.advance(0.5)
    posted = get_post(api, post["id"])
    assert posted["status"] == "posted"
    links = [r["link_to_post"] for r in posted["results"]]
    assert links[0].startswith("https://x.com/acme/status/")
    assert links[1].startswith("https://www.linkedin.com/feed/update/")
    assert links[2].startswith("https://www.facebook.com/acmecorp/posts/")


def test_schedule_lifecycle(api: httpx.Client, server: SandboxServer) -> None:
    post = create_post(api, publish_mode="schedule", scheduled_time=LATER).json()
    assert (post["status"], post["date"]) == ("scheduled", LATER)
    server.clock.advance(2 * 3600 - 1)
    assert get_post(api, post["id"])["status"] == "scheduled"
    server.clock.advance(1)
    assert get_post(api, post["id"])["status"] == "in_progress"
    server.clock.advance(1)
    posted = get_post(api, post["id"])
    assert (posted["status"], posted["date"]) == ("posted", LATER)
    assert posted["results"][0]["link_to_post"]


def test_schedule_accepts_an_offset_time(api: httpx.Client) -> None:
    post = create_post(api, publish_mode="schedule", scheduled_time="2026-08-03T10:00:00-04:00")
    assert post.json()["date"] == "2026-08-03T14:00:00Z"


def test_queue_takes_the_next_free_slots(api: httpx.Client, server: SandboxServer) -> None:
    # START is 08:00 in New York; Main's slots are 09:00, 13:00 and 17:30 there.
    dates = [create_post(api, publish_mode="queue", queue_id=11).json()["date"] for _ in range(4)]
    assert dates == [
        "2026-08-03T13:00:00Z",
        "2026-08-03T17:00:00Z",
        "2026-08-03T21:30:00Z",
        "2026-08-04T13:00:00Z",
    ]
    first = api.get(f"/workspaces/{ACME}/posts", params={"limit": 100}).json()["data"][-1]
    assert (first["status"], first["queue_id"]) == ("queued", 11)
    server.clock.advance(3600 + 1)
    assert get_post(api, first["id"])["status"] == "posted"


def test_paused_queue_keeps_posts_queued(api: httpx.Client, server: SandboxServer) -> None:
    post = create_post(api, publish_mode="queue", queue_id=12).json()
    assert (post["status"], post["date"]) == ("queued", "2026-08-03T15:00:00Z")
    server.clock.advance(4 * 3600)
    later = get_post(api, post["id"])
    assert later["status"] == "queued"
    assert later["date"] == "2026-08-03T19:00:00Z"  # moved to the next slot (15:00 New York)
    server.state.set_queue_paused(12, False)
    server.clock.advance(3 * 3600 + 1)
    assert get_post(api, post["id"])["status"] == "posted"


def test_queue_in_other_timezones(api: httpx.Client) -> None:
    tokyo = create_post(
        api, workspace=3, social_account_ids=[301], publish_mode="queue", queue_id=31
    )
    assert tokyo.json()["date"] == "2026-08-04T01:00:00Z"  # 10:00 next day in Tokyo
    berlin = create_post(
        api, workspace=2, social_account_ids=[204], publish_mode="queue", queue_id=21
    )
    assert berlin.json()["date"] == "2026-08-03T16:00:00Z"  # 18:00 in Berlin


@pytest.mark.parametrize(
    ("fields", "status", "param"),
    [
        ({"publish_mode": "later"}, 400, "publish_mode"),
        ({"publish_mode": None}, 400, "publish_mode"),
        ({"social_account_ids": []}, 400, "social_account_ids"),
        ({"social_account_ids": "101"}, 400, "social_account_ids"),
        ({"social_account_ids": [101, 101]}, 400, "social_account_ids"),
        ({"social_account_ids": [201]}, 422, "social_account_ids"),
        ({"social_account_ids": [999]}, 422, "social_account_ids"),
        ({"content_type": "gif"}, 400, "content_type"),
        ({"content_type": "video"}, 422, "content_type"),
        ({"caption": 5}, 400, "caption"),
        ({"caption": ""}, 400, "caption"),
        ({"link_url": "not a url"}, 400, "link_url"),
        ({"comment_delay": -1}, 400, "comment_delay"),
        ({"first_comment": ["x"]}, 400, "first_comment"),
        ({"media_ids": [1]}, 422, "media_ids"),
        ({"media_ids": "1"}, 400, "media_ids"),
        ({"publish_mode": "schedule"}, 400, "scheduled_time"),
        ({"publish_mode": "schedule", "scheduled_time": "tomorrow"}, 400, "scheduled_time"),
        (
            {"publish_mode": "schedule", "scheduled_time": "2026-08-03T13:00:00"},
            400,
            "scheduled_time",
        ),
        ({"publish_mode": "schedule", "scheduled_time": isoformat_z(START)}, 422, "scheduled_time"),
        ({"publish_mode": "queue"}, 400, "queue_id"),
        ({"publish_mode": "queue", "queue_id": 21}, 422, "queue_id"),
        ({"publish_mode": "queue", "queue_id": "11"}, 400, "queue_id"),
        ({"repost": {"until": LATER}}, 400, "repost.until"),
        ({"repost": {"frequency": "every61_day"}}, 400, "repost.frequency"),
        ({"repost": {"frequency": "every5_month"}}, 400, "repost.frequency"),
        ({"repost": {"frequency": "every1_day", "until": isoformat_z(START)}}, 422, "repost.until"),
        ({"repost": "daily"}, 400, "repost"),
        ({"youtube": {"visibility": "friends"}}, 400, "youtube.visibility"),
        ({"tiktok": {"who_can_watch": "all"}}, 400, "tiktok.who_can_watch"),
        ({"tiktok": "public"}, 400, "tiktok"),
    ],
)
def test_create_post_validation(api: httpx.Client, fields: dict, status: int, param: str) -> None:
    response = create_post(api, **fields)
    assert response.status_code == status, response.text
    assert error_of(response)["param"] == param
    assert api.get(f"/workspaces/{ACME}/posts").json()["data"] == []


@pytest.mark.parametrize(
    "repost",
    [
        {"frequency": "every1_day"},
        {"frequency": "every60_day", "until": LATER},
        {"frequency": "every6_month"},
        {"frequency": "every1_year"},
    ],
)
def test_valid_repost_frequencies(api: httpx.Client, repost: dict) -> None:
    assert create_post(api, repost=repost).status_code == 201


def test_media_must_be_ready_and_of_the_workspace(api: httpx.Client, upload) -> None:
    processing = upload(wait=False)
    response = create_post(api, media_ids=[processing["id"]])
    assert response.status_code == 422
    assert error_of(response)["code"] == "media_not_ready"
    other = upload(workspace=2)
    response = create_post(api, media_ids=[other["id"]])
    assert (response.status_code, error_of(response)["param"]) == (422, "media_ids")
    failed = upload(body=b"nope")
    assert create_post(api, media_ids=[failed["id"]]).status_code == 422


def test_body_must_be_a_json_object(api: httpx.Client) -> None:
    bad = api.post(f"/workspaces/{ACME}/posts", content=b'{"publish_mode": ')
    assert (bad.status_code, error_of(bad)["code"]) == (400, "invalid_json")
    empty = api.post(f"/workspaces/{ACME}/posts", content=b"")
    assert (empty.status_code, error_of(empty)["code"]) == (400, "invalid_json")
    array = api.post(f"/workspaces/{ACME}/posts", json=[1])
    assert (array.status_code, error_of(array)["code"]) == (400, "validation_error")


def test_content_type_is_inferred(api: httpx.Client, server: SandboxServer, upload) -> None:
    image, other_image, video = upload(), upload("image/jpeg"), upload("video/mp4")
    cases = [
        ([], {}, "text"),
        ([], {"link_url": "https://acme.example/news"}, "link"),
        ([image["id"]], {}, "image"),
        ([image["id"], other_image["id"]], {}, "carousel"),
        ([video["id"]], {}, "video"),
        ([video["id"]], {"content_type": "reel"}, "reel"),
    ]
    for media_ids, extra, expected in cases:
        post = create_post(api, media_ids=media_ids, **extra).json()
        assert len(post["x"]["files"]) == len(media_ids)
        held = next(p for p in server.state.snapshot()["posts"] if p["id"] == post["id"])
        assert held["submitted"]["content_type"] == expected


def test_network_rules_give_partial_success(
    api: httpx.Client, server: SandboxServer, upload
) -> None:
    accounts = [101, 104, 105, 107, 109, 102]  # x, instagram, tiktok, youtube, pinterest, linkedin
    post = create_post(api, social_account_ids=accounts, caption="Text only").json()
    server.clock.advance(1)
    results = {r["account_id"]: r for r in get_post(api, post["id"])["results"]}
    assert get_post(api, post["id"])["status"] == "posted"
    assert results[101]["link_to_post"] and results[101]["error"] is None
    assert results[102]["link_to_post"] and results[102]["error"] is None
    for account_id, needle in [
        (104, "Instagram"),
        (105, "TikTok"),
        (107, "YouTube"),
        (109, "Pinterest"),
    ]:
        assert results[account_id]["link_to_post"] is None
        assert needle in results[account_id]["error"]
    image = upload()
    post = create_post(api, social_account_ids=[104, 105, 107, 109], media_ids=[image["id"]])
    server.clock.advance(1)
    results = {r["account_id"]: r for r in get_post(api, post.json()["id"])["results"]}
    assert [results[a]["error"] is None for a in (104, 105, 107, 109)] == [True, True, False, True]
    video = upload("video/mp4")
    post = create_post(api, social_account_ids=[107, 109], media_ids=[video["id"]])
    server.clock.advance(1)
    results = {r["account_id"]: r for r in get_post(api, post.json()["id"])["results"]}
    assert results[107]["error"] is None and "Pinterest" in results[109]["error"]


@pytest.mark.parametrize(
    ("account_id", "fits", "too_long"),
    [
        (101, "a" * 280, "a" * 281),
        (101, "b" * 256 + " https://example.com/" + "x" * 200, "é" * 100 + "字" * 91),
        (106, "👍🏽" * 300, "a" * 301),
        (108, "a" * 500, "a" * 501),
        (104, "a" * 2200, "a" * 2201),
        (102, "a" * 3000, "a" * 3001),
        (109, "a" * 500, "a" * 501),
        (105, "a" * 2200, "a" * 2201),
        (103, "a" * 63206, "a" * 63207),
    ],
    ids=[
        "x",
        "x-weighted",
        "bluesky",
        "threads",
        "instagram",
        "linkedin",
        "pinterest",
        "tiktok",
        "facebook",
    ],
)
def test_caption_limits_per_network(
    api: httpx.Client, server: SandboxServer, upload, account_id: int, fits: str, too_long: str
) -> None:
    media = upload("image/jpeg")
    ok = create_post(api, social_account_ids=[account_id], caption=fits, media_ids=[media["id"]])
    bad = create_post(
        api, social_account_ids=[account_id], caption=too_long, media_ids=[media["id"]]
    )
    server.clock.advance(1)
    assert get_post(api, ok.json()["id"])["results"][0]["error"] is None
    error = get_post(api, bad.json()["id"])["results"][0]["error"]
    assert "too long" in error


def test_delete_then_404_and_gone_from_list(api: httpx.Client, server: SandboxServer) -> None:
    post = create_post(api, publish_mode="schedule", scheduled_time=LATER).json()
    assert api.delete(f"/workspaces/{ACME}/posts/{post['id']}").status_code == 204
    response = api.get(f"/workspaces/{ACME}/posts/{post['id']}")
    assert (response.status_code, error_of(response)["code"]) == (404, "not_found")
    assert api.get(f"/workspaces/{ACME}/posts").json()["data"] == []
    assert api.delete(f"/workspaces/{ACME}/posts/{post['id']}").status_code == 404
    kept = server.state.posts(include_deleted=True)
    assert [(p["id"], p["deleted"]) for p in kept] == [(post["id"], True)]
    server.clock.advance(3 * 3600)
    assert server.state.posts(include_deleted=True)[0]["status"] == "scheduled"


def test_deleting_a_post_being_published_is_a_conflict(api: httpx.Client) -> None:
    post = create_post(api).json()
    response = api.delete(f"/workspaces/{ACME}/posts/{post['id']}")
    assert (response.status_code, error_of(response)["code"]) == (409, "conflict")


def test_get_unknown_post_is_404(api: httpx.Client) -> None:
    assert api.get(f"/workspaces/{ACME}/posts/123456").status_code == 404
    post = create_post(api).json()
    assert api.get(f"/workspaces/2/posts/{post['id']}").status_code == 404
