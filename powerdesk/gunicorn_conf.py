"""gunicorn settings of ``powerdesk run``. The benchmarks serve with exactly these (``bench/common.py``).

Environment: ``POWERDESK_BIND`` (default 127.0.0.1:8000), ``POWERDESK_WEB_WORKERS`` (default two per
CPU core plus one: a sync worker waits on PostgreSQL for part of every request, so one per core would
leave the cores idle while it waits), ``POWERDESK_WEB_THREADS`` (default 1: sync workers).
"""

from __future__ import annotations

import os

bind = os.environ.get("POWERDESK_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("POWERDESK_WEB_WORKERS", "0")) or 2 * (os.cpu_count() or 1) + 1
threads = int(os.environ.get("POWERDESK_WEB_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = 60
graceful_timeout = 10
# Keep the access log off (as before): at hundreds of requests a second it costs more than the request.
accesslog = None
