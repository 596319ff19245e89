"""The CSM role: staff who manage a tenant's stages but never see its credentials."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

CSM_GROUP_NAME = "CSM"

CSM_PERMISSIONS = [
    ("integrations", "view_connection"),
    ("integrations", "view_stage"),
    ("integrations", "add_stage"),
    ("integrations", "change_stage"),
    ("integrations", "view_schedulingrequest"),
    # Operators watch alerts and attend to them (acknowledge, mute); the rules' settings stay with super admins.
    ("integrations", "view_alert"),
    ("integrations", "change_alert"),
    ("sync", "view_job"),
    ("sync", "view_candidate"),
    ("sync", "view_icimsuser"),
    ("sync", "view_syncrun"),
    ("sync", "view_syncstate"),
]


def csm_group_ensure(**kwargs) -> Group:
    """Create the CSM group with exactly its permissions. Safe to run after every migrate."""
    group, _ = Group.objects.get_or_create(name=CSM_GROUP_NAME)
    wanted = [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in CSM_PERMISSIONS
        if Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists()
    ]
    group.permissions.set(wanted)
    return group
