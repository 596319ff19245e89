"""How a scheduling request (and its trigger stage) looks over the API."""

from __future__ import annotations

from rest_framework import serializers

from integrations.models import SchedulingRequest, Stage


class StageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Stage
        fields = ["id", "bin", "status", "status_id", "triggers_scheduling"]
        read_only_fields = fields


class SchedulingRequestSerializer(serializers.ModelSerializer):
    trigger_stage = StageSerializer(read_only=True)

    class Meta:
        model = SchedulingRequest
        fields = [
            "id",
            "connection",
            "workflow_id",
            "candidate_id",
            "job_id",
            "state",
            "trigger_stage",
            "advance_outcome",
            "opened_at",
            "scheduled_at",
            "cancelled_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
