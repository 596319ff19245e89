from django.apps import AppConfig
from django.db.models.signals import post_migrate


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "iCIMS integrations"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
        from .roles import csm_group_ensure

        post_migrate.connect(csm_group_ensure, sender=self, dispatch_uid="integrations.csm_group_ensure")
