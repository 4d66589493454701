from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    label = "courses"
    verbose_name = "Courses and calendar"

    def ready(self) -> None:
        from django.urls import register_converter

        from courseportal.converters import IdConverter

        # Registered here, before any URLconf is imported, for every app's `<id:...>` paths.
        register_converter(IdConverter, "id")
        from django.db.backends.signals import connection_created

        from courseportal import readcache
        from courses import schema  # noqa: F401 - registers the OpenAPI extension

        # Every connection's writes retire the kept read responses (courseportal/readcache.py).
        connection_created.connect(readcache.install, dispatch_uid="courseportal.readcache")
