"""Why an event notification was refused, in iCIMS's vendor error form (icims-api.md section 9).

iCIMS shows `userMessage` to the iCIMS user whose action sent the event, so it says what to do;
`debugErrorMessage` is for iCIMS support. Neither ever holds a secret or a stack trace.
"""

from __future__ import annotations


class WebhookRejected(Exception):
    def __init__(self, status: int, user_message: str, debug_message: str) -> None:
        super().__init__(debug_message)
        self.status = status
        self.user_message = user_message
        self.debug_message = debug_message

    def body(self) -> dict:
        return vendor_error_body(user_message=self.user_message, debug_message=self.debug_message)


def vendor_error_body(*, user_message: str, debug_message: str) -> dict:
    return {"error": {"userMessage": user_message, "debugErrorMessage": debug_message}}


def malformed(debug_message: str) -> WebhookRejected:
    return WebhookRejected(400, "The scheduling integration could not read this event.", debug_message)


def too_large(debug_message: str) -> WebhookRejected:
    return WebhookRejected(413, "The event is too large for the scheduling integration.", debug_message)


def unauthenticated(debug_message: str) -> WebhookRejected:
    return WebhookRejected(
        401,
        "The scheduling integration refused this event's credentials; ask your administrator to check "
        "the event notification settings.",
        debug_message,
    )
