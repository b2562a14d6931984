"""The bench city's data and numbering: its counties, 供电所 and places, what callers ring about (``MIX``),
names, and how a customer's account number and phone follow from its id. Shared by the seed
(:mod:`seed`) and the load generators, so that new intake traffic looks like the history and finds the
seeded customers."""

from __future__ import annotations

N_AREAS = 2000
COUNTIES = [  # code suffix, name, short name, share of areas/customers, urban stations (of 20), remote stations
    ("01", "青溪县供电公司", "青溪", 0.5, 8, 0),
    ("02", "云山县供电公司", "云山", 0.3, 3, 2),
    ("03", "临江县供电公司", "临江", 0.2, 2, 4),
]
STATIONS_PER_COUNTY = 20
STATION_NAMES = [
    "城关",
    "东桥",
    "西岭",
    "南湖",
    "北关",
    "河口",
    "新桥",
    "石门",
    "白沙",
    "青龙",
    "柳林",
    "桃园",
    "杨庄",
    "马店",
    "高坪",
    "龙泉",
    "永安",
    "长乐",
    "太平",
    "双河",
]
VILLAGES = [
    "和平路",
    "建设路",
    "人民路",
    "解放路",
    "幸福村",
    "红旗村",
    "向阳村",
    "新华街",
    "朝阳路",
    "光明村",
    "胜利路",
    "团结村",
    "振兴路",
    "中山路",
    "花园小区",
    "锦绣小区",
    "滨江路",
    "工业园",
    "李家村",
    "王家庄",
]
HIST_AGENTS = 40

# What callers ring about: (business_type, topic code, sub-type code, weight, description). Shared with the
# load generators so that new intake traffic looks like the history.
MIX: list[tuple[str, str, str, int, str]] = [
    ("repair", "fault_repair", "repair_lv", 30, "客户来电反映家中突然停电，邻居家也没电，请尽快派人抢修。"),
    (
        "repair",
        "fault_repair",
        "repair_customer_side",
        5,
        "客户反映家中空开跳闸合不上，怀疑户内线路故障，要求上门检查。",
    ),
    ("repair", "fault_repair", "repair_hv", 2, "客户反映村口变压器冒烟并有异响，整片停电，请立即处理。"),
    (
        "complaint",
        "fault_repair",
        "complaint_outage",
        2,
        "客户投诉本周已第三次停电且没有提前通知，要求给出说法。",
    ),
    ("consultation", "outage_info", "consult_outage", 10, "客户咨询所在小区停电原因及预计恢复送电时间。"),
    (
        "consultation",
        "billing",
        "consult_tariff",
        10,
        "客户咨询本月电费比上月高出较多的原因，询问阶梯电价标准。",
    ),
    ("complaint", "billing", "complaint_business", 2, "客户投诉电费账单有误，多收了电费，要求核查退费。"),
    ("service_request", "billing", "sr_reading", 2, "客户反映抄表示数与电能表实际读数不符，要求重新核对。"),
    ("service_request", "metering", "sr_meter", 5, "客户反映电能表走字过快，家中无人时也在走，要求检查。"),
    ("application", "metering", "app_meter_test", 1, "客户申请电能表校验，对计量准确性有疑问。"),
    ("application", "business_env", "app_new_lv", 5, "客户新建住房需要低压新装用电，咨询并申请办理。"),
    ("application", "business_env", "app_new_hv", 1, "企业扩建需要高压增容，申请办理并询问办理时限。"),
    ("complaint", "business_env", "complaint_business", 1, "客户投诉新装申请已超过承诺时限仍未装表接电。"),
    ("application", "ev_charging", "app_ev_charger", 3, "客户购买电动汽车，申请在自家车位安装充电桩。"),
    ("service_request", "ev_charging", "sr_ev_booking", 1, "客户反映公共充电站充电桩无法启动充电。"),
    ("application", "gov_policy", "app_pv", 2, "客户申请屋顶分布式光伏并网，询问需要准备的材料。"),
    ("consultation", "gov_policy", "consult_policy", 3, "客户咨询代理购电价格政策及峰谷分时电价执行时间。"),
    (
        "complaint",
        "hall_service",
        "complaint_service",
        1,
        "客户投诉营业厅工作人员态度生硬，办理业务等候时间过长。",
    ),
    ("praise", "hall_service", "praise_staff", 2, "客户来电表扬供电所抢修人员冒雨抢修、服务热情。"),
    ("opinion", "hall_service", "opinion_service", 1, "客户建议营业厅延长周末营业时间。"),
    ("complaint", "grid_construction", "complaint_construction", 1, "客户投诉电网施工占道且未恢复路面。"),
    ("report", "grid_construction", "report_facility", 1, "客户举报有人偷盗电缆、破坏电力设施。"),
    ("service_request", "communication", "sr_reconnect", 4, "客户已缴清欠费，申请尽快恢复供电。"),
    ("report", "communication", "report_theft", 1, "客户举报邻居私拉乱接、涉嫌窃电。"),
    ("opinion", "communication", "opinion_suggestion", 1, "客户建议停电通知能提前通过短信发送。"),
    ("repair", "power_quality", "repair_power_quality", 2, "客户反映晚间电压偏低，空调和冰箱无法正常启动。"),
    ("complaint", "power_quality", "complaint_quality", 1, "客户投诉长期电压不稳，家用电器多次损坏。"),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红文辉玉兰婷鹏飞斌宇浩凯健俊帆琳欣悦晨阳雪梅海燕波宁丹萍"
BUSINESSES = [
    "超市",
    "饭店",
    "五金店",
    "机械厂",
    "纺织厂",
    "食品厂",
    "卫生院",
    "小学",
    "养殖场",
    "物流园",
    "酒店",
    "加油站",
]
PHONE_PREFIXES = [
    "30",
    "31",
    "32",
    "33",
    "35",
    "36",
    "37",
    "38",
    "39",
    "50",
    "51",
    "52",
    "55",
    "58",
    "59",
    "86",
    "87",
    "88",
    "89",
]


def sql_array(items: list[str] | str) -> str:
    return "ARRAY[" + ",".join("'" + s.replace("'", "''") + "'" for s in items) + "]"


def phone_sql(expr: str) -> str:
    """The primary mobile number of customer ``expr`` (the load generators compute the same)."""
    return f"('1' || ({sql_array(PHONE_PREFIXES)})[1 + ({expr}) % {len(PHONE_PREFIXES)}] || lpad(({expr})::text, 8, '0'))"


def account_no(customer_id: int) -> str:
    return str(3100000000 + customer_id)


def phone_for(customer_id: int) -> str:
    return f"1{PHONE_PREFIXES[customer_id % len(PHONE_PREFIXES)]}{customer_id:08d}"
