"""The approval gate through the CLI: list, show, approve, reject, and late approvals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from routing_helpers import Entry, World

from bridge.cli import cli
from bridge.clock import ManualClock
from bridge.engine.approvals import Approvals
from bridge.feedserver import FeedServer
from bridge.sandbox import SandboxServer

ROUTES = """
[[routes]]
name = "held"
sources = ["blog"]
workspace = "Acme Corp"
accounts = ["Acme on LinkedIn"]
mode = "publish_now"
max_per_day = 2
approval = true
template = "{{ title }}"
"""


@pytest.fixture
def world(
    tmp_path: Path, sandbox: SandboxServer, feed_server: FeedServer, clock: ManualClock
) -> Iterator[World]:
    world = World(tmp_path, sandbox, feed_server, clock, ROUTES)
    world.publish([Entry(f"g{n}", f"Post {n}", f"https://acme.example/{n}") for n in range(3)])
    yield world
    world.close()


def run(world: World, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["approvals", *args, "-c", str(world.config_path)])
    return result.exit_code, result.output


def test_list_show_approve_and_reject_through_the_cli(world: World) -> None:
    ids = [p.id for p in world.publications()]
    assert {p.approval for p in world.publications()} == {"pending"}
    code, output = run(world, "list")
    assert code == 0
    assert all(f"#{pid}  held  linkedin" in output for pid in ids)

    code, output = run(world, "show", str(ids[0]))
    assert code == 0 and "approval pending" in output and "| Post 2" in output

    code, output = run(world, "approve", str(ids[0]), "--by", "dana")
    assert code == 0 and f"publication #{ids[0]} approved" in output
    code, output = run(world, "reject", str(ids[1]), "--by", "sam")
    assert code == 0 and f"publication #{ids[1]} rejected" in output

    states = {
        p.id: (p.approval, p.state, p.state_reason, p.decided_by) for p in world.publications()
    }
    assert states[ids[0]] == ("approved", "pending", None, "dana")
    assert states[ids[1]] == ("rejected", "cancelled", "rejected by sam", "sam")
    assert states[ids[2]][0] == "pending"

    code, output = run(world, "list")
    assert f"#{ids[2]}" in output and f"#{ids[0]} " not in output

    code, output = run(world, "approve", str(ids[1]), str(ids[2]))
    assert code == 1
    assert "is not waiting for approval (approval: rejected, state: cancelled)" in output
    assert f"publication #{ids[2]} approved" in output
    code, output = run(world, "show", "999")
    assert code == 1 and "there is no publication #999" in output


def test_a_late_approval_is_replanned_from_now_within_pacing(world: World) -> None:
    publications = world.publications()
    first, second, third = (p.id for p in publications)
    # Pacing spread the three over two days; approve the third long after its time.
    world.clock.advance(timedelta(days=3))
    approvals = Approvals(world.db, world.config, world.clock)
    (decision,) = approvals.approve([third], "dana")
    assert decision.ok and "re-planned" in decision.message
    (decision,) = approvals.approve([first], "dana")
    assert decision.ok
    due = {p.id: p.due_at for p in world.publications()}
    assert due[third] == world.clock.now()
    assert due[first] == world.clock.now()  # max_per_day = 2: both fit today
    (decision,) = approvals.approve([second], "dana")
    assert due[second] is not None
    replanned = {p.id: p.due_at for p in world.publications()}[second]
    assert replanned is not None and replanned > world.clock.now()  # a third would break pacing


def test_a_late_approval_of_a_scheduled_post_moves_its_time_into_the_future(
    tmp_path: Path, sandbox: SandboxServer, feed_server: FeedServer, clock: ManualClock
) -> None:
    routes = ROUTES.replace('mode = "publish_now"', 'mode = "schedule"\ndelay = "30m"')
    world = World(tmp_path, sandbox, feed_server, clock, routes)
    world.publish([Entry("s1", "Scheduled", "https://acme.example/s1")])
    (publication,) = world.publications()
    assert publication.scheduled_time == clock.now() + timedelta(minutes=30)
    clock.advance(timedelta(hours=2))
    (decision,) = Approvals(world.db, world.config, clock).approve([publication.id], "dana")
    assert decision.ok and "re-planned" in decision.message
    (publication,) = world.publications()
    assert publication.approval == "approved"
    assert publication.scheduled_time == clock.now() + timedelta(minutes=30)
    assert publication.due_at == clock.now()
    world.close()
