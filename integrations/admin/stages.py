from django.contrib import admin

from ..models import Stage


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["connection", "bin", "status", "status_id", "is_active", "triggers_scheduling"]
