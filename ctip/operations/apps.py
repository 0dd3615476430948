from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "ctip.operations"
    default_auto_field = "django.db.models.BigAutoField"
