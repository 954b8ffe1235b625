"""Preview: what the bridge would post for each source's current items, creating nothing.

``bridge preview`` fetches each source with a throwaway copy of its cursor (and again with an
empty one if the source answers "not modified", so there is always something to show), runs
the items through the same filters, caption rendering, media choice and planning as routing,
and reports for every route and account the caption, its length as that network counts it,
the media, when it would go out, and why it would be skipped. Nothing is written: no cursor,
no item, no publication, and only the GET requests that resolve routes reach Postoria.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ..captions import limit_for
from ..clock import isoformat_z
from ..errors import BridgeError, SourceError
from ..registry import enrich_item
from ..sources import Item, Source, SourceContext
from ..store import ItemIdentity, SourceRecord
from .filters import evaluate, same_link_claims
from .ingest import initial_statuses, valid_items
from .ingest.seen import identity_key
from .media_choice import network_problem
from .planning import Booking, Planner
from .routing import AccountClaims, Draft

if TYPE_CHECKING:
    from ..clock import Clock
    from ..config import BridgeConfig, RouteConfig, SourceConfig
    from ..store import Database
    from .directory import AccountDirectory


@dataclass
class DraftPreview:
    """One publication-to-be: its accounts, caption, media, time, or why it would be skipped."""

    accounts: list[dict[str, Any]]
    caption: str
    first_comment: str | None
    media: list[str]
    mode: str
    when: str | None
    plan: str | None
    skip_reason: str | None


@dataclass
class RoutePreview:
    """What one route would do with one item."""

    route: str
    accepted: bool
    filter_reason: str | None = None
    drafts: list[DraftPreview] = field(default_factory=list)


@dataclass
class ItemPreview:
    """One current item of a source and what each of its routes would do with it."""

    title: str
    link: str | None
    external_id: str
    published: str | None
    status: str
    routes: list[RoutePreview] = field(default_factory=list)


@dataclass
class SourcePreview:
    """One source: its items, or the error that kept it from being read."""

    source: str
    items_total: int = 0
    items: list[ItemPreview] = field(default_factory=list)
    error: str | None = None
    problems: list[str] = field(default_factory=list)


class Previewer:
    """Builds previews; ``db`` (optional, read only) supplies cursors, seen items and pacing."""

    def __init__(
        self,
        config: BridgeConfig,
        source_types: dict[str, type[Source]],
        directory: AccountDirectory,
        clock: Clock,
        *,
        db: Database | None = None,
        http: Any = None,
    ) -> None:
        self.config = config
        self.source_types = source_types
        self.directory = directory
        self.clock = clock
        self.db = db
        self.http = http

    def preview(self, source: str | None = None, limit: int = 5) -> list[SourcePreview]:
        """Preview ``source`` (every enabled source when ``None``), ``limit`` items each."""
        from ..config import validate_source_options

        options = validate_source_options(self.config, self.source_types)
        chosen = [s for s in self.config.sources if source in (None, s.name)]
        if source is not None and not chosen:
            raise BridgeError(f"no source named {source!r} in {self.config.path}")
        with _ReadOnly(self.db) as session:
            planner = Planner(session, self.clock.now())
            return [
                self._source(session, planner, config, options, limit)
                for config in chosen
                if (config.enabled or source is not None) and config.name in options
            ]

    def _source(
        self,
        session: Session | None,
        planner: Planner,
        source_config: SourceConfig,
        options: dict[str, Any],
        limit: int,
    ) -> SourcePreview:
        report = SourcePreview(source_config.name)
        record = _record(session, source_config.name)
        data_dir = str(self.config.engine.data_dir) if self.config.engine.data_dir else None
        context = SourceContext(source_config.name, self.clock, self.http, data_dir)
        try:
            plugin = self.source_types[source_config.type](options[source_config.name], context)
            result = plugin.fetch(copy.deepcopy(record.cursor) if record else {})
            if result.not_modified:
                result = plugin.fetch({})
        except SourceError as exc:
            report.error = str(exc)
            return report
        except Exception as exc:
            report.error = f"the {source_config.type!r} plugin failed: {type(exc).__name__}: {exc}"
            return report
        if result.disable_reason:
            report.error = result.disable_reason
            return report
        problems = list(result.problems)
        items = valid_items(result.items, problems)
        report.problems = [p.message for p in problems]
        report.items_total = len(items)
        shown = items[:limit]
        first_run = record is None or not record.initialized
        statuses = initial_statuses(items, source_config, first_run=first_run, now=planner.now)
        statuses = statuses[: len(shown)]  # "latest:N" is judged among all current items
        source_id = record.id if record and record.id is not None else -1
        # Oldest first, as routing plans them; listed back newest first.
        for item, (status, _reason) in reversed(list(zip(shown, statuses, strict=True))):
            enrich_item(item, source_config.name, source_config.type)
            if _seen(session, source_id, item):
                status = "already seen"
            report.items.insert(0, self._item(planner, item, status, source_config, source_id))
        return report

    def _item(
        self,
        planner: Planner,
        item: Item,
        status: str,
        source_config: SourceConfig,
        source_id: int,
    ) -> ItemPreview:
        preview = ItemPreview(
            title=item.title,
            link=item.link,
            external_id=item.external_id,
            published=isoformat_z(item.published) if item.published else None,
            status=status,
        )
        claims = AccountClaims(
            self._same_link(planner, item, source_config.name, source_id) if status == "new" else {}
        )
        for route in self.config.routes_for(source_config.name):
            decision = evaluate(route, item)
            route_preview = RoutePreview(route.name, decision.accepted, decision.reason)
            if decision.accepted:
                target = self.directory.route_target(route.name)
                for draft in claims.drafts(route, item, target, source_config.name):
                    route_preview.drafts.append(
                        self._draft(planner, route, draft, item, source_id, target.zone, status)
                    )
            preview.routes.append(route_preview)
        return preview

    def _same_link(
        self, planner: Planner, item: Item, source_name: str, source_id: int
    ) -> dict[int, str]:
        """Accounts an item with the same link from a related source was already sent to."""
        if planner.session is None:
            return {}
        names = {name for route in self.config.routes_for(source_name) for name in route.sources}
        query = select(SourceRecord.id).where(col(SourceRecord.name).in_(names))
        ids = [i for i in planner.session.exec(query).all() if i is not None]
        return same_link_claims(planner.session, -1, source_id, item.link, ids, planner.now)

    def _draft(
        self,
        planner: Planner,
        route: RouteConfig,
        draft: Draft,
        item: Item,
        source_id: int,
        zone: Any,
        status: str,
    ) -> DraftPreview:
        accounts = [
            {
                "id": account.id,
                "name": account.name,
                "network": account.network,
                "length": draft.lengths.get(account.network),
                "limit": limit_for(account.network),
                "problem": network_problem(account.network, draft.media),
            }
            for account in draft.accounts
        ]
        when = plan_note = None
        if draft.skip_reason is None and status == "new":
            plan = planner.plan(
                route,
                zone,
                draft.account_ids,
                source_id,
                first_seen=planner.now,
                published=item.published,
            )
            moment = plan.scheduled_time or plan.due_at
            when, plan_note = isoformat_z(moment), plan.note
            if route.mode != "queue":
                planner.book(route.name, Booking(moment, frozenset(draft.account_ids), source_id))
        return DraftPreview(
            accounts=accounts,
            caption=draft.caption,
            first_comment=draft.first_comment,
            media=[m.url for m in draft.media],
            mode=route.mode,
            when=when,
            plan=plan_note,
            skip_reason=draft.skip_reason,
        )


class _ReadOnly:
    """A session on the store that is rolled back, never committed; ``None`` without a store.

    A store that is not there yet (no tables) counts as empty rather than being created.
    """

    def __init__(self, db: Database | None) -> None:
        self.db = db
        self.session: Session | None = None

    def __enter__(self) -> Session | None:
        if self.db is None:
            return None
        session = Session(self.db.engine)
        try:
            session.exec(select(SourceRecord.id).limit(1)).all()
        except sa.exc.DBAPIError:
            session.close()
            return None
        self.session = session
        return session

    def __exit__(self, *exc_info: object) -> None:
        if self.session is not None:
            self.session.rollback()
            self.session.close()


def _record(session: Session | None, name: str) -> SourceRecord | None:
    if session is None:
        return None
    return session.exec(select(SourceRecord).where(SourceRecord.name == name)).first()


def _seen(session: Session | None, source_id: int, item: Item) -> bool:
    if session is None or source_id < 0:
        return False
    query = select(ItemIdentity.id).where(
        ItemIdentity.source_id == source_id,
        ItemIdentity.identity.in_([identity_key(i) for i in item.identities()]),  # type: ignore[attr-defined]
    )
    return session.exec(query.limit(1)).first() is not None


def as_dict(previews: list[SourcePreview]) -> list[dict[str, Any]]:
    """The previews as JSON-ready dictionaries (``bridge preview --json``)."""
    from dataclasses import asdict

    return [asdict(preview) for preview in previews]
