"""What a publication's media rows amount to: its policy, ready rows, notes and errors.

:mod:`bridge.engine.media` moves the rows through their steps; these helpers only read rows
and describe them, for the media stage itself, the publisher (which media a create carries,
the note kept when optional media was dropped) and reconciliation (the files a lost create
carried).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlmodel import col, select

from ..errors import (
    AuthenticationError,
    PostoriaAPIError,
    PostoriaError,
    PostoriaValidationError,
    RateLimitedError,
    ServerError,
)
from ..store import PublicationMedia
from .download import safe_location
from .media_reuse import FAILED, READY

if TYPE_CHECKING:
    from ..postoria.models import Media
    from ..store import Database, Publication


def media_policy(publication: Publication) -> str:
    """``required``, ``optional`` (the default) or ``none``."""
    policy = str(publication.options.get("media") or "optional")
    return policy if policy in ("required", "optional", "none") else "optional"


def ready_media(db: Database, publication_id: int) -> list[PublicationMedia]:
    """The publication's ready media rows, in carousel order."""
    with db.session() as session:
        query = (
            select(PublicationMedia)
            .where(PublicationMedia.publication_id == publication_id)
            .where(PublicationMedia.state == READY)
            .order_by(col(PublicationMedia.position))
        )
        return list(session.exec(query))


def dropped_note(failed: list[PublicationMedia]) -> str | None:
    """The note kept on a publication posted without its failed optional media."""
    if not failed:
        return None
    return "posted without media that failed: " + "; ".join(
        f"{describe(r)}: {r.error}" for r in failed
    )


def media_note(db: Database, publication_id: int) -> str | None:
    """:func:`dropped_note` for a stored publication."""
    with db.session() as session:
        query = (
            select(PublicationMedia)
            .where(PublicationMedia.publication_id == publication_id)
            .where(PublicationMedia.state == FAILED)
            .order_by(col(PublicationMedia.position))
        )
        return dropped_note(list(session.exec(query)))


def is_permanent(error: PostoriaError) -> bool:
    """Whether a media step failed for good: Postoria refused it (4xx other than 401 and 429),
    or the request broke the contract. Server errors, lost answers and a bad key may pass."""
    if isinstance(error, PostoriaValidationError):
        return True
    if not isinstance(error, PostoriaAPIError):
        return False
    if isinstance(error, (ServerError, RateLimitedError, AuthenticationError)):
        return False
    return 400 <= error.status < 500


def media_error(media: Media) -> str:
    """Postoria's reason a media failed, as one line."""
    code = media.error_code or "failed"
    return f"{code}: {media.error_message}" if media.error_message else code


def describe(row: PublicationMedia) -> str:
    """A row for messages: position and URL without credentials."""
    return f"media {row.position + 1} ({safe_location(row.source_url)})"
