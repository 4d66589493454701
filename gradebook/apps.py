from django.apps import AppConfig


class GradebookConfig(AppConfig):
    name = "gradebook"
    label = "gradebook"
    verbose_name = "Gradebook"
