"""The mirror of iCIMS data (jobs, candidates, users) and the bookkeeping of the sync that keeps it fresh.

Mirrored rows are written only by `sync.services` (in bulk) and are read-only in the admin.
"""

from __future__ import annotations

from django.db import models

from integrations.models import Connection


class Entity(models.TextChoices):
    JOBS = "jobs", "jobs"
    CANDIDATES = "candidates", "candidates"
    USERS = "users", "users"


class ScopeState(models.TextChoices):
    IN_SCOPE = "in_scope", "in scope"
    LEFT_SCOPE = "left_scope", "left scope"
    DELETED = "deleted", "deleted"
    # A person outside the synced folders whom a scheduling request names: kept so the platform can read
    # who it schedules, and left alone by a full run's marking (which only touches rows in scope).
    OUT_OF_SCOPE = "out_of_scope", "out of scope, kept for a scheduling request"


class MirroredRecord(models.Model):
    """What every mirrored row keeps besides its iCIMS values: where it came from, when, and whether it still counts."""

    connection = models.ForeignKey(
        Connection,
        on_delete=models.CASCADE,
        related_name="mirrored_%(class)ss",
        verbose_name="connection",
        help_text="The iCIMS tenant this record belongs to.",
    )
    icims_id = models.PositiveBigIntegerField(
        "id in iCIMS", help_text="The iCIMS system id (the number in the profile URL); unique within a connection."
    )
    folder = models.CharField(
        "folder",
        max_length=200,
        blank=True,
        help_text="The iCIMS folder, as iCIMS displays it. Blank: hidden or empty.",
    )
    folder_id = models.CharField(
        "folder id", max_length=64, blank=True, help_text="The iCIMS list node id of the folder, e.g. D32006."
    )
    updateddate = models.DateTimeField(
        "updated in iCIMS",
        null=True,
        blank=True,
        help_text="iCIMS's own last-updated time (minute resolution, UTC). Empty: hidden by security rules.",
    )
    raw = models.JSONField(
        "raw profile", default=dict, blank=True, help_text="The profile JSON exactly as last fetched from iCIMS."
    )
    content_hash = models.CharField(
        "content hash",
        max_length=64,
        blank=True,
        help_text="Fingerprint of the mirrored values: a fetch with the same fingerprint changes nothing.",
    )
    synced_at = models.DateTimeField(
        "last synced",
        help_text="When a fetch last confirmed this row (changed or not). Newer than any fetch it replaced.",
    )
    seen_at = models.DateTimeField(
        "last seen",
        help_text="When a fetch last saw this record in iCIMS, even one older than the row. "
        "A clean full run marks what it has not seen since it started.",
    )
    scope_state = models.CharField(
        "scope",
        max_length=16,
        choices=ScopeState.choices,
        default=ScopeState.IN_SCOPE,
        help_text="In scope: synced. Left scope: no longer in a configured folder. "
        "Deleted: deleted in iCIMS, or gone from a clean full run. "
        "Out of scope, kept: never in a configured folder, mirrored because a scheduling request names the person.",
    )
    scope_changed_at = models.DateTimeField(
        "scope changed", null=True, blank=True, help_text="When the record entered its current scope state."
    )
    created_at = models.DateTimeField("first mirrored", auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["connection", "icims_id"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "icims_id"], name="%(app_label)s_%(class)s_unique_icims_id"),
        ]
        indexes = [
            models.Index(fields=["connection", "folder"], name="%(app_label)s_%(class)s_folder"),
            models.Index(fields=["connection", "scope_state"], name="%(app_label)s_%(class)s_scope"),
            models.Index(fields=["updateddate"], name="%(app_label)s_%(class)s_updated"),
        ]


class Job(MirroredRecord):
    """An iCIMS job. All jobs are mirrored except deleted ones."""

    jobid = models.CharField(
        "job number",
        max_length=64,
        blank=True,
        help_text="The human job number iCIMS shows, e.g. 2014-1026 (not the system id).",
    )
    jobtitle = models.CharField("title", max_length=500, blank=True, help_text="The job title.")
    hiringmanager_icims_id = models.PositiveBigIntegerField(
        "hiring manager id", null=True, blank=True, help_text="iCIMS person id of the hiring manager."
    )
    hiringmanager_name = models.CharField(
        "hiring manager", max_length=300, blank=True, help_text="The hiring manager's name, as iCIMS displays it."
    )
    recruiter_icims_id = models.PositiveBigIntegerField(
        "recruiter id", null=True, blank=True, help_text="iCIMS person id of the recruiter."
    )
    recruiter_name = models.CharField(
        "recruiter", max_length=300, blank=True, help_text="The recruiter's name, as iCIMS displays it."
    )
    secondaryrecruiter_icims_id = models.PositiveBigIntegerField(
        "secondary recruiter id", null=True, blank=True, help_text="iCIMS person id of the secondary recruiter."
    )
    secondaryrecruiter_name = models.CharField(
        "secondary recruiter",
        max_length=300,
        blank=True,
        help_text="The secondary recruiter's name, as iCIMS displays it.",
    )
    jobowner_icims_id = models.PositiveBigIntegerField(
        "job owner id", null=True, blank=True, help_text="iCIMS person id of the job owner."
    )
    jobowner_name = models.CharField(
        "job owner", max_length=300, blank=True, help_text="The job owner's name, as iCIMS displays it."
    )
    joblocation_icims_id = models.PositiveBigIntegerField(
        "job location id", null=True, blank=True, help_text="iCIMS id of the job location (a company address)."
    )
    joblocation = models.CharField(
        "job location", max_length=500, blank=True, help_text="The job location, as iCIMS displays it."
    )

    class Meta(MirroredRecord.Meta):
        verbose_name = "job"

    def __str__(self) -> str:
        return f"{self.jobid or self.icims_id} {self.jobtitle}".strip()


class PersonRecord(MirroredRecord):
    """An iCIMS person profile: the shape shared by candidates and users."""

    firstname = models.CharField("first name", max_length=200, blank=True)
    middlename = models.CharField("middle name", max_length=200, blank=True)
    lastname = models.CharField("last name", max_length=200, blank=True)
    email = models.CharField(
        "email",
        max_length=320,
        blank=True,
        help_text="The primary email as iCIMS has it (not validated: iCIMS accepts what its users typed).",
    )
    phones = models.JSONField(
        "phones",
        default=list,
        blank=True,
        help_text='Every phone iCIMS has: a list of {"type", "number", "extension"}.',
    )
    location = models.CharField(
        "location", max_length=300, blank=True, help_text="City, state and country of the first address."
    )
    has_resume = models.BooleanField(
        "has resume",
        default=False,
        help_text="Whether iCIMS returned a resume. No: none, or hidden from the API user. "
        "The file itself is fetched live when needed, never stored here.",
    )
    resume_url = models.URLField(
        "resume URL", max_length=500, blank=True, help_text="Where the resume is fetched from, live."
    )

    class Meta(MirroredRecord.Meta):
        abstract = True

    def __str__(self) -> str:
        name = " ".join(part for part in (self.firstname, self.lastname) if part)
        return name or self.email or str(self.icims_id)


class Candidate(PersonRecord):
    """An iCIMS person in one of the connection's candidate folders."""

    class Meta(PersonRecord.Meta):
        verbose_name = "candidate"


class IcimsUser(PersonRecord):
    """An iCIMS person in one of the connection's user folders (recruiters, hiring managers, employees)."""

    class Meta(PersonRecord.Meta):
        verbose_name = "user in iCIMS"
        verbose_name_plural = "users in iCIMS"


class SyncRun(models.Model):
    """One run of the sync for one connection and entity: what it read, what it wrote, and how it ended."""

    class Mode(models.TextChoices):
        INCREMENTAL_SEARCH = "incremental-search", "incremental (search)"
        INCREMENTAL_STREAM = "incremental-stream", "incremental (data stream)"
        BACKFILL = "backfill", "backfill"
        RECONCILE = "reconcile", "reconcile"

    class Status(models.TextChoices):
        RUNNING = "running", "running"
        SUCCEEDED = "succeeded", "succeeded"
        FAILED = "failed", "failed"
        SKIPPED = "skipped", "skipped"
        # Stopped early because the connection may not call iCIMS for a while (its hourly budget is
        # spent, iCIMS asked for a pause, the circuit breaker is open for its cool-down, or the run used
        # up its time slice): not a failure; what was committed stays, SyncState.next_run_at says when
        # the next run goes on from there. The failed calls that opened a breaker failed their own runs.
        DEFERRED = "deferred", "deferred"
        # Enqueued (by the dispatcher or "Sync now") and not started yet.
        QUEUED = "queued", "queued"
        # Ended early because the connection was paused; what was committed stays.
        PAUSED = "paused", "paused"
        # Its heartbeat went stale: the worker died. The next run resumes from the checkpoint.
        ABANDONED = "abandoned", "abandoned"

    connection = models.ForeignKey(
        Connection,
        on_delete=models.CASCADE,
        related_name="sync_runs",
        verbose_name="connection",
        help_text="The iCIMS tenant synced.",
    )
    entity = models.CharField("entity", max_length=16, choices=Entity.choices, help_text="What was synced.")
    mode = models.CharField(
        "mode",
        max_length=32,
        choices=Mode.choices,
        help_text="Incremental runs read what changed since the last one (by search window or data stream "
        "cursor); backfill and reconcile walk every record in scope.",
    )
    status = models.CharField(
        "status",
        max_length=16,
        choices=Status.choices,
        default=Status.RUNNING,
        help_text="Skipped: another run held the lock, or the connection is paused. Queued: enqueued, "
        "not started. Paused: stopped because the connection was paused. Abandoned: its worker died.",
    )
    started_at = models.DateTimeField("started", help_text="When the run began.")
    finished_at = models.DateTimeField("finished", null=True, blank=True, help_text="Empty while running.")
    heartbeat_at = models.DateTimeField(
        "last heartbeat",
        null=True,
        blank=True,
        help_text="Last sign of life of a running run; a stale heartbeat means the worker died.",
    )

    window_start = models.DateTimeField(
        "window start",
        null=True,
        blank=True,
        help_text="Search mode: the updateddate the search started from (overlapping the last window).",
    )
    window_end = models.DateTimeField(
        "window end", null=True, blank=True, help_text="Search mode: the updateddate the search ran up to."
    )
    cursor_in = models.CharField(
        "cursor in",
        max_length=1000,
        blank=True,
        help_text="Data stream: the key read from. Backfill and reconcile: the checkpoint resumed from.",
    )
    cursor_out = models.CharField(
        "cursor out",
        max_length=1000,
        blank=True,
        help_text="Data stream: the key stored after the last committed page. Backfill: the last id done.",
    )

    seen_count = models.PositiveIntegerField("seen", default=0, help_text="Profiles fetched and looked at.")
    created_count = models.PositiveIntegerField("created", default=0, help_text="Rows new to the mirror.")
    updated_count = models.PositiveIntegerField("updated", default=0, help_text="Rows whose values changed.")
    unchanged_count = models.PositiveIntegerField(
        "unchanged", default=0, help_text="Rows fetched again with nothing changed."
    )
    left_scope_count = models.PositiveIntegerField(
        "left scope", default=0, help_text="Rows that moved out of the configured folders."
    )
    deleted_count = models.PositiveIntegerField(
        "deleted", default=0, help_text="Rows deleted in iCIMS or missing from a clean full run."
    )
    calls_spent = models.PositiveIntegerField(
        "calls spent", default=0, help_text="iCIMS API calls this run made (search, profile and stream calls)."
    )
    progress_done = models.PositiveIntegerField(
        "done", default=0, help_text="Backfill and reconcile: records processed so far."
    )
    progress_total = models.PositiveIntegerField(
        "total", null=True, blank=True, help_text="Backfill and reconcile: records to process, once known."
    )
    error = models.TextField("error", blank=True, help_text="Why the run failed (never contains a secret).")
    served_by = models.CharField(
        "served by",
        max_length=16,
        blank=True,
        db_default="",  # rows the dispatcher inserts in SQL (sync_runs_enqueue) get it from the database
        choices=Entity.choices,
        help_text="Read nothing itself: the run of this entity read for it moments before (one people search "
        "serves candidates and users; one data stream read serves every entity). It starts when that read did.",
    )
    fell_back_to_search = models.BooleanField(
        "fell back to search",
        default=False,
        db_default=False,  # rows the dispatcher inserts in SQL (sync_runs_enqueue) get it from the database
        help_text="The data stream failed and this run searched instead: the connection is degraded, not healthy.",
    )

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "sync run"
        indexes = [
            models.Index(fields=["connection", "entity", "-started_at"], name="sync_run_latest"),
            models.Index(fields=["status"], name="sync_run_status"),
        ]

    def __str__(self) -> str:
        return f"{self.connection} {self.entity} {self.mode} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def progress(self) -> str:
        if self.progress_total is None:
            return str(self.progress_done) if self.progress_done else ""
        percent = 100 * self.progress_done // self.progress_total if self.progress_total else 100
        return f"{self.progress_done}/{self.progress_total} ({percent}%)"


class SyncState(models.Model):
    """Where the sync of one connection and entity stands: the cursors it resumes from and its health."""

    connection = models.ForeignKey(
        Connection,
        on_delete=models.CASCADE,
        related_name="sync_states",
        verbose_name="connection",
        help_text="The iCIMS tenant synced.",
    )
    entity = models.CharField("entity", max_length=16, choices=Entity.choices, help_text="What is synced.")
    search_watermark = models.DateTimeField(
        "search watermark",
        null=True,
        blank=True,
        help_text="Search mode: the end of the last committed window. The next window starts before it, "
        "by the indexing delay plus a margin.",
    )
    stream_key = models.CharField(
        "data stream key",
        max_length=1000,
        blank=True,
        help_text="Data stream mode: the lastEvaluatedKey stored after the last committed page.",
    )
    backfill_checkpoint = models.PositiveBigIntegerField(
        "backfill checkpoint",
        null=True,
        blank=True,
        help_text="Backfill or reconcile in progress: the last iCIMS id done. Empty: none in progress.",
    )
    backfill_window_end = models.DateTimeField(
        "backfill window end",
        null=True,
        blank=True,
        help_text="Backfill or reconcile in progress: the walk goes newest first, one updateddate window at a "
        "time; this is the end of the window being walked (the checkpoint is the last id done in it).",
    )
    backfill_done = models.PositiveIntegerField(
        "backfill done", default=0, help_text="Backfill or reconcile in progress: records walked so far."
    )
    backfill_total = models.PositiveIntegerField(
        "backfill total",
        null=True,
        blank=True,
        help_text="Backfill or reconcile in progress: records in scope, counted by id-only searches when it began.",
    )
    backfill_started_at = models.DateTimeField(
        "backfill started",
        null=True,
        blank=True,
        help_text="When the backfill or reconcile in progress began; records not seen since are missing.",
    )
    scope_folders = models.JSONField(
        "scope folders",
        default=list,
        blank=True,
        help_text="People: the folders the last full walk covered. When the connection's folders differ, "
        "the next run walks again.",
    )
    served_at = models.DateTimeField(
        "served by a shared read",
        null=True,
        blank=True,
        help_text="When a run of another entity last read for this one too (one people search serves candidates "
        "and users; one data stream read serves every entity). A run due soon after is not needed.",
    )
    last_success_at = models.DateTimeField("last success", null=True, blank=True)
    last_error = models.TextField("last error", blank=True, help_text="Cleared by the next successful run.")
    last_error_at = models.DateTimeField("last error at", null=True, blank=True)
    last_full_run_at = models.DateTimeField(
        "last full run", null=True, blank=True, help_text="When the last clean backfill or reconcile finished."
    )
    next_run_at = models.DateTimeField(
        "next run",
        null=True,
        blank=True,
        db_index=True,
        help_text="When the dispatcher next enqueues a run of this connection and entity. Empty: due now.",
    )
    updated_at = models.DateTimeField("updated", auto_now=True)

    class Meta:
        ordering = ["connection", "entity"]
        verbose_name = "sync state"
        constraints = [
            models.UniqueConstraint(fields=["connection", "entity"], name="sync_state_unique_connection_entity"),
        ]

    def __str__(self) -> str:
        return f"{self.connection} {self.entity}"
