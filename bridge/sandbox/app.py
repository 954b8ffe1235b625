"""The sandbox's Flask factory: one blueprint per area, the request pipeline around them."""

from __future__ import annotations

from typing import Any

from flask import Flask

from . import pipeline
from .clock import SandboxClock
from .config import SandboxConfig
from .context import EXTENSION, Sandbox
from .faults import FaultSet
from .ratelimit import RateLimiter
from .seed import load_seed
from .state import SandboxState
from .views import admin, docs, media, posts, storage, workspaces


def create_app(config: SandboxConfig | None = None, **flask_config: Any) -> Flask:
    """Build a sandbox app from ``config`` (defaults when ``None``).

    Extra keyword arguments go to Flask's own config (``TESTING=True``…). The sandbox parts are
    in ``app.extensions["postoria_sandbox"]``.
    """
    config = config or SandboxConfig()
    app = Flask(__name__)
    app.config.from_mapping(JSON_SORT_KEYS=False, MAX_CONTENT_LENGTH=None)
    app.config.update(flask_config)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    clock = SandboxClock(config.clock)
    app.extensions[EXTENSION] = Sandbox(
        config=config,
        clock=clock,
        state=SandboxState(load_seed(config.seed_path), config, clock),
        faults=FaultSet(config.fault_seed),
        limiter=RateLimiter(config.rate_limit, config.rate_window),
    )
    for blueprint in (workspaces.bp, media.bp, posts.bp, storage.bp, admin.bp, docs.bp):
        app.register_blueprint(blueprint)
    pipeline.init_app(app)
    return app
