"""About 20,000 customer accounts in the proportions of a county: mostly urban and rural households, a few
shops, factories and the important customers (hospitals, schools, government offices …)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from powerdesk.core import clock
from powerdesk.customers.models import ContactChannel, Customer, CustomerPhone, CustomerType
from powerdesk.demo.county import COUNTY_NAME, Area, County
from powerdesk.demo.names import SURNAMES, PhoneBook, id_number, person_name
from powerdesk.org.models import RegionClass

T = CustomerType
TYPE_SHARES = (
    (T.URBAN_RESIDENT, 0.48),
    (T.RURAL_RESIDENT, 0.40),
    (T.COMMERCIAL, 0.08),
    (T.INDUSTRIAL, 0.03),
    (T.IMPORTANT, 0.01),
)

# Important customers: name, station code. Towns add their own below.
COUNTY_INSTITUTIONS = (
    ("青溪县人民医院", "QX-DQ"),
    ("青溪县中医院", "QX-XC"),
    ("青溪县妇幼保健院", "QX-XC"),
    ("青溪县人民政府", "QX-XC"),
    ("青溪县行政服务中心", "QX-XC"),
    ("东桥街道办事处", "QX-DQ"),
    ("西城街道办事处", "QX-XC"),
    ("青溪县广播电视台", "QX-XC"),
    ("青溪县第一中学", "QX-DQ"),
    ("青溪县第二中学", "QX-XC"),
    ("青溪县实验小学", "QX-XC"),
    ("东桥小学", "QX-DQ"),
    ("青溪县职业技术学校", "QX-DQ"),
    ("青溪县邮政局", "QX-XC"),
    ("青溪县自来水厂", "QX-DQ"),
    ("青溪县污水处理厂", "QX-DQ"),
    ("青溪县公安局", "QX-XC"),
    ("青溪县消防救援大队", "QX-DQ"),
    ("青溪县疾病预防控制中心", "QX-XC"),
    ("青溪县急救指挥中心", "QX-XC"),
    ("青溪县气象局", "QX-XC"),
)
TOWN_INSTITUTIONS = (
    "人民政府",
    "卫生院",
    "中心小学",
    "初级中学",
    "派出所",
    "邮政支局",
    "广播站",
    "中心幼儿园",
    "敬老院",
)
TOWNS = (("河头镇", "QX-HT"), ("石岩乡", "QX-SY"), ("云岭乡", "QX-YL"))

SHOP_BRANDS = (
    "鑫源",
    "惠民",
    "家和",
    "福满",
    "万家",
    "顺发",
    "兴隆",
    "金鼎",
    "老街",
    "好日子",
    "乐购",
    "明珠",
    "阳光",
    "同心",
    "百味",
    "新时代",
    "红星",
    "聚福",
)
SHOP_KINDS = (
    "面馆",
    "小吃店",
    "饭店",
    "宾馆",
    "旅馆",
    "超市",
    "便利店",
    "五金店",
    "药房",
    "理发店",
    "快递驿站",
    "水果店",
    "茶楼",
    "服装店",
    "建材店",
    "网吧",
    "汽车修理厂",
    "洗车店",
    "烧烤店",
    "奶茶店",
    "早餐店",
    "粮油店",
    "手机店",
    "电动车行",
    "照相馆",
    "家电维修部",
    "冻品店",
    "蛋糕店",
)
RURAL_SHOP_KINDS = ("农家乐", "农资店", "小卖部", "碾米坊", "养殖场", "民宿", "竹编店", "冷库")
FACTORY_BRANDS = (
    "华盛",
    "恒源",
    "绿源",
    "润丰",
    "宏达",
    "精工",
    "泰和",
    "瑞丰",
    "永昌",
    "天成",
    "兴业",
    "博远",
)
FACTORY_KINDS = (
    "竹木制品",
    "食品",
    "化工",
    "纺织",
    "机械配件",
    "塑料制品",
    "茶叶",
    "制药",
    "日用品",
    "包装材料",
    "电子元件",
    "饲料",
)
VILLAGE_WORKS = ("砖瓦厂", "石料厂", "竹制品厂", "茶叶加工厂", "木材加工厂", "碾米厂")
LIFE_SUPPORT_NOTES = (
    "家中老人长期在家使用制氧机，停电须优先处理。",
    "家中有居家透析病人，已登记保电需求。",
    "家中病人使用呼吸机，停电须提前通知并优先恢复。",
)
SENSITIVE_NOTES = (
    "曾多次投诉并表示将向媒体反映，沟通时注意留存录音。",
    "客户对电费问题有较大意见，沟通须耐心、一次讲清。",
    "曾通过12345反映问题，处理须及时闭环。",
)


@dataclass
class DemoCustomer:
    """The customer row plus what the order texts need to mention: the short place and the station."""

    customer: Customer
    area: Area
    place: str
    phones: list[str]


def _shares(n: int) -> list[tuple[str, int]]:
    """Split ``n`` by TYPE_SHARES with largest remainders; every type gets at least one when n >= 20."""
    raw = [(t, n * s) for t, s in TYPE_SHARES]
    counts = {t: int(v) for t, v in raw}
    if n >= 20:
        for t, _v in raw:
            counts[t] = max(counts[t], 1)
    rest = n - sum(counts.values())
    for t, _v in sorted(raw, key=lambda tv: tv[1] - int(tv[1]), reverse=True)[: max(rest, 0)]:
        counts[t] += 1
    while sum(counts.values()) > n:  # the minimum of one each pushed a tiny total over
        biggest = max(counts, key=lambda t: counts[t])
        counts[biggest] -= 1
    return [(t, counts[t]) for t, _s in TYPE_SHARES]


def _address(rng: random.Random, area: Area, *, shop: bool = False) -> tuple[str, str]:
    """(full address, the short place a caller would name)."""
    spec, town = area.spec, area.station.spec.town
    if spec.village:
        group = rng.randint(1, spec.groups)
        number = rng.randint(1, 90)
        return f"{COUNTY_NAME}{town}{spec.village}{group}组{number}号", f"{spec.village}{group}组"
    if spec.compounds and not shop:
        compound = rng.choice(spec.compounds)
        building, unit = rng.randint(1, 24), rng.randint(1, 3)
        room = f"{rng.randint(1, 18)}{rng.randint(1, 4):02d}"
        return f"{COUNTY_NAME}{town}{compound}{building}幢{unit}单元{room}室", f"{compound}{building}幢"
    road = rng.choice(spec.roads or spec.compounds)
    number = rng.randint(1, 260)
    suffix = "（商铺）" if shop and spec.compounds and not spec.roads else ""
    return f"{COUNTY_NAME}{town}{road}{number}号{suffix}", road


def _institutions(rng: random.Random, n: int, county: County) -> list[tuple[str, Area]]:
    base = list(COUNTY_INSTITUTIONS)
    for town, code in TOWNS:
        base += [
            (f"{COUNTY_NAME}{town}{kind}", code)
            for kind in TOWN_INSTITUTIONS
            if not (town == "云岭乡" and kind == "初级中学")
        ]
    rng.shuffle(base)
    out = []
    for i in range(n):
        name, code = base[i % len(base)]
        if i >= len(base):
            name = f"{name}（{i // len(base) + 1}号计量点）"
        station = county.station(code)
        homes = [a for a in station.areas if not a.spec.industrial]
        out.append((name, homes[i % len(homes)]))
    return out


def _weighted_picker(rng: random.Random, areas: list[Area]) -> Callable[[], Area]:
    weights = [a.spec.weight for a in areas]
    return lambda: rng.choices(areas, weights)[0]


def build_customers(
    rng: random.Random, phones: PhoneBook, county: County, n: int, progress: Callable[[str], None]
) -> list[DemoCustomer]:
    areas = county.areas
    homes = [a for a in areas if not a.spec.industrial]
    urban = _weighted_picker(rng, [a for a in homes if a.unit.region_class == RegionClass.URBAN])
    rural = _weighted_picker(rng, [a for a in homes if a.unit.region_class != RegionClass.URBAN])
    industrial = _weighted_picker(rng, [a for a in areas if a.spec.industrial])
    accounts = rng.sample(range(10**8), n)
    meters = rng.sample(range(10**9), n)
    pending: list[DemoCustomer] = []
    for ctype, count in _shares(n):
        institutions = _institutions(rng, count, county) if ctype == T.IMPORTANT else []
        for k in range(count):
            pending.append(_one(rng, phones, ctype, k, institutions, urban, rural, industrial))
    rng.shuffle(pending)
    station_no = {s.unit.pk: i + 1 for i, s in enumerate(county.stations)}
    for i, dc in enumerate(pending):
        dc.customer.account_no = f"33{accounts[i]:08d}"
        dc.customer.meter_no = f"3330{station_no[dc.area.station.unit.pk]}{meters[i]:09d}"
    rows = [dc.customer for dc in pending]
    for start in range(0, len(rows), 2000):
        Customer.objects.bulk_create(rows[start : start + 2000])
        progress(f"customers {min(start + 2000, len(rows))}/{len(rows)}")
    phone_rows = [
        CustomerPhone(customer=dc.customer, number=number, label=label)
        for dc in pending
        for number, label in zip(dc.phones, ("", "备用"), strict=False)
    ]
    CustomerPhone.objects.bulk_create(phone_rows, batch_size=5000)
    _mark_life_support(rng, pending)
    return pending


def _one(
    rng: random.Random,
    phones: PhoneBook,
    ctype: str,
    k: int,
    institutions: list[tuple[str, Area]],
    urban: Callable[[], Area],
    rural: Callable[[], Area],
    industrial: Callable[[], Area],
) -> DemoCustomer:
    female = rng.random() < 0.5
    channel = rng.choices(ContactChannel.values, (60, 5, 10, 25))[0]
    flags = {"is_sensitive": False, "multi_resident": False, "shared_meter": False}
    notes, id_no = "", ""
    if ctype in (T.URBAN_RESIDENT, T.RURAL_RESIDENT):
        area = urban() if ctype == T.URBAN_RESIDENT else rural()
        address, place = _address(rng, area)
        name = person_name(rng, female=female)
        id_no = id_number(rng, female=female)
        numbers = [phones.mobile()] + ([phones.mobile()] if rng.random() < 0.3 else [])
        flags["multi_resident"] = rng.random() < 0.04
        flags["shared_meter"] = ctype == T.URBAN_RESIDENT and "幢" not in address and rng.random() < 0.06
        if flags["multi_resident"]:
            notes = f"一户多人口（{rng.randint(5, 8)}人），已按规定增加阶梯电量基数。"
    elif ctype == T.COMMERCIAL:
        area = urban() if rng.random() < 0.7 else rural()
        address, place = _address(rng, area, shop=True)
        kinds = SHOP_KINDS if area.unit.region_class == RegionClass.URBAN else SHOP_KINDS + RURAL_SHOP_KINDS
        brand = rng.choice(SHOP_BRANDS) if rng.random() < 0.6 else rng.choice(SURNAMES) + "记"
        name = (
            f"{brand}{rng.choice(kinds)}"
            if rng.random() < 0.93
            else f"青溪农商银行{area.station.spec.town}网点"
        )
        numbers = [phones.mobile()] + ([phones.landline()] if rng.random() < 0.4 else [])
    elif ctype == T.INDUSTRIAL:
        area = industrial() if rng.random() < 0.6 else rural()
        address, place = _address(rng, area, shop=True)
        if area.spec.village and rng.random() < 0.5:
            name = f"{area.spec.village}{rng.choice(VILLAGE_WORKS)}"
        else:
            name = f"青溪县{rng.choice(FACTORY_BRANDS)}{rng.choice(FACTORY_KINDS)}有限公司"
        numbers = [phones.landline(), phones.mobile()]
    else:
        name, area = institutions[k]
        address, place = _address(rng, area, shop=True)
        numbers = [phones.landline(), phones.mobile()]
    sensitive: dict[str, object] = {}
    if ctype != T.IMPORTANT and rng.random() < 0.02:
        flags["is_sensitive"] = True
        notes = rng.choice(SENSITIVE_NOTES)
        # The reason is the note's first clause; the day is spread over the last two years from the name
        # (not from rng: the rest of the data set stays as it was for a seed).
        sensitive = {
            "sensitive_reason": notes.split("，")[0],
            "sensitive_since": clock.local_date() - dt.timedelta(days=30 + sum(map(ord, name)) % 700),
        }
    customer = Customer(
        name=name,
        customer_type=ctype,
        area=area.unit,
        address=address,
        id_number=id_no,
        preferred_channel=channel,
        notes=notes,
        **flags,
        **sensitive,
    )
    return DemoCustomer(customer=customer, area=area, place=place, phones=numbers)


def _mark_life_support(rng: random.Random, pending: list[DemoCustomer]) -> None:
    """A handful of households registered for 保电 (one in about 1,500, at least one)."""
    residents = [
        dc
        for dc in pending
        if dc.customer.customer_type in (T.URBAN_RESIDENT, T.RURAL_RESIDENT) and not dc.customer.is_sensitive
    ]
    if not residents:
        return
    chosen = rng.sample(residents, max(1, len(residents) // 1500))
    for dc in chosen:
        dc.customer.is_life_support = True
        dc.customer.notes = rng.choice(LIFE_SUPPORT_NOTES)
    Customer.objects.bulk_update([dc.customer for dc in chosen], ["is_life_support", "notes"])
