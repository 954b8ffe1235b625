"""Engine settings reach the parts they govern."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.config import parse_config
from bridge.engine.engine import Engine


@pytest.mark.parametrize(
    ("setting", "allowed"), [("", False), ("allow_private_media_hosts = true", True)]
)
def test_private_media_hosts_follow_the_engine_setting(
    tmp_path: Path, setting: str, allowed: bool
) -> None:
    config = parse_config(
        '[postoria]\napi_key = "pst_test_unused"\nbase_url = "http://127.0.0.1:9/v1"\n\n'
        f'[database]\nurl = "sqlite:///{tmp_path / "bridge.db"}"\n\n[engine]\n{setting}\n'
    )
    with Engine.from_config(config) as engine:
        assert engine.publisher.downloader.allow_private_hosts is allowed
