from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from click.testing import CliRunner

from bridge.cli import cli

from .conftest import PLAIN

REPO = Path(__file__).resolve().parents[2]


def test_help_lists_the_options() -> None:
    result = CliRunner().invoke(cli, ["sandbox", "--help"])
    assert result.exit_code == 0
    for option in (
        "--host",
        "--port",
        "--seed",
        "--media-delay",
        "--publish-delay",
        "--allow-http-imports",
        "--rate-limit",
    ):
        assert option in result.output


def test_bad_duration_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["sandbox", "--media-delay", "2"])
    assert result.exit_code == 2
    assert "has no unit" in result.output


def test_serves_until_interrupted(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from bridge.cli import main; main()",
            "sandbox",
            "--port",
            "0",
            "--media-delay",
            "0s",
            "--seed",
            str(REPO / "config" / "sandbox-seed.toml"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Postoria sandbox on http://127.0.0.1:")
        url = first.split(" on ", 1)[1].strip()
        lines = [process.stdout.readline() for _ in range(5)]
        assert any("pst_test_agency_key" in line and "main test key" in line for line in lines)
        headers = {"Authorization": "Bearer pst_test_agency_key"}
        deadline = time.monotonic() + 10
        while True:
            try:
                response = PLAIN.get(url + "/workspaces", headers=headers)
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert response.status_code == 200
        assert len(response.json()["data"]) == 4
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.returncode == 0
