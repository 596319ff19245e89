"""Time and peak memory of reading hostile XLSX uploads (and a large honest one). Run by hand:

    python -m benchmarks.xlsx_limits

Each file is read in a fresh process (`stages_file_read`, what the admin upload and `import_stages`
call), so its peak resident memory is its own: printed as the growth over the same process just
before the read, after imports. Targets: a clear error within a second and under 100 MB for the
1.5 KB dimension bombs that took openpyxl's read-only mode 14 s / 1.2 GB (`A1:XFD8000`) and 2.6 GB
(`A1:XFD1048576`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CASES = {
    "dimension bomb A1:XFD8000": "dimension_bomb('A1:XFD8000')",
    "dimension bomb A1:XFD1048576": "dimension_bomb('A1:XFD1048576')",
    "declared A1:XFD1048576, empty far cell": "dimension_bomb('A1:XFD1048576', value_in_last_cell=False)",
    "value in column XFD": "far_column_value()",
    "250,001 empty cells in one row": "many_empty_cells(250_001)",
    "65 MB unpacked member": "unpacked_size_bomb(65)",
    "honest 20,000-row export": "honest_export(20_000)",
}

CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
import django
django.setup()
from integrations.stages_file import StagesFileError, stages_file_read
from tests.fixtures.stages.hostile_xlsx import (
    HEADER_ROW, dimension_bomb, far_column_value, many_empty_cells, unpacked_size_bomb, workbook_with_sheet,
)

def honest_export(rows):
    body = "".join(
        f'<row r="{{n}}"><c r="A{{n}}" t="inlineStr"><is><t>Bin {{n // 50}}</t></is></c>'
        f'<c r="B{{n}}" t="inlineStr"><is><t>Status {{n}}</t></is></c><c r="C{{n}}"><v>{{700000 + n}}</v></c></row>'
        for n in range(2, rows + 2)
    )
    return workbook_with_sheet(HEADER_ROW + body)

content = {expression}
import openpyxl  # noqa: F401  (loaded before the baseline, as in a warm web worker)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
try:
    outcome = f"{{len(stages_file_read(content=content, file_name='stages.xlsx').rows)}} rows"
except StagesFileError as error:
    outcome = f"refused: {{error}}"
elapsed = time.perf_counter() - started
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"bytes": len(content), "seconds": elapsed, "peak_mb": (after - before) / 1024, "outcome": outcome}}))
"""


def main() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "goodtime_icims.settings",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-only-secret-key"),
        "ENV_FILE": "",
    }
    print(f"{'case':40} {'file':>10} {'time':>9} {'peak +RSS':>10}  outcome")
    failed = False
    for name, expression in CASES.items():
        code = CHILD.format(root=str(ROOT), expression=expression)
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=False
        )
        if result.returncode != 0:
            print(f"{name:40} FAILED\n{result.stderr[-2000:]}")
            failed = True
            continue
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        print(
            f"{name:40} {figures['bytes']:>9,}B {figures['seconds']:>8.3f}s {figures['peak_mb']:>8.1f}MB"
            f"  {figures['outcome'][:90]}"
        )
        if name.startswith("dimension bomb") and (figures["seconds"] > 1 or figures["peak_mb"] > 100):
            failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
