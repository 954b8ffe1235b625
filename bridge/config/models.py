"""The configuration as typed objects: what ``load_config()`` returns.

Every model forbids unknown keys, so a typo in the file is reported instead of silently
ignored. Paths and SQLite URLs written relative to the config file resolve against its
folder (passed in the validation context as ``base_dir``), so the bridge behaves the same
whatever directory it is started from.
"""

from __future__ import annotations

import re
from datetime import timedelta
from importlib import metadata
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .locate import KeyLines
from .problems import Loc
from .routes import RepostConfig, RouteConfig
from .rules import RuleCollector
from .types import Backlog, BacklogPolicy, ByteSize, Duration, Name

__all__ = [
    "BridgeConfig",
    "BudgetSettings",
    "DashboardSettings",
    "DatabaseSettings",
    "EngineSettings",
    "PostoriaSettings",
    "RepostConfig",
    "RouteConfig",
    "SourceConfig",
]


def _version() -> str:
    try:
        return metadata.version("postoria-bridge")
    except metadata.PackageNotFoundError:
        return "0+unknown"


DEFAULT_USER_AGENT = f"postoria-bridge/{_version()}"


def _base_dir(info: ValidationInfo) -> Path | None:
    context = info.context or {}
    base = context.get("base_dir")
    return Path(base) if base is not None else None


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BudgetSettings(_Section):
    """Postoria's request budget: ``requests`` per ``per``, keeping ``margin`` in reserve.

    The documented limit is 300 requests per 5 minutes per Postoria account, shared by
    everything using the key; the margin leaves room for people using the key elsewhere.
    """

    requests: int = Field(default=300, ge=1, description="Requests allowed per window.")
    per: Duration = Field(default=timedelta(minutes=5), description="The window's length.")
    margin: int = Field(
        default=10, ge=0, description="Requests of each window the bridge leaves unused."
    )

    @model_validator(mode="after")
    def _margin_below_requests(self) -> BudgetSettings:
        if self.margin >= self.requests:
            rules = RuleCollector()
            rules.add(("margin",), "must be smaller than requests")
            rules.raise_if_any()
        return self


class PostoriaSettings(_Section):
    """How to reach Postoria: the API key, the base URL, the budget and a timeout."""

    api_key: SecretStr = Field(description='The Postoria API key; write "${POSTORIA_API_KEY}".')
    base_url: str = Field(
        default="https://api.postoria.io/v1",
        description="The API's base URL, or the URL of `bridge sandbox` for a dry run.",
    )
    budget: BudgetSettings = Field(
        default_factory=BudgetSettings, description="The request budget (see [postoria.budget])."
    )
    timeout: Duration = Field(
        default=timedelta(seconds=30), description="Timeout of one request to Postoria."
    )

    @field_validator("api_key")
    @classmethod
    def _key_not_empty(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("the API key is empty")
        return value

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"https?://[^/\s]+", value):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")


class DatabaseSettings(_Section):
    """Where the bridge keeps its state: SQLite by default, PostgreSQL for shared setups."""

    url: str = Field(
        default="sqlite:///bridge.db",
        repr=False,
        description="SQLAlchemy URL; a relative SQLite path resolves against the config "
        "file's folder.",
    )

    @field_validator("url")
    @classmethod
    def _resolve_sqlite_path(cls, value: str, info: ValidationInfo) -> str:
        match = re.fullmatch(r"(sqlite(?:\+\w+)?:///)(.*)", value)
        base = _base_dir(info)
        if not match or base is None:
            return value
        prefix, path = match.groups()
        if not path or path == ":memory:" or path.startswith(("/", "file:")):
            return value
        return prefix + str((base / path).resolve())

    @property
    def redacted_url(self) -> str:
        """The URL with any password replaced by ``***``, safe for logs and the dashboard."""
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", self.url)

    def __repr_args__(self) -> Any:
        yield "url", self.redacted_url


class DashboardSettings(_Section):
    """The web dashboard: where it listens and the password that protects it."""

    bind: str = Field(default="127.0.0.1:8080", description='"HOST:PORT" the dashboard serves.')
    password: SecretStr | None = Field(
        default=None,
        description="Password for the dashboard; without one, bind it to loopback only.",
    )

    @field_validator("bind")
    @classmethod
    def _host_and_port(cls, value: str) -> str:
        host, _, port = value.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError('write it as "HOST:PORT", like "127.0.0.1:8080"')
        return value

    @field_validator("password")
    @classmethod
    def _password_not_empty(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value():
            raise ValueError("the password is empty; remove the key to run without one")
        return value

    @property
    def host(self) -> str:
        """The host part of ``bind`` (brackets of an IPv6 address removed)."""
        return self.bind.rpartition(":")[0].strip("[]")

    @property
    def port(self) -> int:
        """The port part of ``bind``."""
        return int(self.bind.rpartition(":")[2])


class EngineSettings(_Section):
    """How often the engine works and how far it goes fetching media."""

    publish_interval: Duration = Field(
        default=timedelta(seconds=30), description="How often pending publications are sent."
    )
    status_interval: Duration = Field(
        default=timedelta(seconds=60), description="How often submitted posts are checked."
    )
    media_timeout: Duration = Field(
        default=timedelta(minutes=10), description="How long media may take to become ready."
    )
    download_max_bytes: ByteSize = Field(
        default=50 * 1024 * 1024,
        gt=0,
        json_schema_extra={"shown_default": '"50MiB"'},
        description='Largest media file downloaded, in bytes or like "50MiB".',
    )
    http_timeout: Duration = Field(
        default=timedelta(seconds=20), description="Timeout of requests to sources and media."
    )
    user_agent: str = Field(
        default=DEFAULT_USER_AGENT,
        min_length=1,
        json_schema_extra={"shown_default": '"postoria-bridge/<version>"'},
        description="User-Agent sent to sources and media hosts.",
    )
    data_dir: Path | None = Field(
        default=None,
        description="Folder for downloads and plugin state; relative to the config file.",
    )
    allow_private_media_hosts: bool = Field(
        default=False,
        description="Download media from loopback and private addresses too (local dry runs "
        "only: a feed could otherwise make the bridge fetch internal URLs).",
    )
    parse_workers: Literal["auto"] | Annotated[int, Field(ge=0, le=64)] = Field(
        default="auto",
        description="Processes parsing fetched documents: a number (0: in the polling thread), "
        'or "auto": one per CPU once there are 8 sources or more.',
    )

    @field_validator("data_dir")
    @classmethod
    def _resolve_data_dir(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        base = _base_dir(info)
        if value is None or base is None:
            return value
        value = value.expanduser()
        return value if value.is_absolute() else (base / value).resolve()


SOURCE_KEYS = ("name", "type", "interval", "backlog", "max_age", "enabled")


class SourceConfig(_Section):
    """One ``[[sources]]`` table: a configured instance of a source type.

    Keys besides the common ones land in ``options``; the source type's ``Options`` model
    validates them (see :func:`bridge.config.validate_source_options`).
    """

    name: Name = Field(description="Unique source name ([a-z0-9_-]).")
    type: str = Field(min_length=1, description='The source type, e.g. "rss".')
    interval: Duration = Field(default=timedelta(minutes=10), description="Poll interval.")
    backlog: BacklogPolicy = Field(
        default=Backlog(),
        description='First run: "skip" (default), "all" or "latest:N" items already there.',
    )
    max_age: Duration | None = Field(default=None, description="Never post items older than this.")
    enabled: bool = Field(default=True, description="false: keep the source but never poll it.")
    options: dict[str, Any] = Field(
        default={},
        repr=False,
        description="Every other key of the table, for the source type.",
    )

    @model_validator(mode="before")
    @classmethod
    def _gather_options(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "options" in data:
            return data
        common = {key: value for key, value in data.items() if key in SOURCE_KEYS}
        options = {key: value for key, value in data.items() if key not in SOURCE_KEYS}
        return {**common, "options": options}

    def __repr_args__(self) -> Any:
        # Options may hold passwords before the source type's model marks them secret, so a
        # repr names the option keys only.
        yield from super().__repr_args__()
        yield "options", sorted(self.options)


class BridgeConfig(_Section):
    """The whole configuration file.

    Checks that names are unique and that every route names defined sources, reporting all
    such problems at once.
    """

    postoria: PostoriaSettings
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    dashboard: DashboardSettings = Field(default_factory=DashboardSettings)
    engine: EngineSettings = Field(default_factory=EngineSettings)
    sources: list[SourceConfig] = []
    routes: list[RouteConfig] = []
    path: Path = Field(default=Path("<string>"), exclude=True)

    # Where each key was written, kept by the loader so later checks (a source type's
    # options) can point at lines too; variables that overrode keys, for the same reason.
    _key_lines: KeyLines = PrivateAttr(default_factory=KeyLines)
    _overridden: dict[str, Loc] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check_references(self) -> BridgeConfig:
        rules = RuleCollector()
        first_source: dict[str, int] = {}
        for index, source in enumerate(self.sources):
            if source.name in first_source:
                rules.add(("sources", index, "name"), _duplicate("source", source.name))
            first_source.setdefault(source.name, index)
        route_names: set[str] = set()
        for index, route in enumerate(self.routes):
            if route.name in route_names:
                rules.add(("routes", index, "name"), _duplicate("route", route.name))
            route_names.add(route.name)
            for position, name in enumerate(route.sources):
                if name not in first_source:
                    known = ", ".join(sorted(first_source)) or "none defined"
                    message = f"no source is named {name!r} (sources: {known})"
                    rules.add(("routes", index, "sources", position), message)
        rules.raise_if_any()
        return self

    def remember_origin(self, key_lines: KeyLines, overridden: dict[str, Loc]) -> None:
        """Record where keys were written (called by the loader)."""
        self._key_lines = key_lines
        self._overridden = dict(overridden)

    def locate(self, loc: Loc) -> tuple[str, int | None]:
        """The file (or ``$VARIABLE``) and line where the key at ``loc`` was set."""
        for variable, key in self._overridden.items():
            if loc[: len(key)] == key:
                return f"${variable}", None
        return str(self.path), self._key_lines.line_of(loc)

    def locate_in_value(self, loc: Loc, line: int) -> tuple[str, int | None]:
        """Like :meth:`locate`, for ``line`` within the string written at ``loc``."""
        file, key_line = self.locate(loc)
        if file != str(self.path):
            return file, None
        return file, self._key_lines.line_in_value(loc, line) or key_line

    def source(self, name: str) -> SourceConfig:
        """The source named ``name``; ``KeyError`` when there is none."""
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(name)

    def routes_for(self, source_name: str) -> list[RouteConfig]:
        """The routes that take items of ``source_name``, in file order."""
        return [route for route in self.routes if source_name in route.sources]


def _duplicate(kind: str, name: str) -> str:
    return f"another {kind} is already named {name!r}: names must be unique"
