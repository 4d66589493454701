"""The Celery application. Workers start with `celery -A courseportal worker`."""

from __future__ import annotations

import os
import socket

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "courseportal.settings")

app = Celery("courseportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="courseportal.ping", acks_late=False)
def ping(nonce: str) -> dict[str, str]:
    """Answer a health check: echoes the nonce so the caller knows the reply is its own."""
    return {"nonce": nonce, "worker": socket.gethostname(), "pid": str(os.getpid())}
