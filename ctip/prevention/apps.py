from django.apps import AppConfig


class PreventionConfig(AppConfig):
    name = "ctip.prevention"
    default_auto_field = "django.db.models.BigAutoField"
