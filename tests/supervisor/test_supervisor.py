"""How ``powerdesk run`` keeps its processes up (powerdesk.supervisor), on a clock of the test's own:
services that end are started again after a growing, capped delay; the worker waits for its database; a
stop ends the supervision at once, in a back-off too, and stops the services that need others first."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from powerdesk import supervisor
from powerdesk.supervisor import Supervisor


@dataclass(eq=False)
class FakeService:
    name: str
    needs: tuple = ()
    alive: bool = True
    accepting: bool = True
    stops: bool = True  # whether it ends when asked to
    events: list[str] = field(default_factory=list)

    def start(self) -> None:
        self.events.append("start")
        self.alive = True

    def running(self) -> bool:
        return self.alive

    def ready(self) -> bool:
        return self.alive and self.accepting

    def exit_reason(self) -> str:
        return "killed by SIGKILL"

    def stop(self) -> None:
        self.events.append("stop")
        if self.stops:
            self.alive = False

    def wait(self, timeout: float) -> bool:
        return not self.alive

    def kill(self) -> None:
        self.events.append("kill")
        self.alive = False


@dataclass
class Scenario:
    """A clock that advances by each sleep, running ``each_tick(now)`` after every one."""

    each_tick: Callable[[float], None] = lambda now: None
    now: float = 0.0
    lines: list[str] = field(default_factory=list)

    def supervisor(self, *services: FakeService) -> Supervisor:
        return Supervisor(list(services), log=self.lines.append, clock=lambda: self.now, sleep=self.sleep)

    def sleep(self, seconds: float) -> None:
        self.now = round(self.now + seconds, 3)
        self.each_tick(self.now)


def _delays(lines: list[str]) -> list[float]:
    return [float(m.group(1)) for line in lines if (m := re.search(r"starting it again in ([\d.]+) s", line))]


def test_a_service_that_keeps_ending_is_started_again_after_a_delay_that_doubles_up_to_a_cap():
    worker = FakeService("the worker")
    scenario = Scenario()
    sup = scenario.supervisor(worker)

    def tick(now: float) -> None:
        worker.alive = False  # every start fails at once
        if now >= 200:
            sup.request_stop()

    scenario.each_tick = tick
    sup.run()
    assert _delays(scenario.lines)[:8] == [1, 2, 4, 8, 16, 30, 30, 30]
    assert scenario.lines[0] == "the worker ended (killed by SIGKILL); starting it again in 1 s."
    assert scenario.lines[1] == "starting the worker again (restart 1)."


def test_a_service_that_ran_long_enough_counts_its_failures_from_one_again():
    worker = FakeService("the worker")
    deaths = {1.0, 3.0, 10.0, 200.0}  # three quick failures, then one after a long run
    scenario = Scenario()
    sup = scenario.supervisor(worker)

    def tick(now: float) -> None:
        if any(abs(now - t) < 1e-6 for t in deaths):
            worker.alive = False
        if now >= 300:
            sup.request_stop()

    scenario.each_tick = tick
    sup.run()
    assert _delays(scenario.lines) == [1, 2, 4, 1]


def test_the_worker_waits_for_its_database():
    database = FakeService("the database")
    worker = FakeService("the worker", needs=(database,))
    scenario = Scenario()
    sup = scenario.supervisor(database, worker)
    worker_started: list[float] = []

    def tick(now: float) -> None:
        if now == 1.0:  # the database dies, and the worker with it
            database.alive = worker.alive = False
        database.accepting = now >= 20  # restarted at once, it replays its WAL until then
        if worker.events and not worker_started:
            worker_started.append(now)
        if now >= 40:
            sup.request_stop()

    scenario.each_tick = tick
    sup.run()
    assert database.events == ["start"] and worker.events == ["start"]
    assert worker_started[0] >= 20  # not before the database accepted connections


def test_a_stop_during_a_back_off_ends_the_supervision_without_another_start():
    worker = FakeService("the worker")
    scenario = Scenario()
    sup = scenario.supervisor(worker)

    def tick(now: float) -> None:
        if now == 0.2:
            worker.alive = False  # restart due at 1.2
        if now == 0.6:
            sup.request_stop()  # what the signal handler does

    scenario.each_tick = tick
    sup.run()
    assert scenario.now <= 0.6 + supervisor.TICK
    assert worker.events == []


def test_shutdown_stops_what_needs_the_database_first_and_kills_what_does_not_stop():
    order: list[str] = []
    database = FakeService("the database")
    web = FakeService("the web server", stops=False)
    worker = FakeService("the worker", needs=(database,))
    for service in (database, web, worker):
        service.events = _Recorder(order, service.name)
    scenario = Scenario()
    sup = scenario.supervisor(database, web, worker)
    sup.shutdown(grace=5)
    assert order == [
        "the web server: stop",
        "the worker: stop",
        "the web server: kill",
        "the database: stop",
    ]
    assert "the web server did not stop within 5 s; killing it." in scenario.lines


class _Recorder(list):
    def __init__(self, order: list[str], name: str):
        super().__init__()
        self.order, self.name = order, name

    def append(self, event: str) -> None:
        super().append(event)
        self.order.append(f"{self.name}: {event}")
