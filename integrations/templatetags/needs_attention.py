"""`{% needs_attention_panel %}`: the admin index's "needs attention" panel, for those who may see connections."""

from __future__ import annotations

from django import template

from ..admin.connection_health import health_badge
from ..selectors.needs_attention import needs_attention

register = template.Library()


@register.inclusion_tag("admin/integrations/needs_attention.html", takes_context=True)
def needs_attention_panel(context) -> dict:
    user = context["request"].user
    if not user.has_perm("integrations.view_connection"):
        return {"visible": False}
    attention = needs_attention()
    return {
        "visible": True,
        "attention": attention,
        "rows": [(health, health_badge(health.state, health.reason)) for health in attention.unhealthy],
        "show_alerts": user.has_perm("integrations.view_alert"),
    }
