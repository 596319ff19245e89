"""The integrations app's models, one module per model family."""

from .activity import HourlyActivity, ProcessHeartbeat
from .alerts import Alert, AlertKind, AlertNotification, AlertSettings
from .api_tokens import ApiToken
from .api_usage import ApiCallLedger
from .audit import AuditEvent
from .connections import (
    BASE_SCOPES,
    DEFAULT_CANDIDATE_FOLDERS,
    DEFAULT_HOURLY_CALL_BUDGET,
    DEFAULT_USER_FOLDERS,
    FEEDBACK_SCOPES,
    INTERVIEW_SCOPES,
    SECRET_FIELDS,
    Connection,
    default_candidate_folders,
    default_user_folders,
)
from .credential_links import CredentialLink
from .health import HEALTH_RANK, ConnectionHealth, HealthState
from .platform_webhooks import (
    PlatformWebhookAttempt,
    PlatformWebhookDelivery,
    PlatformWebhookEndpoint,
    PlatformWebhookMessage,
)
from .scheduling import SchedulingRequest
from .stage_lint import StageLintReport
from .stages import Stage
from .webhooks import WebhookEvent
from .writebacks import Writeback, WritebackAttempt

__all__ = [
    "BASE_SCOPES",
    "DEFAULT_CANDIDATE_FOLDERS",
    "DEFAULT_HOURLY_CALL_BUDGET",
    "DEFAULT_USER_FOLDERS",
    "FEEDBACK_SCOPES",
    "HEALTH_RANK",
    "INTERVIEW_SCOPES",
    "SECRET_FIELDS",
    "Alert",
    "AlertKind",
    "AlertNotification",
    "AlertSettings",
    "ApiCallLedger",
    "ApiToken",
    "AuditEvent",
    "Connection",
    "ConnectionHealth",
    "CredentialLink",
    "HealthState",
    "HourlyActivity",
    "PlatformWebhookAttempt",
    "PlatformWebhookDelivery",
    "PlatformWebhookEndpoint",
    "PlatformWebhookMessage",
    "ProcessHeartbeat",
    "SchedulingRequest",
    "Stage",
    "StageLintReport",
    "WebhookEvent",
    "Writeback",
    "WritebackAttempt",
    "default_candidate_folders",
    "default_user_folders",
]
