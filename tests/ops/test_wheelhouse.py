"""The offline installer's mechanism (scripts/wheelhouse.py), on a few pins of the lock file: the folder
it builds installs into a new virtual environment with the index and pip's configuration disabled
(PowerDesk itself included, built with the folder's setuptools), and a missing wheel fails the install
rather than being fetched. The whole lock file's drill, with its time, is in docs/deploy.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "wheelhouse.py"
# Pure-Python and compiled wheels without dependencies of their own.
SOME = ["chinese_calendar", "lunar_python", "orjson"]


def wheelhouse(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("wheelhouse")
    built = wheelhouse("build", "--dest", str(dest), "--only", *SOME)
    assert built.returncode == 0, built.stderr
    return dest


def test_the_folder_holds_the_pins_and_the_installers_tools_with_checksums(folder):
    names = sorted(p.name.split("-")[0].lower() for p in folder.glob("*.whl"))
    assert names == ["chinese_calendar", "lunar_python", "orjson", "pip", "setuptools", "wheel"]
    sums = (folder / "SHA256SUMS").read_text().splitlines()
    assert len(sums) == 6 and all(len(line.split()[0]) == 64 for line in sums)


def test_it_installs_with_the_index_disabled(folder):
    checked = wheelhouse("check", "--dest", str(folder), "--only", *SOME)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "with the index disabled" in checked.stdout


def test_a_missing_wheel_fails_rather_than_being_fetched(folder, tmp_path):
    partial = tmp_path / "partial"
    partial.mkdir()
    for wheel in folder.glob("*.whl"):
        if not wheel.name.startswith("orjson"):
            (partial / wheel.name).write_bytes(wheel.read_bytes())
    checked = wheelhouse("check", "--dest", str(partial), "--only", *SOME)
    assert checked.returncode == 1
    assert "orjson" in checked.stdout + checked.stderr
