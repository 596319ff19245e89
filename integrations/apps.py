from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "iCIMS integrations"

    def ready(self) -> None:
        # Registers the system checks, and the tasks (services send them by name, eagerly too in tests).
        from . import checks, tasks  # noqa: F401
        from .audit_signals import audit_signals_connect
        from .models import Connection

        audit_signals_connect()
        from .roles import csm_group_ensure
        from .services.webhook_credentials_version import webhook_credentials_changed

        post_migrate.connect(csm_group_ensure, sender=self, dispatch_uid="integrations.csm_group_ensure")
        # Any saved or deleted connection (a new password, a key rotation, a pause): every web process drops
        # the webhook credentials it keeps in memory before its next request.
        for signal in (post_save, post_delete):
            signal.connect(
                webhook_credentials_changed, sender=Connection, dispatch_uid=f"webhook-credentials-{id(signal)}"
            )
