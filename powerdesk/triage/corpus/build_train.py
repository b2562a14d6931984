"""Writes ``train.jsonl``, the shipped training corpus of the triage model (run it again after editing
the situations: ``python -m powerdesk.triage.corpus.build_train``).

Every utterance is written for this corpus: a situation (business type, topic, sub-type, and whether it
is a safety hazard) has several ways a caller puts it; a voice (calm, unhappy, angry; elderly,
dialect-flavoured, typing slips, very short, very long) wraps it; numbers, addresses and phone numbers
are mixed in. The seed makes the file the same on every run."""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent

# (business_type, topic, sub_type, urgent, [what the caller says])
SITUATIONS: list[tuple[str, str, str, bool, list[str]]] = [
    (
        "repair",
        "fault_repair",
        "repair_lv",
        False,
        [
            "家里突然没电了",
            "我家停电了，邻居家好像也没电",
            "整栋楼都黑了",
            "我们这一排房子都没电",
            "刚才啪的一声全屋灯都灭了",
            "楼道里的灯和家里都不亮了",
            "早上起来发现冰箱不转了，家里没电",
            "我们村这一片都停电了",
            "单元里好几户都没电",
            "家里断电两个多小时了还没来电",
            "隔壁有电就我家没电，总闸也没跳",
            "晚上做饭做一半没电了",
        ],
    ),
    (
        "repair",
        "fault_repair",
        "repair_hv",
        False,
        [
            "整个小区都停电了",
            "好几个村子同时停电",
            "变电站那边好像出问题了，整条街都没电",
            "高压线那边砰的一声，然后整片都黑了",
            "工业园区全部停电，厂里机器都停了",
            "十千伏线路跳闸了吧，附近几个小区都没电",
            "开发区这一带大面积停电",
        ],
    ),
    (
        "repair",
        "fault_repair",
        "repair_customer_side",
        False,
        [
            "家里空开跳了推不上去",
            "厨房插座没电，其他房间有电",
            "家里漏保一合就跳",
            "卫生间的灯不亮，别的都正常",
            "我家里面线路坏了，想请人来看看",
            "一开热水器就跳闸",
            "家里一半房间有电一半没电",
            "总开关推上去又掉下来",
        ],
    ),
    (
        "repair",
        "metering",
        "repair_meter",
        False,
        [
            "电表不亮了，屏幕黑的",
            "电表箱里的表烧坏了",
            "电表一直在闪红灯",
            "电表显示乱码",
            "插卡电表插卡没反应",
            "电表上面的数字不动了，家里却有电",
            "表箱里的空开烧黑了",
        ],
    ),
    (
        "repair",
        "power_quality",
        "repair_power_quality",
        False,
        [
            "电压太低，灯一闪一闪的",
            "空调启动不了，电压不够",
            "晚上电压低得冰箱都带不动",
            "家里电器老是忽明忽暗",
            "电压高得把灯泡烧了",
            "洗衣机转不动，测了电压只有一百七",
            "一到傍晚电就很弱，电饭煲煮不熟饭",
        ],
    ),
    (
        "repair",
        "fault_repair",
        "repair_safety",
        True,
        [
            "电线掉在地上了",
            "路边的电线断了掉在地上，还在冒火花",
            "电线杆被车撞歪了，线都快掉下来了",
            "大树倒了压在电线上",
            "表箱在冒烟",
            "楼下配电箱起火了",
            "变压器在冒烟还有焦味",
            "有个小孩碰到电线被电了一下",
            "下雨后墙上的电线漏电，摸着麻手",
            "电线杆上有火花噼里啪啦的",
            "电线掉在水塘里了",
            "我家门口的电缆烧着了",
            "配电房里有烧焦的味道",
            "路灯杆漏电，狗被电倒了",
            "电线被风刮断垂到地上",
            "变压器着火了",
            "路边的电箱门开着，里面的线露在外面，小孩在旁边玩",
            "电缆井盖没了，里面的电缆泡在水里",
            "广告牌倒下来砸在电线上",
            "工地吊车碰到高压线了",
        ],
    ),
    (
        "repair",
        "ev_charging",
        "",
        False,
        [
            "充电桩插上枪不充电",
            "小区的充电桩屏幕黑了",
            "充电桩显示故障代码充不了电",
            "充电充到一半自己断了",
            "公共充电站的桩扫码没反应",
        ],
    ),
    (
        "complaint",
        "communication",
        "complaint_attitude",
        False,
        [
            "你们客服态度太差了",
            "抢修师傅对我大吼大叫",
            "上门的电工说话难听还骂人",
            "打电话问个事情，接线员很不耐烦就挂了",
            "你们工作人员态度恶劣",
            "供电所的人冲我发脾气",
            "台区经理接电话爱答不理",
        ],
    ),
    (
        "complaint",
        "communication",
        "complaint_conduct",
        False,
        [
            "抄表员上门不穿工装也不出示证件",
            "工作人员上班时间喝酒",
            "抢修的人把我家院子踩得一塌糊涂也不管",
            "装表的师傅抽烟还把烟头扔在我家",
            "工作人员没有预约就闯进院子",
        ],
    ),
    (
        "complaint",
        "hall_service",
        "complaint_hall",
        False,
        [
            "营业厅排了两个小时队",
            "营业厅窗口只开了一个",
            "营业厅的工作人员一直在玩手机",
            "营业厅中午不办业务",
            "营业厅叫号系统坏了也没人管",
            "去营业厅办事被推来推去",
        ],
    ),
    (
        "complaint",
        "communication",
        "complaint_channel",
        False,
        [
            "九五五九八总是打不通",
            "网上国网APP交费一直失败",
            "在APP上报修了一天没人理",
            "热线等了半个小时没人接",
            "微信公众号上的业务一直显示处理中",
            "APP上查的电费和实际不一样也没人解释",
        ],
    ),
    (
        "complaint",
        "business_env",
        "complaint_connection",
        False,
        [
            "报装新的电表一个月了还没装",
            "申请装电拖了很久，一直让我补材料",
            "新房子报装说好一周，现在都一个月了",
            "厂里申请增容三个月没动静",
            "报装的时候让我们找指定的施工队",
        ],
    ),
    (
        "complaint",
        "business_env",
        "complaint_change",
        False,
        [
            "申请暂停用电一直没办好",
            "减容申请交了很久没人处理",
            "改类办理拖了好几个星期",
            "申请销户一直不给办",
        ],
    ),
    (
        "complaint",
        "billing",
        "complaint_collection",
        False,
        [
            "抄表员根本没来抄表，是估的数",
            "没通知就说我欠费要停电",
            "催费的人天天打电话很烦",
            "欠了几块钱就把我电停了",
            "抄表抄错了，多算了我几百度",
        ],
    ),
    (
        "complaint",
        "billing",
        "complaint_tariff",
        False,
        [
            "这个月电费突然高了好几倍",
            "阶梯电价给我算错了",
            "我家是居民用电却按商业电价收费",
            "电费比上个月多了三百多，家里没人住",
            "峰谷电价没有给我执行",
        ],
    ),
    (
        "complaint",
        "metering",
        "complaint_metering",
        False,
        [
            "电表走得太快了，肯定有问题",
            "换了新电表以后电费翻倍",
            "家里没用电电表还在走",
            "电表校验结果我不认可",
            "电表的数和我自己抄的对不上",
        ],
    ),
    (
        "complaint",
        "billing",
        "complaint_payment",
        False,
        [
            "交了电费一直没到账",
            "电费被扣了两次",
            "银行代扣多扣了钱",
            "交费成功了却显示还欠费",
            "充值的钱没有到电表里",
            "在APP上交了两百块，还是显示欠费",
            "微信交的电费钱扣了电表里没有",
        ],
    ),
    (
        "complaint",
        "outage_info",
        "complaint_outage_notice",
        False,
        [
            "停电也不提前通知一声",
            "计划停电没有贴公告",
            "停电通知的时间和实际不一样",
            "说是停半天结果停了一整天也没通知",
            "停电前短信都没收到",
        ],
    ),
    (
        "complaint",
        "outage_info",
        "complaint_outage_plan",
        False,
        [
            "说好下午五点来电，现在九点了还没电",
            "计划停电超时了",
            "停电时间一改再改",
            "检修停电说一天结果停了三天",
        ],
    ),
    (
        "complaint",
        "fault_repair",
        "complaint_repair",
        False,
        [
            "报修了四个小时都没人来",
            "抢修的人来了看一眼就走了，还是没电",
            "修了三次都没修好",
            "报修以后一直说在路上",
            "抢修人员让我自己找电工",
        ],
    ),
    (
        "complaint",
        "power_quality",
        "complaint_voltage",
        False,
        [
            "电压低的问题反映了好几次都没解决",
            "我们村电压长期不够",
            "夏天一到晚上电压就低，年年如此",
            "电压不稳烧了好几个灯泡了，反映了也没用",
        ],
    ),
    (
        "complaint",
        "power_quality",
        "complaint_frequent_outage",
        False,
        [
            "一个月停了五六次电",
            "这个星期天天停电",
            "动不动就停电，一下雨就停",
            "最近老是三天两头停电",
        ],
    ),
    (
        "complaint",
        "grid_construction",
        "complaint_works",
        False,
        [
            "施工队把路挖开了也不填回去",
            "架线的时候把我家庄稼踩坏了",
            "施工把我家水管挖断了",
            "电力施工晚上十二点还在干活",
            "施工的车把我家围墙撞坏了",
        ],
    ),
    (
        "complaint",
        "grid_construction",
        "complaint_noise",
        False,
        [
            "楼下的变压器嗡嗡响，晚上睡不着",
            "配电房噪音太大",
            "箱变一直有很大的响声",
        ],
    ),
    (
        "complaint",
        "grid_construction",
        "complaint_clearance",
        False,
        [
            "高压线离我家房子太近了",
            "电线从我家屋顶上过去很危险",
            "新立的电线杆挡在我家门口",
            "变压器装在小区窗户底下",
        ],
    ),
    (
        "report",
        "communication",
        "report_misconduct",
        False,
        [
            "工作人员装表要收好处费",
            "电工让我给红包才给接电",
            "供电所的人吃拿卡要",
            "抄表员私下收电费不给票",
            "有人冒充供电局的人上门收钱",
        ],
    ),
    (
        "report",
        "metering",
        "report_theft",
        False,
        [
            "我举报邻居偷电",
            "有个厂子私自绕过电表用电",
            "隔壁店铺私拉电线",
            "有人在电表上动了手脚",
            "附近有人挂钩偷电",
        ],
    ),
    (
        "report",
        "grid_construction",
        "report_facility",
        False,
        [
            "有人在偷电缆",
            "有人在电线杆下面挖土",
            "工地把电缆挖坏了",
            "有人在高压线下面放风筝钓鱼",
            "有人把变压器的围栏拆了",
        ],
    ),
    (
        "opinion",
        "hall_service",
        "opinion_service",
        False,
        [
            "营业厅能不能周末也开门",
            "希望营业厅多开几个窗口",
            "建议营业厅给老人设个专门窗口",
            "希望停电通知能早点发",
        ],
    ),
    (
        "opinion",
        "ev_charging",
        "opinion_suggestion",
        False,
        [
            "建议小区多装几个充电桩",
            "希望高速服务区多建充电站",
            "充电桩的收费能不能便宜点",
        ],
    ),
    (
        "opinion",
        "gov_policy",
        "opinion_suggestion",
        False,
        [
            "建议光伏并网的流程简化一点",
            "希望农村也推广峰谷电价",
            "电价政策能不能多宣传一下",
        ],
    ),
    (
        "praise",
        "communication",
        "praise_staff",
        False,
        [
            "我要表扬你们的抢修师傅",
            "昨天来的电工服务特别好",
            "你们的台区经理很负责，要表扬他",
            "接线员很耐心，帮了我大忙",
            "感谢半夜来修电的师傅",
        ],
    ),
    (
        "praise",
        "fault_repair",
        "praise_unit",
        False,
        [
            "感谢供电所这么快恢复供电",
            "表扬你们抢修队，台风天连夜修好了",
            "给你们供电公司送面锦旗",
        ],
    ),
    (
        "consultation",
        "billing",
        "consult_tariff",
        False,
        [
            "现在居民电价是多少",
            "阶梯电价是怎么算的",
            "我想查一下这个月电费",
            "峰谷电怎么申请",
            "电费账单怎么看",
            "我家欠多少电费",
            "电费能不能按季度交",
        ],
    ),
    (
        "consultation",
        "business_env",
        "consult_procedure",
        False,
        [
            "新房子装电表要带什么材料",
            "过户要怎么办",
            "办理增容需要什么手续",
            "申请装电要多长时间",
            "更名要本人去营业厅吗",
        ],
    ),
    (
        "consultation",
        "outage_info",
        "consult_outage",
        False,
        [
            "明天我们这里是不是要停电",
            "什么时候来电",
            "这次停电是什么原因",
            "我们小区停电计划到几点",
            "查一下这周有没有停电安排",
        ],
    ),
    (
        "consultation",
        "gov_policy",
        "consult_policy",
        False,
        [
            "光伏发电有补贴吗",
            "代理购电是什么意思",
            "农村电网改造有什么政策",
            "电采暖有没有优惠电价",
            "分布式光伏余电上网怎么结算",
        ],
    ),
    (
        "consultation",
        "ev_charging",
        "consult_procedure",
        False,
        [
            "充电桩报装要什么条件",
            "家里装充电桩电费怎么算",
            "公共充电桩怎么付费",
        ],
    ),
    (
        "service_request",
        "billing",
        "sr_reconnect",
        False,
        [
            "我已经交了电费，麻烦给我复电",
            "欠费停电了，钱交了什么时候来电",
            "交完费了电还没来",
        ],
    ),
    (
        "service_request",
        "power_quality",
        "sr_appliance",
        False,
        [
            "昨天来电的时候把我家电视烧坏了",
            "电压突然升高，冰箱和空调都坏了",
            "打雷停电后电脑开不了机，要求赔偿",
            "来电以后洗衣机就坏了",
        ],
    ),
    (
        "service_request",
        "metering",
        "sr_meter",
        False,
        [
            "电表好像不准，申请检查一下",
            "电表有响声，请派人看看",
            "电表屏幕显示异常请处理",
        ],
    ),
    (
        "service_request",
        "metering",
        "sr_reading",
        False,
        [
            "这个月抄表的数不对",
            "电费单上的读数比电表上的大",
            "上个月用电量显示为零",
        ],
    ),
    (
        "service_request",
        "ev_charging",
        "sr_ev_booking",
        False,
        [
            "我想预约明天上午的充电",
            "帮我预约一个充电桩",
            "充电站能不能预约",
        ],
    ),
    (
        "service_request",
        "hall_service",
        "sr_other",
        False,
        [
            "帮我开一张电费发票",
            "我想把电费账单寄到新地址",
            "帮我改一下预留的手机号",
            "要一份用电证明",
        ],
    ),
    (
        "application",
        "business_env",
        "app_new_lv",
        False,
        [
            "我要给新房子装电表",
            "申请新装一户居民用电",
            "店铺要新接一个电表",
            "农村新盖的房子要通电",
            "新房子一直用的临时电，想办正式用电",
            "开发商交房了，我要申请通电",
        ],
    ),
    (
        "application",
        "business_env",
        "app_new_hv",
        False,
        [
            "厂里要增容到八百千伏安",
            "申请一台专用变压器",
            "企业要新装高压用电",
        ],
    ),
    (
        "application",
        "business_env",
        "app_new_hv_dual",
        False,
        [
            "医院要申请双电源",
            "数据中心需要两路电源供电",
            "申请第二路备用电源",
        ],
    ),
    (
        "application",
        "ev_charging",
        "app_ev_charger",
        False,
        [
            "我要在车位上装个充电桩",
            "申请家用充电桩报装",
            "小区车位装充电桩需要申请",
        ],
    ),
    (
        "application",
        "gov_policy",
        "app_pv",
        False,
        [
            "我家屋顶装了光伏要并网",
            "申请分布式光伏并网",
            "光伏板装好了怎么接到电网",
        ],
    ),
    (
        "application",
        "business_env",
        "app_transfer",
        False,
        [
            "房子卖了，电表要过户",
            "买了二手房要办电表过户",
            "帮我办一下户主变更过户",
        ],
    ),
    (
        "application",
        "business_env",
        "app_rename",
        False,
        [
            "电表户名要改成我的名字",
            "户主去世了要更名",
            "申请更改户名",
        ],
    ),
    (
        "application",
        "metering",
        "app_meter_test",
        False,
        [
            "申请校验电表",
            "我要求检测一下电表准不准",
            "申请对电表做一次校验",
        ],
    ),
]

# A hazard detail a caller adds to a situation that is not by itself one: the call becomes urgent.
HAZARD_ADDS = [
    "电线都碰到房顶了",
    "线搭在树枝上",
    "电线垂得小孩伸手就能碰到",
    "表箱门被撬开了，里面的线露着",
    "电缆沟的盖板没了",
    "电线泡在积水里",
    "货车把电线挂断了",
    "变压器的围栏倒了",
    "还闻到一股焦味",
    "插座那里冒烟了",
    "表箱里有火花",
    "电线在冒火",
    "墙上的线摸着有点麻手，好像漏电",
    "外面电线掉地上了",
    "刚才看到起火了",
    "配电箱烧起来了",
]

CALM_OPEN = ["你好，", "您好，", "喂，你好，", "麻烦问一下，", "打扰一下，", "", "", "你好，我想反映个情况，"]
CALM_CLOSE = ["谢谢。", "麻烦你们了。", "", "", "请尽快处理一下，谢谢。", "好的。"]
UNHAPPY_OPEN = ["唉，", "真是的，", "又来了，", "我说你们，", "都第二次打电话了，", "怎么回事啊，"]
UNHAPPY_CLOSE = [
    "能不能快一点。",
    "这都等多久了。",
    "一直这样让人怎么过。",
    "你们能不能上点心。",
    "太耽误事了。",
    "到底什么时候能解决。",
    "真让人不满意。",
]
ANGRY_OPEN = ["你们到底管不管！", "气死我了！", "我跟你说！", "你们这是什么单位！", "我已经忍无可忍了！"]
ANGRY_CLOSE = [
    "再不解决我就打12398投诉！",
    "我要投诉你们！",
    "我要找媒体曝光！",
    "找你们领导来跟我说！",
    "今晚必须给我解决！",
    "太过分了，凭什么这样！",
    "再这样我就起诉你们！",
    "一直推诿敷衍，什么态度！",
]
ELDERLY = ["小姑娘啊，", "我是个老头子，不太会说，", "我们老两口在家，", "我年纪大了看不清，", "孩子不在家，"]
DIALECT = {
    "没电": ["莫得电", "冇电", "没得电"],
    "什么": ["啥", "么子"],
    "怎么": ["咋", "咋个"],
    "我们": ["俺们", "阿拉"],
    "我家": ["俺家", "我屋头"],
    "很": ["老", "贼"],
    "不": ["莫"],
    "现在": ["这会儿"],
    "知道": ["晓得"],
}
TYPOS = {"电": "点", "师傅": "师父", "费": "废", "停": "挺", "表": "婊", "修": "休", "线": "现", "压": "鸭"}
STREETS = [
    "人民路",
    "解放路",
    "建设街",
    "和平里",
    "东风路",
    "滨江大道",
    "幸福小区",
    "城南新村",
    "光明村",
    "长青路",
]
FIRST_NAMES = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄"]


def _address(rng: random.Random) -> str:
    return (
        f"{rng.choice(STREETS)}{rng.randint(1, 300)}号{rng.randint(1, 20)}栋"
        f"{rng.randint(1, 6)}单元{rng.randint(1, 30)}0{rng.randint(1, 4)}室"
    )


def _numbers(rng: random.Random) -> str:
    pick = rng.randint(0, 4)
    if pick == 0:
        return f"我的户号是{rng.randint(1000000000, 9999999999)}，"
    if pick == 1:
        return f"我电话1{rng.choice('3578')}{rng.randint(100000000, 999999999)}，"
    if pick == 2:
        return f"地址是{_address(rng)}，"
    if pick == 3:
        return f"我姓{rng.choice(FIRST_NAMES)}，住在{_address(rng)}，"
    return f"从{rng.randint(1, 12)}点{rng.choice(['', '半', '多'])}开始，"


def _dialect(text: str, rng: random.Random) -> str:
    for plain, options in DIALECT.items():
        if plain in text and rng.random() < 0.7:
            text = text.replace(plain, rng.choice(options), 1)
    ending = text[-1] if text and text[-1] in "。！" else ""
    return text[: len(text) - len(ending)] + rng.choice(["嘛", "噻", "哦", "咧", ""]) + ending


def _typos(text: str, rng: random.Random) -> str:
    for right, wrong in TYPOS.items():
        if right in text and rng.random() < 0.4:
            text = text.replace(right, wrong, 1)
    return text


def _short(text: str) -> str:
    # the clause that carries the matter (a hazard detail added last is the one that matters most)
    clauses = [c.rstrip("。！") for c in text.split("，") if c]
    return (
        clauses[-1]
        if len(clauses) > 1 and any(h.startswith(clauses[-1]) for h in HAZARD_ADDS)
        else clauses[0]
    )


def utterance(core: str, *, emotion: str, rng: random.Random, voice: str) -> str:
    if voice == "short":
        return _short(core)
    if emotion == "calm":
        head, tail = rng.choice(CALM_OPEN), rng.choice(CALM_CLOSE)
    elif emotion == "unhappy":
        head, tail = rng.choice(UNHAPPY_OPEN), rng.choice(UNHAPPY_CLOSE)
    else:
        head, tail = rng.choice(ANGRY_OPEN), rng.choice(ANGRY_CLOSE)
    body = core
    if rng.random() < 0.45:
        body = _numbers(rng) + body
    if voice == "elderly":
        head = rng.choice(ELDERLY) + head
    text = f"{head}{body}，{tail}".replace("，，", "，").rstrip("，")
    if voice == "long":
        extra = [
            _numbers(rng).rstrip("，"),
            "家里还有老人和小孩",
            "这个事情之前也打过电话",
            "我上班前看了一下",
            "邻居也说有同样的情况",
            "麻烦你们记一下",
        ]
        rng.shuffle(extra)
        text = f"{head}{core}，{'，'.join(extra[:4])}，{tail}"
    if voice == "dialect":
        text = _dialect(text, rng)
    if voice == "typos":
        text = _typos(text, rng)
    return text


EMOTIONS_BY_TYPE = {
    "complaint": (0.1, 0.45, 0.45),
    "report": (0.5, 0.35, 0.15),
    "repair": (0.45, 0.35, 0.2),
    "opinion": (0.6, 0.35, 0.05),
    "praise": (1.0, 0.0, 0.0),
    "consultation": (0.75, 0.2, 0.05),
    "service_request": (0.55, 0.35, 0.1),
    "application": (0.8, 0.18, 0.02),
}
VOICES = ["plain", "plain", "plain", "elderly", "dialect", "typos", "short", "long"]


def build(seed: int = 15, per_situation: int = 44) -> list[dict[str, object]]:
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    seen: set[str] = set()
    for btype, topic, sub_type, urgent, cores in SITUATIONS:
        weights = EMOTIONS_BY_TYPE[btype]
        made = attempts = 0
        while made < per_situation and attempts < per_situation * 20:
            attempts += 1
            core = rng.choice(cores)
            emotion = rng.choices(["calm", "unhappy", "angry"], weights=weights)[0]
            voice = rng.choice(VOICES)
            is_urgent = urgent
            # a present hazard can come up in any kind of call (a complaint about a line still hanging low, a
            # report of a forced box): the call is then urgent whatever its type
            if not urgent and btype not in {"praise", "application"} and rng.random() < 0.12:
                core = f"{core}，{rng.choice(HAZARD_ADDS)}"
                is_urgent = True
            text = utterance(core, emotion=emotion, rng=rng, voice=voice)
            if voice == "short" and emotion != "calm":
                emotion = "calm"  # two words carry no emotion of their own
            if text in seen or not text:
                continue
            seen.add(text)
            rows.append(
                {
                    "text": text,
                    "business_type": btype,
                    "topic": topic,
                    "sub_type": sub_type,
                    "emotion": emotion,
                    "urgent": is_urgent,
                }
            )
            made += 1
    rng.shuffle(rows)
    return rows


def main() -> None:
    rows = build()
    with (HERE / "train.jsonl").open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} utterances → {HERE / 'train.jsonl'}")


if __name__ == "__main__":
    main()
