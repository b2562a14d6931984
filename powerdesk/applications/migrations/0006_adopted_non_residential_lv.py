"""Correct the 低压新装 orders 0002 adopted as residential whatever the customer: the sub-type
``app_new_lv`` is shared by 低压居民新装 and 低压非居民新装, and 0002 took the first kind of each sub-type.
An adopted application of a non-residential customer (by the customer's type), still at its first
steps with none done, becomes 低压非居民新装 as of its order's intake: its steps and clocks withdrawn and
cancelled, the new kind's whole-process clock and first steps started (on the working-day calendar, as
0002 did), its 一次性告知 list the new kind's; one ``app_kind_corrected`` event each. An application
that has moved on (a step done, returned or skipped) is left for a person to judge.

0002 itself now chooses by the customer's type, so a database migrated from scratch has nothing to
correct here.
"""

import datetime as dt

from django.db import migrations

from powerdesk.core.workdays import add_working_days

RESIDENTIAL_TYPES = {"urban_resident", "rural_resident"}
OPEN_CLOCKS = ["running", "paused", "breached"]


def _is_workday(apps):
    CalendarDay = apps.get_model("core", "CalendarDay")
    days = dict(CalendarDay.objects.values_list("date", "is_workday"))

    def is_workday(day):
        return days.get(day, day.weekday() < 5)

    return is_workday


def correct(apps, schema_editor=None):
    Application = apps.get_model("applications", "Application")
    ApplicationKind = apps.get_model("applications", "ApplicationKind")
    ApplicationStep = apps.get_model("applications", "ApplicationStep")
    StepTemplate = apps.get_model("applications", "StepTemplate")
    Clock = apps.get_model("sla", "Clock")
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    WorkOrderEvent = apps.get_model("workorders", "WorkOrderEvent")
    target = ApplicationKind.objects.filter(code="lv_business").first()
    if target is None:
        return
    adopted = WorkOrderEvent.objects.filter(kind="app_started", data__adopted=True).values("order_id")
    candidates = (
        Application.objects.filter(kind__code="lv_resident", state="active", order_id__in=adopted)
        .exclude(order__customer__customer_type__in=RESIDENTIAL_TYPES)
        .exclude(order__customer__isnull=True)
        .exclude(steps__state__in=["done", "returned", "skipped"])
        .select_related("order", "process_clock")
    )
    candidates = list(candidates)
    if not candidates:
        return
    is_workday = _is_workday(apps)
    policies = {p.clock_kind: p for p in SlaPolicy.objects.filter(clock_kind__in=["app_step", "app_process"])}
    templates = list(StepTemplate.objects.filter(kind=target).order_by("seq", "id"))
    notice = []
    for t in templates:
        for code in t.documents.order_by("id").values_list("code", flat=True):
            if code not in notice:
                notice.append(code)
    first = min(t.seq for t in templates)
    now = dt.datetime.now(dt.UTC)
    for application in candidates:
        order = application.order
        start = application.started_at

        def clock(kind_code, days, order=order, start=start):
            due = add_working_days(start, days, is_workday)
            return Clock.objects.create(
                order=order,
                policy=policies[kind_code],
                kind=kind_code,
                state="running",
                started_at=start,
                due_at=due,
                allowed_seconds=max(1, int((due - start).total_seconds())),
                next_check_at=start + (due - start) * 0.8,
            )

        old_steps = ApplicationStep.objects.filter(application=application, state="active")
        old_clocks = [s.clock_id for s in old_steps if s.clock_id] + (
            [application.process_clock_id] if application.process_clock_id else []
        )
        Clock.objects.filter(pk__in=old_clocks, state__in=OPEN_CLOCKS).update(state="cancelled", next_check_at=None)
        old_steps.update(state="withdrawn")
        application.kind = target
        application.notice_documents = notice
        application.process_clock = clock("app_process", target.process_limit_days)
        application.save(update_fields=["kind", "notice_documents", "process_clock"])
        started = []
        for t in templates:
            if t.seq != first:
                continue
            step = ApplicationStep.objects.create(
                application=application,
                template=t,
                seq=t.seq,
                side=t.side,
                state="active",
                started_at=start,
                due_at=add_working_days(start, t.limit_days, is_workday),
                clock=clock("app_step", t.limit_days) if t.side == "utility" else None,
            )
            started.append({"step": t.code, "due_at": step.due_at.isoformat(), "side": t.side})
        due = Clock.objects.filter(order=order, state="running").order_by("due_at").values_list("due_at", flat=True)
        order.due_at = due.first()
        order.version += 1
        order.save(update_fields=["due_at", "version"])
        WorkOrderEvent.objects.create(
            order=order,
            kind="app_kind_corrected",
            at=now,
            from_status=order.status,
            to_status=order.status,
            data={
                "kind": target.code,
                "from_kind": "lv_resident",
                "adopted": True,
                "cancelled_clocks": old_clocks,
                "notice_documents": notice,
                "notice_channel": application.notice_channel,
                "steps": started,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0005_seed_returned_sms"),
    ]

    operations = [migrations.RunPython(correct, migrations.RunPython.noop)]
