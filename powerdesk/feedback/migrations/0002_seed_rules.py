"""Seed the callback and survey rules: the policy's figures, the times of day, the question sets, a rule
per business type, suggested callback scripts, and the two SMS texts. Idempotent (tests run it again after
a flush); a row an administrator edited is left as it is."""

import datetime as dt

from django.db import migrations

POLICY = {
    "name": "默认回访与调查参数",
    "unreached_attempts": 3,
    "low_score": 2,
    "survey_valid_hours": 72,
    "follow_up_days": 3,
    "campaign_gap_days": 90,
    "campaign_batch_size": 200,
}

# code, name, starts, ends (a callback is not made at night: attempts outside every band count for none)
BANDS = [
    ("morning", "上午", dt.time(8, 0), dt.time(12, 0)),
    ("afternoon", "下午", dt.time(12, 0), dt.time(18, 0)),
    ("evening", "晚间", dt.time(18, 0), dt.time(21, 0)),
]

# code, name, score, resolved, comment, restoration
QUESTION_SETS = [
    ("order", "工单回访调查", True, True, True, False),
    ("outage", "故障抢修调查（含复电时间）", True, True, False, True),
    ("relationship", "客户关系调查", True, False, True, False),
]

# business type, needs callback, on dissatisfied, on unresolved, survey
RULES = [
    ("repair", True, "reopen", "follow_up", "outage"),
    ("complaint", True, "follow_up", "follow_up", "order"),
    ("report", True, "follow_up", "follow_up", None),
    ("opinion", True, "follow_up", "nothing", "order"),
    ("praise", False, "nothing", "nothing", None),
    ("consultation", False, "nothing", "follow_up", None),
    ("service_request", True, "reopen", "follow_up", "order"),
    ("application", True, "follow_up", "follow_up", "order"),
]

# business type, sub-type code (None: the type's general script), title, text — in our own words
SCRIPTS = [
    ("repair", None, "故障报修回访",
     "您好，这里是供电服务中心回访员。前几天您报修的停电故障已经处理完毕，想跟您确认一下：现在家里用电正常吗？"
     "抢修人员到达的时间和处理过程您还满意吗？有没有需要我们再跟进的地方？"),
    ("repair", "repair_customer_side", "客户内部故障回访",
     "您好，这里是供电服务中心。上次的故障出在您家表后的线路上，抢修人员已协助处理。请问现在用电是否正常？"
     "如果家里线路还需要改造，建议联系有资质的电工，我们也可以提供安全用电的建议。"),
    ("complaint", None, "投诉回访",
     "您好，这里是供电服务中心。关于您前几天反映的问题，处理单位已经给出答复。想听听您的意见："
     "处理结果您是否认可？问题是否已经解决？对我们还有哪些要求？"),
    ("opinion", None, "意见建议回访",
     "您好，感谢您给我们提的意见。相关单位已经研究并答复，想跟您确认一下答复是否清楚，您还有什么补充吗？"),
    ("service_request", None, "服务申请回访",
     "您好，这里是供电服务中心。您申请的服务已经办理完成，请问结果符合您的预期吗？办理过程中有没有不方便的地方？"),
    ("application", None, "业务办理回访",
     "您好，这里是供电服务中心。您办理的用电业务已经完成，想了解一下办理速度和工作人员的服务您是否满意。"),
    ("report", None, "举报回访",
     "您好，这里是供电服务中心。您举报的情况已经核查处理，处理结果已按规定答复。请问您还有需要补充的线索吗？"),
]

# code, name, channel, subject, body (no 【…】: the gateway adds the signature)
TEMPLATES = [
    ("feedback_survey", "归档后满意度调查（告知客户）", "sms", "请为工单{{ order_number }}的服务打分",
     "您的工单{{ order_number }}已办结。请花一分钟为我们的服务打分：{{ survey_url }} 链接三天内有效，仅可提交一次。"),
    ("feedback_campaign", "服务调查邀请（告知客户）", "sms", "{{ campaign }}",
     "供电公司{{ campaign }}：诚邀您评价近期的用电服务，{{ survey_url }} 链接三天内有效，仅可提交一次。"),
]


def seed(apps, schema_editor):
    Policy = apps.get_model("feedback", "FeedbackPolicy")
    Band = apps.get_model("feedback", "TimeBand")
    QuestionSet = apps.get_model("feedback", "QuestionSet")
    Rule = apps.get_model("feedback", "CallbackRule")
    Script = apps.get_model("feedback", "CallbackScript")
    SubType = apps.get_model("workorders", "SubType")
    Template = apps.get_model("notify", "NotificationTemplate")
    if not Policy.objects.exists():
        Policy.objects.create(**POLICY)
    for i, (code, name, starts, ends) in enumerate(BANDS):
        Band.objects.get_or_create(code=code, defaults={"name": name, "starts": starts, "ends": ends, "sort_order": i})
    sets = {}
    for code, name, score, resolved, comment, restoration in QUESTION_SETS:
        sets[code], _ = QuestionSet.objects.get_or_create(
            code=code,
            defaults={
                "name": name, "ask_score": score, "ask_resolved": resolved, "ask_comment": comment,
                "ask_restoration": restoration,
            },
        )
    for btype, needs, dissatisfied, unresolved, survey in RULES:
        Rule.objects.get_or_create(
            business_type=btype,
            defaults={
                "needs_callback": needs, "on_dissatisfied": dissatisfied, "on_unresolved": unresolved,
                "survey": sets[survey] if survey else None,
            },
        )
    if not Script.objects.exists():
        for btype, sub_code, title, text in SCRIPTS:
            sub = SubType.objects.filter(code=sub_code).first() if sub_code else None
            if sub_code and sub is None:
                continue
            Script.objects.create(business_type=btype, sub_type=sub, title=title, text=text)
    for code, name, channel, subject, body in TEMPLATES:
        Template.objects.get_or_create(
            code=code, defaults={"name": name, "channel": channel, "subject": subject, "body": body}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
        ("notify", "0005_claimed_by_job"),
        ("workorders", "0005_seed_hv_dual_subtype"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
