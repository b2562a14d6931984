"""The demo's issued monthly reports: last month's report of the county and of each station, issued by
the county's service manager at the data set's "now", so the report list has something to open after
the first start. Through ``analytics.reports.report_issue``, as the manager would issue them."""

from __future__ import annotations

import datetime as dt

from powerdesk.analytics.reports import previous_month, report_issue
from powerdesk.core import clock
from powerdesk.demo.county import County
from powerdesk.org.models import User


def issue_last_month(county: County, now: dt.datetime) -> int:
    """Issue last month's reports (county, then stations); how many were issued."""
    manager = User.objects.filter(role__code="manager", is_active=True).order_by("pk").first()
    if manager is None:
        return 0
    issued = 0
    with clock.at(now):
        month = previous_month(clock.local_date(now).replace(day=1))
        for unit in [county.county, *(s.unit for s in county.stations)]:
            _report, new = report_issue(user=manager, unit=unit, month=month)
            issued += new
    return issued
