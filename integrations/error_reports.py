"""Keeps connection secrets out of Django's error reports."""

from __future__ import annotations

import re

from django.views.debug import SafeExceptionReporterFilter


class SecretHidingExceptionReporterFilter(SafeExceptionReporterFilter):
    # Django's default pattern, plus the names our admin forms and API bodies use.
    hidden_settings = re.compile(
        "API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|AUTHORIZATION|CREDENTIAL", flags=re.IGNORECASE
    )

    def get_post_parameters(self, request):
        if request is None:
            return {}
        cleansed = request.POST.copy()
        for name in cleansed:
            if self.hidden_settings.search(name):
                cleansed[name] = self.cleansed_substitute
        return cleansed

    def get_traceback_frame_variables(self, request, tb_frame):
        return [
            (name, self.cleansed_substitute if self.hidden_settings.search(name) else value)
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]
