"""The account directory: what each route's workspace, accounts and queue are in Postoria.

Routes name things the way people do (``"Acme Corp"``, ``"network:linkedin"``, ``"Main"``);
the engine needs IDs, networks and the workspace's time zone. :meth:`AccountDirectory.refresh`
resolves every route once (one workspaces list, then one accounts list and one queues list
per workspace, whatever the number of routes), caches the accounts in the store for the
dashboard, and reports every selector that matches nothing as a configuration problem naming
the route and the selector. Only GET requests are made.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import select

from ..captions.render import AccountRef
from ..config.problems import ConfigProblem, InvalidConfigError, Loc
from ..errors import ConfigError
from ..postoria.resolve import ResolveError, resolve_account, resolve_one
from ..store import AccountRecord

if TYPE_CHECKING:
    from ..clock import Clock
    from ..config import BridgeConfig, RouteConfig
    from ..postoria import PostoriaClient, Queue, RateLimiter, SocialAccount, Workspace
    from ..store import Database

log = logging.getLogger(__name__)

NETWORK_PREFIX = "network:"

__all__ = ["AccountDirectory", "AccountRef", "RouteTarget", "postoria_client"]


@dataclass(frozen=True)
class RouteTarget:
    """Where a route posts: the workspace (with its IANA time zone), accounts and queue."""

    workspace_id: int
    timezone: str
    accounts: list[AccountRef]
    queue_id: int | None = None
    workspace_name: str = ""
    queue_name: str | None = None
    queue_paused: bool = False
    account_selectors: dict[str, list[int]] = field(default_factory=dict)

    @property
    def zone(self) -> ZoneInfo:
        """The workspace's time zone (UTC when Postoria gave one we do not know)."""
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")


class AccountDirectory:
    """Resolves routes against Postoria and remembers the answer.

    ``db`` may be ``None`` for read-only uses (``bridge check``, ``bridge preview``): nothing
    is cached in the store then.
    """

    def __init__(self, client: PostoriaClient, db: Database | None, clock: Clock) -> None:
        self.client = client
        self.db = db
        self.clock = clock
        self._targets: dict[str, RouteTarget] = {}

    def refresh(self, config: BridgeConfig) -> None:
        """Resolve every route; raise ConfigError listing each route and selector that failed.

        On failure the previously resolved targets are kept, so a running engine goes on with
        what it knew.
        """
        lookup = _Lookup(self.client)
        targets: dict[str, RouteTarget] = {}
        problems: list[ConfigProblem] = []
        for index, route in enumerate(config.routes):
            found: list[_RouteProblem] = []
            target = _resolve_route(lookup, route, found)
            if target is not None:
                targets[route.name] = target
            for problem in found:
                loc: Loc = ("routes", index, *problem.loc)
                file, line = config.locate(loc)
                message = f"route {route.name!r}: {problem.message}"
                problems.append(ConfigProblem(loc, message, file=file, line=line))
        if problems:
            raise InvalidConfigError(problems, file=str(config.path))
        self._targets = targets
        if self.db is not None:
            self._cache(lookup)

    def route_target(self, route_name: str) -> RouteTarget:
        """The resolved target of ``route_name``; ConfigError when it was never resolved."""
        try:
            return self._targets[route_name]
        except KeyError:
            raise ConfigError(
                f"route {route_name!r} has not been resolved against Postoria "
                "(the account directory was not refreshed, or the route is new)"
            ) from None

    def targets(self) -> dict[str, RouteTarget]:
        """Every resolved route's target, by route name."""
        return dict(self._targets)

    def _cache(self, lookup: _Lookup) -> None:
        assert self.db is not None
        now = self.clock.now()
        with self.db.session() as session:
            for workspace_id, accounts in lookup.accounts.items():
                workspace_name = lookup.workspace_names.get(workspace_id, "")
                for account in accounts:
                    row = session.exec(
                        select(AccountRecord).where(AccountRecord.account_id == account.id)
                    ).first() or AccountRecord(account_id=account.id, workspace_id=workspace_id)
                    row.workspace_id = workspace_id
                    row.workspace_name = workspace_name
                    row.name = account.name
                    row.network = account.network
                    row.url = account.url
                    row.refreshed_at = now
                    session.add(row)


@dataclass(frozen=True)
class _RouteProblem:
    loc: Loc
    message: str


class _Lookup:
    """Postoria's lists, each fetched at most once per refresh."""

    def __init__(self, client: PostoriaClient) -> None:
        self.client = client
        self._workspaces: list[Workspace] | None = None
        self.accounts: dict[int, list[SocialAccount]] = {}
        self.queues: dict[int, list[Queue]] = {}
        self.workspace_names: dict[int, str] = {}

    def workspaces(self) -> list[Workspace]:
        if self._workspaces is None:
            self._workspaces = self.client.list_workspaces()
        return self._workspaces

    def accounts_of(self, workspace_id: int) -> list[SocialAccount]:
        if workspace_id not in self.accounts:
            self.accounts[workspace_id] = self.client.list_social_accounts(workspace_id)
        return self.accounts[workspace_id]

    def queues_of(self, workspace_id: int) -> list[Queue]:
        if workspace_id not in self.queues:
            self.queues[workspace_id] = self.client.list_queues(workspace_id)
        return self.queues[workspace_id]


def _resolve_route(
    lookup: _Lookup, route: RouteConfig, problems: list[_RouteProblem]
) -> RouteTarget | None:
    """The route's target, or ``None`` with every selector that failed added to ``problems``."""
    try:
        workspace = resolve_one(
            lookup.workspaces(), route.workspace, what="workspace", param="workspace"
        )
    except ResolveError as exc:
        problems.append(
            _RouteProblem(("workspace",), f"workspace {route.workspace!r}: {_reason(exc)}")
        )
        return None
    lookup.workspace_names[workspace.id] = workspace.name
    available = lookup.accounts_of(workspace.id)
    chosen: dict[int, AccountRef] = {}
    by_selector: dict[str, list[int]] = {}
    for position, selector in enumerate(route.accounts):
        try:
            accounts = _accounts_for(available, selector, workspace.name)
        except ResolveError as exc:
            message = f"account {selector!r} in workspace {workspace.name!r}: {_reason(exc)}"
            problems.append(_RouteProblem(("accounts", position), message))
            continue
        by_selector[selector] = [account.id for account in accounts]
        for account in accounts:
            chosen.setdefault(account.id, AccountRef(account.id, account.name, account.network))
    queue = None
    if route.queue is not None:
        try:
            queue = resolve_one(
                lookup.queues_of(workspace.id), route.queue, what="queue", param="queue_id"
            )
        except ResolveError as exc:
            message = f"queue {route.queue!r} in workspace {workspace.name!r}: {_reason(exc)}"
            problems.append(_RouteProblem(("queue",), message))
        if queue is not None and queue.is_paused:
            log.warning("route %r: queue %r is paused in Postoria", route.name, queue.name)
    if problems:
        return None
    _check_zone(workspace)
    return RouteTarget(
        workspace_id=workspace.id,
        timezone=workspace.timezone,
        accounts=list(chosen.values()),
        queue_id=queue.id if queue else None,
        workspace_name=workspace.name,
        queue_name=queue.name if queue else None,
        queue_paused=bool(queue and queue.is_paused),
        account_selectors=by_selector,
    )


def _accounts_for(
    available: list[SocialAccount], selector: str, workspace_name: str
) -> list[SocialAccount]:
    """``network:NAME`` means every account of that network; anything else exactly one."""
    if selector.startswith(NETWORK_PREFIX):
        network = selector.removeprefix(NETWORK_PREFIX).strip().casefold()
        matches = [a for a in available if a.network.casefold() == network]
        if not matches:
            listing = sorted({a.network for a in available})
            raise ResolveError(
                f"the workspace has no {network} account (networks there: "
                f"{', '.join(listing) or 'none'})",
                param="social_account_ids",
                selector=selector,
                available=listing,
            )
        return matches
    return [resolve_account(available, selector)]


def _reason(exc: ResolveError) -> str:
    return exc.message.removeprefix(f"{exc.param}: ")


def _check_zone(workspace: Workspace) -> None:
    try:
        ZoneInfo(workspace.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning(
            "workspace %r has an unknown time zone %r; schedule slots use UTC",
            workspace.name,
            workspace.timezone,
        )


def postoria_client(
    config: BridgeConfig, clock: Clock, *, limiter: RateLimiter | None = None
) -> PostoriaClient:
    """A Postoria client built from the config's ``[postoria]`` section.

    Clients of one key share the process's rate limiter unless ``limiter`` is given (tests
    that run a manual clock beside a real one need their own).
    """
    from ..postoria import PostoriaClient
    from ..postoria.settings import Budget, Timeouts

    settings = config.postoria
    budget = Budget(
        requests=settings.budget.requests,
        per=settings.budget.per.total_seconds(),
        margin=settings.budget.margin,
    )
    seconds = settings.timeout.total_seconds()
    return PostoriaClient(
        settings.api_key.get_secret_value(),
        settings.base_url,
        clock=clock,
        budget=budget,
        timeouts=Timeouts(read=seconds, write=seconds),
        user_agent=config.engine.user_agent,
        limiter=limiter,
    )
