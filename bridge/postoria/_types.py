"""Type aliases shared by the client's modules, in one place (like httpx ``_types.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import IO, TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from .ledger import RequestRecord

WorkspaceId: TypeAlias = int
AccountId: TypeAlias = int
QueueId: TypeAlias = int
MediaId: TypeAlias = int
PostId: TypeAlias = int

JSONValue: TypeAlias = Any
"""A decoded JSON document (dicts, lists, strings, numbers, booleans, ``None``)."""

QueryValue: TypeAlias = str | int | Sequence[str | int]
QueryParams: TypeAlias = Mapping[str, QueryValue]

UploadBody: TypeAlias = bytes | IO[bytes] | Iterable[bytes]
"""What ``put_upload`` sends: bytes, a binary file object, or an iterator of chunks."""

DateLike: TypeAlias = datetime | date
Selector: TypeAlias = str | int
"""How a person names a workspace, account or queue: an ID or a name (``"network:NAME"``)."""

Listener: TypeAlias = Callable[["RequestRecord"], None]
