"""Names from the configuration resolve to IDs, or fail naming the selector."""

from __future__ import annotations

import pytest

from bridge.postoria import PostoriaClient, ResolveError, SocialAccount
from bridge.postoria.resolve import resolve_accounts

from .helpers import ACME, ACME_LINKEDIN, ACME_X, MAIN_QUEUE


def test_workspace_by_name_or_id(client: PostoriaClient) -> None:
    assert client.resolve_workspace("acme corp").id == ACME
    assert client.resolve_workspace(ACME).name == "Acme Corp"
    assert client.resolve_workspace(str(ACME)).name == "Acme Corp"


def test_unknown_workspace_names_the_selector_and_the_choices(client: PostoriaClient) -> None:
    with pytest.raises(ResolveError) as caught:
        client.resolve_workspace("Acme Inc")
    error = caught.value
    assert error.selector == "Acme Inc"
    assert "no workspace matches 'Acme Inc'" in str(error)
    assert "Acme Corp (id 1)" in str(error)


def test_accounts_by_id_name_and_network(client: PostoriaClient) -> None:
    accounts = client.resolve_accounts(ACME, ["Acme on X", "linkedin:acme on linkedin", ACME_X])
    assert [a.id for a in accounts] == [ACME_X, ACME_LINKEDIN]
    [only_youtube] = client.resolve_accounts(ACME, ["network:youtube"])
    assert only_youtube.network == "youtube"


def test_network_selects_every_account_of_a_network() -> None:
    accounts = [
        SocialAccount(id=1, name="Acme", network="x"),
        SocialAccount(id=2, name="Acme News", network="x"),
        SocialAccount(id=3, name="Acme", network="bluesky"),
    ]
    chosen = resolve_accounts(accounts, ["network:X", "bluesky:acme", "Acme News"])
    assert [a.id for a in chosen] == [1, 2, 3]
    with pytest.raises(ResolveError) as caught:
        resolve_accounts(accounts, ["network:tiktok"])
    assert caught.value.selector == "network:tiktok"


def test_the_selector_that_matched_nothing_is_named(client: PostoriaClient) -> None:
    with pytest.raises(ResolveError) as caught:
        client.resolve_accounts(ACME, ["Acme on X", "network:mastodon", "Acme on LinkedIn"])
    assert caught.value.selector == "network:mastodon"
    assert caught.value.param == "social_account_ids"
    assert "'network:mastodon'" in str(caught.value)
    assert "x:Acme on X (id 101)" in caught.value.available


def test_ambiguous_names_ask_for_the_network() -> None:
    accounts = [
        SocialAccount(id=1, name="Acme", network="x"),
        SocialAccount(id=2, name="Acme", network="bluesky"),
        SocialAccount(id=3, name="Brand: News", network="threads"),
    ]
    with pytest.raises(ResolveError, match="NETWORK:NAME"):
        resolve_accounts(accounts, ["Acme"])
    assert [a.id for a in resolve_accounts(accounts, ["bluesky:Acme"])] == [2]
    assert [a.id for a in resolve_accounts(accounts, ["Brand: News"])] == [3]
    with pytest.raises(ResolveError):
        resolve_accounts(accounts, [999])


def test_queue_by_name_or_id(client: PostoriaClient) -> None:
    assert client.resolve_queue(ACME, "MAIN").id == MAIN_QUEUE
    assert client.resolve_queue(ACME, MAIN_QUEUE).name == "Main"
    with pytest.raises(ResolveError, match="no queue matches 'Weekly'"):
        client.resolve_queue(ACME, "Weekly")
