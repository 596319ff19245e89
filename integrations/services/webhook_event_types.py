"""The iCIMS event types we know (icims-api.md section 9): what we do with each, and who processes it.

Zulip style: every known type is declared once, here, with its handling and (when processed) its
processor. An unknown type is stored and ignored rather than refused, so iCIMS users never see an
error for an event we simply do not use yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from integrations.models import WebhookEvent

from .scheduling_request_trigger import scheduling_request_trigger
from .webhook_event_batch import WebhookEventBatch


class Handling(StrEnum):
    PROCESS = "process"  # stored, then a worker processes it
    IGNORE = "ignore"  # stored for the record, never processed


Processor = Callable[..., tuple[str, str]]


@dataclass(frozen=True)
class EventType:
    handling: Handling
    processor: Processor | None = None

    def __post_init__(self) -> None:
        if (self.handling == Handling.PROCESS) != (self.processor is not None):
            raise ValueError("An event type is processed exactly when it has a processor.")


def workflow_status_change_process(*, event: WebhookEvent, batch: WebhookEventBatch) -> tuple[str, str]:
    """A candidate's workflow changed status: maybe open a scheduling request (scheduling_request_trigger.py)."""
    result = scheduling_request_trigger(event=event, batch=batch)
    return result.state, result.outcome


EVENT_TYPES: dict[str, EventType] = {
    # A candidate moved into a trigger status: may open a scheduling request.
    "WorkFlowStatusChangeEvent": EventType(Handling.PROCESS, workflow_status_change_process),
    # Assessment and remote-login events expect a 303 to a vendor page we do not offer.
    "ApplicationCompletedEvent": EventType(Handling.IGNORE),
    "AssessmentEvent": EventType(Handling.IGNORE),
    "RemoteLoginEvent": EventType(Handling.IGNORE),
    # Job posting events: jobs reach us through the sync.
    "JobPostToWebEvent": EventType(Handling.IGNORE),
    "JobUnpostToWebEvent": EventType(Handling.IGNORE),
    "ViewJobWebPostEvent": EventType(Handling.IGNORE),
}


def handling_for(event_type: str) -> Handling:
    known = EVENT_TYPES.get(event_type)
    return known.handling if known else Handling.IGNORE
