from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "ctip.care"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Care builds on cases: cases calls this hook and never imports care.
        from ctip.cases import hooks
        from ctip.cases.models import ApprovalKind

        from . import services

        hooks.on_approval_decided(ApprovalKind.CARE_PLAN)(services.care_plan_decided)
