"""`make run` (scripts/run-portal.sh) serves pages and their static files with DEBUG=false too."""

from __future__ import annotations

import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Stands in for runserver: what the server would answer, through the same WSGI application, in
# the environment the script set up.
CHECK = """
import os
import re
import sys

import django

# As manage.py, from the repository root the script runs in.
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "courseportal.settings")
django.setup()
from django.test import Client

client = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")
page = client.get("/accounts/login/")
assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.content.decode())
print(page.status_code, *(f"{asset}={client.get(asset).status_code}" for asset in assets))
"""


def fake_bin(folder: Path, check: Path) -> Path:
    """A bin folder whose python runs manage.py for real but the server as `check` and skips the
    database's set-up (seconds, and no page this test asks for reads the database), and whose
    celery does nothing."""
    folder.mkdir()
    shims = {
        "python": f"""#!/bin/sh
case "$2" in
  migrate|seed_demo) exit 0 ;;
  runserver) exec "{sys.executable}" "{check}" ;;
esac
exec "{sys.executable}" "$@"
""",
        "celery": "#!/bin/sh\nexit 0\n",
    }
    for name, text in shims.items():
        (folder / name).write_text(text)
        (folder / name).chmod(stat.S_IRWXU)
    return folder


def test_it_serves_a_page_and_its_static_files_with_debug_off(tmp_path: Path) -> None:
    check = tmp_path / "check.py"
    check.write_text(CHECK)
    env = {
        **{k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ},
        # SQLite and the embedded broker in tmp_path: never the services CI's tests use.
        "COURSEPORTAL_VAR_DIR": str(tmp_path / "var"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "PORTAL_BIN": str(fake_bin(tmp_path / "bin", check)),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
    }
    done = subprocess.run(
        ["scripts/run-portal.sh"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    status, *assets = done.stdout.splitlines()[-1].split()
    assert status == "200", done.stdout + done.stderr
    # The stylesheet and htmx, by their hashed names from the manifest.
    assert any(asset.startswith("/static/courseportal/site.") for asset in assets), assets
    assert len(assets) >= 2
    assert all(asset.endswith("=200") for asset in assets), assets
    assert "/static/courseportal/site.css=" not in assets
