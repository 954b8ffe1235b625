"""The sandbox's settings, one value object passed to ``create_app`` and ``SandboxServer``."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..clock import Clock


@dataclass
class SandboxConfig:
    """How the sandbox behaves; every duration is in seconds of the sandbox clock.

    ``import_mode`` is ``"simulate"``: this machine has no internet, so an HTTPS import is
    accepted and its outcome decided from the URL path's extension (an unknown extension fails
    with ``unsupported_media_type``). With ``allow_http_imports``, ``http://`` URLs on a loopback
    host are really fetched (with httpx) and their bytes checked, for tests.
    """

    seed_path: str | Path | None = None
    media_delay: float = 2.0
    publish_delay: float = 1.0
    rate_limit: int = 300
    rate_window: float = 300.0
    allow_http_imports: bool = False
    clock: Clock | None = None
    upload_url_ttl: float = 900.0
    max_upload_bytes: int = 1_073_741_824
    fault_seed: int = 0
    import_mode: str = "simulate"
    import_timeout: float = 10.0
    signing_secret: str = field(default_factory=lambda: secrets.token_hex(16), repr=False)
