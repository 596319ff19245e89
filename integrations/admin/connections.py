from django.contrib import admin

from ..models import Connection


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    list_display = ["name", "customer_id", "region", "is_active"]
    exclude = ["client_secret", "writeback_client_secret", "webhook_password", "webhook_hmac_key",
               "webhook_hmac_key_previous"]
