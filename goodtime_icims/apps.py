from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """django.contrib.admin, with the two-factor admin site as the default `admin.site`."""

    default_site = "goodtime_icims.admin_site.PortalAdminSite"
