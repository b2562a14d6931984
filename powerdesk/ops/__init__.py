"""Operations: the health and readiness probes and the Prometheus scrape (docs/deploy.md, "Monitoring").

At the top of the layers with the console: it reads the database, the job queue, the calendar and the
notification app's idea of a stalled worker; nothing imports it but the URLconf.
"""
