"""The seen-set: every identity a source's items were ever seen under, never forgotten.

An item is new only if none of its identities (guid, link alias, content hash) was recorded
for its source before; when a seen item comes back with new identities (a new guid on the same
link), those are recorded against it, so it stays recognised whatever the source does next.
The unique constraints on ``(source, identity)`` and ``(source, external_id)`` are the last
line of defence when two processes store the same items at once.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from ...sources import Item
from ...store import ItemIdentity, ItemRecord

_IDENTITY_MAX = 2000  # the identity and external_id columns' size


class SeenSet:
    """The never-evicting record of every identity a source's items were seen under.

    Within one batch, an identity carried by several different items (two entries sharing a
    content hash, a guid a broken CMS gives every entry) says nothing about which item is
    which, so it is neither used to match nor recorded; the items' other identities are.
    The unique constraints on identities and external IDs remain the last line of defence
    against a concurrent writer.
    """

    def __init__(self, session: Session, source_id: int) -> None:
        self.session = session
        self.source_id = source_id
        self._pending: dict[int, list[str]] = {}
        self._rows: list[tuple[Item, dict[str, Any]]] = []

    def new_items(self, items: list[Item]) -> list[Item]:
        """The items none of whose identities was seen; new identities of seen ones recorded."""
        batch = _distinct(items)
        identities = [_identity_keys(item) for item in batch]
        counts: dict[str, int] = {}
        for keys in identities:
            for key in keys:
                counts[key] = counts.get(key, 0) + 1
        known = self._known(
            [k for keys in identities for k in keys], [identity_key(i.external_id) for i in batch]
        )
        new: list[Item] = []
        for item, keys in zip(batch, identities, strict=True):
            usable = [key for key in keys if counts[key] == 1]
            matched = sorted({known[key] for key in keys if key in known})
            if not matched:
                self._pending[id(item)] = usable
                new.append(item)
                continue
            for key in usable:
                if key not in known:
                    self.session.add(
                        ItemIdentity(source_id=self.source_id, identity=key, item_id=matched[0])
                    )
                    known[key] = matched[0]
        return new

    def store(self, item: Item, row: dict[str, Any]) -> None:
        """Queue a new item's column values; :meth:`flush` inserts them and its identities."""
        self._rows.append((item, row))

    def flush(self) -> None:
        """Insert the queued rows in one batch, then their identities in another.

        Core inserts, in the order queued: the returned IDs are matched back by external ID,
        which is unique per source.
        """
        if not self._rows:
            return
        self.session.flush()  # identities of seen items added above go first
        inserted = self.session.execute(
            sa.insert(ItemRecord).returning(ItemRecord.external_id, ItemRecord.id),
            [row for _, row in self._rows],
        )
        ids = dict(inserted.tuples().all())
        identities = []
        for item, row in self._rows:
            item_id = ids[row["external_id"]]
            keys = self._pending.pop(id(item), None) or [row["external_id"]]
            for key in dict.fromkeys([row["external_id"], *keys]):
                identities.append(
                    {"source_id": self.source_id, "identity": key, "item_id": item_id}
                )
        self.session.execute(sa.insert(ItemIdentity), identities)
        self._rows = []

    def _known(self, identities: list[str], external_ids: list[str]) -> dict[str, int]:
        """Item IDs of the given identities (and of stored external IDs) already recorded."""
        found: dict[str, int] = {}
        for chunk in _chunks(sorted(set(identities)), 500):
            query = select(ItemIdentity.identity, ItemIdentity.item_id).where(
                ItemIdentity.source_id == self.source_id, ItemIdentity.identity.in_(chunk)
            )
            found.update(dict(self.session.exec(query).all()))
        for chunk in _chunks(sorted(set(external_ids)), 500):
            query = select(ItemRecord.external_id, ItemRecord.id).where(
                ItemRecord.source_id == self.source_id, ItemRecord.external_id.in_(chunk)
            )
            for external_id, item_id in self.session.exec(query).all():
                found.setdefault(external_id, item_id)
        return found


def _distinct(items: list[Item]) -> list[Item]:
    """Drop exact repeats within a batch; tell apart different items sharing an external ID.

    Connectors should give distinct items distinct IDs; when one does not, the engine keeps
    both rather than lose one, suffixing the content fingerprint as the RSS connector does.
    """
    by_id: dict[str, str] = {}
    kept: list[Item] = []
    for item in items:
        fingerprint = item.fingerprint()
        previous = by_id.get(item.external_id)
        if previous == fingerprint:
            continue
        if previous is not None:
            item = dataclasses.replace(item, external_id=f"{item.external_id} [{fingerprint[:16]}]")
            if by_id.get(item.external_id) == fingerprint:
                continue
        by_id.setdefault(item.external_id, fingerprint)
        kept.append(item)
    return kept


def _identity_keys(item: Item) -> list[str]:
    return list(dict.fromkeys(identity_key(identity) for identity in item.identities()))


def identity_key(identity: str) -> str:
    """An identity as stored: NUL-free, and hashed when longer than the column allows."""
    identity = identity.replace("\x00", "")
    if len(identity) <= _IDENTITY_MAX:
        return identity
    return "long-sha256:" + hashlib.sha256(identity.encode("utf-8", "replace")).hexdigest()


def _chunks(values: list[str], size: int) -> list[list[str]]:
    return [values[start : start + size] for start in range(0, len(values), size)]
