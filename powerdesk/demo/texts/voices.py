"""What customers complain of (投诉), suggest (意见建议), report (举报) and praise (表扬), with what the
handler finds and the answer: the demo's :class:`~powerdesk.demo.texts.case.Case` rows of those business
types."""

from __future__ import annotations

from powerdesk.customers.models import CustomerType as T
from powerdesk.demo.texts.case import Case
from powerdesk.workorders.choices import BusinessType as B

# 投诉
COMPLAINT: tuple[Case, ...] = (
    Case(
        B.COMPLAINT,
        "complaint_attitude",
        "communication",
        25,
        (
            "客户投诉昨晚上门抢修的工作人员态度生硬，问了两句就不耐烦，还说“你家的事自己找电工”，客户很不满意。",
            "客户反映打电话到供电所询问停电原因，接电话的人没说两句就挂断了，要求道歉。",
        ),
        results=(
            "经调取记录并约谈当事抢修人员，服务用语确有不当，已对其批评教育并扣罚当月绩效，供电所负责人上门致歉。",
            "经核实接听人员未履行首问负责制，已责令整改并向客户道歉。",
        ),
        replies=("已向客户反馈调查结果和整改措施，并当面致歉。",),
    ),
    Case(
        B.COMPLAINT,
        "complaint_attitude",
        "hall_service",
        12,
        (
            "客户在营业厅排队将近一个小时，期间一个窗口的工作人员离开没有任何说明，要求给个说法。",
            "客户称营业厅工作人员一再要求他先下载网上国网APP才给办理业务，老人不会用手机，觉得被刁难。",
        ),
        results=(
            "经查当日窗口人员临时离岗未放置暂停服务牌，已通报批评，并增加高峰时段弹性窗口。",
            "已明确营业厅不得以推广APP为前提办理业务，对当事人员进行了教育。",
        ),
        replies=("已向客户致歉并说明整改措施。",),
    ),
    Case(
        B.COMPLAINT,
        "complaint_connection",
        "business_env",
        15,
        (
            "客户投诉申请低压新装已经十多天了还没人联系，打了几次电话都说在走流程。",
            "客户反映办理过户时资料审核不仔细，来回跑了三趟还没办成。",
        ),
        results=(
            "经查因勘查人员漏接工单导致超时，已当日完成勘查并装表送电，对责任人考核。",
            "已由客户经理一次性告知所需资料并上门收取，当日办结过户。",
        ),
        replies=("已向客户道歉并办结业务。",),
        customers={T.URBAN_RESIDENT: 40, T.RURAL_RESIDENT: 30, T.COMMERCIAL: 25, T.INDUSTRIAL: 5},
    ),
    Case(
        B.COMPLAINT,
        "complaint_tariff",
        "billing",
        15,
        (
            "客户称电费都是按时交的，却收到了欠费停电通知，认为催费错误，很生气。",
            "客户投诉抄表员把他家的电量抄错了，多收了{kwh}度电的钱，到现在也没退。",
        ),
        results=(
            "经核实系缴费渠道到账延迟，催费通知有误，已撤销通知并致歉。",
            "核实抄表示数录入错误，已退还多收电费并对抄表人员考核。",
        ),
        replies=("已向客户说明原因、退还多收费用并致歉。",),
    ),
    Case(
        B.COMPLAINT,
        "complaint_metering",
        "metering",
        8,
        ("客户投诉换表时没有通知他看旧表底度，换表后的账单电量明显偏高。",),
        results=("已调取换表工单及底度照片与客户核对，旧表底度无误；换表未提前告知，已对施工班组考核。",),
        replies=("已向客户出示底度照片并就未告知一事致歉。",),
    ),
    Case(
        B.COMPLAINT,
        "complaint_outage_notice",
        "outage_info",
        15,
        (
            "客户投诉{place}计划停电前没有贴公告，也没收到短信，店里一批冻品全坏了。",
            "停电公告写的是下午四点来电，实际拖到晚上八点才来，客户认为通知不准确。",
        ),
        results=(
            "经查停电通知未覆盖该客户，已补录客户手机号，并就损失协商处理。",
            "因检修中发现新的缺陷延长了工期，未及时发布延时通知，已致歉并完善延时告知流程。",
        ),
        replies=("已向客户说明停电原因、致歉并告知改进措施。",),
        customers={T.URBAN_RESIDENT: 40, T.RURAL_RESIDENT: 30, T.COMMERCIAL: 30},
    ),
    Case(
        B.COMPLAINT,
        "complaint_frequent_outage",
        "power_quality",
        20,
        (
            "客户投诉一个月内已经停了五六次电，每次都说是线路问题，一直没有根治。",
            "客户所在村电压长期偏低，报修多次都只是临时处理，夏天空调根本开不起来。",
        ),
        results=(
            "该线路频繁停电系树障和老旧导线所致，已完成树障清理，线路改造列入本季度计划。",
            "已对台区增容改造立项，工程完成前调整负荷分配，晚高峰电压已改善。",
        ),
        replies=("已向客户说明原因及整改计划和时间表。",),
    ),
    Case(
        B.COMPLAINT,
        "complaint_works",
        "grid_construction",
        8,
        (
            "客户投诉施工队在{place}立电杆时占用了自家菜地，事先没有沟通，完工后也没恢复原样。",
            "{place}电网施工晚上一直干到凌晨，噪声很大，客户要求施工方注意作息时间。",
        ),
        results=(
            "已约谈施工单位，对占用的菜地按标准补偿并恢复原状。",
            "已要求施工单位夜间22点后停止高噪声作业，并向周边居民张贴致歉告示。",
        ),
        replies=("已向客户反馈处理情况。",),
    ),
)

# 意见建议
OPINION: tuple[Case, ...] = (
    Case(
        B.OPINION,
        "opinion_service",
        "hall_service",
        30,
        (
            "建议营业厅再增加一台自助缴费机，月初交费的人多，排队太久。",
            "希望营业厅中午也能安排人值班，上班族只有午休时间能来办业务。",
        ),
        results=("已采纳，计划下月增设一台自助终端。", "已安排午间轮岗，中午不停止服务。"),
        replies=("感谢客户建议，已告知改进安排。",),
    ),
    Case(
        B.OPINION,
        "opinion_suggestion",
        "outage_info",
        25,
        (
            "希望停电通知能同时发到家里老人的手机上，老人常常不知道要停电。",
            "建议停电公告写清楚具体影响哪几栋楼，现在的公告只写了线路名称，看不懂。",
        ),
        results=("已提供多号码接收停电通知的登记方式。", "已要求停电公告注明影响的小区和楼栋。"),
        replies=("已采纳客户建议并告知办理方式。",),
    ),
    Case(
        B.OPINION,
        "opinion_suggestion",
        "grid_construction",
        20,
        (
            "建议在{place}附近再增设一台变压器，夏天用电高峰经常跳闸。",
            "{place}的电线杆太靠近路面，会车时很危险，建议迁移。",
        ),
        results=(
            "已安排现场勘查，增设变压器纳入明年配网改造计划。",
            "已会同交通部门勘查，电杆迁移列入计划。",
        ),
        replies=("已向客户答复勘查结果及计划安排。",),
    ),
    Case(
        B.OPINION,
        "opinion_suggestion",
        "communication",
        15,
        (
            "建议网上国网能显示每天的用电量曲线，方便自己控制用电。",
            "希望抄表、换表之前能提前一天短信告知，家里好留人。",
        ),
        results=("已将建议反馈至上级渠道运营部门。", "已要求各班组换表前一天短信告知。"),
        replies=("感谢建议，已反馈并答复客户。",),
    ),
    Case(
        B.OPINION,
        "opinion_service",
        "hall_service",
        10,
        ("建议在云岭乡设一个固定服务点，山里人到县城营业厅来回要大半天。",),
        results=("云岭便民服务点已增加逢集日服务时段。",),
        replies=("已向客户介绍便民服务点安排。",),
        customers={T.RURAL_RESIDENT: 100},
    ),
)

# 举报
REPORT: tuple[Case, ...] = (
    Case(
        B.REPORT,
        "report_misconduct",
        "communication",
        30,
        (
            "客户举报装表人员暗示要给“辛苦费”才能尽快装表。",
            "客户举报供电所指定某个电工做表后线路，不用他的人就一直拖着不办。",
        ),
        results=(
            "经纪检部门调查核实，当事人员已停岗处理，已向客户反馈。",
            "经调查未发现指定施工行为，已向客户说明可自主选择施工单位。",
        ),
        replies=("已将调查结果反馈举报人。",),
    ),
    Case(
        B.REPORT,
        "report_theft",
        "metering",
        45,
        (
            "群众举报{place}有一家养殖场私拉电线绕过电表用电。",
            "客户举报邻居家表箱被人动过手脚，怀疑在偷电。",
        ),
        results=(
            "现场检查确认存在绕越计量装置用电，已依法停电、追补电费及违约使用电费。",
            "现场检查表箱封印完好、计量正常，未发现窃电行为。",
        ),
        replies=("已将核查结果反馈举报人，对举报人信息保密。",),
        customers={T.URBAN_RESIDENT: 40, T.RURAL_RESIDENT: 50, T.COMMERCIAL: 10},
    ),
    Case(
        B.REPORT,
        "report_facility",
        "grid_construction",
        25,
        (
            "客户发现{place}夜里有人在拆电缆，疑似盗窃电力设施。",
            "{place}有工地挖掘机在电缆通道旁边施工，可能会挖断地下电缆。",
        ),
        results=(
            "已会同派出所到场处置，加强该段巡视。",
            "已到现场告知施工方电缆走向并签订安全协议，派人旁站监护。",
        ),
        replies=("已处理并感谢举报人。",),
    ),
)

# 表扬
PRAISE: tuple[Case, ...] = (
    Case(
        B.PRAISE,
        "praise_staff",
        "fault_repair",
        60,
        (
            "客户来电表扬{staff}师傅冒雨连夜抢修，凌晨就恢复了供电，态度也特别好。",
            "客户表扬抢修人员{staff}，帮家里老人把表后线路的问题讲得明明白白，还义务检查了插座。",
        ),
        answers=("已记录表扬内容，转达{station}并纳入员工服务评价。",),
    ),
    Case(
        B.PRAISE,
        "praise_unit",
        "hall_service",
        40,
        (
            "客户表扬城区营业厅工作人员耐心帮老人办理过户，一次就办好了。",
            "客户感谢{station}在中高考期间对学校周边的保电工作。",
        ),
        answers=("已记录表扬内容并转达相关单位。",),
        customers={T.URBAN_RESIDENT: 50, T.RURAL_RESIDENT: 35, T.COMMERCIAL: 10, T.IMPORTANT: 5},
    ),
)
