"""The connector contract: what a source plugin implements and what it returns.

A source plugin registers a :class:`Source` subclass (see ``hookspecs.register_sources``). The
engine builds one instance per configured source, with its validated options, and calls
:meth:`Source.fetch` on the source's schedule with the cursor the previous fetch returned.
Everything here is plain data, so connectors stay independent of the store and the engine.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

from .clock import SYSTEM_CLOCK, Clock

T = TypeVar("T")


@dataclass(frozen=True)
class MediaCandidate:
    """An image or video an item offers, in the order the connector prefers them.

    ``url`` is absolute (``http``, ``https`` or ``file``). ``kind`` is ``image`` or ``video``;
    ``origin`` says where it was found (``enclosure``, ``media:content``, ``media:thumbnail``,
    ``content``, ``featured``, ``file``) so the engine can prefer the best one.
    """

    url: str
    kind: str = "image"
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    length: int | None = None
    alt: str | None = None
    origin: str = "enclosure"


@dataclass
class Item:
    """One normalized piece of content from a source.

    ``external_id`` is stable and unique within the source: the engine never treats the same
    ``(source, external_id)`` as new twice. ``aliases`` are further identities of the same
    item (for a feed: the link and a content hash besides the guid), so an item whose guid
    changes but whose link stays the same is still recognised as seen.

    ``summary_html`` and ``content_html`` are the source's HTML as it was served, not
    sanitized: derive text from them (``bridge.text.html_to_text``) or escape them, and never
    render them as markup.
    """

    external_id: str
    title: str = ""
    link: str | None = None
    summary_html: str = ""
    summary_text: str = ""
    content_html: str = ""
    content_text: str = ""
    author: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    media: list[MediaCandidate] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def identities(self) -> list[str]:
        """``external_id`` followed by the aliases, without repeats."""
        seen: dict[str, None] = {self.external_id: None}
        for alias in self.aliases:
            if alias:
                seen.setdefault(alias, None)
        return list(seen)

    def fingerprint(self) -> str:
        """A hash of the content that matters for posting (title, link, text)."""
        digest = hashlib.sha256()
        for part in (self.title, self.link or "", self.content_text or self.summary_text):
            digest.update(part.encode("utf-8", "replace"))
            digest.update(b"\x00")
        return digest.hexdigest()


@dataclass(frozen=True)
class Problem:
    """Something wrong with the source's input that did not stop the fetch.

    ``level`` is ``warning`` (read anyway: a malformed-but-readable feed) or ``error`` (this
    part was unreadable). ``where`` points at the place: a URL, a path, an entry index.
    """

    message: str
    level: str = "warning"
    where: str | None = None


@dataclass
class FetchResult:
    """What one fetch produced: new or changed items, the next cursor, and any problems.

    ``cursor`` is opaque JSON-serializable state the engine saves and hands back next time
    (ETag, Last-Modified, modified-after date, file hashes…). ``not_modified`` means the
    source said nothing changed. ``disable_reason`` asks the engine to disable the source
    (e.g. HTTP 410 Gone) with that reason shown to the user. ``new_location`` reports a
    permanent redirect to remember.
    """

    items: list[Item] = field(default_factory=list)
    cursor: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    not_modified: bool = False
    disable_reason: str | None = None
    new_location: str | None = None


class SourceOptions(BaseModel):
    """Base for a source type's options; subclasses declare fields with types and defaults.

    Unknown keys are rejected, so a typo in the config file is reported, not ignored.
    """

    model_config = ConfigDict(extra="forbid")


@dataclass
class SourceContext:
    """What the engine hands a source besides its options: its name, a clock, an HTTP client.

    ``http`` is an ``httpx.Client`` configured by the engine (timeouts, user agent); sources
    should use it rather than building their own so tests and limits apply uniformly.
    ``workers`` is the engine's pool for CPU-bound work, used through :meth:`run_cpu_bound`.
    """

    name: str
    clock: Clock = SYSTEM_CLOCK
    http: Any = None
    data_dir: str | None = None
    workers: Executor | None = None

    def run_cpu_bound(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in the engine's worker pool when it has one, else here.

        For parsing and similar pure work: ``function`` must be a module-level function and
        its arguments and result picklable. Exceptions it raises are raised here.
        """
        if self.workers is None:
            return function(*args)
        return self.workers.submit(function, *args).result()


class Source(ABC):
    """A source type: subclass it, set ``type_name`` and ``Options``, implement ``fetch``.

    ``type_name`` is the name users write as ``type =`` in the config and equals the
    connector's entry-point name. ``Options`` validates the rest of the source's table.
    ``fetch`` must not raise for bad input it can describe: it returns the problems instead,
    and raises :class:`bridge.errors.SourceError` only when nothing at all could be read.
    """

    type_name: ClassVar[str]
    Options: ClassVar[type[SourceOptions]] = SourceOptions

    def __init__(self, options: SourceOptions, context: SourceContext) -> None:
        self.options = options
        self.context = context

    @property
    def name(self) -> str:
        """The configured source name."""
        return self.context.name

    @abstractmethod
    def fetch(self, cursor: dict[str, Any]) -> FetchResult:
        """Read the source and return its current items and the next cursor.

        Returning an item that was returned before is fine and expected: the engine
        deduplicates by identity. Return items newest first when the source has an order.
        """

    def describe(self) -> str:
        """A one-line description for listings (the URL or path, never credentials)."""
        return self.type_name
