"""docker-compose.yml is valid (Debian's docker-compose; no Docker engine needed) and wires every service."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def compose() -> str:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail("docker-compose is not installed (apt-get install docker-compose, or `make test`)")
    return binary


def test_compose_file_is_valid(compose: str) -> None:
    result = subprocess.run([compose, "config", "-q"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_compose_services_and_gpu_reservation(compose: str) -> None:
    yaml = pytest.importorskip("yaml")
    result = subprocess.run(
        [compose, "config"], cwd=REPO, capture_output=True, text=True, timeout=60, env={"DOCAI_API_KEYS": "k-123"}
    )
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    services = config["services"]
    assert {"postgres", "redis", "minio", "api", "cpu-worker", "gpu-worker", "ui", "watcher"} <= set(services)
    devices = services["gpu-worker"]["deploy"]["resources"]["reservations"]["devices"]
    assert devices[0]["driver"] == "nvidia" and "gpu" in devices[0]["capabilities"]
    assert "ports" not in services["gpu-worker"]  # scalable: no fixed host port to clash
    for name in ("api", "cpu-worker", "gpu-worker", "watcher", "ui"):
        env = services[name]["environment"]
        assert env["DOCAI_BROKER_URL"].startswith("redis://") and env["DOCAI_DATABASE_URL"].startswith("postgresql")
        assert env["DOCAI_STORAGE_URL"].startswith("s3://") and env["DOCAI_API_KEYS"] == "k-123"
    assert "--queues" in services["gpu-worker"]["command"] and "gpu" in services["gpu-worker"]["command"]
    assert services["api"]["environment"]["DOCAI_ENGINE"] == services["gpu-worker"]["environment"]["DOCAI_ENGINE"]
    assert "cpu" in services["cpu-worker"]["command"]
