"""Fixtures of the LTI tests: the test platform (tests/lti/platform.py) on the loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.lti.platform import LtiPlatform


@pytest.fixture
def lti_platform() -> Iterator[LtiPlatform]:
    """A fresh LTI 1.3 platform listening on 127.0.0.1 (a free port) for this test."""
    with LtiPlatform().running() as platform:
        yield platform
