"""convlab.kernels is a pure library: importing it loads neither Django nor torch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_it_imports_without_django_or_torch() -> None:
    probe = (
        "import sys, convlab.kernels; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'django', 'torch', 'cupy'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
