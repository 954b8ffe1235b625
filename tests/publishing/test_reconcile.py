"""Never post twice: lost answers, 5xx, crashes and failing lists around a create."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bridge.engine import attempts, reconcile
from bridge.engine.attempts import transition
from bridge.postoria import CreatePost, Post, PostoriaClient, RequestRecord, Timeouts
from bridge.sandbox import FaultRule
from bridge.store import PublicationState as S

from .helpers import ACME, ACME_LINKEDIN, ACME_X, MAIN_QUEUE, World


def test_a_dropped_answer_is_adopted_not_recreated(world: World) -> None:
    world.server.faults.add(FaultRule(endpoint="create_post", kind="drop_after_create", count=1))
    pid = world.add(caption="Dropped answer")

    world.publisher.step()
    publication = world.publication(pid)
    assert publication.state == S.UNKNOWN
    assert publication.post_id is None
    world.run()

    publication = world.publication(pid)
    assert publication.state == S.POSTED
    assert len(world.posts(include_deleted=True)) == 1
    assert publication.post_id == world.posts()[0]["id"]
    assert len(world.served("create_post")) == 1
    outcomes = [(a.endpoint, a.outcome) for a in world.attempts(pid)]
    assert outcomes[:2] == [
        ("POST /workspaces/{ws}/posts", "outcome_unknown"),
        ("GET /workspaces/{ws}/posts", "ok"),
    ]


def test_reconciliation_waits_for_the_settle_time(world: World) -> None:
    world.server.faults.add(FaultRule(endpoint="create_post", kind="drop_after_create", count=1))
    pid = world.add()

    world.publisher.step()
    world.advance(world.publisher.reconcile_after.total_seconds() - 5)
    world.publisher.step()

    assert world.publication(pid).state == S.UNKNOWN
    assert world.served("list_posts") == []


def test_a_5xx_on_create_is_reconciled_then_created_once(world: World) -> None:
    world.server.faults.add(FaultRule(endpoint="create_post", kind="error", status=503, count=1))
    pid = world.add(caption="After a 503")

    world.publisher.step()
    assert world.publication(pid).state == S.UNKNOWN
    world.run()

    publication = world.publication(pid)
    assert publication.state == S.POSTED
    assert publication.create_attempts == 2
    assert world.captions_posted() == {"After a 503": 1}


def test_garbled_create_answers_are_reconciled(world: World) -> None:
    world.server.faults.add(FaultRule(endpoint="create_post", kind="invalid_json", count=1))
    world.server.faults.add(FaultRule(endpoint="create_post", kind="missing_fields", count=1))
    first = world.add(caption="Half a body")
    second = world.add(caption="No id in the body")

    world.run()

    assert world.publication(first).state == S.POSTED
    assert world.publication(second).state == S.POSTED
    assert world.captions_posted() == {"Half a body": 1, "No id in the body": 1}
    assert len(world.served("create_post")) == 2


def test_a_crash_after_sending_is_adopted_by_a_new_publisher(world: World) -> None:
    pid = world.add(caption="Sent, then the process died")
    # What a crash leaves: the intent committed, the create sent, the answer never stored.
    transition(world.db, pid, {S.PENDING}, state=S.SUBMITTING, submit_started_at=world.clock.now())
    world.client.create_post(
        ACME,
        CreatePost(
            publish_mode="publish_now",
            social_account_ids=[ACME_X, ACME_LINKEDIN],
            caption="Sent, then the process died",
        ),
    )
    restarted = world.restart()
    restarted.step()
    assert world.publication(pid).state == S.SUBMITTING  # it may still be in flight
    world.advance(restarted.reconcile_after.total_seconds() + 1)
    world.run()

    publication = world.publication(pid)
    assert publication.state == S.POSTED
    assert len(world.posts(include_deleted=True)) == 1
    assert publication.post_id == world.posts()[0]["id"]


def test_a_failing_list_creates_nothing(world: World) -> None:
    world.server.faults.add(FaultRule(endpoint="create_post", kind="error", status=500, count=1))
    world.server.faults.add(FaultRule(endpoint="list_posts", kind="error", status=503))
    pid = world.add(caption="Cannot list")

    world.publisher.step()
    for _ in range(5):
        world.advance(300)
        world.publisher.step()

    publication = world.publication(pid)
    assert publication.state == S.UNKNOWN
    assert "reconciliation failed" in (publication.state_reason or "")
    assert world.posts() == []
    assert len(world.served("create_post")) == 1

    world.server.faults.clear()
    world.run()
    assert world.publication(pid).state == S.POSTED
    assert world.captions_posted() == {"Cannot list": 1}


def test_ambiguous_matches_are_left_for_a_person(world: World) -> None:
    world.server.faults.add(FaultRule(endpoint="create_post", kind="drop_after_create", count=1))
    pid = world.add(caption="Twice already")
    world.publisher.step()
    # Someone else posted the very same thing with the same key meanwhile.
    world.client.create_post(
        ACME,
        CreatePost(
            publish_mode="publish_now",
            social_account_ids=[ACME_X, ACME_LINKEDIN],
            caption="Twice already",
        ),
    )

    world.advance(world.publisher.reconcile_after.total_seconds() + 1)
    world.publisher.step()
    world.advance(3600)
    world.publisher.step()

    publication = world.publication(pid)
    assert publication.state == S.UNKNOWN
    assert publication.next_check_at is None
    assert (publication.state_reason or "").startswith("ambiguous")
    assert len(world.posts()) == 2
    assert len(world.served("create_post")) == 2
    assert world.publisher.next_wakeup() is None
    assert world.publisher.pending_count() == 0  # nothing the publisher itself can do


def test_a_post_owned_by_another_publication_is_not_adopted(world: World) -> None:
    owner = world.add(caption="Same words")
    world.run()
    world.server.faults.add(FaultRule(endpoint="create_post", kind="error", status=500, count=1))
    pid = world.add(caption="Same words")

    world.run()

    assert world.publication(pid).state == S.POSTED
    assert world.publication(pid).post_id != world.publication(owner).post_id
    assert world.captions_posted() == {"Same words": 2}


def test_fingerprint_ignores_account_order_but_not_media_order() -> None:
    base = {"caption": "x", "mode": "publish_now", "scheduled_time": None, "queue_id": None}
    one = attempts.fingerprint(account_ids=[1, 2], media_ids=[5, 6], **base)
    assert one == attempts.fingerprint(account_ids=[2, 1], media_ids=[5, 6], **base)
    assert one != attempts.fingerprint(account_ids=[1, 2], media_ids=[6, 5], **base)
    assert len(one) == 64


def test_scheduled_window_is_tight_around_the_time(world: World) -> None:
    when = world.clock.now() + timedelta(hours=5)
    intent = reconcile.Intent(
        workspace_id=ACME,
        caption="c",
        account_ids=(ACME_X,),
        media_count=0,
        mode="schedule",
        scheduled_time=when,
        queue_id=None,
        sent_at=world.clock.now(),
    )
    date_from, date_to = reconcile.window(intent, world.clock.now())
    assert date_from <= when <= (date_to or when)
    assert (date_to or when) - date_from <= timedelta(minutes=2)


def test_the_settle_time_outlasts_the_clients_patience(world: World) -> None:
    default = world.publisher.reconcile_after
    assert default >= reconcile.SETTLE
    patient = PostoriaClient(
        world.server.api_key,
        world.server.url,
        clock=world.clock,
        timeouts=Timeouts(read=300.0),
        limiter=world.client.limiter,
    )
    with patient:
        settle = reconcile.Reconciler(world.db, patient, world.clock).settle
    assert settle > timedelta(seconds=300 + 5 + 30) > default


def test_lost_creates_of_a_workspace_are_reconciled_from_one_listing(world: World) -> None:
    world.server.faults.add(FaultRule(endpoint="create_post", kind="drop_after_create", count=6))
    world.server.faults.add(FaultRule(endpoint="create_post", kind="error", count=4))
    ids = [world.add(caption=f"Lost {n}") for n in range(10)]

    world.publisher.step()
    assert all(world.publication(p).state == S.UNKNOWN for p in ids)
    world.advance(world.publisher.reconcile_after.total_seconds() + 1)
    report = world.publisher.step()

    assert report.reconciled == 10
    assert report.submitted == 4  # the four that were never created, sent again once
    assert len(world.served("list_posts")) == 2  # the window, and posts still in progress
    world.run()
    assert world.captions_posted() == {f"Lost {n}": 1 for n in range(10)}


def _intent(now: datetime) -> reconcile.Intent:
    return reconcile.Intent(
        workspace_id=ACME,
        caption="Hello",
        account_ids=(ACME_X, ACME_LINKEDIN),
        media_count=0,
        mode="publish_now",
        scheduled_time=None,
        queue_id=None,
        sent_at=now,
    )


def _post(
    post_id: int,
    when: datetime,
    accounts: tuple[int, ...] = (ACME_X, ACME_LINKEDIN),
    **blocks: dict[str, object],
) -> Post:
    results = [{"account_id": a} for a in accounts]
    return Post.model_validate(
        {"id": post_id, "status": "posted", "date": when, "results": results, **blocks}
    )


def test_matching_needs_accounts_time_and_caption() -> None:
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    intent = _intent(now)
    block = {"caption": "Hello", "files": []}
    posts = [
        _post(1, now, x=block),  # the one
        _post(2, now, x={"caption": "Other words", "files": []}),
        _post(3, now, x=block, accounts=(ACME_X,)),
        _post(4, now - timedelta(hours=2), x=block),
    ]
    finding = reconcile.judge_intent(intent, posts, now=now)
    assert finding.verdict == reconcile.ADOPT and finding.post is not None
    assert finding.post.id == 1
    assert reconcile.judge_intent(intent, posts[1:], now=now).verdict == reconcile.ABSENT


def test_a_post_without_content_blocks_is_a_weak_match() -> None:
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    intent = _intent(now)
    only = [_post(7, now)]
    assert reconcile.match_strength(only[0], intent, now - timedelta(hours=1), None) == "weak"
    assert reconcile.judge_intent(intent, only, now=now).verdict == reconcile.ADOPT
    two = [_post(7, now), _post(8, now)]
    assert reconcile.judge_intent(intent, two, now=now).verdict == reconcile.AMBIGUOUS
    strong_and_weak = [_post(7, now), _post(9, now, x={"caption": "Hello", "files": []})]
    finding = reconcile.judge_intent(intent, strong_and_weak, now=now)
    assert finding.post is not None and finding.post.id == 9


def test_claimed_posts_are_never_adopted_twice() -> None:
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    posts = [_post(5, now, x={"caption": "Hello", "files": []})]
    finding = reconcile.judge_intent(_intent(now), posts, now=now, claimed=lambda ids: {5})
    assert finding.verdict == reconcile.ABSENT


def test_a_create_in_flight_is_never_reconciled_by_its_own_process(world: World) -> None:
    pid = world.add(caption="Slow answer")
    seen: list[list[int]] = []

    def meanwhile(record: RequestRecord) -> None:
        if record.endpoint == "POST /workspaces/{ws}/posts":
            world.advance(world.publisher.reconcile_after.total_seconds() + 60)
            seen.append([p.id or 0 for p in world.publisher.reconciler.due()])

    world.client.add_listener(meanwhile)
    world.publisher.step()

    assert seen == [[]]
    assert world.publication(pid).state == S.SUBMITTED


def test_a_post_made_by_a_superseded_attempt_is_deleted(world: World) -> None:
    when = world.clock.now() + timedelta(days=1)
    pid = world.add(caption="Held up", mode="schedule", scheduled_time=when)
    other = world.client.create_post(
        ACME,
        CreatePost(
            publish_mode="publish_now", social_account_ids=[ACME_X, ACME_LINKEDIN], caption="x"
        ),
    )
    supersede(world, pid, other.id)

    world.publisher.step()

    assert [p["id"] for p in world.posts()] == [other.id]
    assert world.publication(pid).post_id == other.id
    deleted = [p for p in world.posts(include_deleted=True) if p["deleted"]]
    assert len(deleted) == 1 and world.post_record(deleted[0]["id"]).caption == "Held up"


def test_a_superseded_post_that_cannot_be_deleted_is_reported(world: World) -> None:
    world.server.config.publish_delay = 600.0
    pid = world.add(caption="Held up, then published")
    supersede(world, pid, 999_999)

    world.publisher.step()

    assert "could not be deleted" in (world.publication(pid).state_reason or "")
    assert len(world.posts()) == 1


def supersede(world: World, pid: int, other_post: int) -> None:
    """While the create is held up, another replica settles the publication otherwise."""

    def meanwhile(record: RequestRecord) -> None:
        if record.endpoint == "POST /workspaces/{ws}/posts" and record.tags:
            transition(
                world.db,
                pid,
                {S.SUBMITTING},
                state=S.SUBMITTED,
                post_id=other_post,
                create_attempts=2,
            )

    world.client.add_listener(meanwhile)


def test_a_lost_post_without_a_date_is_still_found(world: World) -> None:
    world.server.config.publish_delay = 3600.0
    world.server.faults.add(FaultRule(endpoint="create_post", kind="drop_after_create", count=1))
    pid = world.add(caption="No date yet")
    world.publisher.step()
    post = world.posts()[0]
    world.post_record(post["id"]).date = None  # allowed by the contract while in progress

    world.advance(world.publisher.reconcile_after.total_seconds() + 1)
    world.publisher.step()

    publication = world.publication(pid)
    assert publication.state == S.SUBMITTED and publication.post_id == post["id"]
    assert len(world.served("create_post")) == 1


def test_a_lost_queued_post_is_found_whatever_its_slot(world: World) -> None:
    world.server.faults.add(FaultRule(endpoint="create_post", kind="drop_after_create", count=1))
    pid = world.add(caption="Queued far ahead", mode="queue", queue_id=MAIN_QUEUE)
    world.publisher.step()
    post = world.posts()[0]
    world.post_record(post["id"]).date = world.clock.now() + timedelta(days=60)

    world.advance(world.publisher.reconcile_after.total_seconds() + 1)
    world.publisher.step()

    assert world.publication(pid).post_id == post["id"]
    assert len(world.served("create_post")) == 1
