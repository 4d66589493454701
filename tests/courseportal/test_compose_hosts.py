"""docker-compose.worker.yml, the worker-only (and GPU) host of issue #20: it starts workers that
need only the primary's PostgreSQL and Redis, and refuses to start without them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import require
from tests.courseportal.test_docs import compose_commands, named_services

ROOT = Path(__file__).resolve().parents[2]
WORKER_FILE = ROOT / "docker-compose.worker.yml"
REQUIRED = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL")


def worker_compose() -> dict:
    loaded: dict = yaml.safe_load(WORKER_FILE.read_text())
    return loaded


def test_it_runs_only_workers_and_keeps_nothing_on_the_host() -> None:
    services = worker_compose()["services"]
    assert set(services) == {"worker", "gpu-worker"}
    assert services["gpu-worker"]["profiles"] == ["gpu"]
    assert "gpu" in services["gpu-worker"]["command"]
    assert "grading" in " ".join(services["worker"]["command"])
    for service in services.values():
        # No media volume and nothing writable: what a grading reads is in the database.
        assert all(volume.endswith(":ro") for volume in service.get("volumes", [])), service
        assert "MEDIA_ROOT" not in service["environment"]
        assert "depends_on" not in service


def test_the_primarys_services_are_required_not_defaulted() -> None:
    text = WORKER_FILE.read_text()
    for name in REQUIRED:
        uses = re.findall(r"\$\{" + name + r"([^}]*)\}", text)
        assert uses, name
        assert all(use.startswith(":?") and use[2:].strip() for use in uses), (name, uses)


def test_deploy_md_names_only_its_services() -> None:
    services = set(worker_compose()["services"])
    checked = 0
    for argv in compose_commands((ROOT / "docs" / "deploy.md").read_text()):
        if "docker-compose.worker.yml" not in argv:
            continue
        at = argv.index("docker-compose.worker.yml")
        names = named_services([*argv[:2], *argv[at + 1 :]])
        assert set(names) <= services, argv
        checked += len(names)
    assert checked >= 3


def config(**given: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in REQUIRED}
    return subprocess.run(
        ["docker-compose", "--file", WORKER_FILE.name, "--profile", "gpu", "config"],
        cwd=ROOT,
        env={**env, **given},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("missing", REQUIRED)
def test_compose_validates_it_and_refuses_it_without_the_primarys_services(missing: str) -> None:
    require(shutil.which("docker-compose") is not None, "docker-compose is not installed")
    given = {
        "SECRET_KEY": "k" * 50,
        "DATABASE_URL": "postgres://portal:pw@db.example.edu/portal?sslmode=verify-full",
        "REDIS_URL": "rediss://redis.example.edu:6380/0",
    }
    valid = config(**given)
    assert valid.returncode == 0, valid.stderr
    assert "gpu-worker" in valid.stdout
    refused = config(**{k: v for k, v in given.items() if k != missing})
    assert refused.returncode != 0
    assert f"set {missing}" in refused.stderr
