"""Items on their way into the store: validity, first-run status, and the row itself."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ...clock import utc
from ...sources import Item, MediaCandidate, Problem
from .seen import identity_key

if TYPE_CHECKING:
    from ...store import ItemRecord

if TYPE_CHECKING:
    from ...config import SourceConfig


def initial_statuses(
    items: list[Item], source: SourceConfig, *, first_run: bool, now: datetime
) -> list[tuple[str, str | None]]:
    """``(status, reason)`` for each new item: ``new``, ``backlog`` or ``too_old``.

    On a source's first successful fetch the backlog policy decides: ``skip`` keeps every
    current item as ``backlog``, ``latest:N`` leaves the newest N new, ``all`` leaves all new.
    ``max_age`` is checked against the clock now, not the previous poll, so after an outage
    the items published meanwhile are still judged by their own age. Future-dated items stay
    ``new``: planning never posts them before their date.
    """
    statuses: list[tuple[str, str | None]] = [("new", None)] * len(items)
    if first_run and source.backlog.kind != "all":
        keep = _newest(items, source.backlog.count or 0 if source.backlog.kind == "latest" else 0)
        reason = f"already there on the first fetch (backlog = {source.backlog})"
        statuses = [("new", None) if i in keep else ("backlog", reason) for i in range(len(items))]
    if source.max_age is not None:
        oldest = now - source.max_age
        for index, item in enumerate(items):
            when = item.published or item.updated
            if statuses[index][0] == "new" and when is not None and when < oldest:
                statuses[index] = ("too_old", f"dated {when:%Y-%m-%d %H:%M}Z, older than max_age")
    return statuses


def _newest(items: list[Item], count: int) -> set[int]:
    """Indexes of the ``count`` newest items: by date when all have one, else feed order."""
    if count <= 0:
        return set()
    order = list(range(len(items)))
    dates = [item.published or item.updated for item in items]
    if all(date is not None for date in dates):
        order.sort(key=lambda index: dates[index], reverse=True)  # type: ignore[arg-type,return-value]
    return set(order[:count])


def valid_items(items: list[Item], problems: list[Problem]) -> list[Item]:
    """The items the store can hold; a connector's malformed item becomes a problem.

    Such an item is not recorded as seen either, so a fixed connector stores it later. Naive
    dates are taken as UTC, as the connector contract's dates are.
    """
    valid = []
    for item in items:
        try:
            if not isinstance(item.external_id, str) or not item.external_id:
                raise ValueError("it has no external_id")
            for text in (item.title, item.summary_text, item.content_text):
                if not isinstance(text, str):
                    raise ValueError(f"a text field is {type(text).__name__}, not text")
            item.published = utc(item.published) if item.published else None
            item.updated = utc(item.updated) if item.updated else None
        except (AttributeError, TypeError, ValueError) as exc:
            where = getattr(item, "link", None) or repr(getattr(item, "external_id", None))
            problems.append(Problem(f"item not stored: {exc}", level="error", where=where))
            continue
        valid.append(item)
    return valid


def record_from_item(
    item: Item, source_id: int, now: datetime, status: str, reason: str | None
) -> dict[str, Any]:
    """The column values storing every normalized field of ``item`` (NUL characters removed).

    Plain values rather than an ``ItemRecord``: a fetch inserts its new items in one Core
    batch, and building a validated model object per item cost more than the insert itself.
    """
    return dict(
        source_id=source_id,
        external_id=identity_key(item.external_id),
        title=_text(item.title),
        link=_text(item.link) if item.link else None,
        summary_html=_text(item.summary_html),
        summary_text=_text(item.summary_text),
        content_html=_text(item.content_html),
        content_text=_text(item.content_text),
        author=_text(item.author) if item.author else None,
        published=item.published,
        updated=item.updated,
        categories=[_text(c) for c in item.categories],
        tags=[_text(t) for t in item.tags],
        media=[_json_safe(dataclasses.asdict(m)) for m in item.media],
        extra=_json_safe(item.extra),
        fingerprint=item.fingerprint(),
        first_seen_at=now,
        status=status,
        status_reason=reason,
    )


def item_from_record(row: ItemRecord) -> Item:
    """The :class:`~bridge.sources.Item` a stored row describes (for filters and captions)."""
    fields = {f.name for f in dataclasses.fields(MediaCandidate)}
    return Item(
        external_id=row.external_id,
        title=row.title,
        link=row.link,
        summary_html=row.summary_html,
        summary_text=row.summary_text,
        content_html=row.content_html,
        content_text=row.content_text,
        author=row.author,
        published=row.published,
        updated=row.updated,
        categories=list(row.categories),
        tags=list(row.tags),
        media=[MediaCandidate(**{k: v for k, v in m.items() if k in fields}) for m in row.media],
        extra=dict(row.extra),
    )


def _text(value: str) -> str:
    return value.replace("\x00", "")


def _json_safe(value: Any) -> Any:
    """``value`` with anything JSON cannot hold turned into text (dates, sets, objects)."""
    return json.loads(json.dumps(value, default=str).replace("\\u0000", ""))
