from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    label = "courses"
    verbose_name = "Courses and calendar"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.urls import register_converter

        from courseportal import caching
        from courseportal.converters import IdConverter
        from courses import schema  # noqa: F401 - registers the OpenAPI extension
        from courses.models import ApiToken, CalendarException, Course, Membership

        # Registered here, before any URLconf is imported, for every app's `<id:...>` paths.
        register_converter(IdConverter, "id")

        # What the kept reads show of the course core (courseportal/caching.py): a course, its
        # memberships and calendar; the accounts (users, tokens). A login changes nothing kept.
        caching.retire_on_change(Course, lambda course: caching.course_scope(course.pk))
        for model in (Membership, CalendarException):
            caching.retire_on_change(model, lambda row: caching.course_scope(row.course_id))
        caching.retire_on_change(ApiToken, lambda token: caching.ACCOUNTS)
        caching.retire_on_change(
            get_user_model(),
            lambda user: caching.ACCOUNTS,
            ignored_fields=frozenset({"last_login"}),
        )
