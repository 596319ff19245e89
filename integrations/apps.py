from django.apps import AppConfig
from django.db.models.signals import post_migrate


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "iCIMS integrations"

    def ready(self) -> None:
        # Registers the system checks, and the tasks (services send them by name, eagerly too in tests).
        from . import checks, tasks  # noqa: F401
        from .roles import csm_group_ensure

        post_migrate.connect(csm_group_ensure, sender=self, dispatch_uid="integrations.csm_group_ensure")
        # A daily crontab entry, kept apart from goodtime_icims/beat.py's interval entries.
        from .services.stages_lint import stages_lint_schedule_ensure

        post_migrate.connect(
            stages_lint_schedule_ensure, sender=self, dispatch_uid="integrations.stages_lint_schedule_ensure"
        )
        from .services.alerts_schedule import alerts_schedule_ensure

        post_migrate.connect(alerts_schedule_ensure, sender=self, dispatch_uid="integrations.alerts_schedule_ensure")
