"""The demo logins: one per role, so a visitor can see the console as each kind of staff."""

from __future__ import annotations

DEMO_PASSWORD = "powerdesk"

# username, unit code, role code, what to print at start-up, full name
DEMO_USERS: list[tuple[str, str, str, str, str]] = [
    ("agent", "QX", "agent", "客服专员 hotline agent", "林晓雯"),
    ("dispatcher", "QX", "dispatcher", "调度员 dispatcher", "周建国"),
    ("repair", "QX-DQ", "repair", "抢修人员 repair crew (东桥供电所)", "陈志强"),
    ("handler", "QX-DQ", "handler", "处理人员 back-office handler (东桥供电所)", "吴佳琪"),
    ("callback", "QX", "callback", "回访员 callback agent", "郑丽华"),
    ("manager", "QX", "manager", "服务管理 service manager", "王海涛"),
    ("admin", "QX", "admin", "管理员 administrator (also /admin/)", "系统管理员"),
    ("auditor", "QX", "auditor", "审计员 auditor (the audit trail, /audit/)", "孙立平"),
]
