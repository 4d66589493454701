from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "courseportal.jobs"
    label = "jobs"
    verbose_name = "Staff jobs"

    def ready(self) -> None:
        from courseportal.jobs import regrade  # noqa: F401 - registers the bulk_regrade kind
