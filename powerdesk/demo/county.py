"""The fictional county: 华川省 → 望川市 → 青溪县, its five supply stations, ~60 台区 and service halls.

Every name here is invented. Urban areas are described by roads and residential compounds, rural and
remote ones by villages and their 村民小组, so customer addresses can be built from the parts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from powerdesk.demo.names import PhoneBook, person_name
from powerdesk.org.models import RegionClass, ServiceHall, Unit, UnitKind

COUNTY_NAME = "青溪县"


@dataclass(frozen=True)
class AreaSpec:
    suffix: str  # code suffix under the station
    name: str  # 台区 name
    # Urban: roads (门牌号) and compounds (幢/单元/室). Rural: one village with its groups (组).
    roads: tuple[str, ...] = ()
    compounds: tuple[str, ...] = ()
    village: str = ""
    groups: int = 0
    weight: float = 1.0  # relative number of customers
    region: str = ""  # overrides the station's region class when set
    industrial: bool = False  # an industrial park or quarry: where factories sit


@dataclass(frozen=True)
class StationSpec:
    code: str
    name: str
    region: str
    town: str  # 街道 / 镇 / 乡
    address: str
    areas: tuple[AreaSpec, ...]


def _villages(prefix: str, rows: list[tuple[str, str, int, float]], *extra: AreaSpec) -> tuple[AreaSpec, ...]:
    """Village areas A01, A02 … from (name, village, number of groups, weight), then the ``extra`` ones."""
    villages = (
        AreaSpec(suffix=f"{prefix}{i + 1:02d}", name=name, village=village, groups=groups, weight=weight)
        for i, (name, village, groups, weight) in enumerate(rows)
    )
    return (*villages, *extra)


STATIONS: tuple[StationSpec, ...] = (
    StationSpec(
        "QX-DQ",
        "东桥供电所",
        RegionClass.URBAN,
        "东桥街道",
        "青溪县东桥街道和平路88号",
        (
            AreaSpec("A01", "和平路1号台区", roads=("和平路",), weight=1.2),
            AreaSpec("A02", "和平路2号台区", roads=("和平路", "解放街")),
            AreaSpec("A03", "东桥新村台区", compounds=("东桥新村",), weight=1.3),
            AreaSpec("A04", "滨江花园1号台区", compounds=("滨江花园",), weight=1.4),
            AreaSpec("A05", "滨江花园2号台区", compounds=("滨江花园",), weight=1.2),
            AreaSpec("A06", "解放街台区", roads=("解放街", "仓前巷")),
            AreaSpec("A07", "人民路东段台区", roads=("人民路",), weight=0.9),
            AreaSpec("A08", "文昌路台区", roads=("文昌路", "学前路")),
            AreaSpec("A09", "湖滨小区台区", compounds=("湖滨小区",), weight=1.1),
            AreaSpec("A10", "菜市场台区", roads=("东桥菜市场", "仓前巷"), weight=0.7),
            AreaSpec("A11", "桥东村台区", village="桥东村", groups=6, weight=0.8, region=RegionClass.RURAL),
            AreaSpec("A12", "东桥工业园1号台区", roads=("工业园一路",), weight=0.4, industrial=True),
            AreaSpec("A13", "东桥工业园2号台区", roads=("工业园二路",), weight=0.4, industrial=True),
        ),
    ),
    StationSpec(
        "QX-XC",
        "西城供电所",
        RegionClass.URBAN,
        "西城街道",
        "青溪县西城街道西城路16号",
        (
            AreaSpec("A01", "西城路1号台区", roads=("西城路",), weight=1.1),
            AreaSpec("A02", "西城路2号台区", roads=("西城路", "健康路")),
            AreaSpec("A03", "翠苑小区台区", compounds=("翠苑小区",), weight=1.3),
            AreaSpec("A04", "锦绣家园1号台区", compounds=("锦绣家园",), weight=1.4),
            AreaSpec("A05", "锦绣家园2号台区", compounds=("锦绣家园",), weight=1.2),
            AreaSpec("A06", "县前街台区", roads=("县前街", "公园路"), weight=0.8),
            AreaSpec("A07", "健康路台区", roads=("健康路",)),
            AreaSpec("A08", "古城巷台区", roads=("古城巷", "新华街"), weight=0.9),
            AreaSpec("A09", "金桂苑台区", compounds=("金桂苑",), weight=1.1),
            AreaSpec("A10", "新华街台区", roads=("新华街",)),
            AreaSpec("A11", "城西农贸市场台区", roads=("城西路",), weight=0.6),
            AreaSpec("A12", "公园路台区", roads=("公园路",), weight=0.8),
            AreaSpec("A13", "西门村台区", village="西门村", groups=5, weight=0.8, region=RegionClass.RURAL),
        ),
    ),
    StationSpec(
        "QX-HT",
        "河头供电所",
        RegionClass.RURAL,
        "河头镇",
        "青溪县河头镇河街12号",
        _villages(
            "A",
            [
                ("河头镇区1号台区", "河头社区", 8, 1.3),
                ("河头镇区2号台区", "河头社区", 8, 1.2),
                ("下洋村1号台区", "下洋村", 6, 1.0),
                ("下洋村2号台区", "下洋村", 6, 0.9),
                ("上洋村台区", "上洋村", 5, 0.9),
                ("溪口村台区", "溪口村", 7, 1.1),
                ("枫树湾村台区", "枫树湾村", 4, 0.7),
                ("马家坪村台区", "马家坪村", 5, 0.8),
                ("新塘村台区", "新塘村", 6, 1.0),
                ("陈家岙村台区", "陈家岙村", 4, 0.7),
                ("桥头村台区", "桥头村", 5, 0.9),
                ("柳溪村台区", "柳溪村", 6, 1.0),
            ],
            AreaSpec("A13", "河头工业点台区", village="溪口村", groups=2, weight=0.4, industrial=True),
        ),
    ),
    StationSpec(
        "QX-SY",
        "石岩供电所",
        RegionClass.RURAL,
        "石岩乡",
        "青溪县石岩乡集镇路5号",
        _villages(
            "A",
            [
                ("石岩集镇台区", "石岩社区", 6, 1.2),
                ("石岩村1号台区", "石岩村", 6, 1.0),
                ("石岩村2号台区", "石岩村", 6, 0.9),
                ("坑口村台区", "坑口村", 5, 0.8),
                ("大坞村台区", "大坞村", 5, 0.9),
                ("黄泥岭村台区", "黄泥岭村", 4, 0.7),
                ("竹林村台区", "竹林村", 5, 0.8),
                ("石门村台区", "石门村", 6, 0.9),
                ("塘下村台区", "塘下村", 5, 0.9),
                ("岩前村台区", "岩前村", 4, 0.7),
                ("后山村台区", "后山村", 4, 0.6),
            ],
            AreaSpec("A12", "石材加工区台区", village="石门村", groups=2, weight=0.4, industrial=True),
        ),
    ),
    StationSpec(
        "QX-YL",
        "云岭供电所",
        RegionClass.REMOTE,
        "云岭乡",
        "青溪县云岭乡云岭街3号",
        _villages(
            "A",
            [
                ("云岭集镇台区", "云岭社区", 5, 1.0),
                ("高坪村台区", "高坪村", 5, 0.8),
                ("云雾村台区", "云雾村", 4, 0.6),
                ("白岩村台区", "白岩村", 4, 0.6),
                ("龙潭村台区", "龙潭村", 5, 0.7),
                ("茶园村台区", "茶园村", 4, 0.6),
                ("高山村台区", "高山村", 3, 0.5),
                ("深坑村台区", "深坑村", 3, 0.4),
                ("云岭茶场台区", "茶园村", 2, 0.3),
            ],
        ),
    ),
)

# name, station code (None = county company), address, opening hours, self-service terminal
HALLS = (
    (
        "青溪县城区营业厅",
        None,
        "青溪县西城街道县前街20号",
        "周一至周日 8:30-17:30（法定节假日另行公告）",
        True,
    ),
    ("河头营业厅", "QX-HT", "青溪县河头镇河街12号", "周一至周六 8:30-12:00，13:30-17:00", True),
    ("云岭便民服务点", "QX-YL", "青溪县云岭乡云岭街3号", "周二、周五 9:00-16:00（逢集日延长至17:30）", False),
)


@dataclass
class Area:
    unit: Unit
    spec: AreaSpec
    station: Station


@dataclass
class Station:
    unit: Unit
    spec: StationSpec
    areas: list[Area] = field(default_factory=list)


@dataclass
class County:
    province: Unit
    city: Unit
    county: Unit
    stations: list[Station]

    @property
    def areas(self) -> list[Area]:
        return [a for s in self.stations for a in s.areas]

    def station(self, code: str) -> Station:
        return next(s for s in self.stations if s.unit.code == code)


def build_county(rng: random.Random, phones: PhoneBook) -> County:
    """Create the unit tree and the service halls. Each station has four or five 台区经理, each of whom
    looks after a few neighbouring areas (their name and phone are on the sign in every area)."""
    province = Unit.objects.create(
        code="HC", name="华川省电力有限公司", kind=UnitKind.PROVINCE, address="华川省望川市滨河大道1号"
    )
    city = Unit.objects.create(
        code="HC-WC", name="望川市供电公司", kind=UnitKind.CITY, parent=province, address="望川市长安路66号"
    )
    county = Unit.objects.create(
        code="QX",
        name="青溪县供电公司",
        kind=UnitKind.COUNTY,
        parent=city,
        address="青溪县西城街道县前街18号",
    )
    stations: list[Station] = []
    area_units: list[Unit] = []
    for spec in STATIONS:
        unit = Unit.objects.create(
            code=spec.code,
            name=spec.name,
            kind=UnitKind.STATION,
            parent=county,
            region_class=spec.region,
            address=spec.address,
        )
        station = Station(unit=unit, spec=spec)
        managers = [
            (person_name(rng), phones.mobile(("139", "138", "137"))) for _ in range(rng.choice((4, 5)))
        ]
        per_manager = -(-len(spec.areas) // len(managers))
        for i, aspec in enumerate(spec.areas):
            manager_name, manager_phone = managers[i // per_manager]
            place = aspec.village or (aspec.roads or aspec.compounds)[0]
            area_unit = Unit(
                code=f"{spec.code}-{aspec.suffix}",
                name=aspec.name,
                kind=UnitKind.AREA,
                parent=unit,
                region_class=aspec.region or spec.region,
                address=f"{COUNTY_NAME}{spec.town}{place}",
                manager_name=manager_name,
                manager_phone=manager_phone,
            )
            area_units.append(area_unit)
            station.areas.append(Area(unit=area_unit, spec=aspec, station=station))
        stations.append(station)
    Unit.objects.bulk_create(area_units)
    for name, station_code, address, hours, self_service in HALLS:
        owner = (
            county if station_code is None else next(s.unit for s in stations if s.unit.code == station_code)
        )
        ServiceHall.objects.create(
            unit=owner,
            name=name,
            address=address,
            opening_hours=hours,
            phone=phones.landline(),
            has_self_service=self_service,
        )
    return County(province=province, city=city, county=county, stations=stations)
