"""One dispatcher instead of four beat entries per connection: remove the per-connection entries and give
every existing connection its sync states, due now, so the dispatcher's first tick picks them up."""

from django.db import migrations

OLD_TASKS = ("sync.tasks.sync_entity", "sync.tasks.sync_reconcile")
ENTITIES = ("jobs", "candidates", "users")


def forwards(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    Connection = apps.get_model("integrations", "Connection")
    SyncState = apps.get_model("sync", "SyncState")
    PeriodicTask.objects.filter(task__in=OLD_TASKS).delete()
    SyncState.objects.bulk_create(
        [
            SyncState(connection_id=connection_id, entity=entity, next_run_at=None)
            for connection_id in Connection.objects.values_list("pk", flat=True)
            for entity in ENTITIES
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("sync", "0004_sync_dispatch_fields"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    # Backwards: nothing to restore; the old entries were derived from the connections.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
