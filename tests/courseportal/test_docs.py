"""The deployment docs name only what exists: compose services, environment variables, files."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
DOCS = ["README.md", "docs/deploy.md", "docs/architecture.md", "docs/api.md"]
# Options of `docker compose <verb>` that take a value (the value is not a service).
VALUED = {"-t", "-u", "-v", "-e", "--profile", "--timeout", "--user", "--volume"}
VERBS = {"up", "exec", "run", "stop", "logs", "start", "restart", "ps", "build"}


def compose() -> dict:
    loaded: dict = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def compose_commands(text: str) -> list[list[str]]:
    """`docker compose …` command lines of the text's code blocks, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", text)
    return [
        shlex.split(line.split("#")[0].strip(), posix=True)
        for line in joined.splitlines()
        if line.strip().startswith("docker compose ")
    ]


def named_services(argv: list[str]) -> list[str]:
    """The services a `docker compose` command names (the first positional for exec/run)."""
    args = argv[2:]
    while args and args[0].startswith("-"):  # global options: --profile gpu
        args = args[2:] if args[0] in VALUED else args[1:]
    if not args or args[0] not in VERBS:
        return []
    verb, rest, names = args[0], args[1:], []
    skip = False
    for arg in rest:
        if skip:
            skip = False
        elif arg in VALUED:
            skip = True
        elif arg == "--scale":
            continue
        elif re.fullmatch(r"[a-z-]+=\d+", arg):
            names.append(arg.split("=")[0])
        elif not arg.startswith("-"):
            names.append(arg)
            if verb in {"exec", "run"}:
                break
    return names


def test_every_compose_command_names_real_services() -> None:
    services = set(compose()["services"])
    assert {"postgres", "redis", "web", "worker", "beat", "gpu-worker"} <= services
    checked = 0
    for doc in DOCS:
        for argv in compose_commands((ROOT / doc).read_text()):
            for name in named_services(argv):
                assert name in services, f"{doc}: `{' '.join(argv)}` names {name!r}"
                checked += 1
    assert checked >= 15


def test_every_variable_the_docs_name_is_read_somewhere() -> None:
    settings_source = (ROOT / "courseportal" / "settings.py").read_text()
    read_by_settings = set(re.findall(r'env\w*\(\s*"([A-Z][A-Z0-9_]+)"', settings_source))
    compose_source = "".join(
        (ROOT / name).read_text() for name in ("docker-compose.yml", "docker-compose.worker.yml")
    )
    read_by_compose = set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)", compose_source))
    run_source = (ROOT / "scripts" / "run-portal.sh").read_text()
    read_by_run = set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)", run_source))
    values = {"INFO", "WARNING", "DEBUG", "ERROR"}  # log levels, written like variables
    known = read_by_settings | read_by_compose | read_by_run | set(dir(settings)) | values
    for doc in ["README.md", "docs/deploy.md"]:
        named = set(re.findall(r"`([A-Z][A-Z0-9_]{2,})(?:=[^`]*)?`", (ROOT / doc).read_text()))
        unknown = sorted(named - known)
        assert not unknown, f"{doc} names variables nothing reads: {unknown}"


def test_the_compose_file_passes_what_deploy_md_says_it_passes() -> None:
    passed = set(compose()["x-app"]["environment"])
    text = (ROOT / "docs" / "deploy.md").read_text()
    section = text.split("The variables it passes to the containers are", 1)[1].split("\n\n")[0]
    said = set(re.findall(r"`([A-Z][A-Z0-9_]+)", section)) - {"POSTGRES_PASSWORD", "WEB_PORT"}
    assert said == passed


def test_the_docs_link_to_files_that_exist() -> None:
    for doc in DOCS:
        path = ROOT / doc
        for target in re.findall(r"\]\(([^)#:]+)\)", path.read_text()):
            assert (path.parent / target).exists(), f"{doc} links to a missing {target}"
