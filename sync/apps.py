from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SyncConfig(AppConfig):
    name = "sync"
    verbose_name = "iCIMS mirror"

    def ready(self) -> None:
        from integrations.roles import csm_group_ensure

        # The CSM role includes viewing the mirror; this app's permissions exist only once its own
        # post_migrate has run, so ensure the group again then.
        post_migrate.connect(csm_group_ensure, sender=self, dispatch_uid="sync.csm_group_ensure")

        # The project's beat entries, once every app's tables exist (sync is the last app migrated).
        from goodtime_icims.beat import beat_entries_ensure

        post_migrate.connect(beat_entries_ensure, sender=self, dispatch_uid="goodtime_icims.beat_entries_ensure")
