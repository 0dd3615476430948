from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "ctip.matching"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401 (connects the receivers)
