from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Sinh hoạt chi bộ")

    def ready(self) -> None:
        # The services start the notices' tasks by name (meetings.services.scheduling): the task
        # module is imported here so that the names are registered in every process (eager Celery,
        # without Redis, runs only a registered task in-process).
        from meetings import (
            signals,  # noqa: F401 -- connects the receivers
            tasks,  # noqa: F401
        )
