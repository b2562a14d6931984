"""One kind of contact the demo writes, and the ``{slots}`` its texts carry, filled per order by
:func:`fill` (the caller's place, a time of day, an amount …)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from powerdesk.customers.models import CustomerType as T

RESIDENTS: dict[str, float] = {T.URBAN_RESIDENT: 55, T.RURAL_RESIDENT: 45}


@dataclass(frozen=True)
class Case:
    business_type: str
    sub_type: str
    topic: str
    weight: float
    texts: tuple[str, ...]
    results: tuple[str, ...] = ()
    replies: tuple[str, ...] = ()
    answers: tuple[str, ...] = ()  # first-answer closures (咨询, 表扬)
    customers: dict[str, float] = field(default_factory=lambda: dict(RESIDENTS))
    facts: dict[str, tuple[str, ...]] = field(default_factory=dict)


SLOTS: dict[str, tuple[str, ...]] = {
    "weather": ("刚才的雷阵雨", "下午的大风", "昨夜的暴雨", "今天的台风外围大风", "刚才那阵冰雹"),
    "when": ("今天下午三点多", "傍晚六点左右", "晚上七点多", "今天上午十点", "凌晨一点左右"),
    "pct": ("30", "40", "60", "50"),
    "kwh": ("120", "86", "200", "350"),
    "appliance": ("冰箱", "热水器", "电视机顶盒", "老式空调"),
    "shop": ("快餐店", "便利店", "五金店", "理发店", "茶叶店"),
    "kw": ("15", "20", "30", "12"),
    "kva": ("400", "630", "800", "1250"),
    "line": ("溪口", "石门", "云雾", "城东", "新塘", "龙潭"),
    "pole": ("12", "27", "33", "48", "56"),
    "date": ("本周四", "下周二", "本月20号", "周六"),
}


def fill(text: str, rng: random.Random, **known: str) -> str:
    values = {key: rng.choice(options) for key, options in SLOTS.items()}
    values.update(known)
    return text.format_map(values)
