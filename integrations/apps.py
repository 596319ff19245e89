from django.apps import AppConfig
from django.db.models.signals import post_migrate


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "iCIMS integrations"

    def ready(self) -> None:
        # Registers the system checks, and the tasks (services send them by name, eagerly too in tests).
        from . import checks, tasks  # noqa: F401
        from .audit_signals import audit_signals_connect

        audit_signals_connect()
        from .roles import csm_group_ensure

        post_migrate.connect(csm_group_ensure, sender=self, dispatch_uid="integrations.csm_group_ensure")
