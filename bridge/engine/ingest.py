"""Ingest: poll each source through its plugin and store every item exactly once.

One :class:`Ingestor` serves every configured source. ``fetch(name)`` asks the source's plugin
for its current items, then, in one transaction, stores the items never seen before, saves the
new cursor and finishes the :class:`~bridge.store.FetchRecord`. The cursor and the items commit
together: a crash between them can neither lose items (cursor saved, items not) nor repeat
them (the seen-set makes a re-read harmless).

Deduplication (:class:`SeenSet`): an item is new only if none of its identities
(guid, link alias, content hash) was ever recorded for the source, and identities are never
forgotten, so edits, reorders, re-dating or a new guid on the same link never make an item new
again.

Source problems never escape ``fetch``: a broken feed, an HTML page where a feed was, or a
plugin that crashes is recorded on the fetch and the source, and the source backs off
exponentially (with jitter, capped at :data:`MAX_BACKOFF`) while the others keep going.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import random
import re
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
import sqlalchemy as sa
from sqlmodel import Session, select

from ..clock import utc
from ..errors import BridgeError, ConfigError, SourceError, SourceGoneError
from ..registry import enrich_item
from ..sources import FetchResult, Item, MediaCandidate, Problem, Source, SourceContext
from ..store import FetchRecord, ItemIdentity, ItemRecord, SourceRecord

if TYPE_CHECKING:
    from ..clock import Clock
    from ..config import BridgeConfig, SourceConfig
    from ..store import Database

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)
"""The longest a failing source waits between attempts."""

MIN_BACKOFF = timedelta(minutes=1)
"""The first retry after a failure waits at least this long (or the poll interval if longer)."""

MAX_PROBLEMS_KEPT = 100
"""Problems stored per fetch; a feed with thousands of bad entries should not bloat the row."""

INTERRUPTED = "interrupted: the bridge stopped during this fetch"

_STORE_ATTEMPTS = 3
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


@dataclass(frozen=True)
class FetchSummary:
    """What one fetch of one source did, for logs, the CLI and the engine's run summary.

    ``outcome`` is ``ok``, ``not_modified``, ``error`` or ``disabled``.
    """

    source: str
    outcome: str
    items_seen: int = 0
    items_new: int = 0
    problems: list[Problem] = field(default_factory=list)
    error: str | None = None


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

    def close(self) -> None:
        """Close the HTTP client if this ingestor made it."""
        if self._own_http:
            self.http.close()

    # -- configured sources ------------------------------------------------------------

    def sync_sources(self) -> None:
        """Validate every source's options, build its plugin, and upsert its SourceRecord.

        Raises :class:`~bridge.errors.ConfigError` (with file, line and key) when a source
        names an unknown type or has invalid options; nothing is stored in that case.
        """
        from ..config import validate_source_options

        options = validate_source_options(self.config, self.source_types)
        now = self.clock.now()
        data_dir = str(self.config.engine.data_dir) if self.config.engine.data_dir else None
        built: dict[str, Source] = {}
        for source_config in self.config.sources:
            if source_config.name not in options:
                continue  # disabled, and its plugin is not installed
            source_type = self.source_types[source_config.type]
            context = SourceContext(source_config.name, self.clock, self.http, data_dir)
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


def backoff_delay(failures: int, interval: timedelta, rng: random.Random) -> timedelta:
    """How long a source waits after ``failures`` consecutive failures.

    Doubles from the larger of :data:`MIN_BACKOFF` and the poll interval, capped at
    :data:`MAX_BACKOFF`, then jittered down by up to a quarter so sources that failed together
    (a shared host down) do not all retry in the same second.
    """
    base = max(MIN_BACKOFF, interval)
    exponent = min(max(failures - 1, 0), 20)
    delay = min(MAX_BACKOFF, base * (2**exponent))
    return delay * (1 - 0.25 * rng.random())


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


def _record_named(session: Session, name: str) -> SourceRecord | None:
    return session.exec(select(SourceRecord).where(SourceRecord.name == name)).first()


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


def _problem_dict(problem: Problem) -> dict[str, Any]:
    return {
        "message": _redact(problem.message),
        "level": problem.level,
        "where": _redact(problem.where) if problem.where else None,
    }


def _describe_exception(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _redact(text: str) -> str:
    """Drop ``user:password@`` from any URL in ``text``: errors are shown and stored."""
    return _USERINFO.sub("***@", text)


# -- the seen-set ------------------------------------------------------------------------

_IDENTITY_MAX = 2000  # the identity and external_id columns' size


class SeenSet:
    """The never-evicting record of every identity a source's items were seen under.

    Within one batch, an identity carried by several different items (two entries sharing a
    content hash, a guid a broken CMS gives every entry) says nothing about which item is
    which, so it is neither used to match nor recorded; the items' other identities are.
    The unique constraints on identities and external IDs remain the last line of defence
    against a concurrent writer.
    """

    def __init__(self, session: Session, source_id: int) -> None:
        self.session = session
        self.source_id = source_id
        self._pending: dict[int, list[str]] = {}
        self._rows: list[tuple[Item, ItemRecord]] = []

    def new_items(self, items: list[Item]) -> list[Item]:
        """The items none of whose identities was seen; new identities of seen ones recorded."""
        batch = _distinct(items)
        identities = [_identity_keys(item) for item in batch]
        counts: dict[str, int] = {}
        for keys in identities:
            for key in keys:
                counts[key] = counts.get(key, 0) + 1
        known = self._known(
            [k for keys in identities for k in keys], [_key(i.external_id) for i in batch]
        )
        new: list[Item] = []
        for item, keys in zip(batch, identities, strict=True):
            usable = [key for key in keys if counts[key] == 1]
            matched = sorted({known[key] for key in keys if key in known})
            if not matched:
                self._pending[id(item)] = usable
                new.append(item)
                continue
            for key in usable:
                if key not in known:
                    self.session.add(
                        ItemIdentity(source_id=self.source_id, identity=key, item_id=matched[0])
                    )
                    known[key] = matched[0]
        return new

    def store(self, item: Item, row: ItemRecord) -> None:
        """Queue a new item's row; :meth:`flush` inserts it and records its identities."""
        self._rows.append((item, row))

    def flush(self) -> None:
        """Insert the queued rows in one batch, then their identities in another."""
        self.session.add_all([row for _, row in self._rows])
        self.session.flush()
        for item, row in self._rows:
            assert row.id is not None
            keys = self._pending.pop(id(item), None) or [row.external_id]
            for key in dict.fromkeys([row.external_id, *keys]):
                self.session.add(
                    ItemIdentity(source_id=self.source_id, identity=key, item_id=row.id)
                )
        self._rows = []

    def _known(self, identities: list[str], external_ids: list[str]) -> dict[str, int]:
        """Item IDs of the given identities (and of stored external IDs) already recorded."""
        found: dict[str, int] = {}
        for chunk in _chunks(sorted(set(identities)), 500):
            query = select(ItemIdentity.identity, ItemIdentity.item_id).where(
                ItemIdentity.source_id == self.source_id, ItemIdentity.identity.in_(chunk)
            )
            found.update(dict(self.session.exec(query).all()))
        for chunk in _chunks(sorted(set(external_ids)), 500):
            query = select(ItemRecord.external_id, ItemRecord.id).where(
                ItemRecord.source_id == self.source_id, ItemRecord.external_id.in_(chunk)
            )
            for external_id, item_id in self.session.exec(query).all():
                found.setdefault(external_id, item_id)
        return found


def _distinct(items: list[Item]) -> list[Item]:
    """Drop exact repeats within a batch; tell apart different items sharing an external ID.

    Connectors should give distinct items distinct IDs; when one does not, the engine keeps
    both rather than lose one, suffixing the content fingerprint as the RSS connector does.
    """
    by_id: dict[str, str] = {}
    kept: list[Item] = []
    for item in items:
        fingerprint = item.fingerprint()
        previous = by_id.get(item.external_id)
        if previous == fingerprint:
            continue
        if previous is not None:
            item = dataclasses.replace(item, external_id=f"{item.external_id} [{fingerprint[:16]}]")
            if by_id.get(item.external_id) == fingerprint:
                continue
        by_id.setdefault(item.external_id, fingerprint)
        kept.append(item)
    return kept


def _identity_keys(item: Item) -> list[str]:
    return list(dict.fromkeys(_key(identity) for identity in item.identities()))


def _key(identity: str) -> str:
    """An identity as stored: NUL-free, and hashed when longer than the column allows."""
    identity = identity.replace("\x00", "")
    if len(identity) <= _IDENTITY_MAX:
        return identity
    return "long-sha256:" + hashlib.sha256(identity.encode("utf-8", "replace")).hexdigest()


def _chunks(values: list[str], size: int) -> list[list[str]]:
    return [values[start : start + size] for start in range(0, len(values), size)]


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


# -- items in the store ------------------------------------------------------------------


def record_from_item(
    item: Item, source_id: int, now: datetime, status: str, reason: str | None
) -> ItemRecord:
    """The row storing every normalized field of ``item`` (NUL characters removed)."""
    return ItemRecord(
        source_id=source_id,
        external_id=_key(item.external_id),
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
