from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "ctip.interop"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Interoperability with Primero/CPIMS+ and OSCaR"
