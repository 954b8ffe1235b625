"""Finding workspaces, accounts and queues from what a person wrote in the config.

People name things: ``"Acme Corp"``, ``"Acme on X"``, ``"x:Acme on X"`` or an ID. A selector
that matches nothing, or matches several things, is reported with the selector and what was
available, because that message is what someone reads when a route does not work.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from ..errors import PostoriaValidationError
from ._types import Selector
from .models import Queue, SocialAccount, Workspace

Named = TypeVar("Named", Workspace, SocialAccount, Queue)

_MAX_LISTED = 12


class ResolveError(PostoriaValidationError):
    """A selector matched nothing, or more than one thing.

    ``selector`` is what was written; ``available`` lists what could have matched.
    """

    title = "Not found in Postoria"

    def __init__(
        self, message: str, *, param: str, selector: Selector, available: list[str]
    ) -> None:
        self.selector = selector
        self.available = available
        super().__init__(message, param=param)


def _as_id(selector: Selector) -> int | None:
    if isinstance(selector, bool):
        return None
    if isinstance(selector, int):
        return selector
    text = selector.strip()
    return int(text) if text.isdigit() else None


def _label(item: Workspace | SocialAccount | Queue) -> str:
    if isinstance(item, SocialAccount):
        return f"{item.network}:{item.name} (id {item.id})"
    return f"{item.name} (id {item.id})"


def _listing(items: Sequence[Workspace | SocialAccount | Queue]) -> list[str]:
    return [_label(item) for item in items]


def _summary(available: list[str]) -> str:
    if not available:
        return "there are none"
    shown = ", ".join(available[:_MAX_LISTED])
    more = len(available) - _MAX_LISTED
    return f"available: {shown}" + (f" and {more} more" if more > 0 else "")


def resolve_one(items: Sequence[Named], selector: Selector, *, what: str, param: str) -> Named:
    """The one item whose ID or name (case-insensitive) is ``selector``."""
    wanted_id = _as_id(selector)
    if wanted_id is not None:
        matches = [item for item in items if item.id == wanted_id]
    else:
        name = str(selector).strip().casefold()
        matches = [item for item in items if item.name.strip().casefold() == name]
    return _exactly_one(matches, items, selector, what=what, param=param)


def _exactly_one(
    matches: Sequence[Named],
    items: Sequence[Named],
    selector: Selector,
    *,
    what: str,
    param: str,
) -> Named:
    if len(matches) == 1:
        return matches[0]
    if not matches:
        available = _listing(items)
        raise ResolveError(
            f"no {what} matches {selector!r}; {_summary(available)}",
            param=param,
            selector=selector,
            available=available,
        )
    accounts = what == "social account"
    hint = " (qualify it as NETWORK:NAME or use the ID)" if accounts else " (use the ID)"
    raise ResolveError(
        f"{selector!r} matches {len(matches)} {what}s: {', '.join(_listing(matches))}{hint}",
        param=param,
        selector=selector,
        available=_listing(items),
    )


NETWORK_PREFIX = "network:"
"""``network:linkedin`` selects every account of that network, as in the configuration."""


def _matching_accounts(
    accounts: Sequence[SocialAccount], selector: Selector
) -> list[SocialAccount]:
    text = str(selector).strip()
    folded = text.casefold()
    if _as_id(selector) is not None:
        return [a for a in accounts if a.id == _as_id(selector)]
    if folded.startswith(NETWORK_PREFIX):
        network = folded.removeprefix(NETWORK_PREFIX).strip()
        return [a for a in accounts if a.network.casefold() == network]
    by_name = [a for a in accounts if a.name.strip().casefold() == folded]
    network, colon, name = folded.partition(":")
    if by_name or not colon:
        return by_name
    # ``x:Acme`` names one account on one network, for names used on several networks.
    return [
        a
        for a in accounts
        if a.network.casefold() == network.strip() and a.name.strip().casefold() == name.strip()
    ]


def resolve_account(accounts: Sequence[SocialAccount], selector: Selector) -> SocialAccount:
    """The one account an ID, a name, ``NETWORK:NAME`` or ``network:NETWORK`` selects.

    Names are case-insensitive. A name used on several networks is ambiguous: qualify it with
    its network (``x:Acme``) or use the ID.
    """
    matches = _matching_accounts(accounts, selector)
    return _exactly_one(
        matches, accounts, selector, what="social account", param="social_account_ids"
    )


def resolve_accounts(
    accounts: Sequence[SocialAccount], selectors: Sequence[Selector]
) -> list[SocialAccount]:
    """The accounts the selectors name, in order, without repeats.

    Each selector is an ID, a name, ``NETWORK:NAME``, or ``network:NETWORK`` for every account
    of that network. The first selector that matches nothing (or a name that matches several
    accounts) is raised as :class:`ResolveError` naming it.
    """
    if not selectors:
        raise PostoriaValidationError("name at least one account", param="social_account_ids")
    chosen: dict[int, SocialAccount] = {}
    for selector in selectors:
        if str(selector).strip().casefold().startswith(NETWORK_PREFIX):
            matches = _matching_accounts(accounts, selector)
            if not matches:
                _exactly_one(
                    matches, accounts, selector, what="social account", param="social_account_ids"
                )
        else:
            matches = [resolve_account(accounts, selector)]
        for account in matches:
            chosen.setdefault(account.id, account)
    return list(chosen.values())
