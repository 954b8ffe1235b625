"""The :class:`Ingestor`: one fetch of one source, its outcome recorded, failures backed off.

What a fetch returns and records (:class:`~bridge.engine.ingest.outcome.FetchSummary`, the
backoff delay, text made safe to store) lives in :mod:`bridge.engine.ingest.outcome`.
"""

from __future__ import annotations

import logging
import random
import traceback
from concurrent.futures import Executor
from datetime import datetime
from typing import TYPE_CHECKING

import httpx
import sqlalchemy as sa
from sqlmodel import Session, select

from ...errors import BridgeError, ConfigError, SourceError, SourceGoneError
from ...registry import enrich_item
from ...sources import FetchResult, Item, Problem, Source, SourceContext
from ...store import FetchRecord, SourceRecord
from ...workers import parse_pool, worker_count
from .items import initial_statuses, record_from_item, valid_items
from .outcome import (
    INTERRUPTED,
    MAX_PROBLEMS_KEPT,
    FetchSummary,
    _describe_exception,
    _problem_dict,
    _record_named,
    _redact,
    backoff_delay,
)
from .seen import SeenSet

if TYPE_CHECKING:
    from ...clock import Clock
    from ...config import BridgeConfig, SourceConfig
    from ...store import Database

log = logging.getLogger(__name__)

_STORE_ATTEMPTS = 3


class Ingestor:
    """Polls configured sources and stores their items once.

    Built with the database, the configuration, the registered source types, a clock and
    optionally the ``httpx.Client`` sources should use (one is made from the engine settings
    otherwise, and closed by :meth:`close`). ``rng`` makes backoff jitter reproducible.
    """

    def __init__(
        self,
        db: Database,
        config: BridgeConfig,
        source_types: dict[str, type[Source]],
        clock: Clock,
        http: httpx.Client | None = None,
        *,
        rng: random.Random | None = None,
    ) -> None:
        self.db = db
        self.config = config
        self.source_types = source_types
        self.clock = clock
        self._own_http = http is None
        self.http = http or httpx.Client(
            timeout=config.engine.http_timeout.total_seconds(),
            headers={"User-Agent": config.engine.user_agent},
        )
        self.rng = rng or random.Random()
        self._sources: dict[str, Source] = {}
        self._workers: Executor | None = None
        self._workers_made = False

    def close(self) -> None:
        """Close the HTTP client if this ingestor made it, and stop the parse workers."""
        if self._own_http:
            self.http.close()
        if self._workers is not None:
            self._workers.shutdown(wait=True, cancel_futures=True)
            self._workers = None

    def _parse_workers(self) -> Executor | None:
        """The process pool sources parse in, started once (see :mod:`bridge.workers`)."""
        if not self._workers_made:
            enabled = sum(1 for source in self.config.sources if source.enabled)
            count = worker_count(self.config.engine.parse_workers, enabled)
            self._workers = parse_pool(count)
            self._workers_made = True
        return self._workers

    # -- configured sources ------------------------------------------------------------

    def sync_sources(self) -> None:
        """Validate every source's options, build its plugin, and upsert its SourceRecord.

        Raises :class:`~bridge.errors.ConfigError` (with file, line and key) when a source
        names an unknown type or has invalid options; nothing is stored in that case.
        """
        from ...config import validate_source_options

        options = validate_source_options(self.config, self.source_types)
        now = self.clock.now()
        data_dir = str(self.config.engine.data_dir) if self.config.engine.data_dir else None
        built: dict[str, Source] = {}
        for source_config in self.config.sources:
            if source_config.name not in options:
                continue  # disabled, and its plugin is not installed
            source_type = self.source_types[source_config.type]
            context = SourceContext(
                source_config.name, self.clock, self.http, data_dir, self._parse_workers()
            )
            try:
                built[source_config.name] = source_type(options[source_config.name], context)
            except Exception as exc:
                raise ConfigError(
                    f"the {source_config.type!r} plugin could not set up this source: "
                    f"{_describe_exception(exc)}",
                    file=str(self.config.path),
                    key=f"sources[{self.config.sources.index(source_config)}]",
                ) from exc
        with self.db.session() as session:
            for name, source in built.items():
                self._upsert_record(session, self.config.source(name), source, now)
        self._sources = built

    def _upsert_record(
        self, session: Session, source_config: SourceConfig, source: Source, now: datetime
    ) -> None:
        record = _record_named(session, source_config.name)
        if record is None:
            record = SourceRecord(
                name=source_config.name,
                type=source_config.type,
                location=_redact(source.describe()),
                created_at=now,
                next_fetch_at=now,
            )
        elif record.type != source_config.type:
            # A different plugin reads this name now: its cursor means nothing to it. The
            # seen-set stays, so items the old type stored are still not posted again.
            record.type = source_config.type
            record.cursor = {}
            record.location = _redact(source.describe())
        session.add(record)

    def due_sources(self) -> list[str]:
        """Names of enabled sources whose next fetch time has come, soonest first.

        A source disabled in the config or by its plugin (410 Gone), or backing off after
        errors, is not due.
        """
        wanted = {s.name for s in self.config.sources if s.enabled and s.name in self._sources}
        now = self.clock.now()
        with self.db.session() as session:
            records = session.exec(select(SourceRecord).where(SourceRecord.enabled)).all()
        due = [
            r
            for r in records
            if r.name in wanted and (r.next_fetch_at is None or r.next_fetch_at <= now)
        ]
        due.sort(key=lambda r: (r.next_fetch_at or now, r.name))
        return [r.name for r in due]

    def enable(self, source_name: str) -> None:
        """Re-enable a source its plugin disabled (after a 410), due for a fetch now."""
        with self.db.session() as session:
            record = _record_named(session, source_name)
            if record is None:
                raise BridgeError(f"no source named {source_name!r} has been stored yet")
            record.enabled = True
            record.disabled_reason = None
            record.consecutive_failures = 0
            record.next_fetch_at = self.clock.now()
            session.add(record)

    # -- fetching ----------------------------------------------------------------------

    def fetch(self, source_name: str) -> FetchSummary:
        """Fetch one source and store what is new; never raises for the source's problems.

        Database failures do raise (:class:`~bridge.errors.StoreError` or SQLAlchemy's),
        since nothing sensible can continue without the store.
        """
        if source_name not in self._sources:
            self.sync_sources()
        source = self._sources.get(source_name)
        if source is None:
            return FetchSummary(source_name, "disabled", error="not a configured source")
        if not self.config.source(source_name).enabled:
            return FetchSummary(source_name, "disabled", error="disabled in the configuration")
        started = self.clock.now()
        with self.db.session() as session:
            record = _record_named(session, source_name)
            if record is None or not record.enabled:
                reason = record.disabled_reason if record else "not stored"
                return FetchSummary(source_name, "disabled", error=reason)
            # A fetch still "running" was cut short by a stop or crash: say so before starting.
            session.execute(
                sa.update(FetchRecord)
                .where(
                    FetchRecord.source_id == record.id,  # type: ignore[arg-type]
                    FetchRecord.outcome == "running",  # type: ignore[arg-type]
                )
                .values(outcome="error", error=INTERRUPTED, finished_at=started)
            )
            fetch_row = FetchRecord(source_id=record.id, started_at=started, outcome="running")
            session.add(fetch_row)
            session.flush()
            fetch_id, cursor = fetch_row.id, dict(record.cursor)
        try:
            result = source.fetch(cursor)
        except SourceGoneError as exc:
            return self._finish_disabled(source_name, fetch_id, str(exc))
        except SourceError as exc:
            return self._finish_error(source_name, fetch_id, str(exc))
        except Exception as exc:
            log.warning(
                "source %r: plugin %s raised\n%s",
                source_name,
                type(source).__module__,
                traceback.format_exc(),
            )
            message = (
                f"the {source.type_name!r} plugin ({type(source).__module__}) failed: "
                f"{_describe_exception(exc)}"
            )
            return self._finish_error(source_name, fetch_id, message)
        if result.disable_reason:
            return self._finish_disabled(source_name, fetch_id, result.disable_reason)
        return self._finish_ok(source_name, fetch_id, result)

    def _finish_ok(self, name: str, fetch_id: int | None, result: FetchResult) -> FetchSummary:
        enriched: dict[int, Problem | None] = {}  # by id(item): hooks run once per item
        for attempt in range(_STORE_ATTEMPTS):
            problems = list(result.problems)
            try:
                with self.db.session() as session:
                    new = self._store_result(session, name, fetch_id, result, problems, enriched)
                break
            except sa.exc.IntegrityError:
                # Another process stored some of these items first: the unique constraints
                # stopped the duplicates. Read again; they are seen now.
                if attempt == _STORE_ATTEMPTS - 1:
                    raise
                log.info("source %r: concurrent insert detected, re-reading the seen-set", name)
        outcome = "not_modified" if result.not_modified else "ok"
        log.info("source %r: %s, %d items, %d new", name, outcome, len(result.items), new)
        return FetchSummary(name, outcome, len(result.items), new, problems)

    def _store_result(
        self,
        session: Session,
        name: str,
        fetch_id: int | None,
        result: FetchResult,
        problems: list[Problem],
        enriched: dict[int, Problem | None],
    ) -> int:
        now = self.clock.now()
        source_config = self.config.source(name)
        record = _record_named(session, name)
        assert record is not None and record.id is not None
        stored = 0
        if not result.not_modified:
            seen = SeenSet(session, record.id)
            new_items = seen.new_items(valid_items(result.items, problems))
            statuses = initial_statuses(
                new_items, source_config, first_run=not record.initialized, now=now
            )
            # Stored oldest first, so routing (which goes by ID) posts a burst in the order
            # it was published; sources list newest first.
            pairs = list(zip(new_items, statuses, strict=True))
            for item, (status, reason) in reversed(pairs):
                if id(item) not in enriched:
                    enriched[id(item)] = _enrich(item, name, record.type)
                problem = enriched[id(item)]
                if problem:
                    problems.append(problem)
                try:
                    row = record_from_item(item, record.id, now, status, reason)
                except (AttributeError, TypeError, ValueError) as exc:
                    where = item.link or item.external_id
                    problems.append(Problem(f"item not stored: {exc}", level="error", where=where))
                    continue
                seen.store(item, row)
                stored += 1
            seen.flush()
            record.initialized = True
        if result.new_location:
            record.location = _redact(result.new_location)
        record.cursor = dict(result.cursor)
        record.last_fetch_at = now
        record.last_success_at = now
        record.consecutive_failures = 0
        record.last_error = None
        record.next_fetch_at = now + source_config.interval
        session.add(record)
        self._close_fetch(
            session,
            fetch_id,
            "not_modified" if result.not_modified else "ok",
            seen_count=len(result.items),
            new_count=stored,
            problems=problems,
        )
        return stored

    def _finish_error(self, name: str, fetch_id: int | None, message: str) -> FetchSummary:
        now = self.clock.now()
        message = _redact(message)
        interval = self.config.source(name).interval
        with self.db.session() as session:
            record = _record_named(session, name)
            assert record is not None
            record.consecutive_failures += 1
            record.last_error = message
            record.last_fetch_at = now
            record.next_fetch_at = now + backoff_delay(
                record.consecutive_failures, interval, self.rng
            )
            session.add(record)
            self._close_fetch(session, fetch_id, "error", error=message)
        log.warning("source %r: %s", name, message)
        return FetchSummary(name, "error", error=message)

    def _finish_disabled(self, name: str, fetch_id: int | None, reason: str) -> FetchSummary:
        now = self.clock.now()
        reason = _redact(reason)
        with self.db.session() as session:
            record = _record_named(session, name)
            assert record is not None
            record.enabled = False
            record.disabled_reason = reason
            record.last_error = reason
            record.last_fetch_at = now
            record.next_fetch_at = None
            session.add(record)
            self._close_fetch(session, fetch_id, "disabled", error=reason)
        log.warning("source %r disabled: %s", name, reason)
        return FetchSummary(name, "disabled", error=reason)

    def _close_fetch(
        self,
        session: Session,
        fetch_id: int | None,
        outcome: str,
        *,
        seen_count: int = 0,
        new_count: int = 0,
        problems: list[Problem] | None = None,
        error: str | None = None,
    ) -> None:
        row = session.get(FetchRecord, fetch_id)
        if row is None:
            return
        row.finished_at = self.clock.now()
        row.outcome = outcome
        row.items_seen = seen_count
        row.items_new = new_count
        row.problems = [_problem_dict(p) for p in (problems or [])[:MAX_PROBLEMS_KEPT]]
        row.error = error
        session.add(row)


def _enrich(item: Item, source_name: str, source_type: str) -> Problem | None:
    """Run the ``enrich_item`` hooks; a failing plugin is a problem, not a lost item."""
    try:
        enrich_item(item, source_name, source_type)
    except Exception as exc:
        log.warning("enrich_item failed for %r: %s", item.external_id, exc, exc_info=True)
        return Problem(
            f"an enrich_item plugin failed: {_describe_exception(exc)}; stored unenriched",
            level="warning",
            where=item.link or item.external_id,
        )
    return None
