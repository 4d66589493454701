from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo course of `make run` (`manage.py seed_demo`): it seeds every app, so it sits on
    the top floor with the aggregators."""

    name = "demo"
    verbose_name = "Demo course"
