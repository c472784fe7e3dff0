import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.unit


def compose_command() -> list[str] | None:
    if (
        shutil.which("docker")
        and subprocess.run(
            ["docker", "compose", "version"], capture_output=True, check=False
        ).returncode
        == 0
    ):
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_docker_compose_file_is_valid():
    command = compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")

    result = subprocess.run(
        [*command, "config", "-q"], cwd=ROOT, capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stderr


def test_compose_runs_web_worker_beat_janus_and_coturn_on_postgres_and_redis():
    command = compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")

    result = subprocess.run(
        [*command, "config", "--services"], cwd=ROOT, capture_output=True, text=True, check=True
    )

    assert sorted(result.stdout.split()) == [
        "beat",
        "coturn",
        "janus",
        "migrate",
        "postgres",
        "redis",
        "web",
        "worker",
    ]
