"""postoria-bridge: the API a connector plugin imports (``from bridge import hookimpl, Source``)."""

from .errors import BridgeError, SourceError, SourceGoneError
from .hookspecs import hookimpl
from .sources import (
    FetchResult,
    Item,
    MediaCandidate,
    Problem,
    Source,
    SourceContext,
    SourceOptions,
)

__all__ = [
    "BridgeError",
    "FetchResult",
    "Item",
    "MediaCandidate",
    "Problem",
    "Source",
    "SourceContext",
    "SourceError",
    "SourceGoneError",
    "SourceOptions",
    "hookimpl",
]
