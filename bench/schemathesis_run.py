"""The long schemathesis run of the API (issue 18): every operation of ``/api/schema/``, every phase
schemathesis has — the schema's examples, the coverage of its boundaries, random fuzzing and the
stateful phase (sequences of calls that follow the schema's links, explicit or inferred from the answers)
— for a time budget, against a running server with a token. Pass: no 5xx, every answer's status code,
content type and body as the schema documents them.

    .venv/bin/powerdesk token manager --name schemathesis         # the manager: every transition
    .venv/bin/python bench/schemathesis_run.py --url http://127.0.0.1:8000 --token <secret> --minutes 60

It runs the schemathesis command line (``schemathesis run``) with ``--max-time``, the four checks below,
``--continue-on-failure`` (every failing case is reported, not the first one) and its JUnit and NDJSON
reports under ``--report-dir`` (``var/schemathesis`` by default); then prints the answers by status class
read from the NDJSON events and exits with schemathesis' own status (0: nothing failed). A reproducible run
passes ``--seed``. ``bench/fuzz.py`` is the example-count run per operation with real references.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
PHASES = "examples,coverage,fuzzing,stateful"


def command(args: argparse.Namespace, report_dir: Path) -> list[str]:
    executable = shutil.which("schemathesis") or str(Path(sys.executable).with_name("schemathesis"))
    cmd = [
        executable,
        "run",
        f"{args.url.rstrip('/')}/api/schema/",
        "--url",
        args.url.rstrip("/"),
        "-H",
        f"Authorization: Token {args.token}",
        "--phases",
        PHASES,
        "--checks",
        CHECKS,
        "--max-time",
        str(int(args.minutes * 60)),
        "--max-examples",
        str(args.max_examples),
        "--workers",
        str(args.workers),
        "--continue-on-failure",
        "--request-timeout",
        "30",
        "--report",
        "junit,ndjson",
        "--report-dir",
        str(report_dir),
        "--no-color",
    ]
    if args.seed is not None:
        cmd += ["--seed", str(args.seed)]
    return cmd


def statuses(ndjson: Path) -> Counter[str]:
    """Answers by status class (2xx, 4xx, 5xx …) over every interaction of the NDJSON event stream."""
    counts: Counter[str] = Counter()
    if not ndjson.exists():
        return counts
    with ndjson.open(encoding="utf-8") as lines:
        for line in lines:
            _walk(json.loads(line), counts)
    return counts


def _walk(value: object, counts: Counter[str]) -> None:
    if isinstance(value, dict):
        code = value.get("status_code")
        if isinstance(code, int) and "elapsed" in value:
            counts[f"{code // 100}xx"] += 1
        for item in value.values():
            _walk(item, counts)
    elif isinstance(value, list):
        for item in value:
            _walk(item, counts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running server")
    parser.add_argument("--token", required=True, help="an API token (powerdesk token USER --name …)")
    parser.add_argument("--minutes", type=float, default=60.0, help="the time budget (default: an hour)")
    parser.add_argument(
        "--max-examples", type=int, default=100_000, help="per operation; the clock ends first"
    )
    parser.add_argument("--workers", type=int, default=2, help="concurrent schemathesis workers")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--report-dir", default="var/schemathesis")
    args = parser.parse_args(argv)

    report_dir = Path(args.report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    cmd = command(args, report_dir)
    print(
        "$",
        " ".join("Authorization: Token ***" if c.startswith("Authorization") else c for c in cmd),
        flush=True,
    )
    started = time.monotonic()
    result = subprocess.run(cmd, check=False)
    elapsed = time.monotonic() - started
    ndjson = max(report_dir.glob("*.ndjson"), key=lambda p: p.stat().st_mtime, default=report_dir / "none")
    counts = statuses(ndjson)
    print(
        f"\n{elapsed / 60:.1f} min; answers by class: "
        + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none read")
        + f"; schemathesis exit {result.returncode} ({'pass' if result.returncode == 0 else 'FAIL'})"
    )
    if counts.get("5xx"):
        print(f"5xx answers: {counts['5xx']}", file=sys.stderr)
        return result.returncode or 1
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
