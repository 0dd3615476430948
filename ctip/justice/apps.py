from django.apps import AppConfig


class JusticeConfig(AppConfig):
    name = "ctip.justice"
    default_auto_field = "django.db.models.BigAutoField"
