"""Unit tests of the sandbox's pure parts: network rules, sniffing, seed, clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bridge.clock import ManualClock
from bridge.errors import ConfigError
from bridge.sandbox import DEFAULT_SEED_PATH, SandboxClock, load_seed
from bridge.sandbox.clock import ClockError
from bridge.sandbox.networks import (
    NETWORKS,
    grapheme_length,
    post_url,
    publish_error,
    x_weighted_length,
)
from bridge.sandbox.sniff import MediaRejected, sniff_file

from .samples import SAMPLES

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("hello", 5),
        ("https://example.com/a/very/long/path/that/goes/on", 23),
        ("see https://a.example and http://b.example/x", 4 + 23 + 5 + 23),
        ("日本語", 6),
        ("😀", 2),
        ("👩‍👩‍👧‍👦", 2),
        ("e\u0301", 1),
        ("—", 1),
    ],
)
def test_x_weighted_length(text: str, length: int) -> None:
    assert x_weighted_length(text) == length


def test_grapheme_length() -> None:
    assert grapheme_length("🇫🇷👍🏽e\u0301") == 3


def test_publish_error_rules() -> None:
    assert publish_error("instagram", "hi", []) is not None
    assert publish_error("instagram", "hi", ["document"]) is not None
    assert publish_error("instagram", "hi", ["video"]) is None
    assert publish_error("tiktok", "hi", ["image"]) is None
    assert publish_error("youtube", "hi", ["image"]) == "YouTube requires a video."
    assert publish_error("pinterest", "hi", ["video"]) == "Pinterest requires an image."
    assert publish_error("linkedin", "hi", ["document"]) is None
    assert publish_error("mastodon", "x" * 10000, []) is None  # unknown networks: no rules


def test_post_urls_are_stable_and_https() -> None:
    for network in NETWORKS:
        url = post_url(network, "acme", 7001, 101)
        assert url.startswith("https://")
        assert url == post_url(network, "acme", 7001, 101)
    assert post_url("x", "acme", 7001, 101) != post_url("x", "acme", 7002, 101)


@pytest.mark.parametrize("mime", sorted(SAMPLES))
def test_sniff_identifies_samples(tmp_path: Path, mime: str) -> None:
    path = tmp_path / "f"
    path.write_bytes(SAMPLES[mime][1]())
    assert sniff_file(str(path)).mime == mime


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"<html></html>", "unsupported_media_type"),
        (b"GIF89a\x01\x00", "corrupt_file"),
        (b"RIFF\xff\xff\x00\x00WEBPVP8 ", "corrupt_file"),
    ],
)
def test_sniff_rejects(tmp_path: Path, data: bytes, code: str) -> None:
    path = tmp_path / "f"
    path.write_bytes(data)
    with pytest.raises(MediaRejected) as info:
        sniff_file(str(path))
    assert info.value.code == code


def test_config_seed_is_a_relative_symlink_to_the_packaged_seed() -> None:
    link = REPO / "config" / "sandbox-seed.toml"
    assert link.is_symlink()
    assert not Path(link.readlink()).is_absolute()
    assert link.resolve() == DEFAULT_SEED_PATH.resolve()


def test_seed_contents() -> None:
    seed = load_seed()
    assert {k.key: k.revoked for k in seed.keys} == {
        "pst_test_agency_key": False,
        "pst_test_other_key": False,
        "pst_test_revoked_key": True,
    }
    agency = [w for w in seed.workspaces if w.profile == "agency"]
    assert [(w.name, w.timezone) for w in agency] == [
        ("Acme Corp", "America/New_York"),
        ("Globex", "Europe/Berlin"),
        ("Initech", "Asia/Tokyo"),
        ("Umbrella", "UTC"),
    ]
    assert any(q.paused for w in seed.workspaces for q in w.queues)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("keys = [", "invalid TOML"),
        ('[[workspaces]]\nid = 1\nprofile = "a"\nname = "A"\ntimezone = "Mars/Base"', "seed"),
        ('[[keys]]\nid = 1\nname = "a"\nkey = "k"\nprofile = "p"\n' * 2, "duplicate key"),
    ],
)
def test_bad_seed_is_a_config_error(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "seed.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_seed(path)
    assert needle in str(info.value) and str(path) in str(info.value)


def test_missing_seed_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        load_seed(tmp_path / "nope.toml")


def test_sandbox_clock_follows_and_moves_a_shared_clock() -> None:
    shared = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    clock = SandboxClock(shared)
    clock.advance(60)
    assert shared.now() == datetime(2026, 1, 1, 0, 1, tzinfo=UTC)
    shared.advance(60)
    assert clock.now() == datetime(2026, 1, 1, 0, 2, tzinfo=UTC)
    clock.set(datetime(2026, 1, 2, tzinfo=UTC))
    assert shared.now() == datetime(2026, 1, 2, tzinfo=UTC)
    with pytest.raises(ClockError):
        clock.set(datetime(2025, 1, 1, tzinfo=UTC))


def test_sandbox_clock_offsets_real_time() -> None:
    clock = SandboxClock()
    real = datetime.now(UTC)
    clock.advance(timedelta(days=1))
    assert clock.now() - real >= timedelta(days=1)
