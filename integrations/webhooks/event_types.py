"""The iCIMS event types we know (icims-api.md section 9) and what we do with each.

Zulip style: every known type is declared, and each maps to its handling. An unknown type is
stored and ignored rather than refused, so iCIMS users never see an error for an event we simply
do not use yet.
"""

from __future__ import annotations

from enum import StrEnum


class Handling(StrEnum):
    PROCESS = "process"  # stored, then a worker processes it
    IGNORE = "ignore"  # stored for the record, never processed


ALL_EVENT_TYPES = (
    "WorkFlowStatusChangeEvent",
    "ApplicationCompletedEvent",
    "AssessmentEvent",
    "JobPostToWebEvent",
    "JobUnpostToWebEvent",
    "ViewJobWebPostEvent",
    "RemoteLoginEvent",
)

EVENT_HANDLING: dict[str, Handling] = {
    # A candidate moved into a trigger status: may open a scheduling request.
    "WorkFlowStatusChangeEvent": Handling.PROCESS,
    # Assessment and remote-login events expect a 303 to a vendor page we do not offer.
    "ApplicationCompletedEvent": Handling.IGNORE,
    "AssessmentEvent": Handling.IGNORE,
    "RemoteLoginEvent": Handling.IGNORE,
    # Job posting events: jobs reach us through the sync.
    "JobPostToWebEvent": Handling.IGNORE,
    "JobUnpostToWebEvent": Handling.IGNORE,
    "ViewJobWebPostEvent": Handling.IGNORE,
}


def handling_for(event_type: str) -> Handling:
    return EVENT_HANDLING.get(event_type, Handling.IGNORE)
