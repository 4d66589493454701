from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "roster"
    label = "roster"
    verbose_name = "Roster import"

    def ready(self) -> None:
        from roster import jobs  # noqa: F401 - registers the roster_import kind
