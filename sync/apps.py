from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save


class SyncConfig(AppConfig):
    name = "sync"
    verbose_name = "iCIMS mirror"

    def ready(self) -> None:
        from integrations.roles import csm_group_ensure

        # The CSM role includes viewing the mirror; this app's permissions exist only once its own
        # post_migrate has run, so ensure the group again then.
        post_migrate.connect(csm_group_ensure, sender=self, dispatch_uid="sync.csm_group_ensure")

        from integrations.models import Connection

        from .schedules import schedules_follow_connection

        post_save.connect(schedules_follow_connection, sender=Connection, dispatch_uid="sync.schedules_follow")
