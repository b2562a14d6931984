"""gunicorn settings of ``powerdesk run``. The benchmarks serve with exactly these (``bench/common.py``).

Threaded workers (``gthread``) by default: they keep client connections alive (an IVR or CTI system
posts intakes over a few long-lived connections; a sync worker closes the connection after every
answer, and re-connecting costs more CPU than a small intake's own work), and while one thread
waits on PostgreSQL another runs. One worker per core (at least 2) x 4 threads: on 2 cores each process
more costs CPU per intake (2 x 4 against 3 x 4, eight interleaved runs of 30 s at saturation: 4–19 % less
CPU per intake in the gunicorn workers and PostgreSQL together in five of six pairs at the same host speed,
at the same or a higher rate; 4 x 2, 3 x 2, 5 x 2 and 4 x 3 served it no better than 3 x 4).

Each worker listens on a socket of its own (``SO_REUSEPORT``), so the kernel spreads new connections
over the workers evenly. On the one socket they otherwise share, the worker that wins the accept race
takes most of a burst of keep-alive connections (measured: 11 to 15 of ``wrk``'s 16 connections on one
of 3 workers), and that process's interpreter lock then holds the node to about one core. TCP only: a
Unix socket path cannot be shared like that. ``powerdesk run`` checks first that no other server holds
the port (with ``SO_REUSEPORT`` a second one would share it silently).

Environment: ``POWERDESK_BIND`` (default 127.0.0.1:8000), ``POWERDESK_WEB_WORKERS`` (default one per
CPU core, at least 2), ``POWERDESK_WEB_THREADS`` (default 4; 1 selects sync workers),
``POWERDESK_WEB_REUSE_PORT`` (default 1; 0 shares one socket between the workers),
``POWERDESK_WEB_ACCESS_LOG`` (default ``-``, standard output; a file; 0 switches it off).

Started with these settings by hand (``gunicorn -c python:powerdesk.gunicorn_conf …``, docs/deploy.md),
the master prepares the environment its workers inherit, as the application role (:func:`on_starting`).

Metrics: every worker writes its Prometheus values into the launcher's multiprocess directory
(``PROMETHEUS_MULTIPROC_DIR``); the master clears the files of processes gone before it starts
(:func:`on_starting`) and tells prometheus_client when a worker exits (:func:`child_exit`), so a scrape
of any worker adds up all of them.
"""

from __future__ import annotations

import os
from typing import Any

from gunicorn.glogging import Logger

bind = os.environ.get("POWERDESK_BIND", "127.0.0.1:8000")
# At least 2: one worker's process busy with a long request (or restarting) never leaves the node without one.
workers = int(os.environ.get("POWERDESK_WEB_WORKERS", "0")) or max(2, os.cpu_count() or 1)
threads = int(os.environ.get("POWERDESK_WEB_THREADS", "4"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = 60
graceful_timeout = 10
# Binds that are not a TCP host:port (a Unix socket path, an inherited descriptor): one shared socket.
NOT_TCP = ("unix:", "fd://")
reuse_port = os.environ.get("POWERDESK_WEB_REUSE_PORT", "1") != "0" and not bind.startswith(NOT_TCP)
keepalive = 5  # seconds an idle client connection stays open
# The longest request line gunicorn reads (it answers 414 itself past it, before the API can answer):
# gunicorn's maximum. The longest list URL of the API is about 1.4 kB today (every status, the longest
# value of each other filter, a keyword of 100 Chinese characters percent-encoded); gunicorn's default of
# 4094 would leave a filter that takes many values (several units or topics) a few hundred ids.
limit_request_line = 8190
# The access log, one line per request, on by default (to standard output; a file path, or off with
# POWERDESK_WEB_ACCESS_LOG=0, which saves a few percent of CPU at hundreds of requests a second). The
# line has the path without its query string and no referrer: a search by phone number or name carries
# personal data in its query string.
_access = os.environ.get("POWERDESK_WEB_ACCESS_LOG", "-").strip()
accesslog = None if _access.lower() in {"0", "off", "no", "false", ""} else _access
# The last field is the request id the application answered (X-Request-ID, powerdesk.core.logs): the
# access line and the application's log lines of one request share it.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s" %({x-request-id}o)s'
# gunicorn's own start-up lines (the workers booting; with a socket per worker, "Listening at:" with no
# address) say nothing an operator acts on: ``powerdesk run`` prints where it serves. Warnings and
# errors still show; POWERDESK_WEB_LOG_LEVEL=info brings the rest back.
loglevel = os.environ.get("POWERDESK_WEB_LOG_LEVEL", "warning")


class AccessLogger(Logger):
    """gunicorn's logger, with the path of the access line cleaned of the secrets a path may carry (the
    survey link's token: powerdesk.core.logs.redact_path)."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        from powerdesk.core.logs import redact_path

        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = redact_path(atoms["U"])
        return atoms


logger_class = AccessLogger


def on_starting(server: object) -> None:
    """gunicorn's hook in the master, before it starts any worker: one launcher call for all of them (a
    no-op under ``powerdesk run``, which starts gunicorn with the environment complete)."""
    from pathlib import Path

    from powerdesk import launcher

    launcher.launch(launcher.Role.APP)
    launcher.metrics_dir_clean(Path(os.environ[launcher.METRICS_DIR_VARIABLE]))


def child_exit(server: object, worker: object) -> None:
    """gunicorn's hook in the master when a worker has exited: its live gauges stop counting (its counters
    and histograms stay in the sums, so they never go backwards while the server runs)."""
    from prometheus_client import multiprocess

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
