"""The scheduler jobs of ``bridge run``: one per source, one for publishing, one for statuses.

APScheduler 3.x runs them on a thread pool. Each job has a stable id (``source:NAME``,
``publish``, ``status``, ``accounts``) and is added with ``replace_existing=True``,
``coalesce=True`` and ``max_instances=1``: a job that falls behind runs once, not once per
missed tick, and never overlaps itself. Jobs that write publications take the engine's lock
(see :class:`bridge.engine.engine.Engine`), so publishing and status polling never touch
the same publication at once. Fetching a feed happens outside the lock, so a slow blog does
not hold up publishing; only routing its new items takes the lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from sqlmodel import select

from ..store import SourceRecord
from .summary import collect_summary, describe_outcome, finished_since

if TYPE_CHECKING:
    from .engine import Engine

log = logging.getLogger(__name__)

# APScheduler logs a warning each time a tick finds the job still running (expected with
# coalesce and max_instances=1) and its own copy of every job error; the listener below
# reports errors and missed runs once, in our words.
logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
logging.getLogger("apscheduler.executors").setLevel(logging.CRITICAL)

ACCOUNTS_REFRESH = timedelta(hours=1)
"""How often routes' accounts are resolved again (renamed or reconnected accounts)."""

MAX_JITTER = timedelta(seconds=30)
"""The most a source's poll is shifted at random, so sources sharing a host spread out."""


def job_id_for_source(source_name: str) -> str:
    """The stable job id of a source's polling job."""
    return f"source:{source_name}"


class EngineJobs:
    """The scheduler running an :class:`Engine`: build it, :meth:`start`, then :meth:`shutdown`.

    ``on_step`` is called (from the job's thread) after each job with the job id and what the
    step returned, for progress output; it must not raise.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        on_step: Callable[[str, Any], None] | None = None,
        jitter: bool = True,
    ) -> None:
        self.engine = engine
        self.on_step = on_step
        self.jitter = jitter
        self.errors = 0
        self._logged_until = engine.clock.now()
        self.scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=4)},
            job_defaults={"coalesce": True, "max_instances": 1},
            timezone="UTC",
        )
        self.scheduler.add_listener(self._on_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED)
        self._add_jobs()

    # ---- jobs -------------------------------------------------------------------------------

    def _add_jobs(self) -> None:
        config = self.engine.config
        now = self.engine.clock.now()
        for source in config.sources:
            if source.enabled:
                self._every(
                    source.interval,
                    self._fetch_source,
                    job_id_for_source(source.name),
                    f"fetch {source.name}",
                    args=[source.name],
                    jitter=self._jitter_for(source.interval),
                    next_run_time=now,
                )
        self._every(
            config.engine.publish_interval,
            self._publish,
            "publish",
            "publish due posts",
            next_run_time=now,
        )
        self._every(
            config.engine.status_interval, self._poll_statuses, "status", "check post statuses"
        )
        self._every(ACCOUNTS_REFRESH, self.engine.refresh_accounts, "accounts", "refresh accounts")

    def _every(
        self,
        interval: timedelta,
        function: Callable[..., None],
        job_id: str,
        name: str,
        **options: Any,
    ) -> None:
        """An interval job with the settings every job shares: a stable id that replaces an
        old one, and a misfire grace matched to its interval."""
        self.scheduler.add_job(
            function,
            "interval",
            seconds=interval.total_seconds(),
            id=job_id,
            name=name,
            replace_existing=True,
            misfire_grace_time=_grace(interval),
            **options,
        )

    def _jitter_for(self, interval: timedelta) -> int | None:
        if not self.jitter:
            return None
        seconds = int(min(interval / 10, MAX_JITTER).total_seconds())
        return seconds or None

    def _fetch_source(self, source_name: str) -> None:
        if not self._source_due(source_name):
            return
        summary, new_ids = self.engine.fetch_source(source_name)
        if new_ids:
            self.wake_publisher()
        self._report(job_id_for_source(source_name), (summary, new_ids))

    def _source_due(self, source_name: str) -> bool:
        """False while the source backs off after errors (its job keeps its own interval)."""
        with self.engine.db.session() as session:
            record = session.exec(
                select(SourceRecord).where(SourceRecord.name == source_name)
            ).first()
        if record is None:
            return True
        if not record.enabled:
            return False
        backing_off = record.consecutive_failures > 0 and record.next_fetch_at is not None
        return not backing_off or record.next_fetch_at <= self.engine.clock.now()

    def _publish(self) -> None:
        self._report("publish", self.engine.publish())
        self._log_results()

    def _poll_statuses(self) -> None:
        self._report("status", self.engine.poll_statuses())
        self._log_results()

    def _log_results(self) -> None:
        """Log each publication that became final since the last call: posted where, or why not.

        Read under the engine's lock, so no publication finishes between the query and moving
        the mark; each one is logged once per process.
        """
        with self.engine.lock:
            until = self.engine.clock.now()
            finished = finished_since(self.engine.db, self._logged_until, until)
            self._logged_until = until
        if not finished:
            return
        for line in collect_summary(self.engine.db, finished).lines:
            level = logging.WARNING if line.failed else logging.INFO
            log.log(level, "%s", describe_outcome(line))

    def _report(self, job_id: str, result: Any) -> None:
        if self.on_step is None:
            return
        try:
            self.on_step(job_id, result)
        except Exception:
            log.exception("progress callback failed for job %s", job_id)

    def wake_publisher(self) -> None:
        """Run the publishing job now instead of at its next tick (new posts are waiting)."""
        job = self.scheduler.get_job("publish")
        if job is not None and self.scheduler.running:
            job.modify(next_run_time=self.engine.clock.now())

    # ---- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Start the scheduler's threads; jobs first run right away, then on their intervals."""
        self.scheduler.start()

    def shutdown(self, wait: bool = True) -> None:
        """Stop scheduling; with ``wait`` let running jobs reach their next publication first.

        The engine is asked to stop before waiting, so a running step ends at its next
        publication boundary instead of working through a whole backlog. A publishing step
        always completes the create it is in (intent recorded, request sent, answer stored),
        so stopping never leaves a half-recorded post.
        """
        self.engine.request_stop()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=wait)

    def _on_event(self, event: JobExecutionEvent) -> None:
        if event.code == EVENT_JOB_MISSED:
            log.warning(
                "job %s missed its run at %s (the previous run took too long)",
                event.job_id,
                event.scheduled_run_time,
            )
            return
        self.errors += 1
        log.error(
            "job %s failed: %s",
            event.job_id,
            event.exception,
            exc_info=(type(event.exception), event.exception, event.exception.__traceback__)
            if event.exception is not None
            else None,
        )


def _grace(interval: timedelta) -> int:
    """A job may start this late and still run: its interval, at least a second.

    Later than that and the next regular tick is as close, so the run is dropped.
    """
    return max(1, int(interval.total_seconds()))
