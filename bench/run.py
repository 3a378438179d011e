"""`make bench`: measure eventapp under gunicorn and check the speed targets (issue 5).

Each database (SQLite file in WAL mode; PostgreSQL when BENCH_DATABASE_URL is set) starts
fresh: migrations, then the data each scenario needs. Each server configuration (2 sync
workers; gthread 2×8) is measured against references taken in the same run, so every target is
a ratio that holds on a noisy 2-core machine.

Writes bench/results/latest.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness, scenarios
from bench import report as report_module

RESULTS = harness.ROOT / "bench" / "results"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({cpu}){mem}, Python {platform.python_version()}"


def save(report: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = os.environ.get("BENCH_RESULTS", "latest.json")
    (RESULTS / name).write_text(json.dumps(report, indent=2, ensure_ascii=False))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller volumes (smoke run)")
    parser.add_argument(
        "--only",
        default=",".join(scenarios.SCENARIOS),
        help="comma-separated scenarios to run (default: all of %(default)s)",
    )
    parser.add_argument(
        "--databases", default="sqlite,postgresql", help="sqlite and/or postgresql (default both)"
    )
    parser.add_argument(
        "--servers", default="sync,gthread", help="sync and/or gthread (default both)"
    )
    parser.add_argument("--people", type=int, help="rush participants (default 2,000)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 3)")
    parser.add_argument("--opening", type=int, help="people at the opening (default 5,000)")
    args = parser.parse_args()
    vol = scenarios.volumes(
        args.quick, people=args.people, rounds=args.rounds, opening=args.opening
    )
    only = set(args.only.split(","))
    unknown = only - set(scenarios.SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    servers = [s for s in scenarios.SERVERS if s[0] in args.servers.split(",")]

    wanted = args.databases.split(",")
    kinds = [k for k in ("sqlite", "postgresql") if k in wanted]
    if "postgresql" in kinds and not os.environ.get("BENCH_DATABASE_URL"):
        print("BENCH_DATABASE_URL is not set: SQLite only.", flush=True)
        kinds.remove("postgresql")
    started = time.monotonic()
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "quick": args.quick,
        "volumes": vars(vol),
        "runs": [],
    }
    with tempfile.TemporaryDirectory(prefix="eventapp-bench-") as tmp:
        for kind in kinds:
            print(f"== {harness.elapsed()} {kind}: fresh database and data", flush=True)
            url = harness.fresh_database(kind, Path(tmp))
            env = harness.app_env(url, harness.new_secret())
            env["INSTANCE_PATH"] = str(Path(tmp) / f"instance-{kind}")  # demo credentials
            harness.flask_cli(env, "db", "upgrade")
            data = scenarios.seed(env, vol)
            if only & {"pages", "lighthouse"}:  # the demo's congress, tour, programme
                print(f"== {harness.elapsed()} {kind}: the demo data", flush=True)
                harness.flask_cli(env, "demo", "load")
            for server in servers:  # saved after each, so that a stopped run keeps its figures
                report["runs"].extend(
                    scenarios.run_all(kind, env, data, vol, only=only, servers=[server])
                )
                save(report)
    report["seconds"] = round(time.monotonic() - started, 1)
    save(report)
    table = report_module.markdown(report)
    print()
    print(table)
    misses = [c for run in report["runs"] for c in run["checks"] if c["pass"] is False]
    print(f"\n{len(misses)} target(s) missed; {report['seconds']} s in all.")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
