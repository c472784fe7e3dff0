from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MinutesConfig(AppConfig):
    name = "minutes"
    verbose_name = _("Biên bản")

    def ready(self) -> None:
        from minutes.review import kept  # noqa: F401 (connects its signal receivers)
