"""What a run did, as people read it: one line per publication, its accounts, links and costs.

``bridge sync --once`` and ``bridge demo`` end with this table. It is built from the store
alone (publications, their items, account results), so it shows what was recorded, which is
what happened, not what the process believes it did.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import col, select

from ..clock import isoformat_z
from ..store import AccountRecord, AccountResult, Database, ItemRecord, Publication
from ..store import PublicationState as State

FAILED_STATES = frozenset({State.FAILED, State.PARTIAL})
_TITLE_WIDTH = 44


@dataclass(frozen=True)
class AccountLine:
    """One account of a publication: its name, and the link or the error Postoria reported."""

    name: str
    link: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class PublicationLine:
    """One publication as the summary shows it."""

    id: int
    title: str
    route: str
    state: str
    accounts: tuple[AccountLine, ...]
    requests: int
    reason: str | None = None
    post_status: str | None = None
    when: datetime | None = None

    @property
    def label(self) -> str:
        """The state in words: ``posted``, ``failed``, ``scheduled for 2026-…Z``…"""
        if self.state == State.SUBMITTED and self.post_status in ("scheduled", "queued"):
            at = f" for {isoformat_z(self.when)}" if self.when else ""
            return f"{self.post_status}{at}"
        if self.state == State.SUBMITTED and self.post_status:
            return f"submitted ({self.post_status})"
        return self.state

    @property
    def failed(self) -> bool:
        """Whether this publication failed on some account (or altogether)."""
        return self.state in FAILED_STATES

    @property
    def needs_attention(self) -> bool:
        """Whether a person must look: a lost create that matched several posts in Postoria."""
        return self.state == State.UNKNOWN


@dataclass
class RunSummary:
    """The publications of a run, what they cost, and what is left of the budget."""

    lines: list[PublicationLine] = field(default_factory=list)
    requests_used: int = 0
    budget_left: int | None = None
    budget_capacity: int | None = None
    timed_out: bool = False

    @property
    def failures(self) -> list[PublicationLine]:
        """Publications that failed on at least one account."""
        return [line for line in self.lines if line.failed]

    @property
    def ok(self) -> bool:
        """Nothing failed, nothing needs a person, nothing was left when waiting stopped."""
        attention = any(line.needs_attention for line in self.lines)
        return not self.failures and not attention and not self.timed_out

    def counts(self) -> Counter[str]:
        """How many publications ended in each state (scheduled/queued counted as such)."""
        return Counter(line.label.split(" ")[0] for line in self.lines)


def collect_summary(
    db: Database,
    publication_ids: Iterable[int],
    *,
    requests_used: int = 0,
    budget_left: int | None = None,
    budget_capacity: int | None = None,
    timed_out: bool = False,
) -> RunSummary:
    """Read the given publications, their items and account results from the store."""
    ids = sorted(set(publication_ids))
    summary = RunSummary(
        requests_used=requests_used,
        budget_left=budget_left,
        budget_capacity=budget_capacity,
        timed_out=timed_out,
    )
    if not ids:
        return summary
    with db.session() as session:
        publications = session.exec(
            select(Publication).where(Publication.id.in_(ids))  # type: ignore[union-attr]
        ).all()
        item_ids = {p.item_id for p in publications}
        titles = {
            item.id: item.title or item.link or item.external_id
            for item in session.exec(
                select(ItemRecord).where(ItemRecord.id.in_(item_ids))  # type: ignore[union-attr]
            )
        }
        results: dict[int, dict[int, AccountResult]] = {}
        for result in session.exec(
            select(AccountResult).where(AccountResult.publication_id.in_(ids))  # type: ignore[attr-defined]
        ):
            results.setdefault(result.publication_id, {})[result.account_id] = result
        names = {record.account_id: record.name for record in session.exec(select(AccountRecord))}
    for publication in sorted(publications, key=lambda p: p.id or 0):
        own = results.get(publication.id or 0, {})
        accounts = tuple(
            _account_line(account_id, own.get(account_id), names)
            for account_id in publication.account_ids
        )
        summary.lines.append(
            PublicationLine(
                id=publication.id or 0,
                title=titles.get(publication.item_id, f"item {publication.item_id}"),
                route=publication.route,
                state=publication.state,
                accounts=accounts,
                requests=publication.requests_spent,
                reason=publication.state_reason,
                post_status=publication.post_status,
                when=publication.post_date or publication.scheduled_time,
            )
        )
    return summary


def finished_since(db: Database, after: datetime, until: datetime) -> list[int]:
    """IDs of publications that became final in ``(after, until]`` (skipped ones excluded)."""
    with db.session() as session:
        query = (
            select(Publication.id)
            .where(col(Publication.final_at) > after, col(Publication.final_at) <= until)
            .where(Publication.state != State.SKIPPED)
            .order_by(col(Publication.final_at))
        )
        return [pid for pid in session.exec(query).all() if pid is not None]


def describe_outcome(line: PublicationLine) -> str:
    """One log line for a finished publication: what, where, and the link or the error."""
    parts = []
    for account in line.accounts:
        if account.link:
            parts.append(f"{account.name} {account.link}")
        elif account.error:
            parts.append(f"{account.name} failed: {account.error}")
    where = "; ".join(parts) or (line.reason or "no account results")
    title = _clip(line.title, 80)
    return f"{line.state} {title!r} ({line.route}, {line.requests} requests): {where}"


def _account_line(
    account_id: int, result: AccountResult | None, names: dict[int, str]
) -> AccountLine:
    name = (result.account_name if result else None) or names.get(account_id) or str(account_id)
    if result is None:
        return AccountLine(name=name)
    return AccountLine(name=name, link=result.link, error=result.error)


def render_summary(summary: RunSummary) -> str:
    """The summary as a plain-text table: one row per account of each publication, then totals.

    An item's title is written once above its publications, and a publication's route and
    request count once on its first row, so a busy run stays readable.
    """
    if not summary.lines:
        return "Nothing to publish.\n\n" + _totals(summary)
    rows = _rows(summary.lines)
    route_width = max(len("Route"), *(len(row[1]) for row in rows))
    account_width = max(len("Account"), *(len(row[2]) for row in rows))
    header = (
        f"{'Item':<{_TITLE_WIDTH}}  {'Route':<{route_width}}  {'Account':<{account_width}}  "
        f"{'Requests':>8}  Result"
    )
    out = [header, "-" * len(header)]
    for title, route, account, requests, result in rows:
        out.append(
            f"{title:<{_TITLE_WIDTH}}  {route:<{route_width}}  {account:<{account_width}}  "
            f"{requests:>8}  {result}".rstrip()
        )
    out.append("")
    out.append(_totals(summary))
    return "\n".join(out)


def _rows(lines: list[PublicationLine]) -> list[tuple[str, str, str, str, str]]:
    rows = []
    previous_title = None
    for line in lines:
        title = _clip(line.title, _TITLE_WIDTH)
        shown_title = "" if title == previous_title else title
        previous_title = title
        accounts = line.accounts or (AccountLine(name="-"),)
        for index, account in enumerate(accounts):
            first = index == 0
            rows.append(
                (
                    shown_title if first else "",
                    line.route if first else "",
                    account.name,
                    str(line.requests) if first else "",
                    _result(line, account),
                )
            )
    return rows


def _result(line: PublicationLine, account: AccountLine) -> str:
    if line.state == State.SKIPPED:
        return f"skipped: {line.reason}" if line.reason else "skipped"
    if account.link:
        return f"posted  {account.link}"
    if account.error:
        return f"failed  {account.error}"
    if line.state in (State.FAILED, State.CANCELLED, State.UNKNOWN) and line.reason:
        return f"{line.state}  {line.reason}"
    return line.label


def _totals(summary: RunSummary) -> str:
    counts = summary.counts()
    parts = ", ".join(f"{count} {state}" for state, count in sorted(counts.items()))
    total = len(summary.lines)
    text = f"{total} publication{'s' if total != 1 else ''}"
    if parts:
        text += f" ({parts})"
    text += f"; {summary.requests_used} API request{'s' if summary.requests_used != 1 else ''}"
    if summary.budget_left is not None:
        capacity = f" of {summary.budget_capacity}" if summary.budget_capacity else ""
        text += f", {summary.budget_left}{capacity} left in the current budget window"
    text += "."
    if summary.timed_out:
        text += "\nStopped waiting before every post had its final result (timeout)."
    return text


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
