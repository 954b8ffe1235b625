"""The package's public names: sorted, present, and documented."""

from __future__ import annotations

import inspect

import bridge.postoria as postoria


def _isort_order(name: str) -> tuple[int, str]:
    """Constants, then classes, then functions, as ruff's RUF022 sorts ``__all__``."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_and_complete() -> None:
    assert postoria.__all__ == sorted(postoria.__all__, key=_isort_order)
    for name in postoria.__all__:
        assert hasattr(postoria, name), name


def test_public_classes_and_methods_have_docstrings() -> None:
    for name in postoria.__all__:
        member = getattr(postoria, name)
        if inspect.isclass(member):
            assert inspect.getdoc(member), name
    for name, method in inspect.getmembers(postoria.PostoriaClient, inspect.isfunction):
        if not name.startswith("_"):
            assert method.__doc__, name


def test_client_interface_matches_the_documented_one() -> None:
    documented = {
        "list_workspaces",
        "list_social_accounts",
        "list_queues",
        "create_upload",
        "put_upload",
        "complete_upload",
        "import_media",
        "get_media",
        "create_post",
        "get_post",
        "list_posts",
        "iter_posts",
        "delete_post",
        "upload_file",
        "wait_for_media",
        "resolve_workspace",
        "resolve_accounts",
        "resolve_queue",
        "priority",
        "tag",
        "add_listener",
        "close",
    }
    assert documented <= set(dir(postoria.PostoriaClient))
