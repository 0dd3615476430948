from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "ctip.statistics"
    default_auto_field = "django.db.models.BigAutoField"
