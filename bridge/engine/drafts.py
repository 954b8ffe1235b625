"""Drafting: what one route makes of one item, before anything is stored.

A route renders the item's caption for every target account (one :class:`Draft` per distinct
caption), picks the media and splits off the accounts a network rule blocks (a network that
needs media or video); :class:`AccountClaims` keeps two routes from sending one item to one
account. :mod:`bridge.engine.routing` turns the drafts into stored publications and
``bridge preview`` shows them without storing; nothing here touches the store or Postoria.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..captions import CaptionContext, CaptionTooLongError, render_for_accounts
from ..captions.render import AccountRef, CaptionGroup, default_renderer
from ..errors import CaptionError
from .media_choice import ChosenMedia, choose_media, network_problem

if TYPE_CHECKING:
    from ..config import RouteConfig
    from ..sources import Item
    from .directory import RouteTarget


@dataclass
class Draft:
    """One publication-to-be of an item on a route: its accounts, caption and media.

    ``skip_reason`` is set when it must not be sent; ``lengths`` counts the caption the way
    each network of the draft counts.
    """

    route: str
    accounts: list[AccountRef]
    caption: str = ""
    first_comment: str | None = None
    link_url: str | None = None
    media: list[ChosenMedia] = field(default_factory=list)
    lengths: dict[str, int] = field(default_factory=dict)
    skip_reason: str | None = None

    @property
    def account_ids(self) -> list[int]:
        """The accounts' IDs, sorted."""
        return sorted(account.id for account in self.accounts)

    @property
    def networks(self) -> list[str]:
        """The distinct networks of the accounts, sorted."""
        return sorted({account.network for account in self.accounts})

    @property
    def variant(self) -> str:
        """A short hash of the sorted account IDs: stable for the same group of accounts."""
        text = ",".join(str(account_id) for account_id in self.account_ids)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


def draft_publications(
    route: RouteConfig, item: Item, target: RouteTarget, source_name: str
) -> list[Draft]:
    """The drafts of ``item`` on ``route``: every target account lands in exactly one."""
    accounts = list(target.accounts)
    chosen = choose_media(route.media, item.media, {a.network for a in accounts})
    try:
        groups = render_for_accounts(route, item, accounts, source_name)
        drafts: list[Draft] = []
    except CaptionTooLongError as exc:
        groups = exc.groups
        drafts = [Draft(route.name, list(e.accounts), skip_reason=str(e)) for e in exc.too_long]
    except CaptionError as exc:
        return [Draft(route.name, accounts, skip_reason=f"caption failed: {exc}")]
    for group in groups:
        drafts += _split_by_network_rules(route, item, group, chosen.media, source_name)
    for draft in drafts:
        if chosen.skip_reason and draft.skip_reason is None:
            draft.skip_reason = chosen.skip_reason
    return drafts


class AccountClaims:
    """Keeps one item from reaching one account twice through two routes.

    Two routes can both take an item for the same account (a "News" route and a "Launches"
    route, both to the client's X account): posting it twice is exactly the duplicate the
    bridge must never make. The first route in file order that will actually send to an
    account claims it; later routes record the account as skipped, naming that route.
    ``already`` holds accounts claimed before routing started (see
    :func:`~bridge.engine.filters.same_link_claims`).
    """

    def __init__(self, already: dict[int, str] | None = None) -> None:
        self.owner: dict[int, str] = dict(already or {})

    def drafts(
        self, route: RouteConfig, item: Item, target: RouteTarget, source_name: str
    ) -> list[Draft]:
        """``route``'s drafts for the accounts no earlier route claimed, plus the skips."""
        fresh = [a for a in target.accounts if a.id not in self.owner]
        taken: dict[str, list[AccountRef]] = {}
        for account in target.accounts:
            if account.id in self.owner:
                taken.setdefault(self.owner[account.id], []).append(account)
        drafts = []
        if fresh:
            narrowed = dataclasses.replace(target, accounts=fresh)
            drafts = draft_publications(route, item, narrowed, source_name)
        for draft in drafts:
            if draft.skip_reason is None:
                self.owner.update((a.id, f"route {route.name!r}") for a in draft.accounts)
        drafts += [
            Draft(route.name, accounts, skip_reason=f"already sent there by {owner}")
            for owner, accounts in taken.items()
        ]
        return drafts


def _split_by_network_rules(
    route: RouteConfig,
    item: Item,
    group: CaptionGroup,
    media: list[ChosenMedia],
    source_name: str,
) -> list[Draft]:
    """The group's accounts that can take the post, and those a network rule blocks."""
    fine: list[AccountRef] = []
    blocked: dict[str, list[AccountRef]] = {}
    for account in group.accounts:
        problem = network_problem(account.network, media)
        if problem:
            blocked.setdefault(problem, []).append(account)
        else:
            fine.append(account)
    parts = [(fine, None)] if fine else []
    parts += [(accounts, reason) for reason, accounts in blocked.items()]
    drafts = []
    for accounts, reason in parts:
        networks = {account.network for account in accounts}
        draft = Draft(
            route.name,
            accounts,
            caption=group.caption,
            first_comment=group.first_comment,
            lengths={n: length for n, length in group.lengths.items() if n in networks},
            skip_reason=reason,
        )
        if reason is None:
            draft.media = list(media)
            if route.link:
                draft.link_url = _link_url(route, item, accounts[0], source_name)
        drafts.append(draft)
    return drafts


def _link_url(route: RouteConfig, item: Item, account: AccountRef, source_name: str) -> str | None:
    """The item's link with the route's UTM parameters, as rendered for ``account``."""
    if not item.link:
        return None
    renderer = default_renderer()
    context = CaptionContext.from_item(item, source_name=source_name, route_name=route.name)
    variables = context.variables(network=account.network, account=account.name)
    return renderer.link_for(route, context, variables) or None
