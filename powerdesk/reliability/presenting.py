"""How the figures read on the page and in the API: each with its label, its unit, its formula and the
formula worked with the period's numbers, and the rules each standard was computed under. Text only: the
numbers come from ``rules``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from powerdesk.reliability import rules
from powerdesk.reliability.models import ReliabilitySettings


@dataclass(frozen=True)
class Figure:
    code: str
    label: str
    unit: str
    value: float | None
    formula: str
    worked: str  # the formula with the numbers, or why there is no value


def _n(value: float | None, places: int = 4) -> str:
    return "—" if value is None else f"{value:.{places}f}"


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:g}"


def user_unit_label(user_unit: str) -> str:
    if user_unit == rules.MV:
        return _("10 kV 用户：每台公用配变、每个专变用户计为一户")
    return _("低压用户：每个电能表（客户）计为一户")


def dlt836_rules(settings: ReliabilitySettings, user_unit: str) -> str:
    return _(
        "DL/T 836：计入预安排（计划、临时）停电；停电持续时间不超过 %(cutoff)s 分钟的短时停电不计；"
        "欠费停电不计；%(unit)s。RS-3 不计系统电源不足引起的限电（电网限电仍计入）。"
    ) % {"cutoff": _minutes(settings.dlt_cutoff_seconds), "unit": user_unit_label(user_unit)}


def ieee1366_rules(settings: ReliabilitySettings) -> str:
    return _(
        "IEEE 1366：持续时间不超过 %(cutoff)s 分钟的瞬时停电不计；计划、临时（预安排）停电不计；"
        "欠费停电不计；重大事件日（2.5β 法）开始的停电不计；用户为每个客户。"
    ) % {"cutoff": _minutes(settings.ieee_cutoff_seconds)}


def med_text(med: rules.MedThreshold, history_first: dt.date, first: dt.date) -> str:
    before = first - dt.timedelta(days=1)
    if med.value is None:
        return _(
            "重大事件日阈值：%(a)s 至 %(b)s 日 SAIDI 非零的天数不足 2 天（%(days)s 天），"
            "无阈值，不剔除重大事件日。"
        ) % {"a": history_first, "b": before, "days": med.days}
    return _(
        "重大事件日阈值 T_MED = exp(α + %(k)s β) = exp(%(alpha)s + %(k)s × %(beta)s) = %(value)s 分钟；"
        "α、β 为 %(a)s 至 %(b)s 间 %(days)s 个日 SAIDI 非零日的自然对数的均值和样本标准差"
        "（零值日不参与拟合）；日 SAIDI 超过 T_MED 的日子为重大事件日。"
    ) % {
        "k": f"{med.multiplier:g}",
        "alpha": _n(med.alpha),
        "beta": _n(med.beta),
        "value": _n(med.value, 2),
        "a": history_first,
        "b": before,
        "days": med.days,
    }


def dlt836_figures(f: rules.Dlt836) -> list[Figure]:
    no_users = _("范围内没有用户。")
    hours = f"{f.period_hours:g}"
    return [
        Figure(
            "aihc1",
            _("用户平均停电时间 AIHC-1"),
            _("小时/户"),
            f.aihc1,
            _("Σ(每次停电持续时间 × 每次停电用户数) ÷ 总用户数"),
            f"{_n(f.user_hours)} ÷ {f.users} = {_n(f.aihc1)}" if f.users else no_users,
        ),
        Figure(
            "rs1",
            _("供电可靠率 RS-1"),
            "%",
            f.rs1,
            _("(1 − AIHC-1 ÷ 统计期小时数) × 100%"),
            f"(1 − {_n(f.aihc1)} ÷ {hours}) × 100% = {_n(f.rs1)}%" if f.users else no_users,
        ),
        Figure(
            "rs3",
            _("供电可靠率 RS-3（不计系统电源不足限电）"),
            "%",
            f.rs3,
            _("(1 − AIHC-3 ÷ 统计期小时数) × 100%，AIHC-3 不计系统电源不足限电的停电"),
            f"(1 − {_n(f.user_hours_rs3)} ÷ {f.users} ÷ {hours}) × 100% = {_n(f.rs3)}%"
            if f.users
            else no_users,
        ),
        Figure(
            "aitc1",
            _("用户平均停电次数 AITC-1"),
            _("次/户"),
            f.aitc1,
            _("Σ每次停电用户数 ÷ 总用户数"),
            f"{f.interrupted_users} ÷ {f.users} = {_n(f.aitc1)}" if f.users else no_users,
        ),
    ]


def ieee1366_figures(f: rules.Ieee1366) -> list[Figure]:
    no_users = _("范围内没有用户。")
    minutes = f"{f.period_hours * 60:g}"
    return [
        Figure(
            "saidi",
            _("系统平均停电时间 SAIDI"),
            _("分钟/户"),
            f.saidi,
            _("Σ(停电分钟数 × 停电用户数) ÷ 总用户数"),
            f"{_n(f.customer_minutes)} ÷ {f.customers} = {_n(f.saidi)}" if f.customers else no_users,
        ),
        Figure(
            "saifi",
            _("系统平均停电频率 SAIFI"),
            _("次/户"),
            f.saifi,
            _("Σ停电用户数 ÷ 总用户数"),
            f"{f.customers_interrupted} ÷ {f.customers} = {_n(f.saifi)}" if f.customers else no_users,
        ),
        Figure(
            "caidi",
            _("用户平均停电持续时间 CAIDI"),
            _("分钟/次"),
            f.caidi,
            _("SAIDI ÷ SAIFI"),
            f"{_n(f.saidi)} ÷ {_n(f.saifi)} = {_n(f.caidi)}"
            if f.caidi is not None
            else _("统计期内没有计入的停电。"),
        ),
        Figure(
            "asai",
            _("平均供电可用率 ASAI"),
            "%",
            f.asai,
            _("(1 − SAIDI ÷ 统计期分钟数) × 100%"),
            f"(1 − {_n(f.saidi)} ÷ {minutes}) × 100% = {_n(f.asai)}%" if f.customers else no_users,
        ),
    ]
