"""Fixtures of the security tests: the convlab assignment is the one the service tests use."""

from __future__ import annotations

from tests.convlab.service.conftest import lab, robot

__all__ = ["lab", "robot"]
