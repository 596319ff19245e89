"""`manage.py icims_sandbox` refuses bad options with a clear error instead of a traceback."""

from __future__ import annotations

import socket

import pytest
from django.core.management import CommandError, call_command


def test_impossible_sizes_are_a_command_error():
    with pytest.raises(CommandError, match="Workflows need at least one candidate"):
        call_command("icims_sandbox", "--candidates", "0", "--port", "0")


def test_a_port_already_in_use_is_a_command_error():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(CommandError):
            call_command(
                "icims_sandbox", "--port", str(busy.getsockname()[1]), "--candidates", "10", "--workflows", "5"
            )
