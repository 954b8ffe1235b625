"""``CreatePost`` refuses what the contract forbids, before anything is sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bridge.clock import ManualClock
from bridge.errors import PostoriaValidationError
from bridge.postoria import CreatePost, PostoriaClient, Repost
from bridge.sandbox import SandboxServer

from .helpers import ACME, ACME_X

FUTURE = datetime(2030, 1, 1, 9, 30, tzinfo=UTC)
BASE: dict[str, Any] = {"publish_mode": "publish_now", "social_account_ids": [ACME_X]}


@pytest.mark.parametrize(
    ("changes", "param"),
    [
        ({"publish_mode": "later"}, "publish_mode"),
        ({"social_account_ids": []}, "social_account_ids"),
        ({"social_account_ids": [1, 1]}, "social_account_ids"),
        ({"social_account_ids": ["one"]}, "social_account_ids[0]"),
        ({"publish_mode": "schedule"}, "scheduled_time"),
        ({"publish_mode": "schedule", "scheduled_time": datetime(2030, 1, 1)}, "scheduled_time"),
        ({"scheduled_time": FUTURE}, "scheduled_time"),
        ({"publish_mode": "queue"}, "queue_id"),
        ({"queue_id": 11}, "queue_id"),
        ({"content_type": "poll"}, "content_type"),
        ({"link_url": "ftp://example.com/x"}, "link_url"),
        ({"comment_delay": 5}, "comment_delay"),
        ({"first_comment": "x", "comment_delay": -1}, "comment_delay"),
        ({"repost": {"until": FUTURE}}, "repost.until"),
        ({"repost": {"frequency": "every61_day"}}, "repost.frequency"),
        ({"repost": {"frequency": "every1_week"}}, "repost.frequency"),
        ({"youtube": {"made_for_kids": "perhaps"}}, "youtube.made_for_kids"),
        ({"media_ids": "12"}, "media_ids"),
    ],
)
def test_invalid_posts_are_refused_with_the_param(changes: dict[str, Any], param: str) -> None:
    with pytest.raises(PostoriaValidationError) as caught:
        CreatePost(**{**BASE, **changes})
    assert caught.value.param == param


@pytest.mark.parametrize("frequency", ["every1_day", "every60_day", "every6_month", "every1_year"])
def test_contract_frequencies_are_accepted(frequency: str) -> None:
    post = CreatePost(**BASE, repost=Repost(frequency=frequency, until=FUTURE))
    assert post.to_payload()["repost"] == {"frequency": frequency, "until": "2030-01-01T09:30:00Z"}


def test_payload_uses_z_times_and_leaves_out_unset_fields() -> None:
    berlin = datetime(2030, 1, 1, 10, 30, tzinfo=UTC).astimezone(ZoneInfo("Europe/Berlin"))
    post = CreatePost.model_validate(
        {
            "publish_mode": "schedule",
            "social_account_ids": [ACME_X],
            "scheduled_time": berlin,
            "caption": "Hi",
            "tiktok": {"allow_duet": False, "future_option": 1},
        }
    )
    assert post.to_payload() == {
        "publish_mode": "schedule",
        "social_account_ids": [ACME_X],
        "media_ids": [],
        "caption": "Hi",
        "scheduled_time": "2030-01-01T10:30:00Z",
        "tiktok": {"allow_duet": False, "future_option": 1},
    }


def test_a_post_changed_after_building_is_checked_again_before_sending(
    client: PostoriaClient, sandbox: SandboxServer
) -> None:
    post = CreatePost(**BASE)
    post.queue_id = 11  # not allowed with publish_now
    with pytest.raises(PostoriaValidationError, match="queue_id"):
        client.create_post(ACME, post)
    assert sandbox.state.requests() == []


def test_a_past_schedule_is_refused_on_the_clients_clock(
    client: PostoriaClient, sandbox: SandboxServer, clock: ManualClock
) -> None:
    post = CreatePost(
        publish_mode="schedule",
        social_account_ids=[ACME_X],
        caption="Soon",
        scheduled_time=clock.now() + timedelta(minutes=5),
    )
    clock.advance(600)
    with pytest.raises(PostoriaValidationError) as caught:
        client.create_post(ACME, post)
    assert caught.value.param == "scheduled_time"
    assert sandbox.state.requests() == []
    assert client.ledger.total() == 0


def test_local_checks_before_media_requests(client: PostoriaClient, sandbox: SandboxServer) -> None:
    with pytest.raises(PostoriaValidationError) as caught:
        client.import_media(ACME, "http://example.com/photo.jpg")
    assert caught.value.param == "url"
    with pytest.raises(PostoriaValidationError) as caught:
        client.create_upload(ACME, "photo.heic", "image/heic")
    assert caught.value.param == "content_type"
    with pytest.raises(PostoriaValidationError) as caught:
        client.list_posts(ACME, limit=101)
    assert caught.value.param == "limit"
    assert sandbox.state.requests() == []
