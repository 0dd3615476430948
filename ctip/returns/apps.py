from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "ctip.returns"
    default_auto_field = "django.db.models.BigAutoField"
