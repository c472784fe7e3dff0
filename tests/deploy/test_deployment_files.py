import json
import re
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


def test_compose_runs_web_worker_beat_janus_and_coturn_on_postgres_and_redis_behind_nginx():
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
        "proxy",
        "redis",
        "web",
        "worker",
    ]


def service_command(name: str) -> list[str]:
    """A service's `command:` in docker-compose.yml (written as a JSON list)."""
    text = (ROOT / "docker-compose.yml").read_text()
    block = re.search(rf"^  {name}:\n(.*?)(?=^  \S|^\S)", text, re.MULTILINE | re.DOTALL).group(1)
    return json.loads(re.search(r"^    command: (\[.*\])$", block, re.MULTILINE).group(1))


def test_only_the_proxy_is_published_and_the_daphnes_trust_its_forwarded_address():
    """tests/deploy/test_proxy.py runs daphne and nginx as these lines do: --proxy-headers, so
    the visitor's address is the one nginx saw, which is safe only if no one reaches daphne
    without nginx."""
    from tests.deploy.proxy import daphne_command

    web = service_command("web")
    assert "--proxy-headers" in web
    tested = daphne_command(8000, Path("access.log"))
    tested[0] = "daphne"
    del tested[tested.index("--access-log") : tested.index("--access-log") + 2]
    assert web == [*tested[:2], "0.0.0.0", *tested[3:]]  # noqa: S104 - inside compose's network
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert f"CMD {json.dumps(web)}" in dockerfile
    assert service_command("proxy") == ["nginx", "-c", "/app/deploy/nginx/compose.conf"]
    text = (ROOT / "docker-compose.yml").read_text()
    published = re.findall(r"^  (\w+):\n(?:    .*\n|\n)*?    ports:", text, re.MULTILINE)
    assert "web" not in published
    assert "proxy" in published
