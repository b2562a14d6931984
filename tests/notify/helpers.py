from __future__ import annotations

from powerdesk.notify.services import notification_enqueue

# What the SLA sweep passes to its templates.
SWEEP_CONTEXT = {
    "order_number": "GD202611160001",
    "clock": "到达现场",
    "policy": "抢修到达现场（城区）",
    "due_at": "2026-11-16 10:45",
    "unit": "东桥供电所",
    "recipient": "王处理",
    "business_type": "故障报修",
}


def enqueue(**overrides):
    kwargs = {
        "channel": "sms",
        "template_code": "sla_warning",
        "context": SWEEP_CONTEXT,
        "recipient_address": "13800000001",
        **overrides,
    }
    return notification_enqueue(**kwargs)
