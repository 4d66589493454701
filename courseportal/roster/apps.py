from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "courseportal.roster"
    label = "roster"
    verbose_name = "Roster import"

    def ready(self) -> None:
        from courseportal.roster import jobs  # noqa: F401 - registers the roster_import kind
