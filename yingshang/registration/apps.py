from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationConfig(AppConfig):
    name = "yingshang.registration"
    label = "registration"
    verbose_name = _("登记注册")

    def ready(self) -> None:
        # Registers the matter handlers of establishment, change and deregistration.
        from . import services  # noqa: F401
