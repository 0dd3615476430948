from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "ctip.networks"
    default_auto_field = "django.db.models.BigAutoField"
