"""gunicorn settings of ``powerdesk run``. The benchmarks serve with exactly these (``bench/common.py``).

Threaded workers (``gthread``) by default: they keep client connections alive (an IVR or CTI system
posts intakes over a few long-lived connections; a sync worker closes the connection after every
answer, and re-connecting cost ~1.5 ms of CPU per request in ``bench/intake.py``), and while one thread
waits on PostgreSQL another runs. Measured on 2 cores, 3 workers x 4 threads served the intake best
(bench/RESULTS.md).

Environment: ``POWERDESK_BIND`` (default 127.0.0.1:8000), ``POWERDESK_WEB_WORKERS`` (default one per
CPU core plus one), ``POWERDESK_WEB_THREADS`` (default 4; 1 selects sync workers).
"""

from __future__ import annotations

import os

bind = os.environ.get("POWERDESK_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("POWERDESK_WEB_WORKERS", "0")) or (os.cpu_count() or 1) + 1
threads = int(os.environ.get("POWERDESK_WEB_THREADS", "4"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = 60
graceful_timeout = 10
keepalive = 5  # seconds an idle client connection stays open
# The access log stays off, as before: at hundreds of requests a second it costs more than the request.
accesslog = None
