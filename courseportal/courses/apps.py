from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courseportal.courses"
    label = "courses"
    verbose_name = "Courses and calendar"

    def ready(self) -> None:
        from courseportal.courses import schema  # noqa: F401 - registers the OpenAPI extension
