"""The early warning's starting data: factor weights, the angry-wording lexicon, the threshold, the unit
head's message, and the priority rule for sensitive customers (a row of workorders' own rule table).

The weights are a first guess to be tuned on real cases (source grade U: no published figure); they are
set so that one repeat call with angry wording reaches the threshold, as in the case book's first case."""

from django.db import migrations

FACTORS = [
    # code, points per occurrence, cap, note
    ("repeat_call", 25, 50, "每多一次来电"),
    ("angry_wording", 5, 40, "词库权重之和 × 5"),
    ("chase", 15, 45, "每次催办"),
    ("clock_breached", 20, 40, "每项已超时时限"),
    ("clock_near", 10, 20, "每项已过预警点的时限"),
    ("sensitive", 20, 20, "敏感客户"),
    ("earlier_complaint", 15, 30, "回溯期内每张投诉工单"),
]

# Words of a customer about to complain, written for this lexicon: threats to go further, objections to
# staff, demands with a deadline, words of exasperation. Weight 1–5.
TERMS = [
    ("12398", 5, "能源监管投诉热线"),
    ("曝光", 4, "诉诸媒体"),
    ("找媒体", 4, "诉诸媒体"),
    ("起诉", 4, "诉诸法律"),
    ("态度恶劣", 4, "针对人员态度"),
    ("骂人", 4, "针对人员言语"),
    ("12345", 3, "政务热线"),
    ("市长热线", 3, "政务热线"),
    ("投诉", 3, "明确表示投诉"),
    ("态度差", 3, "针对人员态度"),
    ("说话难听", 3, "针对人员言语"),
    ("不讲理", 3, "针对人员"),
    ("推诿", 3, "认为被推脱"),
    ("敷衍", 3, "认为被应付"),
    ("找你们领导", 3, "要求升级"),
    ("今晚必须", 3, "限时要求"),
    ("忍无可忍", 3, "情绪激烈"),
    ("太过分", 3, "情绪激烈"),
    ("赔偿", 2, "索赔"),
    ("凭什么", 2, "质问"),
    ("没人管", 2, "认为无人处理"),
    ("一直没人来", 2, "等待过久"),
    ("马上来电", 2, "限时要求"),
    ("什么时候来电", 1, "催问恢复时间"),
]


def seed(apps, schema_editor):
    RiskFactor = apps.get_model("risk", "RiskFactor")
    RiskPolicy = apps.get_model("risk", "RiskPolicy")
    NotificationTemplate = apps.get_model("notify", "NotificationTemplate")
    PriorityRule = apps.get_model("workorders", "PriorityRule")
    for code, weight, cap, note in FACTORS:
        RiskFactor.objects.get_or_create(code=code, defaults={"weight": weight, "cap": cap, "note": note})
    # The lexicon lives in triage's table since risk 0004/0005; the tests' re-seed after a flush runs
    # this function with today's models, where AngryTerm is gone (0004 then writes the lexicon).
    try:
        AngryTerm = apps.get_model("risk", "AngryTerm")
    except LookupError:
        AngryTerm = None
    for term, weight, note in TERMS if AngryTerm is not None else ():
        AngryTerm.objects.get_or_create(term=term, defaults={"weight": weight, "note": note})
    if not RiskPolicy.objects.exists():
        RiskPolicy.objects.create(name="默认预警设置", threshold=50, complaint_days=365, evidence_kinds="photo,audio")
    NotificationTemplate.objects.get_or_create(
        code="risk_alert",
        defaults={
            "name": "投诉风险预警",
            "channel": "sms",
            "subject": "投诉风险预警：{{ order_number }}",
            "body": "【投诉风险预警】{{ unit }}工单{{ order_number }}（{{ business_type }}）风险分{{ score }}，"
            "已达预警值{{ threshold }}，请尽快关注处理。",
        },
    )
    PriorityRule.objects.get_or_create(
        business_type="",
        customer_type="",
        flag="sensitive",
        defaults={"priority": 2, "source_grade": "U", "note": "敏感客户工单优先处理"},
    )


def unseed(apps, schema_editor):
    apps.get_model("workorders", "PriorityRule").objects.filter(flag="sensitive", customer_type="", business_type="").delete()
    apps.get_model("notify", "NotificationTemplate").objects.filter(code="risk_alert", notifications__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("risk", "0001_initial"),
        ("notify", "0005_claimed_by_job"),
        ("workorders", "0020_seed_queues_and_routing_rules"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
