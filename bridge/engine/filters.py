"""Which routes an item takes: the route's ``include`` and ``exclude`` rules, with the reason.

The rules are compiled when the config loads (:class:`bridge.config.ItemRule`). This module
applies them the way routing and preview need: one decision per route with a sentence saying
why an item was left out, so "why was this not posted?" has an answer on the dashboard.

``category:``, ``tag:`` and ``author:`` compare whole values without regard to case; ``title:``
looks for the text in the title; anything else is a regular expression searched in the title,
the plain text and the categories. One feed can feed several clients' routes this way.

Past the routes, :func:`same_link_claims` keeps an article that reaches the bridge through two
sources (a blog's feed and its WordPress API) from going to the same account twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ..store import ItemRecord, Publication

if TYPE_CHECKING:
    from ..config import RouteConfig
    from ..sources import Item


@dataclass(frozen=True)
class FilterDecision:
    """Whether a route takes an item; ``reason`` says why not, ``matched`` which rule let it in."""

    accepted: bool
    reason: str | None = None
    matched: str | None = None


def evaluate(route: RouteConfig, item: Item) -> FilterDecision:
    """Apply ``route``'s include rules (any must match, when given) and exclude rules (none may)."""
    matched = None
    if route.include_rules:
        matched = next((r.text for r in route.include_rules if r.matches(item)), None)
        if matched is None:
            wanted = ", ".join(repr(r.text) for r in route.include_rules)
            return FilterDecision(False, f"matches none of the include rules ({wanted})")
    for rule in route.exclude_rules:
        if rule.matches(item):
            return FilterDecision(False, f"excluded by the rule {rule.text!r}", matched)
    return FilterDecision(True, None, matched)


SAME_LINK_WINDOW = timedelta(days=30)
"""How far back an item from another source with the same link counts as the same post."""

_NOT_SENT = ("skipped", "cancelled", "failed")


def same_link_claims(
    session: Session,
    item_id: int,
    source_id: int,
    link: str | None,
    source_ids: list[int],
    now: datetime,
) -> dict[int, str]:
    """Accounts that items of other sources with the same link were already sent to.

    One blog often reaches the bridge twice (its RSS feed and its WordPress API, both on one
    route): the two items have different sources and guids but one link, and posting both
    would put the same article on an account twice. Returns ``account ID → why``, for items
    of the other ``source_ids`` first seen within :data:`SAME_LINK_WINDOW`. A link to a site's
    home page says nothing about which article an item is, so it never matches.
    """
    wanted = normalize_link(link)
    others = [other for other in source_ids if other != source_id]
    if not wanted or not others:
        return {}
    parts = urlsplit(wanted)
    if parts.path in ("", "/") and not parts.query and not parts.fragment:
        return {}
    # Narrowed in SQL by what every loosely-equal link contains (host and path), then
    # compared exactly here: one indexed query per item, not a scan of recent items in Python.
    core = (parts.netloc + parts.path.rstrip("/")).lower()
    candidates = session.exec(
        select(ItemRecord.id, ItemRecord.link, ItemRecord.source_id).where(
            col(ItemRecord.source_id).in_(others),
            col(ItemRecord.first_seen_at) >= now - SAME_LINK_WINDOW,
            col(ItemRecord.id) != item_id,
            sa.func.lower(ItemRecord.link).contains(core, autoescape=True),
        )
    ).all()
    twins = {
        other: source
        for other, other_link, source in candidates
        if normalize_link(other_link) == wanted
    }
    if not twins:
        return {}
    claims: dict[int, str] = {}
    rows = session.exec(
        select(Publication.item_id, Publication.account_ids, Publication.route).where(
            col(Publication.item_id).in_(list(twins)), col(Publication.state).not_in(_NOT_SENT)
        )
    ).all()
    for other, accounts, route in rows:
        for account in accounts:
            claims.setdefault(account, f"route {route!r} for item #{other} (same link)")
    return claims


def normalize_link(url: str | None) -> str | None:
    """``url`` compared loosely: without its scheme (http and https are one article), host
    lower-cased, ``utm_*`` and a trailing slash dropped. Fragments stay: some feeds tell
    entries apart only by fragment."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.startswith("utm_")
    ]
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("", parts.netloc.lower(), path, urlencode(query), parts.fragment))
