"""Fixtures of the security tests: the convlab assignment is the one the service tests use."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django import Settings

from tests.convlab.service.conftest import lab, robot
from tests.security.site import World, build_world

__all__ = ["lab", "robot"]


@pytest.fixture
def world(db: None, settings: Settings, tmp_path: Path) -> World:
    """The seed course with user text in every field (see tests/security/site.py)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world(settings.MEDIA_ROOT)
