"""Routing: turn each new item into planned publications, one per route and distinct caption.

For every item with status ``new``, each route of its source decides (filters), renders the
caption for every account (one publication per distinct caption), picks the media and plans
the time. All of an item's publications and its ``routed`` status commit in one transaction,
and ``(item, route, variant)`` is unique, so routing the same item twice (a crash, two
processes) cannot create a second publication.

What cannot go out is still recorded, as a ``skipped`` publication with its reason (caption
too long, media required and missing, a network that needs media or video), so the dashboard
and ``bridge preview`` can say why instead of staying silent. Nothing here talks to Postoria.

Drafting (captions per account, media, network rules, one account per item) lives in
:mod:`bridge.engine.drafts`; this module holds the per-item loop that claims each new item,
plans its drafts and stores them as publications.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ..errors import ConfigError
from ..store import (
    Approval,
    ItemRecord,
    Publication,
    PublicationMedia,
    PublicationState,
    SourceRecord,
)
from .drafts import AccountClaims, Draft
from .filters import evaluate, same_link_claims
from .ingest import item_from_record
from .planning import Booking, Plan, Planner, PlanningError

if TYPE_CHECKING:
    from ..clock import Clock
    from ..config import BridgeConfig, RouteConfig
    from ..store import Database
    from .directory import AccountDirectory, RouteTarget

log = logging.getLogger(__name__)

NO_ROUTE = "no matching route"
BATCH = 200


def publication_options(
    route: RouteConfig, target: RouteTarget, draft: Draft, plan: Plan | None
) -> dict[str, Any]:
    """What the publisher needs besides the columns: Postoria options and planning notes.

    The workspace's time zone is kept so an approval given late can re-plan slots without
    asking Postoria again.
    """
    repost = None
    if route.repost is not None:
        repost = {k: v for k, v in route.repost.model_dump(mode="json").items() if v is not None}
    return {
        "media": route.media,
        "repost": repost,
        "youtube": route.youtube,
        "tiktok": route.tiktok,
        "comment_delay": route.comment_delay,
        "content_type": route.content_type,
        "lengths": draft.lengths,
        "plan": plan.note if plan else None,
        "timezone": target.timezone,
    }


class Router:
    """Routes new items into publications; see the module docstring."""

    def __init__(
        self, db: Database, config: BridgeConfig, directory: AccountDirectory, clock: Clock
    ) -> None:
        self.db = db
        self.config = config
        self.directory = directory
        self.clock = clock
        self._source_names: dict[int | None, str] = {}

    def route_new_items(self) -> list[int]:
        """Route every item with status ``new``; return the IDs of publications created."""
        created: list[int] = []
        after = 0
        while True:
            with self.db.session() as session:
                ids = session.exec(
                    select(ItemRecord.id)
                    .where(ItemRecord.status == "new", ItemRecord.id > after)  # type: ignore[operator]
                    .order_by(ItemRecord.id)
                    .limit(BATCH)
                ).all()
                names = dict(session.exec(select(SourceRecord.id, SourceRecord.name)).all())
                self._source_names = names
            # One planner per batch: it reads each route's bookings once and adds every
            # publication planned since, so a burst is paced without re-reading the store.
            planner = Planner(None, self.clock.now())
            for item_id in ids:
                assert item_id is not None
                done = self._route_one(item_id, names, planner)
                if done is None:  # rolled back: what the planner booked for it is void
                    planner = Planner(None, self.clock.now())
                else:
                    created += done
            if len(ids) < BATCH:
                return created
            after = ids[-1] or after

    def _route_one(
        self, item_id: int, source_names: dict[int | None, str], planner: Planner
    ) -> list[int] | None:
        """The publications created for one item; ``None`` when its transaction rolled back."""
        try:
            with self.db.session() as session:
                # Claim the item first (compare-and-set, rolled back with everything else on
                # failure): a second router waits here for the first to commit and then finds
                # nothing to do, even if it would have grouped the accounts differently.
                claim = session.execute(
                    sa.update(ItemRecord)
                    .where(col(ItemRecord.id) == item_id, col(ItemRecord.status) == "new")
                    .values(status="routed")
                )
                row = session.get(ItemRecord, item_id)
                if claim.rowcount != 1 or row is None:  # type: ignore[attr-defined]
                    return []  # routed meanwhile by another process
                planner.session = session
                name = source_names.get(row.source_id, "")
                return self._route_row(session, row, name, planner)
        except sa.exc.IntegrityError:
            log.info("item %d was routed concurrently; keeping the other router's work", item_id)
            return None
        except (ConfigError, PlanningError) as exc:
            log.error("item %d not routed yet: %s", item_id, exc)
            return None
        except sa.exc.SQLAlchemyError:
            raise
        except Exception as exc:
            # A bug met on one item must not block every item after it, cycle after cycle:
            # the item is set aside with the error for someone to look at.
            log.exception("item %d could not be routed", item_id)
            self._set_aside(item_id, f"routing failed: {type(exc).__name__}: {exc}")
            return None
        finally:
            planner.session = None

    def _set_aside(self, item_id: int, reason: str) -> None:
        with self.db.session() as session:
            session.execute(
                sa.update(ItemRecord)
                .where(col(ItemRecord.id) == item_id, col(ItemRecord.status) == "new")
                .values(status="error", status_reason=reason[:1000])
            )

    def _route_row(
        self, session: Session, row: ItemRecord, source_name: str, planner: Planner
    ) -> list[int]:
        item = item_from_record(row)
        now = self.clock.now()
        rejected: list[str] = []
        taken: list[tuple[RouteConfig, RouteTarget]] = []
        for route in self.config.routes_for(source_name):
            decision = evaluate(route, item)
            if decision.accepted:
                taken.append((route, self.directory.route_target(route.name)))
            else:
                rejected.append(f"{route.name} {decision.reason}")
        created: list[int] = []
        source_ids = {name: id_ for id_, name in self._source_names.items()}
        related = {source_ids[s] for route, _ in taken for s in route.sources if s in source_ids}
        assert row.id is not None
        claims = AccountClaims(
            same_link_claims(session, row.id, row.source_id, row.link, sorted(related), now)
            if taken
            else {}
        )
        for route, target in taken:
            for draft in claims.drafts(route, item, target, source_name):
                publication = self._insert(session, planner, row, route, target, draft, now)
                if publication is not None and publication.state == PublicationState.PENDING:
                    assert publication.id is not None
                    created.append(publication.id)
        row.status = "routed"
        if taken:
            row.status_reason = f"routed to {', '.join(route.name for route, _ in taken)}"
        else:
            row.status_reason = NO_ROUTE + (f": {'; '.join(rejected)}" if rejected else "")
        session.add(row)
        return created

    def _insert(
        self,
        session: Session,
        planner: Planner,
        row: ItemRecord,
        route: RouteConfig,
        target: RouteTarget,
        draft: Draft,
        now: Any,
    ) -> Publication | None:
        existing = session.exec(
            select(Publication).where(
                Publication.item_id == row.id,
                Publication.route == route.name,
                Publication.variant == draft.variant,
            )
        ).first()
        if existing is not None:
            return None
        plan = None
        if draft.skip_reason is None:
            plan = planner.plan(
                route,
                target.zone,
                draft.account_ids,
                row.source_id,
                first_seen=row.first_seen_at or now,
                published=row.published,
            )
            if route.mode != "queue":
                when = plan.scheduled_time or plan.due_at
                planner.book(route.name, Booking(when, frozenset(draft.account_ids), row.source_id))
        publication = Publication(
            item_id=row.id,
            source_id=row.source_id,
            route=route.name,
            variant=draft.variant,
            workspace_id=target.workspace_id,
            account_ids=draft.account_ids,
            networks=draft.networks,
            mode=route.mode,
            queue_id=target.queue_id if route.mode == "queue" else None,
            scheduled_time=plan.scheduled_time if plan else None,
            due_at=plan.due_at if plan else None,
            caption=draft.caption,
            first_comment=draft.first_comment,
            link_url=draft.link_url,
            options=publication_options(route, target, draft, plan),
            state=PublicationState.SKIPPED if draft.skip_reason else PublicationState.PENDING,
            state_reason=draft.skip_reason,
            approval=Approval.PENDING if route.approval else Approval.NOT_REQUIRED,
            final_at=now if draft.skip_reason else None,
            created_at=now,
            updated_at=now,
        )
        session.add(publication)
        session.flush()
        assert publication.id is not None
        if plan is not None:
            for position, media in enumerate(draft.media):
                session.add(
                    PublicationMedia(
                        publication_id=publication.id,
                        position=position,
                        source_url=media.url,
                        kind=media.kind,
                        state="pending",
                    )
                )
        return publication
