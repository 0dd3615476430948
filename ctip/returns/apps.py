from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "ctip.returns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Returns builds on cases: cases calls this hook and never imports returns.
        from ctip.cases import hooks

        from . import services

        hooks.on_case_opened(services.retrafficking_flag_on_case_opened)
