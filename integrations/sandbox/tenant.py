"""One fake iCIMS tenant: its records, the changes tests and the demo make, and the events they leave."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from . import catalog, search
from .access import Credentials, DailyAllowance, Faults
from .clock import SandboxClock
from .records import Job, Links, Person, Workflow, render_profile
from .seed import FIRST_JOB_ID, FIRST_PERSON_ID, FIRST_WORKFLOW_ID, seed_records
from .webhooks import WebhookDelivery, WebhookTarget, deliver, status_change_event

DEFAULT_CUSTOMER_ID = "1000"
DEFAULT_CLIENTS = {"sandbox-client": "sandbox-secret"}
DEFAULT_BASIC_USERS = {"sandbox-user": "sandbox-password"}
DEFAULT_HMAC_KEYS = {"sandbox-hmac-user": "sandbox-hmac-key"}
DEFAULT_STREAM_ID = "sandbox-stream"
# Subscription ids are 32 hex characters, unlike stream ids (icims-api.md section 15, G2's test).
DEFAULT_SUBSCRIPTION_ID = "7c1e5a9f03b84d2e9a6f4b1c8d2e0f37"


class SandboxTenant:
    """State and knobs of the fake tenant; `handle` answers HTTP requests against it (see dispatch.py)."""

    def __init__(
        self,
        *,
        customer_id: str = DEFAULT_CUSTOMER_ID,
        name: str = "Sandbox Tenant",
        clock: SandboxClock | None = None,
        base_url: str = "https://sandbox.icims.test",
        clients: Mapping[str, str] = DEFAULT_CLIENTS,
        basic_users: Mapping[str, str] = DEFAULT_BASIC_USERS,
        hmac_keys: Mapping[str, str] = DEFAULT_HMAC_KEYS,
        token_expires_in: int = 3600,
        daily_allowance: int = 10000,
        indexing_delay: timedelta = timedelta(minutes=6),
        stream_id: str = DEFAULT_STREAM_ID,
        subscription_id: str = DEFAULT_SUBSCRIPTION_ID,
        webhook: WebhookTarget | None = None,
    ):
        self.customer_id = customer_id
        self.name = name
        self.clock = clock or SandboxClock()
        self.base_url = base_url.rstrip("/")
        self.credentials = Credentials(
            clients=clients, basic_users=basic_users, hmac_keys=hmac_keys, token_expires_in=token_expires_in
        )
        self.allowance = DailyAllowance(limit=daily_allowance, clock=self.clock)
        self.faults = Faults()
        self.indexing_delay = indexing_delay
        self.stream_id = stream_id
        self.subscription_id = subscription_id
        # Whether `/v2/lists` offers the (assumed) bins and statuses list; some tenants' API users may not see it.
        self.lists_offer_bins = True
        self.webhook = webhook or WebhookTarget()
        self.webhook_deliveries: list[WebhookDelivery] = []
        self.search_cache = search.StalenessCache()
        self.people: dict[int, Person] = {}
        self.jobs: dict[int, Job] = {}
        self.workflows: dict[int, Workflow] = {}
        self.ids: dict[str, list[int]] = {"people": [], "jobs": [], "applicantworkflows": []}
        self.user_ids: list[int] = []
        self.events: list[dict] = []
        # Data stream events carry the channel's fields (as a profile GET renders them) when on; ids only when
        # off. iCIMS has not published which it sends (icims-api.md section 6), so the sync handles both.
        self.stream_events_carry_fields = False
        self.interviews: dict[str, dict] = {}
        self.feedback_requests: dict[str, dict] = {}
        self.lock = threading.RLock()
        self._outbox: list[dict] = []

    @classmethod
    def seeded(
        cls,
        *,
        candidates: int = 2000,
        users: int = 200,
        jobs: int = 300,
        workflows: int = 3000,
        seed: int = 1,
        **options,
    ) -> SandboxTenant:
        tenant = cls(**options)
        records = seed_records(
            candidates=candidates, users=users, jobs=jobs, workflows=workflows, seed=seed, now=tenant.clock.epoch()
        )
        tenant.people, tenant.jobs, tenant.workflows = records.people, records.jobs, records.workflows
        tenant.user_ids = records.user_ids
        tenant.ids = {
            "people": list(records.people),
            "jobs": list(records.jobs),
            "applicantworkflows": list(records.workflows),
        }
        return tenant

    # ---- reading

    def links(self, base_url: str | None = None) -> Links:
        return Links(
            base_url=base_url or self.base_url, customer_id=self.customer_id, people=self.people, jobs=self.jobs
        )

    def records(self, entity: str) -> dict:
        return {"people": self.people, "jobs": self.jobs, "applicantworkflows": self.workflows}[entity]

    def search(
        self, entity: str, body: object, *, staleness_minutes: int = search.DEFAULT_STALENESS_MINUTES
    ) -> list[int]:
        """Ids the Search API returns for this body now (raises search.SearchError like iCIMS rejects)."""
        now = self.clock.epoch()
        with self.lock:
            cached = self.search_cache.get(entity, body, now=now, staleness_minutes=staleness_minutes)
            if cached is not None:
                return cached
            found = search.run_query(
                entity=entity,
                body=body,
                records=self.records(entity),
                ids=self.ids[entity],
                now=now,
                delay=int(self.indexing_delay.total_seconds()),
            )
            self.search_cache.put(entity, body, now=now, ids=found)
            return found

    def stream_events(self, *, exclusive_start_key: str | None, limit: int = 100) -> tuple[list[dict], str | None]:
        """A page of data stream events after the key, and the key of the next page ("" at the end, as G2 records)."""
        with self.lock:
            # Event ids are the 1-based position, zero-padded, so a key is where the next page starts.
            start = int(exclusive_start_key) if (exclusive_start_key or "").isdecimal() else 0
            page = self.events[start : start + limit]
            more = start + limit < len(self.events)
            return page, (page[-1]["eventId"] if more and page else "")

    # ---- changing (each change bumps updateddate, waits for the search index, and leaves a stream event)

    def create_person(
        self,
        *,
        firstname: str,
        lastname: str,
        folder: str = "Cand:Unreviewed",
        middlename: str | None = None,
        email: str | None = None,
        hidden: int = 0,
        has_resume: bool = False,
    ) -> Person:
        with self.lock:
            now = self.clock.epoch()
            person = Person(
                id=self._next_id("people", FIRST_PERSON_ID),
                firstname=firstname,
                lastname=lastname,
                middlename=middlename,
                folder=_node(folder, catalog.PERSON_FOLDERS),
                created=now,
                updated=now,
                hidden=hidden,
                has_resume=has_resume,
                email_address=email,
            )
            self._add("people", self.people, person, now)
            if person.is_user:
                self.user_ids.append(person.id)
            return person

    def update_person(self, person_id: int, **changes: object) -> Person:
        with self.lock:
            person = self._get(self.people, person_id, "Person")
            if "folder" in changes:
                changes["folder"] = _node(str(changes["folder"]), catalog.PERSON_FOLDERS)
            if "email" in changes:
                changes["email_address"] = changes.pop("email")
            self._change("person", person, changes, "UPDATE")
            if person.is_user and person.id not in self.user_ids:
                self.user_ids.append(person.id)
            elif not person.is_user and person.id in self.user_ids:
                self.user_ids.remove(person.id)
            return person

    def move_person(self, person_id: int, folder: str) -> Person:
        return self.update_person(person_id, folder=folder)

    def create_job(
        self,
        *,
        jobtitle: str,
        folder: str = "Approved",
        hiringmanager: int | None = None,
        recruiter: int | None = None,
        secondaryrecruiter: int | None = None,
        jobowner: int | None = None,
        location: int = 0,
    ) -> Job:
        with self.lock:
            now = self.clock.epoch()
            default_user = self.user_ids[0] if self.user_ids else 0
            job = Job(
                id=self._next_id("jobs", FIRST_JOB_ID),
                jobtitle=jobtitle,
                folder=_node(folder, catalog.JOB_FOLDERS),
                hiringmanager=hiringmanager or default_user,
                recruiter=recruiter or default_user,
                secondaryrecruiter=secondaryrecruiter,
                jobowner=jobowner or default_user,
                location=location,
                created=now,
                updated=now,
            )
            self._add("jobs", self.jobs, job, now)
            return job

    def update_job(self, job_id: int, **changes: object) -> Job:
        with self.lock:
            job = self._get(self.jobs, job_id, "Job")
            if "folder" in changes:
                changes["folder"] = _node(str(changes["folder"]), catalog.JOB_FOLDERS)
            deleting = changes.get("folder") == catalog.JOB_FOLDER_DELETED
            self._change("job", job, changes, "DELETE" if deleting else "UPDATE")
            return job

    def delete_job(self, job_id: int) -> Job:
        """iCIMS keeps deleted jobs, in the Deleted folder."""
        return self.update_job(job_id, folder=catalog.JOB_FOLDER_DELETED.value)

    def create_workflow(self, *, person_id: int, job_id: int, status_id: str = "D10100", source: int = 0) -> Workflow:
        with self.lock:
            self._get(self.people, person_id, "Person")
            self._get(self.jobs, job_id, "Job")
            now = self.clock.epoch()
            workflow = Workflow(
                id=self._next_id("applicantworkflows", FIRST_WORKFLOW_ID),
                job=job_id,
                person=person_id,
                status=_status(status_id),
                source=source,
                created=now,
                updated=now,
            )
            self._add("applicantworkflows", self.workflows, workflow, now)
            return workflow

    def update_workflow(self, workflow_id: int, **changes: object) -> Workflow:
        """Change anything but the status (that is `change_status`, which may notify)."""
        with self.lock:
            workflow = self._get(self.workflows, workflow_id, "Applicant workflow")
            if "status" in changes:
                raise ValueError("Change a workflow's status with change_status().")
            self._change("applicantworkflow", workflow, changes, "UPDATE")
            return workflow

    def change_status(
        self, workflow_id: int, status_id: str, *, notify: bool = True, user_id: int | None = None
    ) -> WebhookDelivery | None:
        """Move the candidate, like a recruiter in iCIMS; notify the webhook if the status is a trigger."""
        with self.lock:
            self.apply_status_change(workflow_id, status_id, notify=notify, user_id=user_id)
        deliveries = self.flush_webhooks()
        return deliveries[-1] if deliveries else None

    def apply_status_change(self, workflow_id: int, status_id: str, *, notify: bool, user_id: int | None) -> None:
        """The change itself; the notification waits in the outbox until `flush_webhooks` (outside the lock)."""
        workflow = self._get(self.workflows, workflow_id, "Applicant workflow")
        new_status = _status(status_id)
        old_status = workflow.status
        self._change("applicantworkflow", workflow, {"status": new_status}, "UPDATE")
        if notify and self.webhook.triggers_on(new_status.id):
            self._outbox.append(
                status_change_event(
                    customer_id=self.customer_id,
                    customer_url=self.links().customer_url,
                    workflow_id=workflow.id,
                    person_id=workflow.person,
                    job_id=workflow.job,
                    user_id=user_id or (self.user_ids[0] if self.user_ids else 0),
                    old_status=old_status.id,
                    new_status=new_status.id,
                    numeric_status_ids=self.webhook.numeric_status_ids,
                )
            )

    def flush_webhooks(self) -> list[WebhookDelivery]:
        with self.lock:
            events, self._outbox = self._outbox, []
        # Signed with real time, not the sandbox clock: the receiver checks the date against its own clock.
        deliveries = [deliver(self.webhook, event, now=datetime.now(UTC)) for event in events]
        with self.lock:
            self.webhook_deliveries.extend(deliveries)
        return deliveries

    @staticmethod
    def bins_and_statuses_csv() -> str:
        """The tenant's bins & statuses export (columns Bin, Status, Status ID), as a CSM would import it."""
        return catalog.bins_and_statuses_csv()

    def handle(
        self,
        method: str,
        url: str,
        query: str | Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer one HTTP request: the single entry point of both the in-process and the served sandbox."""
        from .dispatch import dispatch

        with self.lock:
            response = dispatch(self, method=method, url=url, query=query, headers=headers or {}, body=body)
        self.flush_webhooks()
        return response

    def install(self, rsps, base_url: str | None = None) -> None:
        """Answer every sandbox route through a `responses.RequestsMock` (see responses_adapter.py)."""
        from .responses_adapter import install

        install(self, rsps, base_url=base_url)

    # ---- internals

    def _next_id(self, entity: str, first: int) -> int:
        ids = self.ids[entity]
        return ids[-1] + 1 if ids else first

    def _add(self, entity: str, records: dict, record, now: int) -> None:
        records[record.id] = record
        self.ids[entity].append(record.id)
        search.note_created(record, now=now)
        self._event(
            entity_type={"people": "person", "jobs": "job"}.get(entity, "applicantworkflow"),
            entity_id=record.id,
            event_type="CREATE",
        )

    def _change(self, entity_type: str, record, changes: dict, event_type: str) -> None:
        for name in changes:
            if name in ("id", "index_log", "created", "updated") or not hasattr(record, name):
                raise ValueError(f"{type(record).__name__} has no changeable field {name!r}.")
        now = self.clock.epoch()

        def apply() -> None:
            for name, value in changes.items():
                setattr(record, name, value)
            record.updated = now

        search.note_changed(record, now=now, change=apply, delay=int(self.indexing_delay.total_seconds()))
        self._event(entity_type=entity_type, entity_id=record.id, event_type=event_type)

    def _event(self, *, entity_type: str, entity_id: int, event_type: str) -> None:
        event = {
            "eventId": f"{len(self.events) + 1:012d}",
            "entityType": entity_type,
            "entityId": str(entity_id),
            "eventType": event_type,
            "timestamp": self.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        if self.stream_events_carry_fields and entity_type in ("person", "job"):
            entity = "people" if entity_type == "person" else "jobs"
            fields = render_profile(self.records(entity)[entity_id], fields=None, api=self.links())
            event["fields"] = fields
        self.events.append(event)

    @staticmethod
    def _get(records: dict, record_id: int, label: str):
        record = records.get(int(record_id))
        if record is None:
            raise LookupError(f"{label} {record_id} not found.")
        return record


def _node(name_or_id: str, nodes: tuple[catalog.ListNode, ...]) -> catalog.ListNode:
    for node in nodes:
        if name_or_id in (node.id, node.value):
            return node
    raise ValueError(f"Unknown folder {name_or_id!r}; expected one of {', '.join(n.value for n in nodes)}.")


def _status(status_id: str) -> catalog.Status:
    status = catalog.STATUS_BY_ID.get(status_id)
    if status is None:
        raise ValueError(f"Unknown status id {status_id!r}.")
    return status


def at(moment: datetime) -> SandboxClock:
    """A clock stopped at `moment`: `SandboxTenant.seeded(clock=at(datetime(...)))`."""
    return SandboxClock(moment)
