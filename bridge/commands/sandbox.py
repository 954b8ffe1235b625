"""``bridge sandbox``: serve the Postoria sandbox for dry runs, demos and client development."""

from __future__ import annotations

import click

from ..config.durations import parse_duration


class DurationType(click.ParamType):
    """A duration option written like the config file's (``2s``, ``500ms`` is not one)."""

    name = "duration"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        """Seconds as a float."""
        if isinstance(value, int | float):
            return float(value)
        try:
            return parse_duration(str(value)).total_seconds()
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


DURATION = DurationType()


@click.command("sandbox")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to bind (keep it loopback: the admin API has no auth).",
)
@click.option(
    "--port",
    default=8765,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port (0 picks a free one).",
)
@click.option(
    "--seed",
    "seed_path",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Seed TOML (default: the packaged seed, also at config/sandbox-seed.toml).",
)
@click.option(
    "--media-delay", default="2s", show_default=True, type=DURATION, help="Media processing time."
)
@click.option(
    "--publish-delay",
    default="1s",
    show_default=True,
    type=DURATION,
    help="Time a post spends in_progress.",
)
@click.option(
    "--allow-http-imports",
    is_flag=True,
    help="Really fetch http:// media imports from loopback hosts.",
)
@click.option(
    "--rate-limit",
    default=300,
    show_default=True,
    type=click.IntRange(1),
    help="Requests per key per window.",
)
@click.option(
    "--rate-window", default="5m", show_default=True, type=DURATION, help="The rate-limit window."
)
def sandbox_command(
    host: str,
    port: int,
    seed_path: str | None,
    media_delay: float,
    publish_delay: float,
    allow_http_imports: bool,
    rate_limit: int,
    rate_window: float,
) -> None:
    """Serve a local Postoria API v1 sandbox until Ctrl-C.

    The API is under /v1, the admin API (state, requests, clock, faults, reset) under
    /_sandbox. Point the bridge's [postoria] base_url at the printed URL for a dry run.
    """
    from ..sandbox import SandboxConfig, SandboxServer

    config = SandboxConfig(
        seed_path=seed_path,
        media_delay=media_delay,
        publish_delay=publish_delay,
        rate_limit=rate_limit,
        rate_window=rate_window,
        allow_http_imports=allow_http_imports,
    )
    server = SandboxServer(config, host=host, port=port)
    server.bind()
    click.echo(f"Postoria sandbox on {server.url}")
    click.echo(f"admin API: {server.admin_url} (no auth: keep it on loopback)")
    click.echo("seeded test keys (public sandbox fixtures, not secrets):")
    for key in server.state.seed.keys:
        status = "revoked" if key.revoked else "active"
        click.echo(f"  {key.name}: {key.key} ({status})")
    click.echo("Press Ctrl-C to stop.", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


COMMANDS = [sandbox_command]
