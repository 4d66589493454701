from django.apps import AppConfig


class ConvlabConfig(AppConfig):
    name = "convlab"

    def ready(self) -> None:
        from convlab import jobs  # noqa: F401 - registers the bulk_regrade job kind
