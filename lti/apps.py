from django.apps import AppConfig


class LtiConfig(AppConfig):
    name = "lti"
    label = "lti"
    verbose_name = "LTI 1.3 tool"

    def ready(self) -> None:
        # The NRPS roster sync job kind, and the AGS outbox written when a grading finishes.
        from lti import jobs, receivers  # noqa: F401
