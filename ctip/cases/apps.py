from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "ctip.cases"
    default_auto_field = "django.db.models.BigAutoField"
