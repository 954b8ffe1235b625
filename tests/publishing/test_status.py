"""Status polling: batched through the list, timed by the posts' dates, never after final."""

from __future__ import annotations

from datetime import timedelta

from bridge.sandbox import FaultRule
from bridge.store import PublicationState as S

from .helpers import ACME_FACEBOOK, ACME_X, GLOBEX, GLOBEX_FACEBOOK, MAIN_QUEUE, World


def test_statuses_are_read_in_batches_per_workspace(world: World) -> None:
    acme = [world.add(caption=f"Acme {n}") for n in range(40)]
    globex = [
        world.add(caption=f"Globex {n}", workspace_id=GLOBEX, accounts=(GLOBEX_FACEBOOK,))
        for n in range(10)
    ]

    world.run()

    assert all(world.publication(p).state == S.POSTED for p in acme + globex)
    lists = world.served("list_posts")
    assert len(world.served("create_post")) == 50
    assert world.served("get_post") == []
    assert {e["path"] for e in lists} == {"/v1/workspaces/1/posts", "/v1/workspaces/2/posts"}
    assert len(lists) <= 4  # 50 posts' statuses, read by the hundred


def test_final_posts_are_never_polled_again(world: World) -> None:
    pid = world.add()
    world.run()
    assert world.publication(pid).state == S.POSTED
    before = len(world.served("list_posts")) + len(world.served("get_post"))

    for _ in range(5):
        world.advance(3600)
        assert world.publisher.step().total == 0

    assert len(world.served("list_posts")) + len(world.served("get_post")) == before
    assert world.publisher.next_wakeup() is None


def test_polling_backs_off_while_postoria_is_publishing(world: World) -> None:
    world.server.config.publish_delay = 3600.0
    pid = world.add()

    world.run()

    publication = world.publication(pid)
    assert publication.state == S.POSTED
    reads = len(world.served("list_posts")) + len(world.served("get_post"))
    assert reads <= 12  # an hour of processing, read with doubling intervals, not every minute
    assert publication.check_count == reads


def test_queued_posts_are_first_read_at_their_slot(world: World) -> None:
    pid = world.add(mode="queue", queue_id=MAIN_QUEUE, accounts=(ACME_FACEBOOK,))
    world.publisher.step()
    publication = world.publication(pid)
    slot = publication.post_date
    assert slot is not None and slot > world.clock.now() + timedelta(minutes=30)
    assert publication.next_check_at is not None and publication.next_check_at > slot

    world.advance((slot - world.clock.now()).total_seconds() - 1)
    world.publisher.step()
    assert world.served("list_posts") == [] and world.served("get_post") == []

    world.run()
    assert world.publication(pid).state == S.POSTED


def test_a_post_the_list_misses_is_read_on_its_own(world: World) -> None:
    pid = world.add(accounts=(ACME_X,))
    world.publisher.step()
    # Someone moved the post's date far away in Postoria: the batch window no longer holds it.
    post_id = world.publication(pid).post_id or 0
    world.post_record(post_id).date = world.clock.now() + timedelta(days=30)
    world.post_record(post_id).status = "scheduled"
    world.post_record(post_id).started_at = None

    world.advance(60)
    world.publisher.step()

    assert len(world.served("get_post")) == 1
    assert world.publication(pid).post_status == "scheduled"


def test_a_post_deleted_outside_the_bridge_fails_the_publication(world: World) -> None:
    world.server.config.publish_delay = 600.0
    pid = world.add()
    world.publisher.step()
    post_id = world.publication(pid).post_id or 0
    world.post_record(post_id).deleted = True

    world.run()

    publication = world.publication(pid)
    assert publication.state == S.FAILED
    assert "deleted outside the bridge" in (publication.state_reason or "")


def test_publication_finished_is_told_once(world: World) -> None:
    from bridge import hookimpl, plugins

    seen: list[dict[str, object]] = []

    class Listener:
        @hookimpl
        def publication_finished(self, publication: dict[str, object]) -> None:
            seen.append(publication)

    plugins.load()
    plugin = Listener()
    plugins.pm.register(plugin, name="test-listener")
    try:
        pid = world.add(caption="Tell me")
        world.run()
        for _ in range(3):
            world.advance(3600)
            world.publisher.step()
    finally:
        plugins.pm.unregister(plugin)

    assert len(seen) == 1
    summary = seen[0]
    assert summary["id"] == pid and summary["state"] == S.POSTED
    assert summary["source"] == "blog" and summary["route"] == "news"
    assert summary["item_title"] == "Item 1"
    assert summary["post_ids"] == [world.publication(pid).post_id]
    results = summary["results"]
    assert isinstance(results, list) and len(results) == 2
    assert all(r["link"] and r["error"] is None for r in results)


def test_an_account_postoria_never_reports_on_ends_with_an_error(world: World) -> None:
    pid = world.add(accounts=(ACME_X, ACME_FACEBOOK))
    world.publisher.step()
    record = world.post_record(world.publication(pid).post_id or 0)
    record.account_ids = [ACME_X]  # Postoria forgets one account's result

    world.run()

    publication = world.publication(pid)
    assert publication.state == S.PARTIAL
    assert "no result" in (world.results(pid)[ACME_FACEBOOK].error or "")
    assert world.results(pid)[ACME_X].link


def test_a_failing_list_postpones_the_batch_instead_of_reading_one_by_one(world: World) -> None:
    ids = [world.add(caption=f"Batch {n}") for n in range(5)]
    world.publisher.step()
    world.server.faults.add(FaultRule(endpoint="list_posts", kind="error", status=503, count=4))

    world.advance(15)
    world.publisher.step()

    assert world.served("get_post") == []
    assert all(world.publication(p).check_count == 1 for p in ids)
    world.run()
    assert all(world.publication(p).state == S.POSTED for p in ids)


BURST = 600
"""Publications in the burst: two budget windows' worth of creates to one account."""


def test_a_burst_is_polled_through_the_list_not_post_by_post(world: World) -> None:
    """The list answers newest first, so posts created after a batch's own push the batch to
    later pages; the window ends at the batch's newest post and a page more is read per ten
    posts, or hundreds of posts would be read one by one (as they were, 333 of 600)."""
    # Items arrive a little faster than the budget sends creates, all for one account, so the
    # posts list for any batch's dates also holds many posts created since.
    pace = world.client.limiter.budget.per / world.client.limiter.budget.capacity
    ids = [
        world.add(caption=f"Burst {n}", accounts=(ACME_X,), due_in=n * pace * 0.9)
        for n in range(BURST)
    ]

    world.run(max_steps=20 * BURST)

    assert {world.publication(pid).state for pid in ids} == {S.POSTED}
    assert len(world.served("create_post")) == BURST
    single_reads = len(world.served("get_post"))
    assert single_reads <= BURST // 100, f"{single_reads} posts read one by one"
