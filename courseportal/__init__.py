"""courseportal: the Django project (settings, urls, the Celery app) and the course core."""

from courseportal.celery import app as celery_app

__all__ = ["celery_app"]
