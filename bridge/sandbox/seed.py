"""Reading the sandbox seed: profiles, keys, workspaces, accounts and queues from TOML."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import ConfigError

DEFAULT_SEED_PATH = Path(__file__).with_name("seed.toml")
"""The canonical seed shipped in the package (``config/sandbox-seed.toml`` links here)."""


@dataclass(frozen=True)
class ApiKey:
    """A bearer key of a profile; only its ``id`` and ``name`` are ever shown."""

    id: int
    name: str
    key: str
    profile: str
    revoked: bool = False


@dataclass(frozen=True)
class Account:
    """A connected social account."""

    id: int
    workspace_id: int
    name: str
    network: str
    handle: str
    description: str | None = None


@dataclass(frozen=True)
class Queue:
    """A publishing queue with daily slot times in its workspace's time zone."""

    id: int
    workspace_id: int
    name: str
    slots: tuple[time, ...]
    paused: bool = False


@dataclass(frozen=True)
class Workspace:
    """A workspace of a profile."""

    id: int
    profile: str
    name: str
    timezone: str
    accounts: tuple[Account, ...] = ()
    queues: tuple[Queue, ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        """The workspace's IANA time zone."""
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Seed:
    """Everything the sandbox starts from (and goes back to on reset)."""

    keys: tuple[ApiKey, ...]
    workspaces: tuple[Workspace, ...] = field(default=())
    path: str = ""


def load_seed(path: str | Path | None = None) -> Seed:
    """Read and check a seed file; ``None`` reads the packaged default."""
    path = Path(path) if path is not None else DEFAULT_SEED_PATH
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the sandbox seed: {exc.strerror}", file=str(path)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", file=str(path)) from exc
    try:
        return _build(data, str(path))
    except (KeyError, TypeError, ValueError, ZoneInfoNotFoundError) as exc:
        raise ConfigError(f"invalid sandbox seed: {exc!r}", file=str(path)) from exc


def _build(data: dict[str, Any], path: str) -> Seed:
    keys = tuple(
        ApiKey(
            id=int(k["id"]),
            name=str(k["name"]),
            key=str(k["key"]),
            profile=str(k["profile"]),
            revoked=bool(k.get("revoked", False)),
        )
        for k in data.get("keys", [])
    )
    workspaces = tuple(_workspace(w) for w in data.get("workspaces", []))
    _check_unique("key", [k.key for k in keys])
    _check_unique("workspace id", [w.id for w in workspaces])
    _check_unique("account id", [a.id for w in workspaces for a in w.accounts])
    _check_unique("queue id", [q.id for w in workspaces for q in w.queues])
    return Seed(keys=keys, workspaces=workspaces, path=path)


def _workspace(w: dict[str, Any]) -> Workspace:
    ws_id = int(w["id"])
    ZoneInfo(str(w["timezone"]))  # fail early on an unknown zone
    accounts = tuple(
        Account(
            id=int(a["id"]),
            workspace_id=ws_id,
            name=str(a["name"]),
            network=str(a["network"]),
            handle=str(a.get("handle") or a["name"]),
            description=a.get("description"),
        )
        for a in w.get("accounts", [])
    )
    queues = tuple(
        Queue(
            id=int(q["id"]),
            workspace_id=ws_id,
            name=str(q["name"]),
            slots=tuple(sorted(time.fromisoformat(s) for s in q.get("slots", []))),
            paused=bool(q.get("paused", False)),
        )
        for q in w.get("queues", [])
    )
    return Workspace(
        id=ws_id,
        profile=str(w["profile"]),
        name=str(w["name"]),
        timezone=str(w["timezone"]),
        accounts=accounts,
        queues=queues,
    )


def _check_unique(what: str, values: list[Any]) -> None:
    seen: set[Any] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"duplicate {what}: {value!r}")
        seen.add(value)
