from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Tổ chức và đảng viên")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from members import names

        connection_created.connect(names.register_sqlite, dispatch_uid="members.names")
        from members import signals  # noqa: F401 -- connects the receivers
