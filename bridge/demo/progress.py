"""Progress lines for the demo: each publication's moves, read back from the store.

The watcher reads what the engine recorded rather than hooking into it, so what it prints is
what the database says happened: the same thing the dashboard and ``sync`` report. Only the
moves worth watching are printed (media started, post created, the final result), one line
per account.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import select

from ..clock import Clock
from ..engine.summary import PublicationLine, collect_summary
from ..store import Database, Publication
from ..store import PublicationState as State

_TITLE_WIDTH = 38
_QUIET = frozenset({State.PENDING, State.READY})
"""States not worth a line of their own: the next move follows within a moment."""


class ProgressWatcher:
    """Prints a line whenever a publication changes state; call :meth:`poll` repeatedly."""

    def __init__(self, db: Database, clock: Clock, echo: Callable[[str], None]) -> None:
        self.db = db
        self.clock = clock
        self.echo = echo
        self._seen: dict[int, tuple[str, str | None]] = {}

    def poll(self) -> None:
        """Read every publication and print what moved since the last call."""
        with self.db.session() as session:
            rows = session.exec(select(Publication).order_by(Publication.id)).all()
        changed = []
        for row in rows:
            now_seen = (row.state, row.post_status)
            if row.id is not None and self._seen.get(row.id) != now_seen:
                self._seen[row.id] = now_seen
                if row.state not in _QUIET:
                    changed.append(row.id)
        if not changed:
            return
        stamp = self.clock.now().strftime("%H:%M:%S")
        for line in collect_summary(self.db, changed).lines:
            title = _clip(line.title, _TITLE_WIDTH)
            for account, words in _events(line):
                self.echo(f"  {stamp}  {title:<{_TITLE_WIDTH}}  {account:<18} {words}")


def _events(line: PublicationLine) -> list[tuple[str, str]]:
    """(account, what happened) pairs for one publication's latest move."""
    names = [account.name for account in line.accounts] or ["-"]
    if line.state == State.SKIPPED:
        return [(name, f"skipped: {line.reason}") for name in names]
    if line.state == State.MEDIA:
        return [(name, "sending the picture to Postoria") for name in names]
    if line.state == State.SUBMITTING:
        return [(name, "creating the post") for name in names]
    if line.state == State.UNKNOWN:
        return [(name, "answer lost: asking Postoria before anything is resent") for name in names]
    if line.state == State.SUBMITTED:
        if line.post_status in ("scheduled", "queued"):
            return [(name, f"{line.label.replace('for', 'by Postoria for')}") for name in names]
        return [(name, "created; Postoria is publishing it") for name in names]
    events = []
    for account in line.accounts:
        if account.link:
            events.append((account.name, f"posted  {account.link}"))
        elif account.error:
            events.append((account.name, f"failed  {account.error}"))
        else:
            events.append((account.name, line.label + (f": {line.reason}" if line.reason else "")))
    return events


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
