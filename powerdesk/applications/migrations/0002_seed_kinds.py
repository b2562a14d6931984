"""Seed the application kinds as step templates (DOMAIN §3), the documents they need, the SLA policy
rows behind the step and whole-process clocks, the customer's step SMS; retire the single reply clock of
application orders, and move the open application orders onto step clocks (their reply clock cancelled,
so nothing breaches twice).

Whole-process limits graded A come from DOMAIN §3 (低压居民 5, 低压非居民 6, 高压单电源 22, 高压双电源 32,
电能表校验 5 working days, utility side). The step split of those totals, and every limit of the kinds
DOMAIN lacks (充电桩, 光伏, 过户, 更名, 销户, 暂停/减容), are plausible defaults graded U.
"""

import datetime as dt

from django.db import migrations

from powerdesk.core.workdays import add_working_days

NEW_SUB_TYPES = [("app_close", "销户", 80), ("app_suspend", "暂停减容", 90)]

DOCUMENTS = [
    ("id_card", "申请人有效身份证明"),
    ("property_proof", "房屋产权证明或使用证明"),
    ("business_license", "营业执照或组织机构证明"),
    ("agent_letter", "经办人授权委托书"),
    ("load_list", "用电设备清单"),
    ("design_docs", "受电工程设计文件"),
    ("completion_report", "受电工程竣工报告"),
    ("parking_proof", "固定车位产权或使用证明"),
    ("property_consent", "物业同意安装证明"),
    ("pv_equipment", "光伏组件及逆变器资料"),
    ("transfer_consent", "原户主同意过户证明"),
    ("rename_proof", "名称变更证明"),
    ("settlement_proof", "电费结清凭证"),
    ("suspend_request", "暂停或减容申请书"),
]

# kind code, name, sub-type, topic, customer scope, whole-process limit, grade, note, sort order, steps
# step: seq, code, name, side, role, unit level, limit, optional, documents
KINDS = [
    ("lv_resident", "低压居民新装", "app_new_lv", "business_env", "residential", 5, "A",
     "居民新装全流程5个工作日；环节划分为默认值", 10, [
         (1, "survey", "现场勘查", "utility", "handler", "station", 2, False, ["id_card", "property_proof"]),
         (2, "connect", "装表接电", "utility", "repair", "station", 3, False, []),
     ]),
    ("lv_business", "低压非居民新装", "app_new_lv", "business_env", "non_residential", 6, "A",
     "供电企业环节合计6个工作日；环节划分为默认值", 20, [
         (1, "scheme", "供电方案答复", "utility", "handler", "station", 2, False,
          ["id_card", "business_license", "agent_letter", "property_proof", "load_list"]),
         (2, "customer_works", "客户内部工程施工", "customer", None, "", 30, False, []),
         (3, "inspect", "竣工检验", "utility", "handler", "station", 2, False, ["completion_report"]),
         (4, "connect", "装表接电", "utility", "repair", "station", 2, False, []),
     ]),
    ("hv_single", "高压单电源新装增容", "app_new_hv", "business_env", "any", 22, "A",
     "供电企业环节合计22个工作日；环节划分为默认值", 30, [
         (1, "scheme", "供电方案答复", "utility", "handler", "county", 10, False,
          ["id_card", "business_license", "agent_letter", "property_proof", "load_list"]),
         (2, "design_review", "设计文件审查", "utility", "handler", "county", 3, False, ["design_docs"]),
         (3, "customer_works", "客户受电工程施工", "customer", None, "", 60, False, []),
         (3, "midway_check", "隐蔽工程中间检查", "utility", "handler", "county", 2, True, []),
         (4, "inspect", "竣工检验", "utility", "handler", "county", 5, False, ["completion_report"]),
         (5, "connect", "装表接电", "utility", "repair", "county", 4, False, []),
         (5, "contract", "签订供用电合同", "utility", "handler", "county", 4, False, []),
     ]),
    ("hv_dual", "高压双电源新装", "app_new_hv_dual", "business_env", "any", 32, "A",
     "供电企业环节合计32个工作日；环节划分为默认值", 40, [
         (1, "scheme", "供电方案答复", "utility", "handler", "city", 15, False,
          ["id_card", "business_license", "agent_letter", "property_proof", "load_list"]),
         (2, "design_review", "设计文件审查", "utility", "handler", "city", 5, False, ["design_docs"]),
         (3, "customer_works", "客户受电工程施工", "customer", None, "", 90, False, []),
         (4, "inspect", "竣工检验", "utility", "handler", "city", 7, False, ["completion_report"]),
         (5, "connect", "装表接电", "utility", "repair", "county", 5, False, []),
         (5, "contract", "签订供用电合同", "utility", "handler", "county", 5, False, []),
     ]),
    ("ev_charger", "居民充电桩报装", "app_ev_charger", "ev_charging", "residential", 5, "U",
     "无官方时限，按居民新装取默认值", 50, [
         (1, "survey", "现场勘查", "utility", "handler", "station", 2, False,
          ["id_card", "parking_proof", "property_consent"]),
         (2, "customer_works", "客户安装充电设施", "customer", None, "", 30, False, []),
         (3, "connect", "验收及装表接电", "utility", "repair", "station", 3, False, []),
     ]),
    ("pv", "分布式光伏并网", "app_pv", "gov_policy", "any", 20, "U", "无官方时限，默认值", 60, [
         (1, "scheme", "接入方案答复", "utility", "handler", "county", 10, False,
          ["id_card", "property_proof", "pv_equipment"]),
         (2, "customer_works", "客户光伏工程建设", "customer", None, "", 90, False, []),
         (3, "inspect", "并网验收调试", "utility", "handler", "county", 10, False, ["completion_report"]),
         (3, "contract", "签订购售电合同", "utility", "handler", "county", 10, False, []),
     ]),
    ("meter_test", "电能表校验", "app_meter_test", "metering", "any", 5, "A",
     "校验结果5个工作日；环节划分为默认值", 70, [
         (1, "test", "电能表校验", "utility", "handler", "station", 3, False, ["id_card"]),
         (2, "result", "答复校验结果", "utility", "handler", "station", 2, False, []),
     ]),
    ("transfer", "过户", "app_transfer", "business_env", "any", 5, "U", "无官方时限，默认值", 80, [
         (1, "verify", "资料审核", "utility", "handler", "station", 2, False,
          ["id_card", "property_proof", "transfer_consent"]),
         (2, "settle", "结清电费", "customer", None, "", 10, False, ["settlement_proof"]),
         (3, "change", "营销系统变更", "utility", "handler", "station", 3, False, []),
     ]),
    ("rename", "更名", "app_rename", "business_env", "any", 3, "U", "无官方时限，默认值", 90, [
         (1, "verify", "资料审核", "utility", "handler", "station", 2, False, ["id_card", "rename_proof"]),
         (2, "change", "营销系统变更", "utility", "handler", "station", 1, False, []),
     ]),
    ("close", "销户", "app_close", "business_env", "any", 5, "U", "无官方时限，默认值", 100, [
         (1, "verify", "资料审核", "utility", "handler", "station", 1, False, ["id_card", "property_proof"]),
         (2, "settle", "结清电费", "customer", None, "", 10, False, ["settlement_proof"]),
         (3, "remove_meter", "拆表", "utility", "repair", "station", 2, False, []),
         (4, "close", "销户归档", "utility", "handler", "station", 2, False, []),
     ]),
    ("suspend", "暂停减容", "app_suspend", "business_env", "any", 5, "U", "无官方时限，默认值", 110, [
         (1, "verify", "资料审核", "utility", "handler", "station", 2, False, ["id_card", "suspend_request"]),
         (2, "seal", "现场封停或换装", "utility", "repair", "station", 3, False, []),
     ]),
]

POLICIES = [
    ("业务办理环节时限", "app_step"),
    ("业务办理全流程时限", "app_process"),
]

STEP_SMS = (
    "【供电服务】您的{{ kind }}申请（工单{{ order_number }}）"
    "{% if completed %}已全部办结，感谢您的配合。{% else %}已进入「{{ step }}」环节，预计{{ due_at }}前完成。{% endif %}"
)

OPEN = ["accepted", "dispatched", "taken", "arrived", "suspended", "resolved", "returned", "replied"]


def seed(apps, schema_editor):
    SubType = apps.get_model("workorders", "SubType")
    Topic = apps.get_model("workorders", "Topic")
    Role = apps.get_model("org", "Role")
    DocumentType = apps.get_model("applications", "DocumentType")
    ApplicationKind = apps.get_model("applications", "ApplicationKind")
    StepTemplate = apps.get_model("applications", "StepTemplate")
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    NotificationTemplate = apps.get_model("notify", "NotificationTemplate")

    for code, name, order in NEW_SUB_TYPES:
        SubType.objects.get_or_create(
            code=code, defaults={"business_type": "application", "name": name, "sort_order": order}
        )
    docs = {}
    for code, name in DOCUMENTS:
        docs[code], _ = DocumentType.objects.get_or_create(code=code, defaults={"name": name})
    roles = {r.code: r for r in Role.objects.all()}
    for code, name, sub_type, topic, scope, limit, grade, note, order, steps in KINDS:
        kind, _ = ApplicationKind.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "sub_type": SubType.objects.get(code=sub_type),
                "topic": Topic.objects.get(code=topic),
                "customer_scope": scope,
                "process_limit_days": limit,
                "source_grade": grade,
                "source_note": note,
                "sort_order": order,
            },
        )
        for seq, step_code, step_name, side, role, level, days, optional, documents in steps:
            step, _ = StepTemplate.objects.update_or_create(
                kind=kind,
                code=step_code,
                defaults={
                    "seq": seq,
                    "name": step_name,
                    "side": side,
                    "role": roles.get(role) if role else None,
                    "unit_level": level,
                    "limit_days": days,
                    "optional": optional,
                    "source_grade": "U",
                },
            )
            step.documents.set([docs[d] for d in documents])
    today = dt.date(2026, 1, 1)
    for name, clock_kind in POLICIES:
        SlaPolicy.objects.get_or_create(
            name=name,
            clock_kind=clock_kind,
            defaults={
                "business_type": "application",
                # The due time of each clock comes from the step template (applications app); the row
                # names the clocks and their warning point. Counted in days so that sla's re-timing,
                # which re-times working-day policies from the row's own amount, leaves them alone.
                "amount": 0,
                "unit": "days",
                "starts_on": "application",
                "stops_on": [],
                "source_grade": "U",
                "source_note": "时限由业务办理类别的环节模板给出",
                "valid_from": today,
            },
        )
    SlaPolicy.objects.filter(business_type="application", clock_kind="reply", is_active=True).update(
        is_active=False, valid_to=dt.date.today()
    )
    NotificationTemplate.objects.update_or_create(
        code="application_step", defaults={"name": "业务办理进度短信", "channel": "sms", "body": STEP_SMS}
    )
    _adopt_open_orders(apps)


def _is_workday(apps):
    CalendarDay = apps.get_model("core", "CalendarDay")
    days = dict(CalendarDay.objects.values_list("date", "is_workday"))

    def is_workday(day):
        return days.get(day, day.weekday() < 5)

    return is_workday


def _kind_for(kinds, order):
    """The kind of the order's sub-type for its customer: 低压新装 is shared by the residential and the
    non-residential kind, told apart by the customer's type."""
    if not kinds:
        return None
    if order.customer_id is not None:
        residential = order.customer.customer_type in ("urban_resident", "rural_resident")
        scope = "residential" if residential else "non_residential"
        for kind in kinds:
            if kind.customer_scope == scope:
                return kind
    return next((k for k in kinds if k.customer_scope == "any"), kinds[0])


def _adopt_open_orders(apps):
    """Open application orders: their reply clock cancelled, an application of their sub-type's kind for
    the customer (``_kind_for``) started as of the order's intake, with its step and whole-process clocks; one event each."""
    WorkOrder = apps.get_model("workorders", "WorkOrder")
    WorkOrderEvent = apps.get_model("workorders", "WorkOrderEvent")
    Clock = apps.get_model("sla", "Clock")
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    ApplicationKind = apps.get_model("applications", "ApplicationKind")
    Application = apps.get_model("applications", "Application")
    ApplicationStep = apps.get_model("applications", "ApplicationStep")
    StepTemplate = apps.get_model("applications", "StepTemplate")
    orders = list(WorkOrder.objects.filter(business_type="application", status__in=OPEN, sub_type__isnull=False))
    if not orders:
        return
    is_workday = _is_workday(apps)
    policies = {p.clock_kind: p for p in SlaPolicy.objects.filter(clock_kind__in=["app_step", "app_process"])}
    kinds = {}
    for kind in ApplicationKind.objects.order_by("sort_order"):
        kinds.setdefault(kind.sub_type_id, []).append(kind)
    for order in orders:
        kind = _kind_for(kinds.get(order.sub_type_id, []), order)
        if kind is None or Application.objects.filter(order=order).exists():
            continue
        cancelled = Clock.objects.filter(order=order, kind="reply", state__in=["running", "paused", "breached"])
        replaced = list(cancelled)
        was = [c.id for c in replaced]
        # What the reply clock stood at carries over, so nothing breaches twice and a pause goes on: a
        # breach already recorded makes the new clocks past their due breached as of their due (no event,
        # no escalation again); a reply clock paused by the order's suspension leaves them paused from then.
        breached = next((c for c in replaced if c.state == "breached"), None)
        paused = next((c for c in replaced if c.state == "paused"), None)
        cancelled.update(state="cancelled", next_check_at=None)
        start = order.created_at
        now = dt.datetime.now(dt.UTC)

        def clock(kind_code, days):
            due = add_working_days(start, days, is_workday)
            fields = {"state": "running", "next_check_at": start + (due - start) * 0.8}
            if paused is not None:
                fields = {"state": "paused", "paused_at": paused.paused_at or now, "next_check_at": None}
            elif breached is not None and due <= now:
                fields = {"state": "breached", "breached_at": due, "level": breached.level}
                fields["next_check_at"] = None
            return Clock.objects.create(
                order=order,
                policy=policies[kind_code],
                kind=kind_code,
                started_at=start,
                due_at=due,
                allowed_seconds=max(1, int((due - start).total_seconds())),
                **fields,
            )

        templates = list(StepTemplate.objects.filter(kind=kind).order_by("seq", "id"))
        notice = []
        for t in templates:
            for code in t.documents.order_by("id").values_list("code", flat=True):
                if code not in notice:
                    notice.append(code)
        application = Application.objects.create(
            order=order,
            kind=kind,
            started_at=start,
            notice_documents=notice,
            notice_channel="printed",
            notice_given_at=start,
            notice_given_by_id=order.owner_id,
            process_clock=clock("app_process", kind.process_limit_days),
        )
        first = min(t.seq for t in templates)
        for t in templates:
            if t.seq != first:
                continue
            ApplicationStep.objects.create(
                application=application,
                template=t,
                seq=t.seq,
                side=t.side,
                state="active",
                started_at=start,
                due_at=add_working_days(start, t.limit_days, is_workday),
                clock=clock("app_step", t.limit_days) if t.side == "utility" else None,
            )
        # The order's due time as sla reads it (sla.services.earliest_due): running and breached clocks.
        due = (
            Clock.objects.filter(order=order, state__in=["running", "breached"])
            .order_by("due_at")
            .values_list("due_at", flat=True)
        )
        order.due_at = due.first()
        order.version += 1
        order.save(update_fields=["due_at", "version"])
        WorkOrderEvent.objects.create(
            order=order,
            kind="app_started",
            at=dt.datetime.now(dt.UTC),
            from_status=order.status,
            to_status=order.status,
            data={"kind": kind.code, "adopted": True, "cancelled_clocks": was, "notice_documents": notice,
                  "notice_channel": "printed"},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0001_initial"),
        ("sla", "0009_alter_clock_kind_alter_slapolicy_clock_kind"),
        ("notify", "0008_delivery_receipts"),
        ("org", "0002_seed_roles"),
        ("workorders", "0022_seed_complaint_sub_types"),
        ("core", "0004_seed_holiday_rules"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
