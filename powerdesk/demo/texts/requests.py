"""What customers ask to have done (服务申请) and the applications they make (业务办理), with what the
handler finds and the reply: the demo's :class:`~powerdesk.demo.texts.case.Case` rows of those business
types."""

from __future__ import annotations

from powerdesk.customers.models import CustomerType as T
from powerdesk.demo.texts.case import Case
from powerdesk.workorders.choices import BusinessType as B

# 服务申请
SERVICE_REQUEST: tuple[Case, ...] = (
    Case(
        B.SERVICE_REQUEST,
        "sr_reconnect",
        "billing",
        25,
        (
            "客户出差忘了交电费被停电，刚在网上国网把欠费交清，申请尽快恢复供电。",
            "客户已到营业厅结清欠费，家里还是没电，申请复电。",
        ),
        results=(
            "核实欠费已结清，已远程下发复电指令，客户家中恢复用电。",
            "远程复电未成功，已到现场合闸恢复供电。",
        ),
        replies=("已为客户办理复电，用电恢复正常。",),
    ),
    Case(
        B.SERVICE_REQUEST,
        "sr_appliance",
        "power_quality",
        12,
        (
            "客户称昨晚电压突然升高，家里的冰箱和电视同时烧坏，要求供电公司上门核实处理。",
            "{weather}那天停电再来电后，客户家的空调外机不转了，怀疑是来电时电压冲击造成的。",
        ),
        results=(
            "经核实为台区中性线断线引起过电压，属供电企业责任，已与客户协商按规定赔偿修理费用。",
            "现场检查台区电压记录正常，电器损坏与供电无关，已向客户耐心解释并建议联系厂家检修。",
        ),
        replies=(
            "电器损坏已核实处理，赔偿事宜已与客户达成一致。",
            "已向客户说明核查结果和依据，客户表示理解。",
        ),
    ),
    Case(
        B.SERVICE_REQUEST,
        "sr_meter",
        "metering",
        20,
        (
            "客户认为电能表走得偏快，家里人不多电费却不少，申请检查电表。",
            "电表显示屏看不清楚，客户无法自行核对读数，申请处理。",
        ),
        results=(
            "现场用校验仪检测，电能表误差在允许范围内，已向客户出示检测结果。",
            "电能表显示屏老化，已更换新表，底度经客户签字确认。",
        ),
        replies=("已上门处理电能表问题，并向客户说明结果。",),
    ),
    Case(
        B.SERVICE_REQUEST,
        "sr_reading",
        "metering",
        15,
        (
            "客户反映本月账单上的抄表读数比电表实际示数多了{kwh}度，要求核实。",
            "客户说家里三个月没人住，账单仍显示用了不少电，怀疑抄表有误。",
        ),
        results=(
            "核查为采集数据异常，已按实际示数更正电量并退补电费。",
            "复核抄表数据无误，电量为冰箱等电器长期运行所致，已向客户说明。",
        ),
        replies=("已核实抄表数据并向客户答复。",),
    ),
    Case(
        B.SERVICE_REQUEST,
        "sr_ev_booking",
        "ev_charging",
        8,
        (
            "客户预约周末在县城公共充电站充电，询问需不需要提前到场。",
            "客户想预约小区附近快充桩的夜间时段，问能否长期固定预约。",
        ),
        results=("已为客户登记预约时段并发送确认短信。",),
        replies=("预约已办理完成。",),
        customers={T.URBAN_RESIDENT: 90, T.COMMERCIAL: 10},
    ),
    Case(
        B.SERVICE_REQUEST,
        "sr_other",
        "hall_service",
        10,
        (
            "客户要求更改账单寄送地址，同时开通电子发票。",
            "客户申请把停电通知短信发到女儿的手机号上，自己年纪大了不常看手机。",
        ),
        results=("已更新客户联系信息并开通电子发票。", "已增加客户指定的通知号码。"),
        replies=("已按客户要求办理完成。",),
    ),
)

# 业务办理
APPLICATION: tuple[Case, ...] = (
    Case(
        B.APPLICATION,
        "app_new_lv",
        "business_env",
        30,
        (
            "客户新建自住房，申请一户一表低压新装，已提交身份证和宅基地证明。",
            "客户新开一家{shop}，申请低压非居民新装，用电容量约{kw}千瓦。",
        ),
        results=("已完成现场勘查、装表接电，客户已正常用电。",),
        replies=("新装已完成，已通知客户正常用电。",),
        customers={T.URBAN_RESIDENT: 30, T.RURAL_RESIDENT: 40, T.COMMERCIAL: 30},
    ),
    Case(
        B.APPLICATION,
        "app_new_hv",
        "business_env",
        8,
        (
            "企业新建厂房，申请10千伏高压新装，报装容量{kva}千伏安。",
            "企业扩大生产，申请将变压器由{kva}千伏安增容。",
        ),
        results=("已完成供电方案答复、设计审查、竣工检验，装表送电。",),
        replies=("高压新装增容已办结送电。",),
        customers={T.INDUSTRIAL: 75, T.COMMERCIAL: 25},
    ),
    Case(
        B.APPLICATION,
        "app_new_hv_dual",
        "business_env",
        2,
        ("单位新建业务楼，按重要负荷要求申请双电源供电。",),
        results=("两路电源方案已实施并完成竣工检验，双电源投运。",),
        replies=("双电源供电已投运。",),
        customers={T.IMPORTANT: 100},
    ),
    Case(
        B.APPLICATION,
        "app_ev_charger",
        "ev_charging",
        20,
        (
            "客户在小区地下车库买了固定车位，申请安装7千瓦家用充电桩。",
            "客户申请充电桩报装，物业已出具同意安装的证明。",
        ),
        results=("已勘查车位、装表接电，充电桩通电调试正常。",),
        replies=("充电桩已通电，已告知客户峰谷电价执行方式。",),
        customers={T.URBAN_RESIDENT: 95, T.COMMERCIAL: 5},
    ),
    Case(
        B.APPLICATION,
        "app_pv",
        "gov_policy",
        15,
        (
            "客户在自家屋顶装了约{kw}千瓦的分布式光伏，申请并网、余电上网。",
            "企业利用厂房屋顶建设光伏，申请并网，装机容量约{kva}千瓦。",
        ),
        results=("已完成并网验收和计量装置安装，光伏已并网发电。",),
        replies=("光伏并网已完成，上网电费按月结算。",),
        customers={T.RURAL_RESIDENT: 55, T.URBAN_RESIDENT: 15, T.INDUSTRIAL: 30},
    ),
    Case(
        B.APPLICATION,
        "app_transfer",
        "business_env",
        12,
        ("客户买的二手房电费户名还是原房主的，申请办理过户。",),
        results=("资料齐全，已办理过户并结清原户电费。",),
        replies=("过户已办结。",),
        customers={T.URBAN_RESIDENT: 70, T.RURAL_RESIDENT: 20, T.COMMERCIAL: 10},
    ),
    Case(
        B.APPLICATION,
        "app_rename",
        "business_env",
        6,
        ("户主已过世，家属申请将户名变更为其子女。",),
        results=("已核验继承证明材料，完成更名。",),
        replies=("更名已办结。",),
    ),
    Case(
        B.APPLICATION,
        "app_meter_test",
        "metering",
        7,
        ("客户对电能表计量准确性有疑问，申请送检校验。",),
        results=("电能表经法定计量检定机构校验，误差合格，已出具检定报告。",),
        replies=("校验结果合格，检定报告已交客户。",),
    ),
)
