from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MinutesConfig(AppConfig):
    name = "minutes"
    verbose_name = _("Biên bản")

    def ready(self) -> None:
        # The services start the render task by its name (minutes.services.rendering): the task
        # module is imported here so that the name is registered in every process. Celery's
        # autodiscovery imports it only in a worker, and without Redis the web process runs the
        # task itself (CELERY_TASK_ALWAYS_EAGER), which needs it registered.
        from minutes import (
            notices,  # noqa: F401 -- registers its notifications' wording (meetings.notices)
            tasks,  # noqa: F401
        )
        from minutes.review import kept  # noqa: F401 (connects its signal receivers)
