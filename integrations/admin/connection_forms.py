"""The connection form: write-only secrets and folders as plain text.

The rules are not here: the form hands its values to integrations.services.connection_save,
which the shell command uses too.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from ..models import SECRET_FIELDS, Connection
from ..selectors.connection_secret_hints import connection_secret_hint
from ..services.connection_field_map import (
    connection_field_map_check,
    connection_field_map_parse,
    connection_field_map_text,
)
from ..services.connection_save import (
    EDITABLE_FIELDS,
    connection_changes_apply,
    connection_folders_parse,
    connection_rules_check,
)


def clear_field_name(secret_field: str) -> str:
    return f"{secret_field}_clear"


def _connection_formfield(field: models.Field, **kwargs) -> forms.Field | None:
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")  # the overrides are iCIMS hosts, all https
    return field.formfield(**kwargs)


class FolderListField(forms.Field):
    """A list of iCIMS folder names, edited as text: one per line or comma-separated."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 40})
    default_error_messages = {"required": "Name at least one folder."}

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        return connection_folders_parse(value or "")

    def has_changed(self, initial, data):
        return self.to_python(initial or []) != self.to_python(data)


class FieldMapField(forms.Field):
    """The field map, edited as `portal field = iCIMS field` lines."""

    widget = forms.Textarea(attrs={"rows": 4, "cols": 40, "placeholder": "job.coordinator = rcf3047"})

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def prepare_value(self, value):
        return connection_field_map_text(value) if isinstance(value, dict) else value

    def to_python(self, value):
        if isinstance(value, dict):
            return value
        return connection_field_map_parse(value or "")

    def has_changed(self, initial, data):
        try:
            return self.to_python(initial or {}) != self.to_python(data)
        except ValidationError:
            return True


class SecretField(forms.CharField):
    """Write-only: the stored value is never rendered; blank keeps it."""

    def __init__(self, **kwargs):
        super().__init__(
            required=False,
            widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
            **kwargs,
        )


class ConnectionForm(forms.ModelForm):
    candidate_folders = FolderListField(
        label="Candidate folders",
        help_text="iCIMS folders whose candidates are synced: one per line or comma-separated.",
    )
    user_folders = FolderListField(
        label="User folders", help_text="iCIMS folders whose users are synced: one per line or comma-separated."
    )
    field_map = FieldMapField(label="iCIMS field map", help_text=Connection._meta.get_field("field_map").help_text)
    client_secret = SecretField(label="Client secret")
    client_secret_clear = forms.BooleanField(label="Clear stored client secret", required=False)
    writeback_client_secret = SecretField(label="Interview/feedback client secret")
    writeback_client_secret_clear = forms.BooleanField(
        label="Clear stored interview/feedback client secret", required=False
    )
    webhook_password = SecretField(label="Webhook password")
    webhook_password_clear = forms.BooleanField(label="Clear stored webhook password", required=False)
    webhook_hmac_key = SecretField(label="Webhook HMAC key")
    webhook_hmac_key_clear = forms.BooleanField(label="Clear stored webhook HMAC key", required=False)
    webhook_hmac_key_previous = SecretField(label="Previous webhook HMAC key")
    webhook_hmac_key_previous_clear = forms.BooleanField(label="Clear stored previous webhook HMAC key", required=False)

    class Meta:
        model = Connection
        # The secret form fields above are not bound to the model (ConnectionAdmin excludes them too):
        # the model never sees a blank "keep" value; _post_clean hands them to the service instead.
        fields = sorted(EDITABLE_FIELDS)
        formfield_callback = _connection_formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SECRET_FIELDS:
            if name not in self.fields:
                continue
            hint = connection_secret_hint(connection=self.instance, field=name) if self.instance.pk else ""
            model_help = Connection._meta.get_field(name).help_text
            if hint:
                self.fields[name].help_text = f"Stored: {hint}. Leave blank to keep. {model_help}"
                self.fields[name].widget.attrs["placeholder"] = f"Stored: {hint}"
            else:
                self.fields[name].help_text = f"Not set. {model_help}"

    def _post_clean(self):
        super()._post_clean()
        new_secrets = {name: self.cleaned_data.get(name) or "" for name in SECRET_FIELDS if name in self.fields}
        cleared = [name for name in SECRET_FIELDS if self.cleaned_data.get(clear_field_name(name))]
        try:
            connection_changes_apply(connection=self.instance, new_secrets=new_secrets, cleared_secrets=cleared)
            connection_rules_check(connection=self.instance)
        except ValidationError as error:
            self._update_errors(error)
        self.field_map_notes: list[str] = []
        self.field_map_checked = False
        if "field_map" in self.changed_data and self.instance.pk and not self.errors:
            self._field_map_live_check()

    def _field_map_live_check(self) -> None:
        """A changed map is read against iCIMS now: names iCIMS does not know are refused."""
        check = connection_field_map_check(connection=self.instance)
        self.field_map_checked = True
        for portal, icims in check.unknown.items():
            self.add_error("field_map", f"{portal}: iCIMS does not know the field {icims!r} (or hides it from us).")
        self.field_map_notes = check.notes
