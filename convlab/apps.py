from django.apps import AppConfig


class ConvlabConfig(AppConfig):
    name = "convlab"
