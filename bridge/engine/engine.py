"""The Engine: one object that composes ingest, routing and publishing over one store.

``bridge sync --once`` calls :meth:`Engine.run_cycle` and :meth:`Engine.wait_until_final`;
``bridge run`` calls the finer steps (:meth:`fetch_source`, :meth:`publish`,
:meth:`poll_statuses`) from scheduler jobs. Every step that writes publications takes
:attr:`Engine.lock`, so two jobs never work on the same publication at once: the scheduler's
threads share one lock rather than trusting the database to sort out overlapping updates.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
from sqlmodel import col, select

from ..clock import SYSTEM_CLOCK, Clock
from ..store import Approval, Database, Publication, PublicationState, SourceRecord
from .directory import AccountDirectory, postoria_client
from .ingest import Ingestor
from .publisher import Publisher, StepReport
from .routing import Router

if TYPE_CHECKING:
    from ..config import BridgeConfig
    from ..postoria import PostoriaClient
    from ..sources import Source
    from .ingest import FetchSummary

log = logging.getLogger(__name__)

HANDED_OVER = frozenset({"scheduled", "queued"})
"""Postoria statuses meaning it holds the post for a later time: nothing to wait for now."""

_IDLE_WAIT = timedelta(seconds=1)
_MAX_WAIT = timedelta(seconds=30)


@dataclass
class CycleReport:
    """What one :meth:`Engine.run_cycle` did: fetches, new publications, publishing counts."""

    fetches: list[FetchSummary] = field(default_factory=list)
    new_publications: list[int] = field(default_factory=list)
    step: StepReport | None = None


class Engine:
    """Ingest, routing and publishing for one configuration, one database and one client.

    ``allow_private_media_hosts`` (or the ``engine.allow_private_media_hosts`` setting) lets the
    publisher download media from loopback or private addresses and upload it, for the demo,
    tests and local dry runs whose images are served locally; a real deployment leaves it off
    so a feed cannot make the bridge fetch internal URLs.
    """

    def __init__(
        self,
        config: BridgeConfig,
        db: Database,
        client: PostoriaClient,
        clock: Clock,
        source_types: dict[str, type[Source]],
        *,
        http: httpx.Client | None = None,
        allow_private_media_hosts: bool = False,
    ) -> None:
        self.config = config
        self.db = db
        self.client = client
        self.clock = clock
        self.source_types = source_types
        self.lock = threading.RLock()
        self.directory = AccountDirectory(client, db, clock)
        self.ingestor = Ingestor(db, config, source_types, clock, http=http)
        self.router = Router(db, config, self.directory, clock)
        self.publisher = Publisher(
            db,
            client,
            clock,
            config.engine,
            allow_private_media_hosts=(
                allow_private_media_hosts or config.engine.allow_private_media_hosts
            ),
        )
        self._prepared = False
        self._owned: list[Any] = []

    @classmethod
    def from_config(
        cls,
        config: BridgeConfig,
        *,
        clock: Clock = SYSTEM_CLOCK,
        allow_private_media_hosts: bool = False,
        source_types: dict[str, type[Source]] | None = None,
    ) -> Engine:
        """Build the database (migrated), the Postoria client and the source types from config.

        The engine owns what it builds here and releases it in :meth:`close`.
        """
        from .. import registry

        db = Database(config.database.url)
        client = postoria_client(config, clock)
        http = httpx.Client(
            timeout=config.engine.http_timeout.total_seconds(),
            headers={"User-Agent": config.engine.user_agent},
            follow_redirects=False,
        )
        types = source_types if source_types is not None else registry.source_types()
        engine = cls(
            config,
            db,
            client,
            clock,
            types,
            http=http,
            allow_private_media_hosts=allow_private_media_hosts,
        )
        engine._owned = [http, client, db]
        return engine

    # ---- preparation ----------------------------------------------------------------------

    def prepare(self) -> None:
        """Record the configured sources and resolve every route's workspace and accounts.

        Raises :class:`~bridge.errors.ConfigError` naming the route when a workspace, account
        or queue does not exist, before anything is fetched or posted.
        """
        with self.lock:
            self.ingestor.sync_sources()
            self.directory.refresh(self.config)
            self._prepared = True

    def refresh_accounts(self) -> None:
        """Re-resolve routes' accounts (names and networks change in Postoria over time)."""
        with self.lock:
            self.directory.refresh(self.config)

    def _ensure_prepared(self) -> None:
        if not self._prepared:
            self.prepare()

    # ---- the steps jobs call --------------------------------------------------------------

    def fetch_source(self, source_name: str) -> tuple[FetchSummary, list[int]]:
        """Fetch one source and route what is new: the fetch and the new publications.

        Never raises for the source's problems (they are in the summary). The fetch itself
        runs outside :attr:`lock`, so a slow blog never holds up publishing; routing takes it.
        Routing runs even when the fetch brought nothing: items stored by a process that
        stopped before routing them are still ``new``, and are routed now.
        """
        self._ensure_prepared()
        summary = self.ingestor.fetch(source_name)
        return summary, self.route()

    def fetch_due(self) -> list[FetchSummary]:
        """Fetch every source that is due (backoff honoured), without routing."""
        self._ensure_prepared()
        return [self.ingestor.fetch(name) for name in self.ingestor.due_sources()]

    def next_fetches(self) -> dict[str, datetime | None]:
        """When each enabled source is next due (``None``: now), by name."""
        with self.db.session() as session:
            records = session.exec(select(SourceRecord).where(col(SourceRecord.enabled))).all()
        return {record.name: record.next_fetch_at for record in records}

    def route(self) -> list[int]:
        """Turn new items into publications; returns the new publication IDs."""
        self._ensure_prepared()
        with self.lock:
            return self.router.route_new_items()

    def publish(self) -> int:
        """The publishing job's work: reconcile, media, creates, media checks. Returns a count."""
        self._ensure_prepared()
        with self.lock:
            done = 0
            for work in (
                self.publisher.reconcile_unknown,
                self.publisher.start_media,
                self.publisher.submit_due,
                self.publisher.check_media,
            ):
                try:
                    done += work()
                finally:
                    # Attempts are buffered by the client listener; store them (and each
                    # publication's requests_spent) after every unit of work, as step() does.
                    self.publisher.attempts.flush()
            return done

    def poll_statuses(self) -> int:
        """The status job's work: read results of submitted posts that are due a check."""
        self._ensure_prepared()
        with self.lock:
            try:
                return self.publisher.poll_statuses()
            finally:
                self.publisher.attempts.flush()

    def request_stop(self) -> None:
        """Ask running steps to end at the next publication boundary (any thread may call it).

        ``bridge run`` calls this on SIGTERM/SIGINT before waiting for its jobs, so a backlog
        of creates does not keep the process up for minutes; what is left is done by the next
        start. A request waiting for the budget (a media upload, a reconciliation listing) gives
        up as rate limited, which its caller retries later. It is never undone: the engine is
        shutting down.
        """
        self.publisher.stop_requested.set()
        self.client.stop_waiting.set()

    def step(self) -> StepReport:
        """One full publisher pass in priority order (see ``Publisher.step``)."""
        self._ensure_prepared()
        with self.lock:
            return self.publisher.step()

    # ---- one cycle, for `bridge sync --once` ------------------------------------------------

    def run_cycle(self) -> CycleReport:
        """Fetch due sources, route new items, and run one publisher pass."""
        fetches = self.fetch_due()
        new_ids = self.route()
        return CycleReport(fetches=fetches, new_publications=new_ids, step=self.step())

    def outstanding(
        self, publication_ids: Iterable[int] | None = None, *, horizon: datetime | None = None
    ) -> list[int]:
        """Publications that still need the bridge before ``horizon`` (``None`` ids: all).

        Final ones are done; so are posts Postoria holds (``scheduled`` or ``queued``) for a
        time after ``horizon``: their results come when that time comes, maybe days away.
        Publications waiting for a person are not counted either: those awaiting approval, and
        those whose lost create matched several posts (``unknown`` with no next check).
        """
        wanted = None if publication_ids is None else set(publication_ids)
        query = select(
            Publication.id,
            Publication.state,
            Publication.post_status,
            Publication.post_date,
            Publication.scheduled_time,
            Publication.next_check_at,
        ).where(
            col(Publication.state).not_in(PublicationState.FINAL),
            col(Publication.approval).in_((Approval.NOT_REQUIRED, Approval.APPROVED)),
        )
        with self.db.session() as session:
            rows = session.exec(query).all()
        return [
            pid
            for pid, state, post_status, post_date, scheduled, next_check in rows
            if pid is not None
            and (wanted is None or pid in wanted)
            and not (state == PublicationState.UNKNOWN and next_check is None)
            and not _handed_over(state, post_status, post_date or scheduled, horizon)
        ]

    def created_since(self, when: datetime) -> list[int]:
        """IDs of publications routed at or after ``when`` (skipped ones included)."""
        with self.db.session() as session:
            query = select(Publication.id).where(col(Publication.created_at) >= when)
            return [pid for pid in session.exec(query).all() if pid is not None]

    def wait_until_final(
        self, timeout: float | timedelta, publication_ids: Iterable[int] | None = None
    ) -> bool:
        """Step the publisher until nothing is outstanding, or ``timeout`` passes (→ ``False``).

        Sleeps on the engine's clock until the publisher's next wake-up (at most 30 s), so a
        simulated clock makes this instant. When a step found nothing it could do although
        work is overdue (the budget is spent), it waits for the budget instead of spinning.
        """
        limit = timeout if isinstance(timeout, timedelta) else timedelta(seconds=timeout)
        deadline = self.clock.now() + limit
        ids = None if publication_ids is None else list(publication_ids)
        idle = False
        while True:
            if not self.outstanding(ids, horizon=deadline):
                return True
            now = self.clock.now()
            if now >= deadline:
                return False
            wakeup = self.publisher.next_wakeup()
            pause = _IDLE_WAIT if wakeup is None else max(wakeup - now, timedelta())
            if idle and pause <= timedelta():
                budget_wait = timedelta(seconds=self.client.limiter.wait_time())
                pause = max(_IDLE_WAIT, budget_wait)
            pause = min(pause, _MAX_WAIT, deadline - now)
            if pause > timedelta():
                self.clock.sleep(pause.total_seconds())
            idle = _did_nothing(self.step())

    def next_wakeup(self) -> datetime | None:
        """When the publisher next has work (for sleeping schedulers and simulated clocks)."""
        return self.publisher.next_wakeup()

    def close(self) -> None:
        """Stop recording requests, then release the clients and database it built itself."""
        self.publisher.close()
        self.ingestor.close()
        for resource in self._owned:
            closer = getattr(resource, "close", None) or getattr(resource, "dispose", None)
            if closer is not None:
                try:
                    closer()
                except Exception:  # closing must not hide the error that got us here
                    log.debug("closing %r failed", resource, exc_info=True)
        self._owned = []

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _did_nothing(report: StepReport) -> bool:
    return report.total == 0


def _handed_over(
    state: str, post_status: str | None, when: datetime | None, horizon: datetime | None
) -> bool:
    if state != PublicationState.SUBMITTED or (post_status or "") not in HANDED_OVER:
        return False
    return horizon is None or when is None or when > horizon
