"""Test settings: the production settings with only what tests need changed."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
# Broker files, media and the SQLite test database of this run live in a folder of their own,
# which the worker processes that tests start share through the environment. The process that
# made it (pytest; mypy's Django plugin) removes it when it exits.
if "COURSEPORTAL_VAR_DIR" not in os.environ:
    os.environ["COURSEPORTAL_VAR_DIR"] = tempfile.mkdtemp(prefix="courseportal-test-")
    atexit.register(shutil.rmtree, os.environ["COURSEPORTAL_VAR_DIR"], ignore_errors=True)

from courseportal.settings import *  # noqa: F403

# The test client and live servers speak plain HTTP (the headers stay as in production).
SECURE_SSL_REDIRECT = False
# Tests deliver webhooks to servers on 127.0.0.1 (tests/security turns this off to test it).
CONVLAB_WEBHOOK_ALLOW_PRIVATE = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Rate-limit counters must not outlive a test run (CI shares one Redis between runs).
CACHES["default"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}  # noqa: F405
# Kept reads on in every test: the readers and writers of a test share its process and so the
# content versions (no test reads back through a kept read what a worker process it started
# wrote). tests/conftest.py empties every cache before each test.
READ_CACHE_ENTRIES = 1000
CACHES["local"] = {  # noqa: F405
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "courseportal-local",
    "TIMEOUT": READ_CACHE_SECONDS,  # noqa: F405
    "OPTIONS": {"MAX_ENTRIES": READ_CACHE_ENTRIES},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory, so that a worker process can open the same test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}  # noqa: F405
