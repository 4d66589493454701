from django.apps import AppConfig


class GradebookConfig(AppConfig):
    name = "courseportal.gradebook"
    label = "gradebook"
    verbose_name = "Gradebook"
