"""The approval gate: publications of routes with ``approval = true`` wait for a person.

Routing creates them with approval ``pending``; the publisher leaves them alone until they are
``approved``. Rejecting one cancels it for good. Both decisions are compare-and-set updates
(``WHERE approval = 'pending' AND state = 'pending'``), so a decision can never land on a
publication that something else has already moved, and two people deciding at once cannot
both win.

An approval that comes after the publication's planned time re-plans it from now, under the
route's pacing, rather than sending a burst of overdue posts at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ..errors import BridgeError
from ..store import Approval, ItemRecord, Publication, PublicationMedia, PublicationState
from .planning import SCHEDULE_LEAD, Planner

if TYPE_CHECKING:
    from ..clock import Clock
    from ..config import BridgeConfig
    from ..store import Database


class ApprovalError(BridgeError):
    """The publication does not exist or is not waiting for approval."""

    title = "Approval"


@dataclass(frozen=True)
class AwaitingApproval:
    """A publication as a person deciding on it needs to see it."""

    id: int
    route: str
    item_title: str
    item_link: str | None
    networks: list[str]
    account_ids: list[int]
    mode: str
    due_at: datetime | None
    scheduled_time: datetime | None
    caption: str
    first_comment: str | None
    media: list[str]
    approval: str
    state: str
    decided_by: str | None


@dataclass(frozen=True)
class Decision:
    """What happened to one publication ID given to approve or reject."""

    id: int
    ok: bool
    message: str


class Approvals:
    """Lists, approves and rejects publications held for approval."""

    def __init__(self, db: Database, config: BridgeConfig, clock: Clock) -> None:
        self.db = db
        self.config = config
        self.clock = clock

    def pending(self) -> list[AwaitingApproval]:
        """Publications waiting for a decision, oldest first."""
        with self.db.session() as session:
            rows = session.exec(
                select(Publication)
                .where(
                    Publication.approval == Approval.PENDING,
                    Publication.state == PublicationState.PENDING,
                )
                .order_by(col(Publication.id))
            ).all()
            return [_view(session, row) for row in rows]

    def get(self, publication_id: int) -> AwaitingApproval:
        """One publication, whatever its approval; ApprovalError when there is none."""
        with self.db.session() as session:
            row = session.get(Publication, publication_id)
            if row is None:
                raise ApprovalError(f"there is no publication #{publication_id}")
            return _view(session, row)

    def approve(self, ids: list[int], by: str) -> list[Decision]:
        """Approve each publication; overdue ones are re-planned from now."""
        return [self._decide(publication_id, by, approve=True) for publication_id in ids]

    def reject(self, ids: list[int], by: str) -> list[Decision]:
        """Reject each publication: cancelled, with ``rejected by NAME`` as the reason."""
        return [self._decide(publication_id, by, approve=False) for publication_id in ids]

    def _decide(self, publication_id: int, by: str, *, approve: bool) -> Decision:
        now = self.clock.now()
        with self.db.session() as session:
            row = session.get(Publication, publication_id)
            if row is None:
                return Decision(publication_id, False, f"there is no publication #{publication_id}")
            values: dict[str, object] = {"decided_by": by, "decided_at": now, "updated_at": now}
            note = ""
            if approve:
                values["approval"] = Approval.APPROVED
                replanned = self._replan(session, row, now)
                values.update(replanned)
                if replanned:
                    note = " (its time had passed: re-planned)"
            else:
                values["approval"] = Approval.REJECTED
                values["state"] = PublicationState.CANCELLED
                values["state_reason"] = f"rejected by {by}"
                values["final_at"] = now
            result = session.execute(
                sa.update(Publication)
                .where(
                    col(Publication.id) == publication_id,
                    col(Publication.approval) == Approval.PENDING,
                    col(Publication.state) == PublicationState.PENDING,
                )
                .values(**values)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return Decision(
                    publication_id,
                    False,
                    f"publication #{publication_id} is not waiting for approval "
                    f"(approval: {row.approval}, state: {row.state})",
                )
        verb = "approved" if approve else "rejected"
        return Decision(publication_id, True, f"publication #{publication_id} {verb}{note}")

    def _replan(self, session: Session, row: Publication, now: datetime) -> dict[str, object]:
        """New times for a publication whose time passed while it waited; empty if not."""
        if row.mode == "queue":
            return {}
        if row.mode == "schedule":
            if row.scheduled_time is None or row.scheduled_time >= now + SCHEDULE_LEAD:
                return {}
        elif row.due_at is None or row.due_at >= now:
            return {}
        route = next((r for r in self.config.routes if r.name == row.route), None)
        if route is None:  # the route left the config: go now, with no pacing to honour
            return {
                "due_at": now,
                "scheduled_time": now + SCHEDULE_LEAD if row.scheduled_time else None,
            }
        item = session.get(ItemRecord, row.item_id)
        plan = Planner(session, now).plan(
            route,
            _zone(row.options.get("timezone")),
            list(row.account_ids),
            row.source_id,
            first_seen=now,
            published=item.published if item else None,
            exclude_id=row.id,
        )
        return {"due_at": plan.due_at, "scheduled_time": plan.scheduled_time}


def _zone(name: object) -> ZoneInfo:
    try:
        return ZoneInfo(str(name)) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _view(session: Session, row: Publication) -> AwaitingApproval:
    assert row.id is not None
    item = session.get(ItemRecord, row.item_id)
    media = session.exec(
        select(PublicationMedia.source_url)
        .where(PublicationMedia.publication_id == row.id)
        .order_by(col(PublicationMedia.position))
    ).all()
    return AwaitingApproval(
        id=row.id,
        route=row.route,
        item_title=item.title if item else "",
        item_link=item.link if item else None,
        networks=list(row.networks),
        account_ids=list(row.account_ids),
        mode=row.mode,
        due_at=row.due_at,
        scheduled_time=row.scheduled_time,
        caption=row.caption,
        first_comment=row.first_comment,
        media=list(media),
        approval=row.approval,
        state=row.state,
        decided_by=row.decided_by,
    )
