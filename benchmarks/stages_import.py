"""How long the large stages export of the test corpus takes to import, and how much memory it needs.

    python benchmarks/stages_import.py [--megabytes 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gt_bench python benchmarks/stages_import.py

Without DATABASE_URL it runs on a throw-away SQLite file. It migrates the database it is pointed at
and imports into a connection of its own ("benchmark", CustomerId bench-stages), whose stages it
empties first. The file read alone, then three steps as a CSM meets them: the preview of a first
import (read and plan), its apply (one transaction), and the preview of the same file imported
again (every row kept).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goodtime_icims.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
# A published key: fine for a benchmark's throw-away connection, never for a real deployment.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "2qHunfX2ua5PO0ZC8CiZpQJbcIi1ub29L0czcqFr2t4=")
_scratch = tempfile.TemporaryDirectory(prefix="stages-import-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_scratch.name}/bench.sqlite3")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection as db  # noqa: E402

from integrations.models import Connection  # noqa: E402
from integrations.services.stages_import import stages_import_apply, stages_import_preview  # noqa: E402
from integrations.stages_file import stages_file_read  # noqa: E402
from tests.fixtures.stages.make_corpus import big_export_bytes  # noqa: E402


def import_steps(
    *, connection: Connection, content: bytes, user_id: int
) -> tuple[dict[str, Callable[[], object]], dict[str, object]]:
    """The three steps in order, and where each step's plan is kept for the next."""
    plans: dict[str, object] = {}

    def preview():
        return stages_import_preview(connection=connection, content=content, file_name="big.csv")

    def apply():
        first = plans["first import: preview"]
        return stages_import_apply(connection=connection, rows=first.rows, file_name="big.csv", user_id=user_id)

    def read():
        return stages_file_read(content=content, file_name="big.csv")

    return {
        "file read": read,
        "first import: preview": preview,
        "first import: apply": apply,
        "reimport: preview": preview,
    }, plans


def run_steps(*, connection: Connection, content: bytes, user_id: int, trace_memory: bool) -> dict[str, float]:
    """Each step's wall time (or, with trace_memory, its peak Python memory in bytes), from no stages."""
    connection.stages.all().delete()
    steps, plans = import_steps(connection=connection, content=content, user_id=user_id)
    figures = {}
    for name, step in steps.items():
        if trace_memory:
            tracemalloc.start()
        started = time.perf_counter()
        plans[name] = step()
        figures[name] = tracemalloc.get_traced_memory()[1] if trace_memory else time.perf_counter() - started
        if trace_memory:
            tracemalloc.stop()
    rows = content.count(b"\n") - 1
    assert len(plans["first import: apply"].added) == rows, "the import lost rows"
    assert len(plans["reimport: preview"].kept) == rows, "the reimport did not keep every row"
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=5.0, help="size of the export (default 5, as the test)")
    arguments = parser.parse_args()

    call_command("migrate", verbosity=0)
    connection, _ = Connection.objects.get_or_create(customer_id="bench-stages", defaults={"name": "benchmark"})
    user, _ = get_user_model().objects.get_or_create(username="benchmark")
    content = big_export_bytes(target_bytes=int(arguments.megabytes * 2**20))
    rows = content.count(b"\n") - 1
    print(f"{db.vendor}: {len(content) / 2**20:.1f} MiB export, {rows:,} stages")

    # Timed and traced in separate passes: tracemalloc slows Python down several times over.
    seconds = run_steps(connection=connection, content=content, user_id=user.pk, trace_memory=False)
    peaks = run_steps(connection=connection, content=content, user_id=user.pk, trace_memory=True)
    for name in seconds:
        print(
            f"{name:<22} {seconds[name]:7.2f} s  {rows / seconds[name]:9,.0f} rows/s"
            f"  peak Python memory {peaks[name] / 2**20:6.1f} MiB"
        )
    print(f"process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
