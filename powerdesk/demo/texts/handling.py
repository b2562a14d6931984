"""What is said and written after the first contact: a repeat call, a relapse, the callback's notes,
the reasons and notes of each transition, a storm's calls — written for this demo."""

from __future__ import annotations

from powerdesk.workorders.choices import BusinessType as B

# What a customer says on a repeat call, by how many times they have called (2, 3, 4).
REPEAT_TEXTS: dict[str, dict[int, tuple[str, ...]]] = {
    B.REPAIR: {
        2: (
            "客户再次来电，称报修已经快一个小时了，家里还是没电，要求尽快派人。",
            "客户再次来电询问抢修进度，希望告知大概几点能恢复。",
            "客户又打来电话，说抢修人员还没到，邻居家也在等，请催一下。",
        ),
        3: (
            "客户第三次来电，情绪激动，说家里有老人孩子，等了这么久还没来电，要求给个准确时间。",
            "客户第三次来电催促，表示如果今天还不来电就要投诉。",
        ),
        4: ("客户第四次来电，称仍未恢复供电，要求找负责人。",),
    },
    B.COMPLAINT: {
        2: ("客户来电询问投诉处理进展，称至今没有人联系他。",),
        3: ("客户第三次来电追问投诉结果，表示对处理速度非常不满。",),
        4: ("客户再次来电，要求领导出面处理。",),
    },
    "default": {
        2: ("客户来电询问办理进度。", "客户再次来电，询问什么时候能办好。"),
        3: ("客户第三次来电询问进度，对办理时间表示不满。",),
        4: ("客户再次来电催问。",),
    },
}
RELAPSE_TEXTS = (
    "客户来电称上次修好后又停电了，怀疑没有修彻底。",
    "客户反映前两天刚修好的线路今天又出了同样的问题。",
)
ATTITUDE_AFTER_REPAIR = (
    "客户投诉刚才来抢修的人员不耐烦，只说是客户家里的问题，既不解释也不帮忙，扭头就走。",
    "客户对今晚抢修人员的服务态度不满，称对方说话难听，要求供电所给个说法。",
)
OVERRIDE_TEXTS = ("客户这次反映的是自家门前另一处线路问题，与前一张工单不是同一故障。",)
OVERRIDE_REASONS = ("客户反映的是另一处故障，与前次工单不是同一事件，单独立单。",)

CALLBACK_NOTES = {
    "satisfied": ("客户表示满意。", "客户对处理结果满意，感谢抢修人员。", "客户表示问题已解决。"),
    "basic": ("客户表示基本满意，希望以后能再快一点。", "客户基本满意，建议提前告知处理进度。"),
    "dissatisfied": (
        "客户表示问题没有真正解决，对处理结果不满意。",
        "客户认为处理时间太长，且问题仍然存在。",
    ),
    "unreachable": ("电话无人接听，稍后再次回访。", "客户电话关机，稍后再拨。"),
}
REOPEN_REASONS = ("回访客户不满意，问题仍未解决，重新派单处理。", "客户回访表示同样问题仍然存在，重开工单。")
RETURN_REASONS = (
    "客户电话多次无法接通，地址描述不清，请核实后再派。",
    "现场核实该地址不属于本所辖区，请重新派单。",
)
TRANSFER_REASONS = ("经核实该地址属{station}管辖，转派处理。",)
SUSPEND_REASONS = {
    "awaiting_customer": (
        "客户尚未提供产权证明，已一次性告知所需资料，待客户补齐。",
        "等待客户提供身份证明和委托书。",
    ),
    "customer_postpone": ("客户外出务工，要求回来后再上门处理。", "客户要求改到下周再安排。"),
    "customer_absent": ("到达现场客户不在家，无法入户，已留联系卡。",),
    "awaiting_materials": ("需停电更换设备，等待停电计划批复。", "等待配变及电缆到货。"),
}
RESUME_NOTES = ("客户资料已补齐，继续办理。", "已与客户约定时间，恢复处理。", "物资已到位，继续处理。")
ESCALATE_REASONS = {
    "important": ("重要客户停电，已上报分管领导协调抢修力量。",),
    "life_support": ("保电登记客户停电，家中有医疗设备，升级督办。",),
    "wide": ("停电影响范围较大，升级督办，请供电所加派人员。", "客户家中有卧床老人，升级加快处理。"),
    "sensitive": ("敏感客户，客户表示要向媒体反映，升级督办。",),
    "regulator": ("12398监管热线转办投诉，按规定升级管理。",),
    "default": ("客户多次来电、情绪激动，升级督办。",),
}
CHASE_NOTES = ("客户来电催办，请尽快联系客户并反馈进度。", "工单临近时限，请加快处理。")
MERGE_NOTES = ("同一台区停电，合并至主工单统一处理。", "与主工单为同一故障引起，合并处理。")
DISPATCH_NOTES = ("", "", "请尽快联系客户。", "重要客户，请优先处理。")
ARRIVE_NOTES = ("", "已到现场，正在查找故障点。", "已到达，正在与客户核实情况。")
STORM_TEXTS = (
    "{weather}过后{place}整片停电，客户家里和邻居家都没电。",
    "客户反映{place}在{weather}中一声巨响后全部停电，请尽快抢修。",
    "{place}停电，客户看到线路上挂了不少被风刮断的树枝。",
)
