"""Seed the complaint rules (DOMAIN §2, §3, §4): severity levels, the repeat-complaint rule, the
leadership notification's text, and the judgment checklists of seven complaint sub-types.

Texts are our own summaries of the rules; each row names its source and grade. Criteria whose only
source is the typical-case book (《95598 供电服务典型案例》, case one) say so (``case_book_only``)."""

import datetime as dt

from django.db import migrations

SEVERITIES = [
    # code, name, rank, notifies leadership, grade (the levels are U; "重大 → leadership at once" is A)
    ("special", "特殊", 4, True, "U"),
    ("major", "重大", 3, True, "A"),
    ("important", "重要", 2, False, "U"),
    ("general", "一般", 1, False, "U"),
]

# the related repair's sub-types that are faults inside the customer's installation (产权分界)
CUSTOMER_SIDE = {"customer_side_sub_types": ["repair_customer_side"]}
BOOK = "《95598 供电服务典型案例》案例一"
RULES = "供电服务规范及催费停电规定（见 DOMAIN §3）"

# checklist: code, name, sub-type code, topic code or None, single event suffices, source, grade, criteria
# criterion: code, text, established by, failing means, only if repeated, prefill, params, source, grade,
#            case book only
CHECKLISTS = [
    (
        "repair_staff_attitude", "抢修人员服务态度", "complaint_attitude", "fault_repair", True, BOOK, "C",
        [
            ("our_staff", "被投诉人为本公司抢修人员（外包抢修人员也算）", "order_history", "invalid", False,
             "our_staff", {}, BOOK, "C", True),
            ("attitude", "核实确有态度问题：推诿搪塞、辱骂、威胁、侮辱、言语不文明、争吵或肢体冲突",
             "finding", "invalid", False, "", {}, BOOK, "C", True),
            ("within_period", "事件发生在 3 个月以内；更早的须有客户提供的证据", "evidence", "needs_evidence",
             False, "within_period", {"months": 3}, BOOK, "C", True),
            ("company_side", "故障设备属供电企业产权，不是客户内部（表后）故障（产权分界）", "account", "invalid",
             False, "company_side", CUSTOMER_SIDE, BOOK, "C", True),
        ],
    ),
    (
        "hall_staff_attitude", "营业厅人员服务态度", "complaint_attitude", "hall_service", True, BOOK, "U",
        [
            ("our_staff", "被投诉人为本公司营业厅工作人员", "finding", "invalid", False, "our_staff", {}, BOOK, "U",
             False),
            ("attitude", "核实确有态度问题：推诿搪塞、冷漠、言语不文明或与客户争吵", "evidence", "invalid", False,
             "", {}, BOOK, "U", False),
            ("within_period", "事件发生在 3 个月以内；更早的须有客户提供的证据", "evidence", "needs_evidence",
             False, "within_period", {"months": 3}, BOOK, "U", False),
        ],
    ),
    (
        "arrears_disconnection_notice", "欠费停电未按规定通知", "complaint_collection", None, True, RULES, "C",
        [
            ("our_disconnection", "客户用电地址确因欠费被本公司停电", "account", "invalid", False, "", {}, RULES,
             "C", False),
            ("notice_missing", "停电不合规定：电费逾期未超过 30 天，或未按时通知（居民提前 7 天；非居民提前 3 天，"
             "并在停电前 1 小时再次通知）", "evidence", "invalid", False, "notice_sent",
             {"min_overdue_days": 30, "residential_days": 7, "non_residential_days": 3, "final_notice_hours": 1},
             RULES, "C", False),
        ],
    ),
    (
        "planned_outage_notice", "计划停电未按规定公告", "complaint_outage_notice", None, True, RULES, "A",
        [
            ("planned_outage", "客户所在线路确有本公司安排的计划停电", "account", "invalid", False, "", {}, RULES,
             "A", False),
            ("notice_missing", "停电公告未提前 7 天发布或未送达客户所在区域", "evidence", "invalid", False,
             "notice_sent", {"notice_days": 7}, RULES, "A", False),
        ],
    ),
    (
        "repair_arrival_late", "抢修到达现场超时", "complaint_repair", None, False, RULES, "U",
        [
            ("related_repair", "有该客户的本公司故障报修工单", "order_history", "invalid", False, "our_staff", {},
             RULES, "A", False),
            ("late", "抢修人员到达现场超过时限（城区 45 分钟、农村 90 分钟、特殊边远 120 分钟）", "order_history",
             "invalid", False, "late_arrival", {"urban": 45, "rural": 90, "remote": 120}, RULES, "A", False),
            ("repeated", "时限为平均承诺：同一客户或台区近期多次超时，而非偶发一次", "order_history", "invalid",
             True, "", {}, RULES, "U", False),
            ("company_side", "故障在供电企业产权范围内，不是客户内部故障（产权分界）", "account", "invalid", False,
             "company_side", CUSTOMER_SIDE, BOOK, "C", True),
        ],
    ),
    (
        "meter_wiring_error", "计量装置接线错误", "complaint_metering", None, True, RULES, "U",
        [
            ("our_meter", "计量装置由本公司安装维护", "account", "invalid", False, "", {}, RULES, "U", False),
            ("wiring_error", "现场检查或校验确认接线错误", "finding", "invalid", False, "", {}, RULES, "U", False),
        ],
    ),
    (
        "wrong_bill", "电费账单差错", "complaint_tariff", None, True, RULES, "U",
        [
            ("our_bill", "账单由本公司出具，属客户本户", "account", "invalid", False, "", {}, RULES, "U", False),
            ("bill_error", "核实抄表、电价执行或计算确有差错", "finding", "invalid", False, "", {}, RULES, "U",
             False),
        ],
    ),
]

TEMPLATE = (
    "complaint_leadership",
    "重大投诉报告领导",
    "【PowerDesk】{{ severity }}投诉 {{ order_number }}：{{ sub_type }}，处理单位 {{ unit }}。请即关注。",
)


def seed(apps, schema_editor):
    Severity = apps.get_model("complaints", "Severity")
    RepeatComplaintRule = apps.get_model("complaints", "RepeatComplaintRule")
    Checklist = apps.get_model("complaints", "Checklist")
    Criterion = apps.get_model("complaints", "Criterion")
    SubType = apps.get_model("workorders", "SubType")
    Topic = apps.get_model("workorders", "Topic")
    NotificationTemplate = apps.get_model("notify", "NotificationTemplate")
    since = dt.date(2020, 1, 1)
    for code, name, rank, lead, grade in SEVERITIES:
        Severity.objects.update_or_create(
            code=code, defaults={"name": name, "rank": rank, "notifies_leadership": lead, "source_grade": grade}
        )
    if not RepeatComplaintRule.objects.filter(is_active=True).exists():
        RepeatComplaintRule.objects.create(window_days=30, source_grade="U")
    code, name, body = TEMPLATE
    NotificationTemplate.objects.update_or_create(code=code, defaults={"name": name, "channel": "sms", "body": body})
    for code, name, sub_type, topic, single, source, grade, criteria in CHECKLISTS:
        checklist, _ = Checklist.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "sub_type": SubType.objects.get(code=sub_type),
                "topic": Topic.objects.get(code=topic) if topic else None,
                "single_event_suffices": single,
                "source": source,
                "source_grade": grade,
                "valid_from": since,
            },
        )
        for position, row in enumerate(criteria, start=1):
            ccode, text, established, failing, repeated, prefill, params, csource, cgrade, book = row
            Criterion.objects.update_or_create(
                checklist=checklist,
                code=ccode,
                defaults={
                    "position": position,
                    "text": text,
                    "established_by": established,
                    "failing_means": failing,
                    "only_if_repeated": repeated,
                    "prefill": prefill,
                    "params": params,
                    "source": csource,
                    "source_grade": cgrade,
                    "case_book_only": book,
                    "valid_from": since,
                },
            )


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0001_initial"),
        ("workorders", "0022_seed_complaint_sub_types"),
        ("notify", "0005_claimed_by_job"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
