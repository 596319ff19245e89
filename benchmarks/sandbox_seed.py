"""How fast the sandbox seeds a big tenant and how long a full id-paged search walk takes.

python benchmarks/sandbox_seed.py [--candidates 100000 --users 2000 --jobs 10000 --workflows 100000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from integrations.sandbox import SandboxTenant


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--workflows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    started = time.perf_counter()
    tenant = SandboxTenant.seeded(
        candidates=args.candidates, users=args.users, jobs=args.jobs, workflows=args.workflows, seed=args.seed
    )
    seeded = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"seeded {len(tenant.people)} people, {len(tenant.jobs)} jobs, {len(tenant.workflows)} workflows "
        f"in {seeded:.2f}s (peak RSS {peak_mb:.0f} MB)"
    )

    started = time.perf_counter()
    last_id, total, pages = 0, 0, 0
    while True:
        page = tenant.search(
            "people",
            {
                "filters": [
                    {"name": "person.folder", "value": ["Cand:Active", "Cand:Unreviewed", "Cand:Inactive"]},
                    {"name": "person.id", "value": [str(last_id)], "operator": ">"},
                ]
            },
            staleness_minutes=0,
        )
        total, pages = total + len(page), pages + 1
        if len(page) < 1000:
            break
        last_id = page[-1]
    print(f"paged {total} candidates in {pages} searches in {time.perf_counter() - started:.2f}s")

    started = time.perf_counter()
    found = tenant.search(
        "applicantworkflows",
        {"filters": [{"name": "applicantworkflow.updateddate", "value": ["2000-01-01"], "operator": ">="}]},
        staleness_minutes=0,
    )
    print(f"one date-filtered workflow search ({len(found)} ids) in {time.perf_counter() - started:.3f}s")


if __name__ == "__main__":
    main()
