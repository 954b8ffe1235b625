"""The Postoria sandbox: a local server that behaves like the Postoria Public API v1.

Tests, benchmarks, demos and users' dry runs talk to it over loopback HTTP exactly as they would
to Postoria. See ``bridge/sandbox/README.md`` for the admin API, fault injection and the seed.
"""

from .app import create_app
from .clock import SandboxClock
from .config import SandboxConfig
from .faults import FaultRule, FaultSet
from .seed import DEFAULT_SEED_PATH, load_seed
from .server import SandboxServer
from .state import SandboxState

__all__ = [
    "DEFAULT_SEED_PATH",
    "FaultRule",
    "FaultSet",
    "SandboxClock",
    "SandboxConfig",
    "SandboxServer",
    "SandboxState",
    "create_app",
    "load_seed",
]
