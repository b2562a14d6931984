"""Keeps the processes of ``powerdesk run`` up: the web server, the job worker and the embedded
PostgreSQL, each started again when it ends, so one crash does not take the desk down.

Steps of :meth:`Supervisor.run`, every :data:`TICK` seconds until :meth:`Supervisor.request_stop`:

1. a service that ended is logged and given a time to start again: 1 s after its first failure, twice
   as long after each further one, at most :data:`MAX_DELAY`; a service that had run
   :data:`STABLE_AFTER` seconds counts from its first failure again. A failure that repeats (a database
   that cannot start yet, a worker without its database) thus costs little and logs little;
2. a service whose time has come starts once every service it needs is ready: the worker waits for the
   database. The web server needs nothing: while the database is away it answers 503
   (:mod:`powerdesk.core.unavailable`), and it keeps its workers, which need no database to boot.

:meth:`Supervisor.shutdown` then stops every service, at once and within a bound, whatever it was doing:
a signal only sets a flag, so a stop that comes during a restart's back-off ends the wait, and a database
still starting is stopped like a running one.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from powerdesk import dbserver

FIRST_DELAY = 1.0  # seconds before the first restart of a service
MAX_DELAY = 30.0  # the longest wait between two restarts
STABLE_AFTER = 60.0  # a service that ran this long starts its count of failures again
TICK = 0.2  # how often the services are looked at (and how soon a stop is noticed)
STOP_GRACE = 15.0  # seconds the services get to stop before they are killed


class Service(Protocol):
    """One thing the supervisor keeps up."""

    name: str
    needs: Sequence[Service]

    def start(self) -> None: ...

    def running(self) -> bool: ...

    def ready(self) -> bool: ...

    def exit_reason(self) -> str: ...

    def stop(self) -> None:
        """Ask it to stop (without waiting)."""

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for it to stop; whether it has."""

    def kill(self) -> None: ...


def _describe(returncode: int | None) -> str:
    if returncode is None:
        return "gone"
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


class ChildProcess:
    """A program run as a child in a session of its own (gunicorn, the worker).

    Why a session of its own: a terminal's Ctrl-C sends SIGINT to its whole foreground process group.
    With the children in that group, gunicorn's threaded workers would get it directly and then the
    master's SIGQUIT inside the same handler, and the second shutdown of the thread pool would wait for
    the lock the first one holds, until the master kills the worker (SIGKILL) seconds later. In a session
    of their own only ``powerdesk run`` gets the signal, and it stops each child with SIGTERM: gunicorn's
    graceful stop, the worker's too."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], needs: Sequence[Service] = ()):
        self.name, self.command, self.env = name, command, env
        self.needs: Sequence[Service] = tuple(needs)
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(self.command, env=self.env, start_new_session=True)

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def ready(self) -> bool:
        return self.running()

    def exit_reason(self) -> str:
        return _describe(self.proc.poll() if self.proc is not None else None)

    def stop(self) -> None:
        if self.running():
            assert self.proc is not None
            self.proc.send_signal(signal.SIGTERM)

    def wait(self, timeout: float) -> bool:
        if self.proc is None:
            return True
        try:
            self.proc.wait(timeout=max(0.0, timeout))
        except subprocess.TimeoutExpired:
            return False
        return True

    def kill(self) -> None:
        if self.running():
            assert self.proc is not None
            self.proc.kill()
            self.proc.wait()


class EmbeddedDatabase:
    """The embedded PostgreSQL under ``var_dir``: running when ``powerdesk run`` begins (the launcher
    started or found it), started again by :func:`powerdesk.dbserver.spawn` when it ends.

    ``stop_running`` stops a server that accepts connections (``powerdesk run`` leaves it up while
    others use it); a start still under way is interrupted here: nobody can be using it yet."""

    def __init__(
        self,
        var_dir: Path,
        server: dbserver.EmbeddedServer,
        stop_running: Callable[[], None],
        name: str = "the database (embedded PostgreSQL)",
    ):
        self.name = name
        self.needs: Sequence[Service] = ()
        self.var_dir, self.server, self.stop_running = var_dir, server, stop_running
        self.proc: subprocess.Popen[bytes] | None = None  # a server this process started

    def start(self) -> None:
        self.proc = dbserver.spawn(self.var_dir, self.server)

    def running(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            return False  # ours, and ended (reaped here: no zombie keeps its pid file "alive")
        return dbserver.postmaster_pid(self.var_dir) is not None or (
            self.proc is not None and self.proc.poll() is None
        )

    def ready(self) -> bool:
        return self.running() and dbserver.is_ready(self.var_dir)

    def exit_reason(self) -> str:
        if self.proc is not None and self.proc.poll() is not None:
            return _describe(self.proc.returncode)
        return "its server process is gone"

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None and not dbserver.is_ready(self.var_dir):
            self.proc.send_signal(signal.SIGINT)  # PostgreSQL's fast shutdown, in any phase of a start
        elif self.running():
            self.stop_running()

    def wait(self, timeout: float) -> bool:
        if self.proc is None or self.proc.poll() is not None:
            return True
        try:
            self.proc.wait(timeout=max(0.0, timeout))
        except subprocess.TimeoutExpired:
            return False
        return True

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@dataclass
class _Slot:
    service: Service
    started_at: float
    failures: int = 0
    restart_at: float | None = None  # set while the service is down


def restart_delay(failures: int) -> float:
    """Seconds to wait before starting a service again after its ``failures``-th failure in a row."""
    return min(MAX_DELAY, FIRST_DELAY * 2 ** max(0, failures - 1))


@dataclass
class Supervisor:
    """Keeps ``services`` up (see the module's steps); ``log`` gets one line per event."""

    services: Sequence[Service]
    log: Callable[[str], None] = field(default=lambda line: print(f"PowerDesk: {line}", flush=True))
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _stopping: bool = False
    _slots: list[_Slot] = field(default_factory=list)

    def request_stop(self) -> None:
        """Make :meth:`run` return within a tick. Safe in a signal handler: it only sets a flag."""
        self._stopping = True

    @property
    def stopping(self) -> bool:
        return self._stopping

    def start(self) -> None:
        """Start the services that do not run yet (the database usually does), in order."""
        now = self.clock()
        self._slots = [_Slot(service, started_at=now) for service in self.services]
        for slot in self._slots:
            if not slot.service.running():
                self._start(slot, now, again=False)

    def run(self) -> None:
        """Keep the services up until :meth:`request_stop`."""
        if not self._slots:
            self.start()
        while not self._stopping:
            now = self.clock()
            for slot in self._slots:
                if self._stopping:
                    break
                self._look_after(slot, now)
            self.sleep(TICK)

    def _look_after(self, slot: _Slot, now: float) -> None:
        service = slot.service
        if slot.restart_at is None:
            if service.running():
                return
            if now - slot.started_at >= STABLE_AFTER:
                slot.failures = 0
            slot.failures += 1
            delay = restart_delay(slot.failures)
            slot.restart_at = now + delay
            self.log(f"{service.name} ended ({service.exit_reason()}); starting it again in {delay:g} s.")
        elif now >= slot.restart_at and all(need.ready() for need in service.needs):
            self._start(slot, now, again=True)

    def _start(self, slot: _Slot, now: float, *, again: bool) -> None:
        if again:
            self.log(f"starting {slot.service.name} again (restart {slot.failures}).")
        slot.started_at, slot.restart_at = now, None
        try:
            slot.service.start()
        except Exception as exc:  # e.g. a program that cannot be executed: the next look retries it
            self.log(f"{slot.service.name} could not be started: {exc}")

    def shutdown(self, grace: float = STOP_GRACE) -> None:
        """Stop every service: first those that need others (the web, the worker), then the rest (the
        database); each group gets ``grace`` seconds before what is left is killed."""
        dependents = [s for s in self.services if s.needs or not self._needed(s)]
        rest = [s for s in self.services if s not in dependents]
        for group in (dependents, rest):
            for service in group:
                service.stop()
            deadline = self.clock() + grace
            for service in group:
                if not service.wait(deadline - self.clock()):
                    self.log(f"{service.name} did not stop within {grace:g} s; killing it.")
                    service.kill()

    def _needed(self, service: Service) -> bool:
        return any(service in other.needs for other in self.services)
