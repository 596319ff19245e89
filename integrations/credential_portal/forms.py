"""What the customer types: a client id and secret, and optionally a second client for interviews and
feedback. Secrets are never rendered back into the page, not even after an error."""

from __future__ import annotations

from django import forms

from integrations.services.credential_links import MAX_CLIENT_ID_LENGTH, MAX_SECRET_LENGTH, credentials_problems

SECRET_WIDGET = forms.PasswordInput(render_value=False, attrs={"autocomplete": "off", "spellcheck": "false"})
ID_WIDGET = forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})


class CustomerCredentialsForm(forms.Form):
    client_id = forms.CharField(label="Client ID", max_length=MAX_CLIENT_ID_LENGTH, widget=ID_WIDGET)
    client_secret = forms.CharField(
        label="Client secret", max_length=MAX_SECRET_LENGTH, strip=False, widget=SECRET_WIDGET
    )
    writeback_client_id = forms.CharField(
        label="Interview/feedback client ID (optional)",
        max_length=MAX_CLIENT_ID_LENGTH,
        required=False,
        widget=ID_WIDGET,
    )
    writeback_client_secret = forms.CharField(
        label="Interview/feedback client secret (optional)",
        max_length=MAX_SECRET_LENGTH,
        required=False,
        strip=False,
        widget=SECRET_WIDGET,
    )

    def __init__(self, *args, offers_writeback_client: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not offers_writeback_client:
            del self.fields["writeback_client_id"]
            del self.fields["writeback_client_secret"]

    def clean(self):
        cleaned = super().clean()
        problems = credentials_problems(
            client_id=cleaned.get("client_id", "x"),
            client_secret=cleaned.get("client_secret", "x"),
            writeback_client_id=cleaned.get("writeback_client_id", ""),
            writeback_client_secret=cleaned.get("writeback_client_secret", ""),
        )
        for field, message in problems.items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
        return cleaned
