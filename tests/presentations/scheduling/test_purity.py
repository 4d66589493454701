"""presentations.scheduling is a pure core: importing it loads neither Django nor the portal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_it_imports_without_django_celery_or_the_portal() -> None:
    probe = (
        "import sys, presentations.scheduling; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'django', 'celery', 'courseportal'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
