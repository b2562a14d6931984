"""The kinds of audit entries: a code stored with each entry, its label in the reader's language, and
how its data reads (:func:`describe`). A new kind is one more :class:`Kind` here; nothing is stored as
a sentence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def _nothing(data: dict[str, Any]) -> str:
    return ""


def _token(data: dict[str, Any]) -> str:
    return gettext("%(name)s（前缀 %(prefix)s）") % {
        "name": data.get("name", ""),
        "prefix": data.get("prefix", ""),
    }


_USER_FIELDS = {
    "role": _("角色"),
    "unit": _("单位"),
    "is_active": _("启用"),
    "is_staff": _("可登录管理后台"),
    "is_superuser": _("超级用户"),
}


def _value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return gettext("是")
    if value is False:
        return gettext("否")
    return str(value)


def _user_changes(data: dict[str, Any]) -> str:
    changes = data.get("changes", {})
    return "；".join(
        f"{_USER_FIELDS.get(name, name)}：{_value(before)} → {_value(after)}"
        for name, (before, after) in changes.items()
    )


def _model_name(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):  # a model since removed: its label
        return label


def _admin(data: dict[str, Any]) -> str:
    # Django's admin stores the changed fields' verbose names untranslated (our Chinese msgids).
    changes = data.get("change") or []
    fields = [gettext(str(f)) for item in changes for f in item.get("changed", {}).get("fields", [])]
    text = f"{_model_name(str(data.get('model', '')))} · {data.get('object', '')}"
    if fields:
        text += "：" + "、".join(fields)
    return text


def _failed(data: dict[str, Any]) -> str:
    return gettext("账号或地址已锁定") if data.get("locked") else ""


def _lockout(data: dict[str, Any]) -> str:
    return gettext("锁定 %(minutes)s 分钟") % {"minutes": data.get("minutes", "")}


def _second_factor_step(data: dict[str, Any]) -> str:
    step = data.get("step")
    return {"enrol": gettext("绑定时"), "verify": gettext("登录时")}.get(step, "") if step else ""


def _reveal(data: dict[str, Any]) -> str:
    return str(data.get("field", ""))


def _export(data: dict[str, Any]) -> str:
    filters = data.get("filters", {})
    shown = "，".join(f"{k}={v}" for k, v in filters.items() if v not in ("", None, []))
    return gettext("%(rows)s 行") % {"rows": data.get("rows", 0)} + (f"（{shown}）" if shown else "")


def _learning(data: dict[str, Any]) -> str:
    text = gettext("案例 #%(case)s 版本 %(version)s") % {
        "case": data.get("case", ""),
        "version": data.get("version", ""),
    }
    if "recipients" in data:
        text += "，" + gettext("%(n)s 人，期限 %(due)s") % {
            "n": data.get("recipients", 0),
            "due": data.get("due_date", ""),
        }
    return text


def _resent(data: dict[str, Any]) -> str:
    return gettext("此前尝试 %(attempts)s 次：%(error)s") % {
        "attempts": data.get("attempts", 0),
        "error": data.get("error", ""),
    }


def _retention(data: dict[str, Any]) -> str:
    text = gettext(
        "工单 %(orders)s，事件 %(events)s，来电 %(contacts)s，通知 %(notifications)s，"
        "来电号码 %(phones)s，附件 %(attachments)s"
    ) % {
        "orders": data.get("orders", 0),
        "events": data.get("events", 0),
        "contacts": data.get("contacts", 0),
        "notifications": data.get("notifications", 0),
        "phones": data.get("contact_phones", 0),
        "attachments": data.get("attachments", 0),
    }
    return gettext("（试运行）") + text if data.get("dry_run") else text


def _privacy_export(data: dict[str, Any]) -> str:
    return f"{data.get('format', '')} · " + gettext("%(rows)s 行") % {"rows": data.get("rows", 0)}


def _privacy_correct(data: dict[str, Any]) -> str:
    return str(data.get("field", ""))


def _proof(data: dict[str, Any]) -> str:
    return str(data.get("kind", ""))


@dataclass(frozen=True)
class Kind:
    code: str
    label: Promise
    describe: Callable[[dict[str, Any]], str] = _nothing


KINDS: dict[str, Kind] = {
    k.code: k
    for k in [
        Kind("login", _("登录")),
        Kind("login_failed", _("登录失败"), _failed),
        Kind("lockout", _("登录锁定"), _lockout),
        Kind("logout", _("退出登录")),
        Kind("token_created", _("创建API令牌"), _token),
        Kind("token_revoked", _("吊销API令牌"), _token),
        Kind("second_factor_enrolled", _("启用双因素认证")),
        Kind("second_factor_reset", _("重置双因素认证")),
        Kind("second_factor_failed", _("双因素验证码错误"), _second_factor_step),
        Kind("user_changed", _("员工权限变更"), _user_changes),
        Kind("admin_add", _("后台新增"), _admin),
        Kind("admin_change", _("后台修改"), _admin),
        Kind("admin_delete", _("后台删除"), _admin),
        Kind("reveal", _("查看完整信息"), _reveal),
        Kind("export", _("导出"), _export),
        Kind("learning_assigned", _("布置案例学习"), _learning),
        Kind("learning_confirmed", _("确认案例学习"), _learning),
        Kind("notification_resent", _("重发失败通知"), _resent),
        Kind("retention_anonymised", _("到期个人信息匿名化"), _retention),
        Kind("retention_hold_placed", _("设置保留冻结")),
        Kind("retention_hold_released", _("解除保留冻结")),
        Kind("privacy_export", _("个人信息查询导出"), _privacy_export),
        Kind("privacy_correct", _("个人信息更正"), _privacy_correct),
        Kind("privacy_erase", _("个人信息删除"), _retention),
        Kind("portal_unbound", _("网厅解绑户号")),
        Kind("portal_proof_confirmed", _("营业厅核验通过"), _proof),
        Kind("portal_proof_rejected", _("营业厅核验未通过"), _proof),
    ]
}


def kind_choices() -> list[tuple[str, str]]:
    return [(k.code, str(k.label)) for k in KINDS.values()]


def label(code: str) -> str:
    kind = KINDS.get(code)
    return str(kind.label) if kind else code


def describe(code: str, data: dict[str, Any]) -> str:
    """The entry's details in the active language (empty when the kind has none)."""
    kind = KINDS.get(code)
    try:
        return kind.describe(data or {}) if kind else ""
    except (AttributeError, TypeError, ValueError):  # data written by an older release: show it raw
        return str(data)
