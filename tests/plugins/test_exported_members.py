"""``bridge/__init__.py`` is the API connectors import: keep its ``__all__`` explicit and sorted."""

from __future__ import annotations

import types

import bridge


def test_all_is_sorted() -> None:
    assert bridge.__all__ == sorted(bridge.__all__)


def test_all_public_members_are_exported() -> None:
    public = {
        name
        for name, value in vars(bridge).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name != "annotations"
    }
    assert set(bridge.__all__) == public


def test_every_exported_name_exists() -> None:
    for name in bridge.__all__:
        assert getattr(bridge, name) is not None, name


def test_connector_essentials_are_exported() -> None:
    essentials = {"FetchResult", "Item", "MediaCandidate", "Problem", "Source", "SourceOptions"}
    assert essentials | {"hookimpl", "SourceError"} <= set(bridge.__all__)
