"""Which tenants a person sees: superusers every connection, a CSM only the ones assigned to them."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet

from ..models import Connection


def user_sees_every_tenant(*, user: AbstractBaseUser) -> bool:
    return bool(user.is_active and user.is_superuser)


def connections_visible_to(*, user: AbstractBaseUser) -> QuerySet[Connection]:
    if user_sees_every_tenant(user=user):
        return Connection.objects.all()
    if not user.is_active or not user.is_authenticated:
        return Connection.objects.none()
    return Connection.objects.filter(csms=user)


def tenant_rows_visible_to(*, user: AbstractBaseUser, queryset: QuerySet, connection_path: str) -> QuerySet:
    """Rows of `queryset` whose connection (reached through `connection_path`, e.g. "connection") the user sees."""
    if user_sees_every_tenant(user=user):
        return queryset
    return queryset.filter(**{f"{connection_path}__in": connections_visible_to(user=user)})
